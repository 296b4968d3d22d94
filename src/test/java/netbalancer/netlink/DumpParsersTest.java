package netbalancer.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dump parsers on messages laid out as the kernel sends them; the expected values are what ip
 * prints for them (observe's NetlinkReadsTest turns these records into IpJson's).
 */
class DumpParsersTest {
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;

  /** rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
  private static Nl rtmsg(int family, int dstLen, int table, int protocol, int scope, int type, int flags) {
    return Nl.message(Messages.RTM_NEWROUTE).u8(family).u8(dstLen).u8(0).u8(0).u8(table > 255 ? 252 : table)
        .u8(protocol).u8(scope).u8(type).u32(flags).attrU32(15, table);
  }

  private static RouteEntry route(byte[] m) {
    return RouteEntry.parse(Nl.buffer(m), 0, m.length);
  }

  private static RouteEntry.Hop hop(String gateway, int ifindex, int weight) {
    return new RouteEntry.Hop(gateway, ifindex, weight, false);
  }

  @Test
  void aLinkHasItsNameIndexFlagsAndKind() {
    byte[] m = Nl.message(Messages.RTM_NEWLINK).u8(0).u8(0).u16(1).u32(3).u32(0x11043).u32(0)
        .attrString(3, "wan1").attrU32(4, 1500).nest(18, n -> n.attrString(1, "veth").nest(2, d -> d.attrU32(1, 0)))
        .done();
    LinkMessage l = LinkMessage.parse(Nl.buffer(m), 0, m.length);
    assertEquals(new LinkMessage(3, "wan1", 0x11043, "veth"), l);
    assertTrue(l.up() && l.lowerUp());
    assertFalse(l.pointToPoint());
    byte[] ppp = Nl.message(Messages.RTM_NEWLINK).u8(0).u8(0).u16(512).u32(9).u32(0x1091).u32(0)
        .attrString(3, "ppp0").done();
    LinkMessage p = LinkMessage.parse(Nl.buffer(ppp), 0, ppp.length);
    assertTrue(p.pointToPoint() && p.up());
    assertFalse(p.lowerUp(), "no IFF_LOWER_UP: no carrier, as ip's flags without LOWER_UP");
    assertEquals("", p.kind());
  }

  @Test
  void aPointToPointAddressHasItsPeerAndAnIpv6OneItsFlagsFromIfaFlags() {
    byte[] p2p = Nl.message(Messages.RTM_NEWADDR).u8(AF_INET).u8(32).u8(0x80).u8(0).u32(9)
        .attrAddress(1, "198.51.100.10").attrAddress(2, "198.51.100.9").attrString(3, "ppp0").done();
    AddressMessage a = AddressMessage.parse(Nl.buffer(p2p), 0, p2p.length);
    assertEquals(new AddressMessage(9, AF_INET, "198.51.100.9", 32, "198.51.100.10", 0, 0x80), a);
    byte[] plain = Nl.message(Messages.RTM_NEWADDR).u8(AF_INET).u8(24).u8(0x80).u8(0).u32(3)
        .attrAddress(1, "192.0.2.2").attrAddress(2, "192.0.2.2").done();
    assertNull(AddressMessage.parse(Nl.buffer(plain), 0, plain.length).peer(), "local = address: no peer");
    // IPv6: IFA_ADDRESS alone; flags in IFA_FLAGS (u32) over ifa_flags; 0x01 is temporary only for IPv6.
    byte[] six = Nl.message(Messages.RTM_NEWADDR).u8(AF_INET6).u8(64).u8(0).u8(253).u32(3)
        .attrAddress(1, "fe80::1").attrU32(8, 0x40 | 0x20 | 0x01).done();
    AddressMessage six6 = AddressMessage.parse(Nl.buffer(six), 0, six.length);
    assertEquals(new AddressMessage(3, AF_INET6, "fe80::1", 64, null, 253, 0x61), six6);
    assertTrue(six6.tentative() && six6.deprecated() && six6.temporary());
    byte[] dadFailed = Nl.message(Messages.RTM_NEWADDR).u8(AF_INET6).u8(64).u8(0x08).u8(0).u32(3)
        .attrAddress(1, "2001:db8:1::2").done();
    assertTrue(AddressMessage.parse(Nl.buffer(dadFailed), 0, dadFailed.length).tentative());
    byte[] secondary = Nl.message(Messages.RTM_NEWADDR).u8(AF_INET).u8(24).u8(0x01).u8(0).u32(3)
        .attrAddress(2, "192.0.2.3").done();
    assertFalse(AddressMessage.parse(Nl.buffer(secondary), 0, secondary.length).temporary(),
        "IPv4's 0x01 is secondary");
  }

  @Test
  void rulesReadAsIpPrintsThem() {
    // fwmark with a mask, a table above 255 (FRA_TABLE; fib_rule_hdr's table is RT_TABLE_COMPAT), protocol.
    byte[] mark = Nl.message(Messages.RTM_NEWRULE).u8(AF_INET).u8(0).u8(0).u8(0).u8(252).u8(0).u8(0).u8(1).u32(0)
        .attrU32(15, 1000).attrU32(14, -1).attrU8(21, 213).attrU32(6, 100).attrU32(10, 0x100).attrU32(16, 0xff00)
        .done();
    assertEquals(new RuleMessage(AF_INET, 100, null, 0x100L, 0xff00L, 1000, null, 213),
        RuleMessage.parse(Nl.buffer(mark), 0, mark.length));
    byte[] fullMask = Nl.message(Messages.RTM_NEWRULE).u8(AF_INET).u8(0).u8(0).u8(0).u8(101).u8(0).u8(0).u8(1).u32(0)
        .attrU32(15, 101).attrU32(6, 1000).attrU32(10, 0x80000000).attrU32(16, 0xffffffff).done();
    assertEquals(new RuleMessage(AF_INET, 1000, null, 0x80000000L, 0xffffffffL, 101, null, 0),
        RuleMessage.parse(Nl.buffer(fullMask), 0, fullMask.length), "no FRA_PROTOCOL (an older kernel): 0");
    // from a prefix; from a host (no /32); suppress_prefixlength 0 on main.
    byte[] from = Nl.message(Messages.RTM_NEWRULE).u8(AF_INET).u8(0).u8(24).u8(0).u8(200).u8(0).u8(0).u8(1).u32(0)
        .attrU32(15, 200).attrU32(6, 101).attrAddress(2, "192.0.2.0").done();
    assertEquals("192.0.2.0/24", RuleMessage.parse(Nl.buffer(from), 0, from.length).src());
    byte[] host = Nl.message(Messages.RTM_NEWRULE).u8(AF_INET6).u8(0).u8(128).u8(0).u8(254).u8(0).u8(0).u8(1).u32(0)
        .attrU32(15, 254).attrU32(14, 0).attrU32(6, 102).attrAddress(2, "2001:db8:ff00::99").attrU8(21, 2).done();
    assertEquals(new RuleMessage(AF_INET6, 102, "2001:db8:ff00::99", null, null, 254, 0, 2),
        RuleMessage.parse(Nl.buffer(host), 0, host.length));
    // priority 0 (no FRA_PRIORITY), an action without a table: table 0, suppress not read.
    byte[] blackhole = Nl.message(Messages.RTM_NEWRULE).u8(AF_INET).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(6).u32(0)
        .attrU32(15, 0).attrU32(14, 0).done();
    assertEquals(new RuleMessage(AF_INET, 0, null, null, null, 0, null, 0),
        RuleMessage.parse(Nl.buffer(blackhole), 0, blackhole.length));
  }

  @Test
  void neighborsHaveIpsStateNamesAndNoarpOnesAreNotListed() {
    byte[] stale = Nl.message(Messages.RTM_NEWNEIGH).u8(AF_INET6).u8(0).u16(0).u32(3).u16(0x04 | 0x20).u8(0).u8(1)
        .attrAddress(1, "fe80::1").attr(2, new byte[6]).done();
    NeighborMessage n = NeighborMessage.parse(Nl.buffer(stale), 0, stale.length);
    assertEquals("fe80::1", n.address());
    assertEquals(List.of("STALE", "FAILED"), n.states());
    assertTrue(n.listed());
    byte[] noarp = Nl.message(Messages.RTM_NEWNEIGH).u8(AF_INET).u8(0).u16(0).u32(3).u16(0x40).u8(0).u8(1)
        .attrAddress(1, "192.0.2.1").done();
    assertFalse(NeighborMessage.parse(Nl.buffer(noarp), 0, noarp.length).listed(), "ip neigh show hides NOARP");
    byte[] none = Nl.message(Messages.RTM_NEWNEIGH).u8(AF_INET).u8(0).u16(0).u32(3).u16(0).u8(0).u8(1)
        .attrAddress(1, "192.0.2.1").done();
    assertFalse(NeighborMessage.parse(Nl.buffer(none), 0, none.length).listed());
  }

  @Test
  void aMultipathRouteHasItsWeightsGatewaysAndLinkdown() {
    byte[] m = rtmsg(AF_INET, 0, 200, 213, 0, 1, 0)
        .nest(9, n -> n.nexthop(0, 2, 3, h -> h.attrAddress(5, "192.0.2.1"))
            .nexthop(0x10, 0, 4, h -> h.attrAddress(5, "192.0.2.5")))
        .done();
    RouteEntry r = route(m);
    assertEquals(new RouteEntry(AF_INET, 200, 1, 0, "default", List.of(hop("192.0.2.1", 3, 3),
        new RouteEntry.Hop("192.0.2.5", 4, 1, true)), 213, 0, null, null, 0), r);
    assertTrue(r.linkdown(), "one nexthop's RTNH_F_LINKDOWN");
  }

  @Test
  void singlePathRoutesIpv4AndIpv6() {
    byte[] connected = rtmsg(AF_INET, 24, 254, 2, 253, 1, 0).attrAddress(1, "192.0.2.0").attrAddress(7, "192.0.2.2")
        .attrU32(4, 3).done();
    assertEquals(new RouteEntry(AF_INET, 254, 1, 24, "192.0.2.0/24", List.of(hop(null, 3, 1)), 2, 253, "192.0.2.2",
        null, 0), route(connected));
    byte[] host = rtmsg(AF_INET, 32, 1000, 213, 0, 1, 0x10).attrAddress(1, "198.51.100.7").attrAddress(5, "192.0.2.1")
        .attrU32(4, 3).done();
    RouteEntry h = route(host);
    assertEquals("198.51.100.7", h.dst(), "a host route without /32");
    assertTrue(h.linkdown(), "RTNH_F_LINKDOWN in rtm_flags");
    byte[] six = rtmsg(AF_INET6, 0, 254, 9, 0, 1, 0).attrU32(6, 1024).attrAddress(5, "fe80::1").attrU32(4, 4)
        .attr(20, new byte[] {0}).done();
    assertEquals(new RouteEntry(AF_INET6, 254, 1, 0, "default", List.of(hop("fe80::1", 4, 1)), 9, 0, null, 1024, 0),
        route(six));
    byte[] prefix6 = rtmsg(AF_INET6, 64, 254, 2, 0, 1, 0).attrAddress(1, "2001:db8:1::").attrU32(6, 256)
        .attrU32(4, 3).done();
    assertEquals("2001:db8:1::/64", route(prefix6).dst());
    byte[] hostSix = rtmsg(AF_INET6, 128, 300, 213, 0, 1, 0).attrAddress(1, "2001:db8::7").attrU32(4, 9).done();
    assertEquals("2001:db8::7", route(hostSix).dst(), "a host route without /128");
    byte[] noOif = rtmsg(AF_INET, 0, 254, 3, 0, 1, 0).done();
    assertEquals(List.of(hop(null, 0, 1)), route(noOif).hops(), "no RTA_OIF: ifindex 0");
  }

  @Test
  void thePrefixLengthIsReadAloneAsTheFullReadHasIt() {
    byte[] prefix6 = rtmsg(AF_INET6, 64, 254, 12, 0, 1, 0).attrAddress(1, "2001:db8:a000::").done();
    assertEquals(64, RouteEntry.dstLen(Nl.buffer(prefix6), 0, prefix6.length));
    assertEquals(route(prefix6).dstLen(), RouteEntry.dstLen(Nl.buffer(prefix6), 0, prefix6.length));
    byte[] def = rtmsg(AF_INET6, 0, 254, 9, 0, 1, 0).attrAddress(5, "fe80::1").done();
    assertEquals(0, RouteEntry.dstLen(Nl.buffer(def), 0, def.length));
    byte[] cut = java.util.Arrays.copyOf(def, Messages.HEADER + 4);
    assertThrows(IllegalArgumentException.class, () -> RouteEntry.dstLen(Nl.buffer(cut), 0, cut.length),
        "a message too short for its rtmsg is an error, as for the full read");
  }

  @Test
  void aGatewayOfAnotherFamilyIsLeftOutAsIpJsonLeavesIt() {
    byte[] via = rtmsg(AF_INET, 0, 254, 3, 0, 1, 0).attr(18, viaInet6()).attrU32(4, 3).done();
    assertEquals(List.of(hop(null, 3, 1)), route(via).hops());
  }

  private static byte[] viaInet6() {
    byte[] v = new byte[18];
    java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.nativeOrder()).putShort((short) AF_INET6);
    System.arraycopy(Nl.address("fe80::1"), 0, v, 2, 16);
    return v;
  }

  @Test
  void routeTypesAndAbove255Tables() {
    byte[] unreachable = rtmsg(AF_INET, 0, 1000, 213, 0, 7, 0).attrU32(6, 5).done();
    assertEquals(new RouteEntry(AF_INET, 1000, RouteEntry.RTN_UNREACHABLE, 0, "default", List.of(hop(null, 0, 1)), 213,
        0, null, 5, 0), route(unreachable), "RTA_TABLE, not rtm_table's 252");
    byte[] blackhole = rtmsg(AF_INET6, 0, 201, 213, 0, 6, 0).attrU32(6, 1024).done();
    assertEquals(RouteEntry.RTN_BLACKHOLE, route(blackhole).type());
    byte[] cached = rtmsg(AF_INET6, 128, 254, 0, 0, 1, 0x200).attrAddress(1, "2001:db8::9").done();
    assertTrue(route(cached).cloned());
  }

  @Test
  void theEarlyStopSeesZeroDestinationsAsIpsTextDoes() {
    byte[] slashOne = rtmsg(AF_INET, 1, 254, 3, 0, 1, 0).attrAddress(1, "0.0.0.0").attrU32(4, 3).done();
    byte[] other = rtmsg(AF_INET, 8, 254, 3, 0, 1, 0).attrAddress(1, "10.0.0.0").attrU32(4, 3).done();
    assertTrue(RouteEntry.parse(Nl.buffer(slashOne), 0, slashOne.length).zeroDestination());
    assertFalse(RouteEntry.parse(Nl.buffer(other), 0, other.length).zeroDestination());
  }

  @Test
  void truncatedOrOverlongLengthsAreErrors() {
    byte[] m = rtmsg(AF_INET, 24, 254, 2, 253, 1, 0).attrAddress(1, "192.0.2.0").attrU32(4, 3).done();
    byte[] cut = Arrays.copyOf(m, m.length - 2);
    java.nio.ByteBuffer.wrap(cut).order(java.nio.ByteOrder.nativeOrder()).putInt(0, cut.length);
    assertThrows(IllegalArgumentException.class, () -> RouteEntry.parse(Nl.buffer(cut), 0, cut.length),
        "an attribute longer than what is left");
    assertThrows(IllegalArgumentException.class, () -> RouteEntry.parse(Nl.buffer(m), 0, 20), "below rtmsg");
    byte[] zero = rtmsg(AF_INET, 24, 254, 2, 253, 1, 0).attr(1, new byte[0]).done();
    java.nio.ByteBuffer.wrap(zero).order(java.nio.ByteOrder.nativeOrder()).putShort(zero.length - 4, (short) 0);
    assertThrows(IllegalArgumentException.class, () -> RouteEntry.parse(Nl.buffer(zero), 0, zero.length),
        "an attribute of length 0 (never a loop)");
    byte[] shortAddress = rtmsg(AF_INET, 24, 254, 2, 253, 1, 0).attr(1, new byte[] {(byte) 192, 0}).done();
    assertThrows(IllegalArgumentException.class, () -> RouteEntry.parse(Nl.buffer(shortAddress), 0,
        shortAddress.length));
    byte[] badHop = rtmsg(AF_INET, 0, 200, 213, 0, 1, 0).nest(9, n -> n.nexthop(0, 0, 3, h -> { })
        .u16(40).u16(0).u32(0)).done();
    assertThrows(IllegalArgumentException.class, () -> RouteEntry.parse(Nl.buffer(badHop), 0, badHop.length),
        "a nexthop longer than RTA_MULTIPATH");
    byte[] link = Nl.message(Messages.RTM_NEWLINK).u8(0).u8(0).u16(1).u32(3).u32(1).u32(0).done();
    assertThrows(IllegalArgumentException.class, () -> LinkMessage.parse(Nl.buffer(link), 0, link.length),
        "a link without a name");
    byte[] unknownFamily = Nl.message(Messages.RTM_NEWADDR).u8(7).u8(24).u8(0).u8(0).u32(3).done();
    assertThrows(IllegalArgumentException.class,
        () -> AddressMessage.parse(Nl.buffer(unknownFamily), 0, unknownFamily.length));
  }
}
