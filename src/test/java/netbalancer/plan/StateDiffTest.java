package netbalancer.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.observe.KernelState;
import netbalancer.observe.NftTable;
import netbalancer.observe.Nexthop;
import netbalancer.observe.Route;
import netbalancer.observe.Rule;
import org.junit.jupiter.api.Test;

class StateDiffTest {
  private static final Config C = Config.defaults();

  /** The kernel as it looks right after a plan was applied. */
  private static KernelState appliedState(Fixtures base, Plan p) {
    KernelState s = base.build();
    List<Route> routes = new ArrayList<>(s.routes());
    routes.addAll(p.routes());
    List<Rule> rules = new ArrayList<>(s.rules());
    rules.addAll(p.rules());
    return new KernelState(s.links(), routes, rules, s.neighbors(),
        new NftTable(true, p.nft().fingerprint(), p.nft().ruleCount(), Map.of()));
  }

  private static Fixtures two(boolean wan2Carrier) {
    return new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, wan2Carrier);
  }

  private static Plan plan(Fixtures f) {
    return Planner.plan(C, UplinkDiscovery.discover(C, f.build()), Map.of());
  }

  @Test
  void applyingTheSamePlanAgainChangesNothing() {
    Plan p = plan(two(true));
    StateDiff d = StateDiff.between(p, appliedState(two(true), p), 213);
    assertTrue(d.isEmpty(), d.toString());
  }

  @Test
  void kernelAddedLinkdownAndWeightOfOneAreNotDifferences() {
    Plan p = plan(two(true));
    KernelState s = appliedState(two(true), p);
    List<Route> marked = s.routes().stream().map(r -> r.protocol() == 213 && r.nexthops().size() == 1
        ? new Route(r.family(), r.table(), r.dst(), r.nexthops(), r.protocol(), r.scope(), r.prefsrc(), null, true)
        : r).toList();
    KernelState withFlags = new KernelState(s.links(), marked, s.rules(), s.neighbors(), s.nftTable());
    assertTrue(StateDiff.between(p, withFlags, 213).isEmpty());
  }

  @Test
  void carrierLossReplacesOnlyTheMultipathRoute() {
    Plan before = plan(two(true));
    Plan after = plan(two(false));
    StateDiff d = StateDiff.between(after, appliedState(two(false), before), 213);
    assertEquals(List.of("route replace default table 200 proto 213 via 198.18.1.1 dev wan1"), d.ipBatch());
    assertFalse(d.replaceNft());
  }

  @Test
  void removedUplinkLosesRulesBeforeRoutesAndForeignObjectsStay() {
    Plan before = plan(two(true));
    Fixtures oneLeft = new Fixtures().uplink("wan1", 1, true)
        .rule(new Rule(netbalancer.observe.Family.INET, 100, null, 0x1L, 0xffL, 52, null, 4))
        .route(new Route(netbalancer.observe.Family.INET, 52, "default", List.of(new Nexthop("198.18.1.1", "wan1", 1)),
            4, 0, null, null, false));
    KernelState s = appliedState(oneLeft, before);
    Plan after = plan(new Fixtures().uplink("wan1", 1, true));
    List<String> lines = StateDiff.between(after, s, 213).ipBatch();
    assertTrue(lines.stream().noneMatch(l -> l.contains("table 52") || l.contains("lookup 52")), lines.toString());
    int lastRuleDel = -1;
    int firstRouteDel = Integer.MAX_VALUE;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("rule del")) {
        lastRuleDel = i;
      }
      if (lines.get(i).startsWith("route del")) {
        firstRouteDel = Math.min(firstRouteDel, i);
      }
    }
    assertTrue(lastRuleDel >= 0 && lastRuleDel < firstRouteDel, lines.toString());
    assertTrue(lines.contains("route del default table 102 proto 213"), lines.toString());
  }

  @Test
  void deletedRuleAndFlushedTableAndMissingNftAreRepaired() {
    Plan p = plan(two(true));
    KernelState s = appliedState(two(true), p);
    List<Rule> rules = new ArrayList<>(s.rules());
    rules.remove(p.rules().get(1));
    List<Route> routes = s.routes().stream().filter(r -> r.table() != 101).toList();
    KernelState drifted = new KernelState(s.links(), routes, rules, s.neighbors(), NftTable.ABSENT);
    StateDiff d = StateDiff.between(p, drifted, 213);
    assertTrue(d.replaceNft());
    assertEquals(3, d.ipBatch().size(), d.ipBatch().toString());
  }
}
