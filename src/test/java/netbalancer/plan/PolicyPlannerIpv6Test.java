package netbalancer.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.config.PolicyLoader;
import netbalancer.observe.Family;
import netbalancer.observe.Route;
import netbalancer.observe.Rule;
import org.junit.jupiter.api.Test;

/** Policies for IPv6: wan1 and wan2 dual-stack, wan3 IPv4-only, wan4 IPv6-only. */
class PolicyPlannerIpv6Test {
  static final String FILE = """
      voip      proto udp dport 5060                        -> wan1 > wan2
      guests    src 192.0.2.128/25,2001:db8:100::/56        -> wan3 else unreachable
      office    dst 2001:db8:ee::/48                        -> main
      banking   dst 198.51.100.0/24,2001:db8:bb::/48        -> balanced sticky 600
      lte       proto tcp dport 443                         -> wan4 else blackhole
      """;
  static final Config CONFIG = Config.defaults();
  static final List<Uplink> UPLINKS = List.of(dual("wan1", 1, "fe80::1"), dual("wan2", 2, "2001:db8:2::1"),
      PolicyPlannerTest.uplink("wan3", 3),
      Uplink.ipv6Only("wan4", 4, true, new Uplink.Ipv6Side("2001:db8:4::2", 64, "fe80::4", List.of())));
  static final Set<String> ALL = Set.of("wan1", "wan2", "wan3", "wan4");

  static Uplink dual(String name, int i, String gateway6) {
    return new Uplink(name, i, Family.INET, "198.18." + i + ".2", "198.18." + i + ".1",
        List.of("198.18." + i + ".0/24"), true, new Uplink.Ipv6Side("2001:db8:" + i + "::2", 64, gateway6,
        List.of("2001:db8:" + i + "::/64")));
  }

  private static Policies policies() {
    return PolicyLoader.parse(FILE, "policies.conf");
  }

  private static PolicySet set(PolicyPlan plan, String policy) {
    return plan.sets().stream().filter(s -> s.policies().contains(policy)).findFirst().orElseThrow();
  }

  private static List<String> names(PolicySet.Resolved r) {
    return r.uplinks().stream().map(m -> m.iface()).toList();
  }

  @Test
  void dualStackGolden() throws IOException {
    PlannerTest.assertGolden("policies-dual-stack.txt", PolicyPlanner.plan(CONFIG, policies(), UPLINKS, ALL, ALL).render());
  }

  @Test
  void eachFamilyResolvesOverTheUplinksThatHaveIt() {
    PolicyPlan plan = PolicyPlanner.plan(CONFIG, policies(), UPLINKS, ALL, ALL);
    PolicySet voip = set(plan, "voip");
    assertEquals(List.of("wan1"), names(voip.resolved()));
    assertEquals(List.of("wan1"), names(voip.resolved6()));
    // wan3 has no IPv6: guests' IPv6 connections take its else (unreachable), its IPv4 ones wan3.
    PolicySet guests = set(plan, "guests");
    assertEquals(List.of("wan3"), names(guests.resolved()));
    assertEquals("unreachable", guests.resolved6().type());
    assertTrue(guests.resolved6().fallback());
    // wan4 is IPv6-only: the reverse.
    PolicySet lte = set(plan, "lte");
    assertEquals("blackhole", lte.resolved().type());
    assertEquals(List.of("wan4"), names(lte.resolved6()));
    // Same mark and table number for both families, rules at the same preferences in each.
    for (PolicySet s : plan.sets()) {
      List<Rule> rules = plan.rules().stream().filter(r -> r.table() == s.table()).toList();
      assertEquals(List.of(Family.INET, Family.INET6), rules.stream().map(Rule::family).toList(), rules.toString());
      assertEquals(rules.get(0).priority(), rules.get(1).priority());
      assertEquals(rules.get(0).fwmark(), rules.get(1).fwmark());
    }
    Route v6 = plan.routes().stream().filter(r -> r.family() == Family.INET6 && r.table() == voip.table())
        .findFirst().orElseThrow();
    assertEquals("fe80::1", v6.nexthops().get(0).gateway());
    assertTrue(plan.nftHooks().contains("prerouting: ct mark & 0xff00 == 0 jump policies"), plan.nftHooks().toString());
  }

