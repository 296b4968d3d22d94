package netbalancer.health;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NeighborGetsTest {
  @Test
  void onlyDottedIpv4LiteralsAreAskedFor() {
    assertArrayEquals(new byte[] {(byte) 198, 18, 1, (byte) 255}, NeighborGets.ipv4("198.18.1.255"));
    for (String notOne : List.of("198.18.1", "198.18.1.256", "198.18.1.1.1", "fe80::1", "198.18..1", "a.b.c.d",
        "198.18.1.-1", "0198.18.1.1")) {
      assertNull(NeighborGets.ipv4(notOne), notOne);
    }
  }

  @Test
  void aSmallArpTableIsReadAsTextAndTheCallThatFindsItLargeStillAnswersFromIt() {
    String header = "IP address HW type Flags HW address Mask Device\n";
    String gateway = "198.18.1.1 0x1 0x2 02:00:00:00:00:01 * wan1\n";
    String[] now = {header + gateway};
    int[] reads = {0};
    NeighborGets gets = new NeighborGets(new ArpText(() -> {
      reads[0]++;
      return now[0];
    }));
    for (int i = 0; i < 3; i++) {
      assertEquals(Set.of("198.18.1.1 wan1"), gets.of(List.of()));
    }
    assertEquals(3, reads[0], "read as text each time, no socket");
    now[0] = header + gateway + "198.18.9.9 0x1 0x2 02:00:00:00:00:02 * lan0\n".repeat(600);
    assertEquals(true, now[0].length() > NeighborGets.SMALL_TEXT);
    assertEquals(Set.of("198.18.1.1 wan1", "198.18.9.9 lan0"), gets.of(List.of()));
    gets.close();
  }

  @Test
  void theArpTextIsParsedOnlyWhenItChanged() {
    List<String> texts = new ArrayList<>(List.of(
        "IP address HW type Flags HW address Mask Device\n198.18.1.1 0x1 0x2 02:00:00:00:00:01 * wan1\n",
        "IP address HW type Flags HW address Mask Device\n198.18.1.1 0x1 0x0 00:00:00:00:00:00 * wan1\n"));
    String[] now = {texts.get(0)};
    ArpText arp = new ArpText(() -> now[0]);
    Set<String> first = arp.of(List.of());
    assertEquals(Set.of("198.18.1.1 wan1"), first);
    assertEquals(true, first == arp.of(List.of()), "the same text: the same set, not parsed again");
    now[0] = texts.get(1);
    assertEquals(Set.of(), arp.of(List.of()));
    now[0] = null;
    assertNull(arp.of(List.of()));
  }
}
