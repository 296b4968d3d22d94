package netbalancer.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.observe.Family;
import netbalancer.observe.KernelState;
import netbalancer.observe.Nexthop;
import netbalancer.observe.NftTable;
import netbalancer.observe.Route;
import netbalancer.observe.Rule;

/**
 * What must change to get from the observed kernel state to the plan: {@code ip -batch} lines
 * and whether our nft table must be replaced. Only objects tagged with our protocol number are
 * ever deleted. Order: routes first, then new rules, then old rules go, then old routes go — so
 * no packet meets a rule that points at an empty table. Nothing changed, nothing emitted.
 */
public record StateDiff(List<String> ipBatch, boolean replaceNft, boolean deleteNft, List<String> ipBatch6) {

  public StateDiff {
    ipBatch = List.copyOf(ipBatch);
    ipBatch6 = List.copyOf(ipBatch6);
  }

  /** IPv4 changes only. */
  public StateDiff(List<String> ipBatch, boolean replaceNft, boolean deleteNft) {
    this(ipBatch, replaceNft, deleteNft, List.of());
  }

  public boolean isEmpty() {
    return ipBatch.isEmpty() && ipBatch6.isEmpty() && !replaceNft && !deleteNft;
  }

  /** Changes of both families ({@link #ipBatch} for {@code ip -batch}, {@link #ipBatch6} for {@code ip -6 -batch}). */
  public int ipChanges() {
    return ipBatch.size() + ipBatch6.size();
  }

  public static StateDiff between(Plan plan, KernelState current, int rtProto) {
    StateDiff v4 = between(plan, current, rtProto, Family.INET);
    StateDiff v6 = between(plan, current, rtProto, Family.INET6);
    return new StateDiff(v4.ipBatch(), v4.replaceNft(), v4.deleteNft(), v6.ipBatch());
  }

  /**
   * One family's lines: the kernel keeps IPv4 and IPv6 rules and routes apart, and a rule
   * without an address names its family only on the command line ({@code ip -6}).
   */
  private static StateDiff between(Plan plan, KernelState current, int rtProto, Family family) {
    List<String> lines = new ArrayList<>();

    Map<String, Route> have = new LinkedHashMap<>();
    for (Route r : current.routes()) {
      if (r.protocol() == rtProto && r.family() == family) {
        have.put(routeKey(r), normalize(r));
      }
    }
    Map<String, Route> want = new LinkedHashMap<>();
    plan.routes().stream().filter(r -> r.family() == family).forEach(r -> want.put(routeKey(r), normalize(r)));
    want.forEach((key, r) -> {
      if (!r.equals(have.get(key))) {
        lines.add(IpCommands.route("replace", r));
      }
    });

    List<Rule> stale = new ArrayList<>(current.rules().stream()
        .filter(r -> r.protocol() == rtProto && r.family() == family).toList());
    for (Rule r : plan.rules().stream().filter(r -> r.family() == family).toList()) {
      if (!stale.remove(r)) {
        lines.add(IpCommands.rule("add", r));
      }
    }
    stale.forEach(r -> lines.add(IpCommands.rule("del", r)));
    have.forEach((key, r) -> {
      if (!want.containsKey(key)) {
        lines.add(IpCommands.routeDelete(r));
      }
    });

    NftTable table = current.nftTable();
    boolean replace = !plan.nft().isEmpty() && !(table.exists()
        && table.fingerprint().equals(plan.nft().fingerprint()) && table.ruleCount() == plan.nft().ruleCount());
    boolean delete = plan.nft().isEmpty() && table.exists();
    return new StateDiff(lines, replace, delete);
  }

  private static String routeKey(Route r) {
    return r.family() + " " + r.table() + " " + r.dst();
  }

  /** Drops what the kernel adds on its own (linkdown, a metric of 0, weight of a single path). */
  private static Route normalize(Route r) {
    List<Nexthop> hops = r.nexthops().size() == 1
        ? List.of(new Nexthop(r.nexthops().get(0).gateway(), r.nexthops().get(0).dev(), 1))
        : r.nexthops();
    return new Route(r.family(), r.table(), r.dst(), hops, r.protocol(), r.scope(), r.prefsrc(), null, false, r.type());
  }
}