  @Test
  void anIpv6SideFailsOverOnItsOwn() {
    // wan1's IPv6 is broken, its IPv4 is not: voip's IPv6 moves to wan2, its IPv4 stays.
    PolicyPlan plan = PolicyPlanner.plan(CONFIG, policies(), UPLINKS, ALL, Set.of("wan2", "wan4"));
    PolicySet voip = set(plan, "voip");
    assertEquals(List.of("wan1"), names(voip.resolved()));
    assertEquals(List.of("wan2"), names(voip.resolved6()));
    assertEquals(false, voip.resolved6().fallback());
    PolicyPlan.InUse inUse = plan.inUse().get(0);
    assertEquals(List.of("wan1"), inUse.uplinks());
    assertEquals(new PolicyPlan.InUse.Side(List.of("wan2"), "uplinks", false), inUse.ipv6());
    // Failover changes routes only.
    PolicyPlan up = PolicyPlanner.plan(CONFIG, policies(), UPLINKS, ALL, ALL);
    assertEquals(up.nftDefinitions(), plan.nftDefinitions());
    assertEquals(up.nftHooks(), plan.nftHooks());
    assertEquals(up.rules(), plan.rules());
  }

  @Test
  void stickyHasAMapPerFamilyAndKeepsEachFamilysUplinks() {
    PolicyPlan plan = PolicyPlanner.plan(CONFIG, policies(), UPLINKS, ALL, Set.of("wan1", "wan4"));
    long mark = set(plan, "banking").mark();
    String v4 = PolicyPlanner.stickyMap(mark, CONFIG.markShift());
    String v6 = PolicyPlanner.stickyMap6(mark, CONFIG.markShift());
    assertEquals(Set.of(CONFIG.markFor(1), CONFIG.markFor(2), CONFIG.markFor(3)), plan.stickyKeep().get(v4));
    assertEquals(Set.of(CONFIG.markFor(1), CONFIG.markFor(4)), plan.stickyKeep().get(v6));
    assertTrue(plan.nftDefinitions().contains("map " + v6 + " {\n\t\ttype ipv6_addr : mark"), plan.nftDefinitions());
    assertTrue(plan.nftDefinitions().contains("2001:db8:bb::/48 comment \"banking\" : goto policy_4"), plan.nftDefinitions());
    assertTrue(plan.nftDefinitions().contains("chain policy_4 {\n\t\tct state new counter name \"policy_new_4\"\n"
        + "\t\tmeta mark set ip saddr map @sticky_68 update @sticky_68 { ip saddr : meta mark } return\n"
        + "\t\tmeta mark set ip6 saddr map @" + v6 + " update @" + v6 + " { ip6 saddr : meta mark } return\n"),
        plan.nftDefinitions());
    assertTrue(plan.nftHooks().contains("nat_postrouting: meta mark & 0xff00 == " + IpCommands.hex(mark)
        + " oifname \"wan4\" update @" + v6 + " { ip6 saddr : 0x400 }"), plan.nftHooks().toString());
    assertTrue(plan.nftHooks().stream().noneMatch(h -> h.contains("\"wan3\" update @" + v6)), plan.nftHooks().toString());
    assertTrue(plan.nftHooks().stream().noneMatch(h -> h.contains("\"wan4\" update @" + v4)), plan.nftHooks().toString());
  }

  @Test
  void onlyTheFamiliesSomeUplinkHasAreClassified() {
    PolicyPlan v4only = PolicyPlanner.plan(CONFIG, policies(), UPLINKS.subList(2, 3), ALL, ALL);
    assertTrue(v4only.nftHooks().contains("prerouting: meta nfproto ipv4 ct mark & 0xff00 == 0 jump policies"));
    assertTrue(v4only.rules().stream().allMatch(r -> r.family() == Family.INET));
    assertTrue(v4only.sets().stream().allMatch(s -> s.resolved6() == null));
    assertNull(v4only.inUse().get(0).ipv6());
    PolicyPlan v6only = PolicyPlanner.plan(CONFIG, policies(), UPLINKS.subList(3, 4), ALL, ALL);
    assertTrue(v6only.nftHooks().contains("output: meta nfproto ipv6 ct mark & 0xff00 == 0 jump policies"));
    assertTrue(v6only.rules().stream().allMatch(r -> r.family() == Family.INET6));
    assertTrue(v6only.sets().stream().allMatch(s -> s.resolved() == null));
    assertEquals(List.of("wan4"), v6only.inUse().get(4).uplinks());
  }

  @Test
  void theWholePlanPassesEachFamilysOwnEligibleSides() {
    Plan p = Planner.plan(CONFIG, policies(), UPLINKS, Map.of(), Map.of("wan1", UplinkState.DOWN));
    PolicySet voip = p.policies().sets().get(0);
    assertEquals(List.of("wan1"), names(voip.resolved()));
    assertEquals(List.of("wan2"), names(voip.resolved6()));
    assertTrue(p.rules().stream().anyMatch(r -> r.family() == Family.INET6 && r.table() == voip.table()));
  }
}
