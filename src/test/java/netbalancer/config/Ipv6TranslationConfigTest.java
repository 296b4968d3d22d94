package netbalancer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Ipv6TranslationConfigTest {

  private static String error(Map<String, String> settings) {
    List<String> errors = assertThrows(ConfigException.class, () -> Config.of(settings)).errors();
    assertEquals(1, errors.size(), errors.toString());
    return errors.get(0);
  }

  @Test
  void defaultsAreNat66WithoutPrefixes() {
    Config c = Config.defaults();
    assertEquals(Ipv6Translation.NAT66, c.ipv6Translation());
    assertEquals("", c.ipv6LanPrefix());
    assertEquals(Map.of(), c.ipv6NptPrefixes());
  }

  @Test
  void aPrefixIsKeptInCanonicalFormAndRoundTrips() {
    Config c = Config.of(Map.of("IPV6_TRANSLATION", "NPTv6", "IPV6_LAN_PREFIX", "2001:DB8:FF00:0:0::/64",
        "IPV6_NPT_PREFIXES", "wan1=2001:db8:1:1:0::/64, wan2=2001:db8:0002:0001::/64"));
    assertEquals(Ipv6Translation.NPTV6, c.ipv6Translation());
    assertEquals("2001:db8:ff00::/64", c.ipv6LanPrefix());
    assertEquals(Map.of("wan1", "2001:db8:1:1::/64", "wan2", "2001:db8:2:1::/64"), c.ipv6NptPrefixes());
    assertEquals(c, Config.of(c.toSettings()));
    assertEquals("2001:db8::/32", Ipv6Prefixes.canonical("2001:0db8:0:0::/32"));
    assertEquals("2001:0:0:1::/64", Ipv6Prefixes.canonical("2001:0:0:1::/64"), "one zero run of two is the ::");
  }

  @Test
  void aBadModeNamesKeyValueAndAllowed() {
    String e = error(Map.of("IPV6_TRANSLATION", "nat64"));
    assertTrue(e.contains("IPV6_TRANSLATION=nat64") && e.contains("nat66") && e.contains("nptv6")
        && e.contains("none"), e);
  }

  @Test
  void badPrefixesAreRefusedNamingKeyValueAndAllowed() {
    for (String bad : new String[] {"2001:db8:ff00::1/64", "198.51.100.0/24", "2001:db8::/80", "2001:db8::",
        "2001:db8::/0", "fe80::/64x", "host.example/64", "2001:db8:::/64"}) {
      String e = error(Map.of("IPV6_LAN_PREFIX", bad));
      assertTrue(e.contains("IPV6_LAN_PREFIX=" + bad) && e.contains("LENGTH 1..64"), e);
    }
    String e = error(Map.of("IPV6_NPT_PREFIXES", "wan1=2001:db8:1::1/64"));
    assertTrue(e.contains("IPV6_NPT_PREFIXES=wan1=2001:db8:1::1/64") && e.contains("NAME=PREFIX"), e);
    e = error(Map.of("IPV6_NPT_PREFIXES", "wan1=2001:db8:1::/64 wan1=2001:db8:2::/64"));
    assertTrue(e.contains("wan1 is given twice"), e);
  }

  @Test
  void nptv6NeedsTheLanPrefixAndUplinkPrefixesOfItsLength() {
    String e = error(Map.of("IPV6_TRANSLATION", "nptv6"));
    assertTrue(e.startsWith("IPV6_LAN_PREFIX=\"\": expected an IPv6 prefix") && e.contains("IPV6_TRANSLATION=nptv6"), e);

    e = error(Map.of("IPV6_TRANSLATION", "nptv6", "IPV6_LAN_PREFIX", "2001:db8:ff00::/64",
        "IPV6_NPT_PREFIXES", "wan1=2001:db8:1:1::/64 wan2=2001:db8:2::/48"));
    assertTrue(e.contains(": wan2=2001:db8:2::/48; expected prefixes of length 64")
        && e.contains("IPV6_LAN_PREFIX=2001:db8:ff00::/64"), e);

    e = error(Map.of("IPV6_LAN_PREFIX", "2001:db8:ff00::/64",
        "IPV6_NPT_PREFIXES", "wan1=2001:db8:1:1::/64 wan2=2001:db8:1:1::/64"));
    assertTrue(e.contains("expected a distinct prefix per uplink"), e);

    e = error(Map.of("UPLINKS", "wan1", "IPV6_NPT_PREFIXES", "wan9=2001:db8:9:1::/64"));
    assertTrue(e.contains("wan9 is not in UPLINKS=wan1"), e);
  }
}
