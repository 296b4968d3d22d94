package netbalancer.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.observe.Address;
import netbalancer.observe.Family;
import netbalancer.observe.KernelObserver;
import netbalancer.observe.KernelState;
import netbalancer.observe.Nexthop;
import netbalancer.observe.Route;
import org.junit.jupiter.api.Test;

class PlannerTest {
  private static final Config WEIGHTED = Config.of(Map.of("UPLINK_WEIGHTS", "wan1=3 wan2=2 wan3=1"));

  private static Plan planFromCarrier(Config config, KernelState state) {
    List<Uplink> uplinks = UplinkDiscovery.discover(config, state);
    return Planner.plan(config, uplinks, Map.of());
  }

  /** Golden text: regenerate with -Dgolden.update=true and review the diff by eye. */
  static void assertGolden(String name, String actual) throws IOException {
    Path file = Path.of("src/test/resources/golden", name);
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(file, actual);
    }
    assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual, "golden " + name);
  }

  @Test
  void threeWeightedUplinksGolden() throws IOException {
    KernelState s = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true)
        .link("lan0", true).build();
    assertGolden("three-weighted.txt", planFromCarrier(WEIGHTED, s).render());
  }

  @Test
  void dualStackUplinksGetTheIpv6TwinOfEveryRuleRouteAndTranslationGolden() throws IOException {
    // wan1 and wan2 dual stack (link-local and global gateways), wan3 IPv4-only
    KernelState s = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true)
        .ipv6("wan1", "2001:db8:1::2", "2001:db8:1::/64", "fe80::1", 1024)
        .ipv6("wan2", "2001:db8:2::2", "2001:db8:2::/64", "2001:db8:2::1", 1024)
        .link("lan0", true).build();
    List<Uplink> uplinks = UplinkDiscovery.discover(WEIGHTED, s);
    assertEquals(new Uplink.Ipv6Side("2001:db8:1::2", 64, "fe80::1", List.of("2001:db8:1::/64")), uplinks.get(0).ipv6());
    assertEquals("198.18.1.1", uplinks.get(0).gateway(), "the IPv6 default never becomes the IPv4 gateway");
    assertFalse(uplinks.get(2).hasIpv6());
    Plan dual = Planner.plan(WEIGHTED, uplinks, Map.of());
    assertGolden("dual-stack.txt", dual.render());
    // the IPv4 half is exactly the IPv4-only plan's
    Plan v4 = planFromCarrier(WEIGHTED, new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true)
        .uplink("wan3", 3, true).link("lan0", true).build());
    assertEquals(v4.rules(), dual.rules().stream().filter(r -> r.family() == Family.INET).toList());
    assertEquals(v4.routes(), dual.routes().stream().filter(r -> r.family() == Family.INET).toList());

    // wan2's IPv6 side out of the balance: IPv6 goes to wan1 alone, IPv4 to wan1 and wan3
    Plan wan2Down = Planner.plan(WEIGHTED, uplinks, Map.of("wan2", UplinkState.DOWN));
    Route lb6 = wan2Down.routes().stream().filter(r -> r.family() == Family.INET6 && r.table() == 200)
        .findFirst().orElseThrow();
    assertEquals(List.of("wan1"), lb6.nexthops().stream().map(Nexthop::dev).toList());
  }

  /** The IPv6 multipath route of a plan, as device names; absent: no route. */
  private static List<String> lbDevs(Plan p, Family family) {
    return p.routes().stream().filter(r -> r.family() == family && r.table() == 200).findFirst()
        .map(r -> r.nexthops().stream().map(Nexthop::dev).toList()).orElse(List.of());
  }

  @Test
  void ipv6DownIpv4UpLeavesOnlyTheIpv6MultipathGolden() throws IOException {
    KernelState s = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true)
        .ipv6("wan1", "2001:db8:1::2", "2001:db8:1::/64", "fe80::1", 1024)
        .ipv6("wan2", "2001:db8:2::2", "2001:db8:2::/64", "2001:db8:2::1", 1024)
        .link("lan0", true).build();
    List<Uplink> uplinks = UplinkDiscovery.discover(WEIGHTED, s);
    Plan p = Planner.plan(WEIGHTED, uplinks, Map.of(), Map.of("wan2", UplinkState.HOLD_DOWN));
    assertGolden("ipv6-down-ipv4-up-wan2.txt", p.render());
    assertEquals(List.of("wan1", "wan2", "wan3"), lbDevs(p, Family.INET), "IPv4 keeps balancing over wan2");
    assertEquals(List.of("wan1"), lbDevs(p, Family.INET6));
    assertEquals(List.of("wan1"), p.balanced6());
    assertEquals(UplinkState.HOLD_DOWN, p.states6().get("wan2"));
    assertEquals(UplinkState.UP, p.states().get("wan2"));
    // everything but the IPv6 multipath route is the all-up plan's: wan2's own tables and rules stay
    Plan up = Planner.plan(WEIGHTED, uplinks, Map.of());
    assertEquals(up.rules(), p.rules());
    assertEquals(up.routes().stream().filter(r -> !(r.family() == Family.INET6 && r.table() == 200)).toList(),
        p.routes().stream().filter(r -> !(r.family() == Family.INET6 && r.table() == 200)).toList());
    assertEquals(up.nft(), p.nft());

    // and the other way round: IPv4 broken on wan1, its IPv6 fine
    Plan v4Down = Planner.plan(WEIGHTED, uplinks, Map.of("wan1", UplinkState.DOWN), Map.of("wan1", UplinkState.UP));
    assertEquals(List.of("wan2", "wan3"), lbDevs(v4Down, Family.INET));
    assertEquals(List.of("wan1", "wan2"), lbDevs(v4Down, Family.INET6));
    // an IPv6 side given no state follows its uplink's
    assertEquals(List.of("wan2"), lbDevs(Planner.plan(WEIGHTED, uplinks, Map.of("wan1", UplinkState.DOWN)),
        Family.INET6));
    // no IPv6 side healthy: IPv6 fails open over every one with carrier, as IPv4 does
    Plan none6 = Planner.plan(WEIGHTED, uplinks, Map.of(),
        Map.of("wan1", UplinkState.DOWN, "wan2", UplinkState.DOWN));
    assertEquals(List.of("wan1", "wan2"), lbDevs(none6, Family.INET6));
    assertEquals(List.of("wan1", "wan2", "wan3"), lbDevs(none6, Family.INET));
  }

  @Test
  void theIpv6SideTakesAStableUsableAddressAndNeedsBothRouteAndAddress() {
    Address temporary = new Address(Family.INET6, "2001:db8:1::a", 64, null, "global", false, false, true);
    Address tentative = new Address(Family.INET6, "2001:db8:1::b", 64, null, "global", true, false, false);
    Address stable = new Address(Family.INET6, "2001:db8:1::c", 64, null, "global", false, false, false);
    KernelState s = new Fixtures().uplink("wan1", 1, true)
        .ipv6("wan1", temporary, "2001:db8:1::/64", "fe80::1", 1024).build();
    assertEquals("2001:db8:1::a", UplinkDiscovery.discover(WEIGHTED, s).get(0).ipv6().address(),
        "a temporary address if nothing else");
    KernelState three = new Fixtures().uplink("wan1", 1, true)
        .ipv6("wan1", temporary, "2001:db8:1::/64", "fe80::1", 1024)
        .ipv6("wan1", tentative, "2001:db8:1::/64", "fe80::1", 1024)
        .ipv6("wan1", stable, "2001:db8:1::/64", "fe80::1", 1024).build();
    assertEquals("2001:db8:1::c", UplinkDiscovery.discover(WEIGHTED, three).get(0).ipv6().address());
    KernelState onlyTentative = new Fixtures().uplink("wan1", 1, true)
        .ipv6("wan1", tentative, "2001:db8:1::/64", "fe80::1", 1024).build();
    assertFalse(UplinkDiscovery.discover(WEIGHTED, onlyTentative).get(0).hasIpv6());
    KernelState noRoute = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true)
        .ipv6("wan2", "2001:db8:2::2", "2001:db8:2::/64", "fe80::1", 1024).build();
    List<Uplink> u = UplinkDiscovery.discover(WEIGHTED, noRoute);
    assertFalse(u.get(0).hasIpv6(), "no IPv6 default through wan1");
    assertTrue(u.get(1).hasIpv6());
  }

  @Test
  void carrierLossLeavesTheMultipathRouteButKeepsTablesRulesAndNft() throws IOException {
    KernelState all = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true).build();
    KernelState lost = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, false).uplink("wan3", 3, true).build();
    Plan before = planFromCarrier(WEIGHTED, all);
    Plan after = planFromCarrier(WEIGHTED, lost);
    assertEquals(List.of("wan1", "wan3"), after.balanced());
    assertEquals(before.nft(), after.nft(), "health never touches nft");
    assertEquals(before.rules(), after.rules());
    assertGolden("carrier-lost-wan2.txt", after.render());
  }

  @Test
  void noHealthyUplinkFailsOpenOverLinksWithCarrier() {
    KernelState s = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, false).build();
    List<Uplink> uplinks = UplinkDiscovery.discover(WEIGHTED, s);
    Plan p = Planner.plan(WEIGHTED, uplinks, Map.of("wan1", UplinkState.HOLD_DOWN, "wan2", UplinkState.DOWN));
    assertTrue(p.failOpen());
    assertEquals(List.of("wan1"), p.balanced());
  }

  @Test
  void aBackupTierTakesNewConnectionsOnlyWhileNoBetterTierCan() throws IOException {
    Config tiered = Config.of(Map.of("UPLINK_WEIGHTS", "wan1=3 wan2=1", "UPLINK_TIERS", "wan3=2"));
    KernelState s = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true).build();
    List<Uplink> uplinks = UplinkDiscovery.discover(tiered, s);
    Plan normal = Planner.plan(tiered, uplinks, Map.of());
    assertEquals(List.of("wan1", "wan2"), normal.balanced());
    assertFalse(normal.failOpen());
    assertGolden("tiered-backup.txt", normal.render());

    Plan oneLeft = Planner.plan(tiered, uplinks, Map.of("wan1", UplinkState.DOWN));
    assertEquals(List.of("wan2"), oneLeft.balanced(), "one uplink of tier 1 is enough");

    Plan backup = Planner.plan(tiered, uplinks, Map.of("wan1", UplinkState.DOWN, "wan2", UplinkState.HOLD_DOWN));
    assertEquals(List.of("wan3"), backup.balanced());
    assertFalse(backup.failOpen(), "the backup is healthy: this is failover, not fail-open");
    assertEquals(normal.rules(), backup.rules(), "tables, rules and nft stay: connections keep their uplink");
    assertEquals(normal.nft(), backup.nft());

    Plan nothingHealthy = Planner.plan(tiered, uplinks,
        Map.of("wan1", UplinkState.HOLD_DOWN, "wan2", UplinkState.HOLD_DOWN, "wan3", UplinkState.HOLD_DOWN));
    assertTrue(nothingHealthy.failOpen());
    assertEquals(List.of("wan1", "wan2"), nothingHealthy.balanced(), "fail-open keeps to the best tier with carrier");
  }

  @Test
  void tiersSkipEmptyTiersAndFailOpenFallsBackToTheBackupWhenOnlyItHasCarrier() {
    Config tiered = Config.of(Map.of("UPLINK_TIERS", "wan1=3 wan2=5 wan3=5"));
    KernelState s = new Fixtures().uplink("wan1", 1, false).uplink("wan2", 2, true).uplink("wan3", 3, true).build();
    Plan p = planFromCarrier(tiered, s);
    assertEquals(List.of("wan2", "wan3"), p.balanced(), "tier numbers need not be consecutive");
    List<Uplink> uplinks = UplinkDiscovery.discover(tiered, s);
    Plan open = Planner.plan(tiered, uplinks, Map.of("wan2", UplinkState.HOLD_DOWN, "wan3", UplinkState.HOLD_DOWN));
    assertTrue(open.failOpen());
    assertEquals(List.of("wan2", "wan3"), open.balanced(), "wan1 has no carrier, so tier 5 is the best");
  }

  @Test
  void singleUplinkGetsAPlainDefaultRoute() {
    Plan p = planFromCarrier(WEIGHTED, new Fixtures().uplink("wan1", 1, true).build());
    Route lb = p.routes().stream().filter(r -> r.table() == 200).findFirst().orElseThrow();
    assertEquals(1, lb.nexthops().size());
    assertEquals(1, lb.nexthops().get(0).weight());
  }

  @Test
  void pointToPointAndNamesWithDotsAndDashes() throws IOException {
    KernelState s = new Fixtures().uplink("wan-2.x", 2, true).pointToPoint("ppp0", "198.18.9.2", "198.18.9.1").build();
    Plan p = planFromCarrier(Config.defaults(), s);
    assertEquals(List.of("ppp0", "wan-2.x"), p.uplinks().stream().map(Uplink::name).toList());
    assertGolden("ppp-and-dotted.txt", p.render());
  }

  @Test
  void twoPhonesOnOneSubnetWithOneGatewayAddress() {
    KernelState s = new Fixtures()
        .uplink("usb0", "198.18.42.2", "198.18.42.0/24", "198.18.42.129", 100, true)
        .uplink("usb1", "198.18.42.3", "198.18.42.0/24", "198.18.42.129", 101, true).build();
    Plan p = planFromCarrier(Config.defaults(), s);
    assertEquals(List.of("usb0", "usb1"), p.balanced());
    Route lb = p.routes().stream().filter(r -> r.table() == 200).findFirst().orElseThrow();
    assertEquals(List.of("usb0", "usb1"), lb.nexthops().stream().map(h -> h.dev()).toList());
    assertTrue(p.rules().stream().anyMatch(r -> "198.18.42.3".equals(r.src()) && r.table() == 102));
  }

  @Test
  void excludedAndAddresslessInterfacesAreNoUplinks() {
    KernelState s = new Fixtures().uplink("wan1", 1, true).uplink("docker0", 5, true).uplink("wg0", 6, true)
        .link("br0", false).build();
    assertEquals(List.of("wan1"), planFromCarrier(Config.defaults(), s).uplinks().stream().map(Uplink::name).toList());
    Config named = Config.of(Map.of("UPLINKS", "wg0"));
    assertEquals(List.of("wg0", "wan1"), planFromCarrier(named, s).uplinks().stream().map(Uplink::name).toList());
  }

  @Test
  void anInterfaceWithAnUnusableNameIsNoUplinkAndDiscoverySaysWhy() {
    KernelState s = new Fixtures().uplink("wan1", 1, true).uplink("wan;2", 2, true).uplink("docker;0", 3, true)
        .build();
    assertEquals(List.of("wan1"), UplinkDiscovery.discover(Config.defaults(), s).stream().map(Uplink::name).toList());
    assertEquals(Map.of("wan;2", "character U+003B ';' is not allowed"),
        UplinkDiscovery.unusableNames(Config.defaults(), s), "an excluded interface is not worth a warning");
    assertEquals(Map.of(), UplinkDiscovery.unusableNames(Config.defaults(),
        new Fixtures().uplink("wan1", 1, true).build()));
  }

  @Test
  void indicesSurviveWhenAnotherUplinkAppearsOrGoes() {
    KernelState s = new Fixtures().uplink("wan2", 2, true).uplink("wan1", 1, true)
        .nftMarks(Map.of("wan2", 0x100L)).build();
    List<Uplink> uplinks = UplinkDiscovery.discover(Config.defaults(), s);
    assertEquals(1, uplinks.stream().filter(u -> u.name().equals("wan2")).findFirst().orElseThrow().index(),
        "wan2 keeps the mark its connections carry");
    assertEquals(2, uplinks.stream().filter(u -> u.name().equals("wan1")).findFirst().orElseThrow().index());
  }

  @Test
  void balanceModeAndAffinityAndNatShapeTheRuleset() {
    KernelState s = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).build();
    Plan host = planFromCarrier(Config.of(Map.of("BALANCE_MODE", "host", "SESSION_AFFINITY_ENABLED", "false",
        "CONSISTENT_NAT_ENABLED", "false")), s);
    assertEquals("0", host.sysctls().get("net/ipv4/fib_multipath_hash_policy"));
    assertTrue(host.nft().text().contains("masquerade"));
    assertFalse(host.nft().text().contains("oifname vmap"), "no pinning of outbound connections");
    assertTrue(host.nft().text().contains("iifname vmap"), "inbound connections are pinned all the same");
    Plan conn = planFromCarrier(Config.defaults(), s);
    assertEquals("1", conn.sysctls().get("net/ipv4/fib_multipath_hash_policy"));
    assertTrue(conn.nft().text().contains("snat ip to oifname map { \"wan1\" : 198.18.1.2, \"wan2\" : 198.18.2.2 }"),
        conn.nft().text());
    assertTrue(host.nft().text().contains("oifname { \"wan1\", \"wan2\" } masquerade"), host.nft().text());
    assertNotEquals(host.nft().fingerprint(), conn.nft().fingerprint());
  }

  @Test
  void passiveEvidenceFollowsAtMostItsRateAndCannotFillItsSet() {
    String nft = planFromCarrier(Config.defaults(), new Fixtures().uplink("wan1", 1, true).build()).nft().text();
    assertTrue(nft.contains("oifname { \"wan1\" } limit rate " + NftRenderer.SYN_WATCH_RATE + "/second burst "
        + NftRenderer.SYN_WATCH_BURST + " packets add @syn_sent {"), nft);
    assertTrue(nft.contains("size " + NftRenderer.SYN_SET_SIZE + "\n") && nft.contains("timeout "
        + KernelObserver.SYN_SET_TIMEOUT_SECONDS + "s\n"), nft);
    assertTrue(NftRenderer.SYN_WATCH_RATE * KernelObserver.SYN_SET_TIMEOUT_SECONDS + NftRenderer.SYN_WATCH_BURST
        < NftRenderer.SYN_SET_SIZE, "a blackhole of every uplink would fill the set");
  }

  @Test
  void withoutHealthChecksNoConnectionPaysForPassiveEvidence() {
    KernelState s = new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true)
        .ipv6("wan1", "2001:db8:1::2", "2001:db8:1::/64", "fe80::1", 1024).build();
    String watched = planFromCarrier(Config.defaults(), s).nft().text();
    assertTrue(watched.contains("add @syn_sent {") && watched.contains("delete @syn_sent {")
        && watched.contains("add @syn_sent6 {"), watched);
    String unwatched = planFromCarrier(Config.of(Map.of("HEALTH_CHECK_ENABLED", "false")), s).nft().text();
    assertFalse(unwatched.contains("syn_sent"), "nothing reads the sets without health checks: " + unwatched);
    assertTrue(unwatched.contains("snat ip to oifname map"), "the rest of the ruleset stays: " + unwatched);
  }

  @Test
  void customMaskTablesAndPreferences() {
    Config c = Config.of(Map.of("LB_MARK_MASK", "0xff0000", "LB_TABLE", "300", "LB_TABLE_BASE", "1000",
        "LB_PREF", "500"));
    Plan p = planFromCarrier(c, new Fixtures().uplink("wan1", 1, true).build());
    String text = p.render();
    assertTrue(text.contains("rule add pref 480 fwmark 0x10000/0xff0000 lookup 1001 protocol 213"), text);
    assertTrue(text.contains("rule add pref 490 lookup 254 suppress_prefixlength 0"), text);
    assertTrue(text.contains("rule add pref 495 from 198.18.1.2 lookup 1001 protocol 213"), text);
    assertTrue(text.contains("rule add pref 500 lookup 300 protocol 213"), text);
    assertTrue(text.contains("meta mark set meta mark & 0xff00ffff | 0x10000"), text);
  }

  @Test
  void noUplinksMeansNothingOwned() {
    Plan p = planFromCarrier(Config.defaults(), new Fixtures().link("lan0", true).build());
    assertTrue(p.routes().isEmpty());
    assertTrue(p.rules().isEmpty());
    assertTrue(p.nft().isEmpty());
    assertTrue(p.sysctls().isEmpty());
  }
}
