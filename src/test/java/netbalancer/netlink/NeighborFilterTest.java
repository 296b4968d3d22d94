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
    List<Bpf> p = NeighborFilter.program(List.of(5, 9), false);
    assertEquals(ACCEPT, BpfMachine.run(p, neighbor(28, 2, 5, "198.18.1.1")));
    assertEquals(ACCEPT, BpfMachine.run(p, neighbor(29, 10, 9, "fe80::1")));
    assertEquals(0, BpfMachine.run(p, neighbor(28, 2, 7, "192.0.2.44")), "a LAN host's");
    assertEquals(0, BpfMachine.run(p, neighbor(28, 2, 0x05000000, "192.0.2.44")), "byte order");
    assertEquals(ACCEPT, BpfMachine.run(p, Nl.message(24).u8(2).zeros(11).done()), "not a neighbor message");
    assertEquals(ACCEPT, BpfMachine.run(p, Nl.message(2).u32(-105).zeros(16).done()), "an error");
  }

  @Test
  void aProgramForNoLinksPassesNoNeighborMessage() {
    List<Bpf> p = NeighborFilter.program(List.of(), false);
    assertEquals(0, BpfMachine.run(p, neighbor(28, 2, 5, "198.18.1.1")));
    assertEquals(0, BpfMachine.run(p, neighbor(29, 2, 1, "198.18.1.1")));
    assertEquals(ACCEPT, BpfMachine.run(p, Nl.message(32).zeros(16).done()), "a rule");
  }

  @Test
  void theMostLinksStillJumpWithinEightBits() {
    List<Integer> links = new ArrayList<>();
    for (int i = 1; i <= NeighborFilter.MAX_LINKS; i++) {
      links.add(i * 3);
    }
    List<Bpf> p = NeighborFilter.program(links, false);
    assertEquals(ACCEPT, BpfMachine.run(p, neighbor(28, 2, 3, "198.18.1.1")));
    assertEquals(ACCEPT, BpfMachine.run(p, neighbor(28, 2, 3 * NeighborFilter.MAX_LINKS, "198.18.1.1")));
    assertEquals(0, BpfMachine.run(p, neighbor(28, 2, 4, "198.18.1.1")));
    links.add(9999);
    assertThrows(IllegalArgumentException.class, () -> NeighborFilter.program(links, false));
  }

  @Test
  void aDatagramsNeighborMessagesAreReadAndABridgesFdbPassedOver() {
    ByteBuffer d = Nl.datagram(neighbor(28, 2, 5, "198.18.1.1"), neighbor(28, 7, 5, "198.18.1.2"),
        Nl.message(24).u8(2).zeros(11).done(), neighbor(29, 10, 9, "fe80::1"));
    List<NeighborMessage> m = DeviceMessage.datagram(d).stream().map(DeviceMessage::neighbor).toList();
    assertEquals(List.of(new NeighborMessage(5, "198.18.1.1", 2, 0), new NeighborMessage(9, "fe80::1", 2, 0)), m);
  }

  private static byte[] link(int type, int ifindex, String name) {
    return Nl.message(type).u8(0).u8(0).u16(1).u32(ifindex).u32(0x1).u32(0).attrString(3, name).done();
  }

  private static byte[] address(int type, int family, int ifindex) {
    return Nl.message(type).u8(family).u8(24).u8(0).u8(0).u32(ifindex).attrAddress(1, "198.18.1.2").done();
  }

  @Test
  void theDeviceProgramFiltersLinksAndAddressesByIndexAndPassesRules() {
    List<Bpf> p = NeighborFilter.program(List.of(5, 9), false);
    assertEquals(ACCEPT, BpfMachine.run(p, link(16, 5, "wan1")));
    assertEquals(ACCEPT, BpfMachine.run(p, link(17, 9, "wan2")));
    assertEquals(0, BpfMachine.run(p, link(16, 1207, "veth3f2a")), "a container's veth");
    assertEquals(ACCEPT, BpfMachine.run(p, address(20, 2, 5)));
    assertEquals(0, BpfMachine.run(p, address(21, 10, 1207)));
    assertEquals(ACCEPT, BpfMachine.run(p, neighbor(28, 2, 9, "198.18.2.1")));
    assertEquals(0, BpfMachine.run(p, neighbor(28, 2, 7, "192.0.2.44")));
    assertEquals(ACCEPT, BpfMachine.run(p, Nl.message(33).u8(2).zeros(11).done()), "a rule: judged by the daemon");
    List<Bpf> all = NeighborFilter.program(List.of(5), true);
    assertEquals(ACCEPT, BpfMachine.run(all, link(16, 1207, "wan3")), "a device UPLINKS names may come with any index");
    assertEquals(0, BpfMachine.run(all, address(20, 2, 1207)));
    assertEquals(0, BpfMachine.run(NeighborFilter.program(List.of(), false), link(16, 5, "wan1")));
  }

  @Test
  void aDevicesDatagramIsReadIntoItsEventsAndABridgesFdbPassedOver() {
    byte[] rule = Nl.message(33).u8(2).u8(0).u8(0).u8(0).u8(101).u8(0).u8(0).u8(1).u32(0).attrU32(6, 90)
        .attrU8(21, 213).done();
    List<DeviceMessage> m = DeviceMessage.datagram(Nl.datagram(link(16, 5, "wan1"), address(21, 10, 9),
        neighbor(28, 7, 5, "198.18.1.2"), rule, neighbor(29, 2, 5, "198.18.1.1"),
        Nl.message(2).u32(-105).zeros(16).done(), Nl.message(2).u32(0).zeros(16).done()));
    assertEquals(5, m.size(), m.toString());
    assertEquals(new DeviceMessage(DeviceMessage.Kind.LINK, false, 5, "wan1", true, 0, null), m.get(0));
    assertEquals(new DeviceMessage(DeviceMessage.Kind.ADDRESS, true, 9, null, false, 0, null), m.get(1));
    assertEquals(new DeviceMessage(DeviceMessage.Kind.RULE, true, 0, null, false, 213, null), m.get(2));
    assertEquals(DeviceMessage.Kind.NEIGHBOR, m.get(3).kind());
    assertEquals("198.18.1.1", m.get(3).neighbor().address());
    assertEquals(DeviceMessage.Kind.LOST, m.get(4).kind(), "an error; the acknowledgement after it is nothing");
  }
}
