package netbalancer.netlink;

import static netbalancer.netlink.RouteMessage.AF_INET;
import static netbalancer.netlink.RouteMessage.AF_INET6;
import static netbalancer.netlink.RouteMessage.RTM_DELROUTE;
import static netbalancer.netlink.RouteMessage.RTM_NEWROUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteMessageTest {
  @Test
  void ipv4AndIpv6RoutesAreReadWithTheirTableFromRtaTable() {
    List<RouteMessage> m = RouteMessage.parse(Fixtures.datagram(
        Fixtures.route(RTM_NEWROUTE, AF_INET, 0, 254, 16),
        Fixtures.route(RTM_DELROUTE, AF_INET6, 64, 1000, 213),
        Fixtures.route(RTM_NEWROUTE, AF_INET, 28, 7, 12, false)));
    assertEquals(new RouteMessage(RTM_NEWROUTE, 0, AF_INET, 0, 254, 16), m.get(0));
    assertEquals(new RouteMessage(RTM_DELROUTE, 0, AF_INET6, 64, 1000, 213), m.get(1), "not rtm_table's 252");
    assertTrue(m.get(1).deleted());
    assertEquals(7, m.get(2).table(), "without RTA_TABLE: rtm_table");
  }

  @Test
  void anIpv6LinkLocalDestinationIsMarkedAndNoOtherIs() {
    List<RouteMessage> m = RouteMessage.parse(Fixtures.datagram(route6("fe80::", 64), route6("febf:1::", 64),
        route6("fec0::", 10), route6("2001:db8:7::", 64)));
    assertEquals(List.of(true, true, false, false), m.stream().map(RouteMessage::linkLocal).toList());
  }

  /** An IPv6 connected route of main (rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags). */
  private static byte[] route6(String dst, int length) {
    return Nl.message(RTM_NEWROUTE).u8(AF_INET6).u8(length).u8(0).u8(0).u8(254).u8(2).u8(0).u8(1).u32(0)
        .attrAddress(1, dst).attrU32(15, 254).done();
  }

  @Test
  void errorsCarryTheirErrnoAndOtherTypesOnlyTheirType() {
    List<RouteMessage> m = RouteMessage.parse(Fixtures.datagram(Fixtures.error(-105), Fixtures.error(0)));
    assertEquals(-105, m.get(0).error());
    assertEquals(RouteMessage.NLMSG_ERROR, m.get(1).type());
    assertEquals(0, m.get(1).error());
    assertFalse(m.get(0).isRoute());
  }

  @Test
  void aTruncatedDatagramIsAnError() {
    byte[] route = Fixtures.route(RTM_NEWROUTE, AF_INET, 0, 254, 16);
    ByteBuffer cut = Fixtures.datagram(route).limit(route.length - 8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RouteMessage.parse(cut));
    assertTrue(e.getMessage().contains("length " + route.length), e.getMessage());
    byte[] badAttribute = route.clone();
    badAttribute[28] = 2; // RTA_TABLE's nla_len below its header (little-endian low byte)
    badAttribute[29] = 0;
    if (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN) {
      assertThrows(IllegalArgumentException.class, () -> RouteMessage.parse(Fixtures.datagram(badAttribute)));
    }
    assertEquals(List.of(), RouteMessage.parse(ByteBuffer.allocateDirect(0)));
  }
}
