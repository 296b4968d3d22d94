package netbalancer.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The neighbor monitor's filter, run on messages laid out as the kernel sends them. */
class NeighborFilterTest {
  private static final int ACCEPT = -1;

  private static byte[] neighbor(int type, int family, int ifindex, String address) {
    return Nl.message(type).u8(family).u8(0).u16(0).u32(ifindex).u16(0x02).u8(0).u8(1)
        .attrAddress(1, address).done();
  }

  @Test
  void onlyTheGivenLinksNeighborMessagesPass() {
    List<Bpf> p = NeighborFilter.program(List.of(5, 9));
    assertEquals(ACCEPT, BpfMachine.run(p, neighbor(28, 2, 5, "198.18.1.1")));
    assertEquals(ACCEPT, BpfMachine.run(p, neighbor(29, 10, 9, "fe80::1")));
    assertEquals(0, BpfMachine.run(p, neighbor(28, 2, 7, "192.0.2.44")), "a LAN host's");
    assertEquals(0, BpfMachine.run(p, neighbor(28, 2, 0x05000000, "192.0.2.44")), "byte order");
    assertEquals(ACCEPT, BpfMachine.run(p, Nl.message(24).u8(2).zeros(11).done()), "not a neighbor message");
    assertEquals(ACCEPT, BpfMachine.run(p, Nl.message(2).u32(-105).zeros(16).done()), "an error");
  }

  @Test
  void aProgramForNoLinksPassesNoNeighborMessage() {
    List<Bpf> p = NeighborFilter.program(List.of());
    assertEquals(0, BpfMachine.run(p, neighbor(28, 2, 5, "198.18.1.1")));
    assertEquals(0, BpfMachine.run(p, neighbor(29, 2, 1, "198.18.1.1")));
    assertEquals(ACCEPT, BpfMachine.run(p, Nl.message(16).zeros(16).done()));
  }

  @Test
  void theMostLinksStillJumpWithinEightBits() {
    List<Integer> links = new ArrayList<>();
    for (int i = 1; i <= NeighborFilter.MAX_LINKS; i++) {
      links.add(i * 3);
    }
    List<Bpf> p = NeighborFilter.program(links);
    assertEquals(ACCEPT, BpfMachine.run(p, neighbor(28, 2, 3, "198.18.1.1")));
    assertEquals(ACCEPT, BpfMachine.run(p, neighbor(28, 2, 3 * NeighborFilter.MAX_LINKS, "198.18.1.1")));
    assertEquals(0, BpfMachine.run(p, neighbor(28, 2, 4, "198.18.1.1")));
    links.add(9999);
    assertThrows(IllegalArgumentException.class, () -> NeighborFilter.program(links));
  }

  @Test
  void aDatagramsNeighborMessagesAreReadAndABridgesFdbPassedOver() {
    ByteBuffer d = Nl.datagram(neighbor(28, 2, 5, "198.18.1.1"), neighbor(28, 7, 5, "198.18.1.2"),
        Nl.message(24).u8(2).zeros(11).done(), neighbor(29, 10, 9, "fe80::1"));
    List<NeighborMessage> m = NeighborMessage.datagram(d);
    assertEquals(List.of(new NeighborMessage(5, "198.18.1.1", 2, 0), new NeighborMessage(9, "fe80::1", 2, 0)), m);
  }
}
