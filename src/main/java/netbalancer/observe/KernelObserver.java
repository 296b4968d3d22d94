package netbalancer.observe;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import netbalancer.system.CommandRunner;

/**
 * Reads the kernel's state in two subprocesses: one {@code ip -batch} for links, addresses,
 * routes, rules and neighbors, and one {@code nft} for our own table.
 */
public final class KernelObserver {
  public static final String NFT_FAMILY = "inet";
  public static final String NFT_TABLE = "net_balancer";

  private static final String IP_QUERIES = String.join("\n",
      "address show", "route show table all", "rule show", "neigh show", "");

  private final CommandRunner runner;

  public KernelObserver(CommandRunner runner) {
    this.runner = runner;
  }

  public KernelState observe() {
    String out = runner.check(List.of("ip", "-j", "-d", "-N", "-4", "-batch", "-"), IP_QUERIES).stdout();
    List<JsonNode> arrays = IpJson.arrays(out);
    if (arrays.size() != 4) {
      throw new IllegalStateException("ip -batch answered " + arrays.size() + " of 4 queries");
    }
    return new KernelState(IpJson.links(arrays.get(0)), IpJson.routes(arrays.get(1), Family.INET),
        IpJson.rules(arrays.get(2), Family.INET), IpJson.neighbors(arrays.get(3)), nftTable());
  }

  /**
   * The devices the IPv4 default route in {@code table} spans now: with LB_TABLE, the uplinks new
   * connections are balanced over. One small {@code ip} call (the harness polls it every 20 ms);
   * null when ip fails (the namespace is gone, say).
   */
  public Set<String> defaultRouteDevices(int table) {
    CommandRunner.Result r = runner.run("ip", "-j", "-d", "-N", "-4", "route", "show", "table", Integer.toString(table));
    return r.ok() ? defaultRouteDevices(r.stdout()) : null;
  }

  /** The devices of the default route(s) in {@code ip -j route show} output, sorted. */
  static Set<String> defaultRouteDevices(String ipJson) {
    Set<String> devs = new TreeSet<>();
    if (ipJson == null || ipJson.isBlank()) {
      return devs;
    }
    for (JsonNode array : IpJson.arrays(ipJson)) {
      for (Route r : IpJson.routes(array, Family.INET)) {
        if (r.isDefault()) {
          r.nexthops().forEach(h -> devs.add(h.dev()));
        }
      }
    }
    return devs;
  }

  public NftTable nftTable() {
    CommandRunner.Result r = runner.run("nft", "-j", "list", "table", NFT_FAMILY, NFT_TABLE);
    return r.ok() ? NftJson.table(r.stdout()) : NftTable.ABSENT;
  }
}
