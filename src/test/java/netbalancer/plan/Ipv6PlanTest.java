package netbalancer.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.observe.Family;
import netbalancer.observe.KernelState;
import org.junit.jupiter.api.Test;

/** IPV6_TRANSLATION modes, accept_ra and IPv6-only uplinks in the plan. */
class Ipv6PlanTest {
  private static final Map<String, String> NPT = Map.of("IPV6_TRANSLATION", "nptv6",
      "IPV6_LAN_PREFIX", "2001:db8:ff00::/64", "IPV6_NPT_PREFIXES", "wan1=2001:db8:1:1::/64");

  /** wan1, wan2 dual stack; wan3 IPv4-only; wan4 IPv6-only. */
  private static KernelState lab() {
    return new Fixtures().uplink("wan1", 1, true).uplink("wan2", 2, true).uplink("wan3", 3, true)
        .ipv6("wan1", "2001:db8:1::2", "2001:db8:1::/64", "fe80::1", 1024)
        .ipv6("wan2", "2001:db8:2::2", "2001:db8:2::/64", "2001:db8:2::1", 1024)
        .ipv6OnlyUplink("wan4", 4).link("lan0", true).build();
  }

  private static Plan plan(Config c) {
    return Planner.plan(c, UplinkDiscovery.discover(c, lab()), Map.of());
  }

  @Test
  void anIpv6OnlyUplinkIsAnUplinkOnItsIpv6SideAlone() {
    List<Uplink> uplinks = UplinkDiscovery.discover(Config.defaults(), lab());
    assertEquals(List.of("wan1", "wan2", "wan3", "wan4"), uplinks.stream().map(Uplink::name).toList());
    Uplink wan4 = uplinks.get(3);
    assertFalse(wan4.hasIpv4());
    assertNull(wan4.gateway());
    assertEquals(new Uplink.Ipv6Side("2001:db8:4::2", 64, "fe80::1", List.of("2001:db8:4::/64")), wan4.ipv6());
    Plan p = Planner.plan(Config.defaults(), uplinks, Map.of());
    assertTrue(p.rules().stream().noneMatch(r -> r.family() == Family.INET && r.table() == 104),
        "no IPv4 rule for wan4: " + p.rules());
    assertTrue(p.rules().stream().anyMatch(r -> r.family() == Family.INET6 && r.table() == 104));
    assertFalse(p.nft().text().contains("\"wan4\" : 198."), p.nft().text());
    assertTrue(p.nft().text().contains("\"wan4\" : 2001:db8:4::2"), p.nft().text());
    assertFalse(p.sysctls().containsKey("net/ipv4/conf/wan4/rp_filter"));
  }

  @Test
  void anInterfaceWithoutAnyDefaultOrWithOnlyALinkLocalAddressIsNoUplink() {
    KernelState s = new Fixtures().uplink("wan1", 1, true).link("lan0", false).build();
    assertEquals(List.of("wan1"), UplinkDiscovery.discover(Config.defaults(), s).stream().map(Uplink::name).toList());
  }

  @Test
  void everyUplinkIpv6OnlyMeansNoIpv4RulesRoutesOrSnat() {
    Config c = Config.defaults();
    KernelState s = new Fixtures().ipv6OnlyUplink("wan1", 1).ipv6OnlyUplink("wan2", 2).build();
    Plan p = Planner.plan(c, UplinkDiscovery.discover(c, s), Map.of());
    assertEquals(2, p.uplinks().size());
    assertTrue(p.rules().stream().allMatch(r -> r.family() == Family.INET6), p.rules().toString());
    assertTrue(p.routes().stream().allMatch(r -> r.family() == Family.INET6), p.routes().toString());
    String nft = p.nft().text();
    assertFalse(nft.contains("snat ip to") || nft.contains("syn_sent ") || nft.contains("@syn_sent {"), nft);
    assertTrue(nft.contains("oifname { \"wan1\", \"wan2\" } limit rate 200/second burst 20 packets"
        + " add @syn_sent6 { ct original ip6 saddr"), nft);
  }

  @Test
  void nat66IsTheDefaultAndIpv6OnlyUplinksAreInItsMapGolden() throws IOException {
    PlannerTest.assertGolden("ipv6-nat66-with-ipv6-only.txt", plan(Config.defaults()).render());
  }

  @Test
  void nptv6MapsTheLanPrefixOntoEachConfiguredUplinkPrefixBothWaysGolden() throws IOException {
    Config c = Config.of(NPT);
    Plan p = plan(c);
    PlannerTest.assertGolden("ipv6-nptv6.txt", p.render());
    String nft = p.nft().text();
    assertTrue(nft.contains("ip6 saddr 2001:db8:ff00::/64 snat ip6 prefix to oifname map { \"wan1\" : 2001:db8:1:1::/64 }"), nft);
    assertTrue(nft.contains("iifname { \"wan1\" } dnat ip6 prefix to ip6 daddr map { 2001:db8:1:1::/64 : 2001:db8:ff00::/64 }"), nft);
    assertTrue(nft.indexOf("snat ip6 prefix") < nft.indexOf("snat ip6 to"), "NPTv6 before the NAT66 fallback");
    // wan2 and wan4 have no prefix: NAT66, and said so
    assertEquals(List.of("wan2", "wan4"), List.copyOf(Translation6.refusals(c, p.uplinks()).keySet()));
    assertTrue(Translation6.refusals(c, p.uplinks()).get("wan2").contains("IPV6_NPT_PREFIXES has no prefix"));
    assertEquals(Map.of(), Translation6.refusals(Config.defaults(), p.uplinks()), "nat66 refuses nothing");
  }

  @Test
  void noneTranslatesNoIpv6SourceWithEitherNatSetting() {
    Plan snat = plan(Config.of(Map.of("IPV6_TRANSLATION", "none")));
    // no IPv6 translation: ip6 appears only in the passive evidence's keys
    assertFalse(snat.nft().text().replace("ct original ip6 ", "").contains("ip6"), snat.nft().text());
    assertTrue(snat.nft().text().contains("snat ip to oifname map"), "IPv4 unchanged");
    Plan masq = plan(Config.of(Map.of("IPV6_TRANSLATION", "none", "CONSISTENT_NAT_ENABLED", "false")));
    assertTrue(masq.nft().text().contains("meta nfproto ipv4 oifname { \"wan1\", \"wan2\", \"wan3\", \"wan4\" } masquerade"),
        masq.nft().text());
    Plan nat66 = plan(Config.of(Map.of("CONSISTENT_NAT_ENABLED", "false")));
    assertTrue(nat66.nft().text().contains("\t\toifname { \"wan1\", \"wan2\", \"wan3\", \"wan4\" } masquerade"),
        "masquerade serves both families: " + nat66.nft().text());
    // routing is the same in every mode
    assertEquals(plan(Config.defaults()).routes(), snat.routes());
    assertEquals(plan(Config.defaults()).rules(), snat.rules());
  }

  @Test
  void everyIpv6UplinkAsksForAcceptRa2AndIpv4OnlyOnesDoNot() {
    Map<String, String> s = plan(Config.defaults()).sysctls();
    assertEquals("2", s.get("net/ipv6/conf/wan1/accept_ra"));
    assertEquals("2", s.get("net/ipv6/conf/wan4/accept_ra"));
    assertFalse(s.containsKey("net/ipv6/conf/wan3/accept_ra"));
  }
}
