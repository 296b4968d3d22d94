package netbalancer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import netbalancer.config.Policy.Proto;
import org.junit.jupiter.api.Test;

/** explain's matching is the chain's: file order, first match, every condition ANDed. */
class FlowTest {
  static final Policies FILE = PolicyLoader.parse("""
      voip    proto udp dport 5060,10000-20000    -> wan1 > wan2
      guests  src 192.0.2.128/25                  -> wan3 else unreachable
      office  dst 203.0.113.0/24                  -> main
      sip2    iif lan0 proto udp dport 5061       -> wan1
      v6      src 2001:db8::/32                   -> wan2
      """, "policies.conf");

  private static String match(String src, String dst, Proto p, Integer dport, String iif) {
    Policy m = new Flow(src, dst, p, null, dport, iif).firstMatch(FILE);
    return m == null ? null : m.name();
  }

  @Test
  void firstMatchWinsAndEveryConditionCounts() {
    assertEquals("voip", match("192.0.2.130", "203.0.113.5", Proto.UDP, 15000, null), "voip comes first");
    assertEquals("guests", match("192.0.2.130", "198.51.100.1", Proto.TCP, 443, null));
    assertEquals("office", match("192.0.2.10", "203.0.113.5", Proto.TCP, 22, null));
    assertNull(match("192.0.2.10", "198.51.100.1", Proto.UDP, 5061, null), "sip2 needs iif lan0");
    assertEquals("sip2", match("192.0.2.10", "198.51.100.1", Proto.UDP, 5061, "lan0"));
    assertNull(match("192.0.2.10", "198.51.100.1", Proto.ANY, null, null));
    assertEquals("v6", match("2001:db8::5", "2001:db8:1::1", Proto.ANY, null, null));
    assertFalse(Flow.contains("192.0.2.128/25", "192.0.2.127"));
    assertTrue(Flow.contains("0.0.0.0/0", "198.51.100.1"));
  }

  @Test
  void badOptionsAreRefusedNamingTheOption() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> new Flow("192.0.2.300", "example.com", Proto.ANY, null, 80, "a b"));
    assertTrue(e.getMessage().contains("--src '192.0.2.300' is not an IPv4 or IPv6 address"), e.getMessage());
    assertTrue(e.getMessage().contains("--dst 'example.com'"), e.getMessage());
    assertTrue(e.getMessage().contains("--dport needs --proto tcp or udp"), e.getMessage());
    assertTrue(e.getMessage().contains("--iif 'a b' is not an interface name"), e.getMessage());
  }
}
