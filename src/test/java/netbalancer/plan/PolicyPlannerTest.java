package netbalancer.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.config.Config;
import netbalancer.config.ConfigException;
import netbalancer.config.Policies;
import netbalancer.config.PolicyLoader;
import netbalancer.observe.Family;
import netbalancer.observe.Rule;
import org.junit.jupiter.api.Test;

class PolicyPlannerTest {
  static final String FILE = """
      # NAME    MATCH ...                                   -> ACTION
      voip      proto udp dport 5060,10000-20000            -> wan1 > wan2
      guests    src 192.0.2.128/25                          -> wan3 else unreachable
      office    dst 203.0.113.0/24                          -> main
      banking   dst 198.51.100.0/24                         -> balanced sticky 600
      backup    src 192.0.2.20 proto tcp dport 22,873       -> wan2=3,wan3=1 > wan1
      sip2      iif lan0 proto udp dport 5061               -> wan1 > wan2
      v6lab     src 2001:db8::/32,192.0.2.64/26             -> wan1 else main
      pings     proto icmp                                  -> blackhole
      """;
  static final Config CONFIG = Config.defaults();
  static final List<Uplink> UPLINKS = List.of(uplink("wan1", 1), uplink("wan2", 2), uplink("wan3", 3));
  static final Set<String> ALL = Set.of("wan1", "wan2", "wan3");

  static Uplink uplink(String name, int i) {
    return new Uplink(name, i, Family.INET, "198.18." + i + ".2", "198.18." + i + ".1",
        List.of("198.18." + i + ".0/24"), true);
  }

  private static Policies policies() {
    return PolicyLoader.parse(FILE, "policies.conf");
  }

  @Test
  void allUplinksHealthyGolden() throws IOException {
    PlannerTest.assertGolden("policies-all-up.txt", PolicyPlanner.plan(CONFIG, policies(), UPLINKS, ALL).render());
  }

  @Test
  void wan1AndWan3DownGolden() throws IOException {
    PlannerTest.assertGolden("policies-wan1-wan3-down.txt",
        PolicyPlanner.plan(CONFIG, policies(), UPLINKS, Set.of("wan2")).render());
  }

  @Test
  void noPoliciesNoPlan() {
    assertSame(PolicyPlan.NONE, PolicyPlanner.plan(CONFIG, Policies.NONE, UPLINKS, ALL));
  }

  @Test
  void aFailoverChangesRoutesOnlyNeverMarksTablesOrNft() {
    PolicyPlan up = PolicyPlanner.plan(CONFIG, policies(), UPLINKS, ALL);
    PolicyPlan down = PolicyPlanner.plan(CONFIG, policies(), UPLINKS, Set.of("wan2"));
    assertEquals(up.nftDefinitions(), down.nftDefinitions());
    assertEquals(up.nftHooks(), down.nftHooks());
    assertEquals(up.sets().stream().map(s -> s.mark() + "/" + s.table()).toList(),
        down.sets().stream().map(s -> s.mark() + "/" + s.table()).toList());
  }

  @Test
  void tiersAndElseResolveAsLbTableDoes() {
    Map<String, Uplink> byName = Map.of("wan1", UPLINKS.get(0), "wan2", UPLINKS.get(1), "wan3", UPLINKS.get(2));
    Policies p = policies();
    var voip = p.byName("voip");
    assertEquals("[wan1]", names(PolicySet.Resolved.class.cast(
        PolicyPlanner.resolve(voip.action(), voip.orElse(), byName, ALL))));
    var failover = PolicyPlanner.resolve(voip.action(), voip.orElse(), byName, Set.of("wan2", "wan3"));
    assertEquals("[wan2]", names(failover));
    assertEquals(false, failover.fallback());
    var none = PolicyPlanner.resolve(voip.action(), voip.orElse(), byName, Set.of("wan3"));
    assertEquals("[]", names(none));
    assertTrue(none.fallback()); // else balanced: empty table, falls through to LB_TABLE

    var guests = p.byName("guests");
    var unreachable = PolicyPlanner.resolve(guests.action(), guests.orElse(), byName, Set.of("wan1", "wan2"));
    assertEquals("unreachable", unreachable.type());
    assertTrue(unreachable.fallback());

    var backup = p.byName("backup");
    var weighted = PolicyPlanner.resolve(backup.action(), backup.orElse(), byName, ALL);
    assertEquals("[wan2=3, wan3]", weighted.uplinks().toString());
    // An uplink that is not there now (a USB modem unplugged) is not eligible: the next tier takes over.
    var absent = PolicyPlanner.resolve(backup.action(), backup.orElse(),
        Map.of("wan1", UPLINKS.get(0)), Set.of("wan1", "wan2", "wan3"));
    assertEquals("[wan1]", names(absent));
  }

  private static String names(PolicySet.Resolved r) {
    return r.uplinks().stream().map(m -> m.iface()).toList().toString();
  }

  @Test
  void marksAreAboveEveryUplinkMarkInsideTheMaskAndTablesAvoidTheKernelsAndLbTable() {
    Config c = Config.of(Map.of("LB_TABLE_BASE", "187", "LB_TABLE", "252",
        "LB_MARK_MASK", "0xff0000"));
    PolicyPlan plan = PolicyPlanner.plan(c, policies(), UPLINKS, ALL);
    // 187+64 = 251, then 252 is LB_TABLE and 253-255 are the kernel's; the sticky balanced one has its own.
    assertEquals(List.of(251, 256, 257, 258, 259, 260), plan.sets().stream().map(PolicySet::table).toList());
    assertEquals(List.of(0x420000L, 0x430000L, 0x440000L, 0x450000L, 0x460000L, 0x470000L),
        plan.sets().stream().map(PolicySet::mark).toList());
    for (Rule r : plan.rules()) {
      assertEquals(0xff0000L, r.fwmask());
      assertTrue(r.fwmark() >= (64L << 16) && (r.fwmark() & ~0xff0000L) == 0, r.toString());
      assertEquals(c.lbPref() - 3 + (r.table() == 254 && r.fwmark() != (65L << 16) ? 1 : 0), r.priority(),
          r.toString());
    }
  }

  @Test
  void aMaskWithoutRoomIsRefusedNamingTheKey() {
    Config c = Config.of(Map.of("LB_MARK_MASK", "0x3f00"));
    ConfigException e = assertThrows(ConfigException.class, () -> PolicyPlanner.plan(c, policies(), UPLINKS, ALL));
    assertTrue(e.getMessage().startsWith("invalid configuration: LB_MARK_MASK=0x3f00 has room for mark values up to"
        + " 63; the policies in policies.conf need 71"), e.getMessage());
  }

  @Test
  void selectorsSplitByFamilyAndUseAnonymousSets() {
    Policies p = policies();
    assertEquals(List.of("meta l4proto udp th dport { 5060, 10000-20000 }"),
        PolicyPlanner.selectors(p.byName("voip").match()));
    assertEquals(List.of("ip saddr 192.0.2.64/26", "ip6 saddr 2001:db8::/32"),
        PolicyPlanner.selectors(p.byName("v6lab").match()));
    assertEquals(List.of("meta l4proto icmp", "meta l4proto ipv6-icmp"),
        PolicyPlanner.selectors(p.byName("pings").match()));
    assertEquals(List.of("iifname \"lan0\" meta l4proto udp th dport 5061"),
        PolicyPlanner.selectors(p.byName("sip2").match()));
    assertEquals(List.of(""), PolicyPlanner.selectors(PolicyLoader.parse("all -> wan1", "f").byName("all").match()));
  }
}
