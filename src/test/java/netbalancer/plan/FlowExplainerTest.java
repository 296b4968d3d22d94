package netbalancer.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.config.PolicyLoader;
import netbalancer.observe.KernelState;
import org.junit.jupiter.api.Test;

class FlowExplainerTest {
  static final Config CONFIG = Config.defaults();
  static final Policies FILE = PolicyLoader.parse("""
      voip    proto tcp dport 8081    -> wan1 > wan2
      guests  src 192.0.2.128/25      -> wan3 else unreachable
      office  dst 203.0.113.0/24      -> main
      """, "policies.conf");

  private static Plan plan(Map<String, UplinkState> states) {
    KernelState k = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true).build();
    return Planner.plan(CONFIG, FILE, UplinkDiscovery.discover(CONFIG, k), states);
  }

  @Test
  void aPolicyOnItsSecondTierSaysWhyNotTheFirst() {
    Plan p = plan(Map.of("wan1", UplinkState.HOLD_DOWN));
    FlowExplainer.Explanation e = FlowExplainer.explain(CONFIG, p, FILE.byName("voip"),
        Map.of("wan1", "hold-down: 3 losses, 42 s left"));
    assertEquals(0x4200L, e.mark());
    assertEquals(164, e.table());
    assertEquals(List.of("wan2"), e.now());
    assertEquals("hold-down: 3 losses, 42 s left (tier 1 of the policy)", e.uplinks().get("wan1"));
    assertEquals("in use (tier 2 of the policy)", e.uplinks().get("wan2"));
    assertEquals("not named by the policy", e.uplinks().get("wan3"));
  }

  @Test
  void lastResortsMainAndNoPolicy() {
    Plan p = plan(Map.of("wan3", UplinkState.DOWN));
    FlowExplainer.Explanation guests = FlowExplainer.explain(CONFIG, p, FILE.byName("guests"), Map.of("wan3", "down"));
    assertTrue(guests.route().startsWith("unreachable (else"), guests.route());
    assertEquals(List.of(), guests.now());
    FlowExplainer.Explanation office = FlowExplainer.explain(CONFIG, p, FILE.byName("office"), Map.of());
    assertEquals(0x4100L, office.mark());
    FlowExplainer.Explanation none = FlowExplainer.explain(CONFIG, p, null, Map.of("wan3", "down: no carrier"));
    assertNull(none.table());
    assertEquals(List.of("wan1", "wan2"), none.now());
    assertEquals("down: no carrier", none.uplinks().get("wan3"));
  }

  @Test
  void anIpv6FlowIsExplainedByTheIpv6SidesAndAnUplinkWithoutIpv6IsNeverUsed() {
    Policies file = PolicyLoader.parse("""
        voip    proto tcp dport 8081    -> wan3 > wan2
        guests  proto tcp dport 8082    -> wan3 else unreachable
        """, "policies.conf");
    List<Uplink> uplinks = List.of(PolicyPlannerIpv6Test.dual("wan1", 1, "fe80::1"),
        PolicyPlannerIpv6Test.dual("wan2", 2, "2001:db8:2::1"), PolicyPlannerTest.uplink("wan3", 3));
    Plan p = Planner.plan(CONFIG, file, uplinks, Map.of(), Map.of("wan1", UplinkState.DOWN));
    FlowExplainer.Explanation voip = FlowExplainer.explain(CONFIG, p, file.byName("voip"), Map.of(), true);
    assertEquals(List.of("wan2"), voip.now());
    assertEquals("no IPv6 (tier 1 of the policy)", voip.uplinks().get("wan3"));
    assertEquals("in use (tier 2 of the policy)", voip.uplinks().get("wan2"));
    assertEquals(List.of("wan3"), FlowExplainer.explain(CONFIG, p, file.byName("voip"), Map.of()).now());
    FlowExplainer.Explanation guests = FlowExplainer.explain(CONFIG, p, file.byName("guests"), Map.of(), true);
    assertTrue(guests.route().startsWith("unreachable (else"), guests.route());
    FlowExplainer.Explanation none = FlowExplainer.explain(CONFIG, p, null, Map.of("wan1", "IPv6 down"), true);
    assertEquals(List.of("wan2"), none.now());
    assertEquals("IPv6 down", none.uplinks().get("wan1"));
    assertEquals("no IPv6", none.uplinks().get("wan3"));
  }
}
