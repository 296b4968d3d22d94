package netbalancer.observe;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
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

  public NftTable nftTable() {
    CommandRunner.Result r = runner.run("nft", "-j", "list", "table", NFT_FAMILY, NFT_TABLE);
    return r.ok() ? NftJson.table(r.stdout()) : NftTable.ABSENT;
  }
}
