package netbalancer.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatewayNudgerTest {
  private static final long MS = 1_000_000L;
  private static final String HEADER =
      "IP address       HW type     Flags       HW address            Mask     Device\n";
  private static final List<GatewayNudger.Gateway> GATEWAYS = List.of(
      new GatewayNudger.Gateway("wan1", "198.18.1.2", "198.18.1.1"),
      new GatewayNudger.Gateway("wan2", "198.18.100.3", "198.18.100.1"));

  private String arp = HEADER;
  private final List<String> sent = new ArrayList<>();
  private final GatewayNudger nudger = new GatewayNudger(() -> arp, (from, to) -> sent.add(from + ">" + to),
      "203.0.113.10");

  private static String entry(String ip, String flags, String dev) {
    return ip + "       0x1         " + flags + "         42:7b:44:d6:42:f0     *        " + dev + "\n";
  }

  @Test
  void completeEntriesAreLeftAloneAndNothingIsSent() {
    arp = HEADER + entry("198.18.1.1", "0x2", "wan1") + entry("198.18.100.1", "0x6", "wan2");
    for (int i = 0; i < 10; i++) {
      assertFalse(nudger.tick(i * 500 * MS, GATEWAYS));
    }
    assertEquals(List.of(), sent);
  }

  @Test
  void aMissingOrFailedEntryIsNudgedOncePerSecondFromTheUplinksAddressAndLookedAtOnce() {
    arp = HEADER + entry("198.18.1.1", "0x2", "wan1") + entry("198.18.100.1", "0x0", "wan1"); // wan2's is absent
    assertTrue(nudger.tick(0, GATEWAYS), "look now: the entry is being resolved");
    assertFalse(nudger.tick(500 * MS, GATEWAYS));
    assertFalse(nudger.tick(1000 * MS, GATEWAYS), "told once per episode");
    assertEquals(List.of("198.18.100.3>203.0.113.10", "198.18.100.3>203.0.113.10"), sent);
    arp = HEADER + entry("198.18.100.1", "0x2", "wan2");
    nudger.tick(1500 * MS, GATEWAYS);
    sent.clear();
    arp = HEADER + entry("198.18.1.1", "0x2", "wan1");
    assertTrue(nudger.tick(2000 * MS, GATEWAYS), "a new episode");
    assertEquals(List.of("198.18.100.3>203.0.113.10"), sent);
  }

  @Test
  void fieldsSplitOnAnyRunOfWhitespace() {
    assertEquals(List.of("198.18.1.1", "0x1", "0x2", "wan1"),
        List.of(GatewayNudger.fields("  198.18.1.1 \t 0x1   0x2 wan1  ")));
    assertEquals(List.of(), List.of(GatewayNudger.fields("   ")));
  }

  @Test
  void anUnreadableTableSendsNothing() {
    GatewayNudger blind = new GatewayNudger(() -> null, (from, to) -> sent.add(from), "203.0.113.10");
    assertFalse(blind.tick(0, GATEWAYS));
    assertEquals(List.of(), sent);
  }

  @Test
  void parsesTheKernelsTable() {
    assertEquals(Set.of("198.18.1.1 wan1"), GatewayNudger.completeEntries(HEADER + entry("198.18.1.1", "0x2", "wan1")
        + entry("198.18.2.1", "0x0", "wan2") + "garbage\n"));
  }
}
