package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One RTM_NEWROUTE of a dump, read in full: rtmsg (family, dst_len, src_len, tos, table u8,
 * protocol, scope, type, flags u32), then RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY,
 * RTA_PREFSRC, RTA_MULTIPATH (rtnexthop: len u16, flags u8, hops u8, ifindex s32, then its own
 * RTA_GATEWAY / RTA_VIA), RTA_TABLE, RTA_VIA. Devices are numbers (ip names them with a get per
 * device: {@link KernelDumps#linkName}). {@code dst} is as ip prints it: "default", a host without "/32" or "/128", else
 * "addr/len".
 */
public record RouteEntry(int family, int table, int type, int dstLen, String dst, List<Hop> hops, int protocol, int scope,
    String prefsrc, Integer metric, int flags) {
  public static final int RTN_UNICAST = 1;
  public static final int RTN_BLACKHOLE = 6;
  public static final int RTN_UNREACHABLE = 7;
  /** A cached route (an IPv6 exception, say): ip route show leaves these out. */
  static final int RTM_F_CLONED = 0x200;
  private static final int RTNH_F_LINKDOWN = 0x10;
  private static final int RTMSG = 12;
  private static final int RTNEXTHOP = 8;
  private static final int RTA_DST = 1;
  private static final int RTA_OIF = 4;
  private static final int RTA_GATEWAY = 5;
  private static final int RTA_PRIORITY = 6;
  private static final int RTA_PREFSRC = 7;
  private static final int RTA_MULTIPATH = 9;
  private static final int RTA_TABLE = 15;
  private static final int RTA_VIA = 18;

  /**
   * One way out. {@code gateway}: RTA_GATEWAY; a gateway of another family (RTA_VIA, an IPv4
   * route via an IPv6 neighbor) is left null, as the ip path leaves it (ip prints it as "via",
   * not "gateway", which IpJson does not read): the planner sees the device alone either way.
   *
   * @param ifindex 0 when there is none (ip prints no dev)
   * @param weight  rtnh_hops + 1, 1 for a single path
   */
  public record Hop(String gateway, int ifindex, int weight, boolean linkdown) {
  }

  static RouteEntry parse(ByteBuffer b, int at, int length) {
    checkLength(length);
    int h = at + Messages.HEADER;
    int family = b.get(h) & 0xff;
    int bytes = Messages.addressBytes(family);
    int dstLen = b.get(h + 1) & 0xff;
    int flags = b.getInt(h + 8);
    Attributes a = Attributes.parse(b, h + RTMSG, at + length, RTA_VIA);
    String dst;
    if (a.has(RTA_DST)) {
      String addr = a.address(RTA_DST, bytes);
      dst = dstLen == bytes * 8 ? addr : addr + "/" + dstLen;
    } else {
      dst = dstLen == 0 ? "default" : "0/" + dstLen;
    }
    List<Hop> hops = new ArrayList<>();
    if (a.has(RTA_MULTIPATH)) {
      int p = a.offset(RTA_MULTIPATH);
      int end = p + a.length(RTA_MULTIPATH);
      while (end - p >= RTNEXTHOP) {
        int len = b.getShort(p) & 0xffff;
        if (len < RTNEXTHOP || len > end - p) {
          throw new IllegalArgumentException("nexthop at " + p + " has length " + len + ", " + (end - p) + " bytes left");
        }
        Attributes n = Attributes.parse(b, p + RTNEXTHOP, p + len, RTA_VIA);
        hops.add(new Hop(n.has(RTA_GATEWAY) ? n.address(RTA_GATEWAY, bytes) : null, b.getInt(p + 4),
            (b.get(p + 3) & 0xff) + 1, (b.get(p + 2) & RTNH_F_LINKDOWN) != 0));
        p += Messages.align(len);
      }
      if (end - p > 0) {
        throw new IllegalArgumentException("RTA_MULTIPATH ends in " + (end - p) + " stray bytes");
      }
    } else {
      hops.add(new Hop(a.has(RTA_GATEWAY) ? a.address(RTA_GATEWAY, bytes) : null,
          a.has(RTA_OIF) ? a.u32(RTA_OIF) : 0, 1, false));
    }
    return new RouteEntry(family, a.has(RTA_TABLE) ? a.u32(RTA_TABLE) : b.get(h + 4) & 0xff, b.get(h + 7) & 0xff,
        dstLen, dst, hops, b.get(h + 5) & 0xff, b.get(h + 6) & 0xff,
        a.has(RTA_PREFSRC) ? a.address(RTA_PREFSRC, bytes) : null, a.has(RTA_PRIORITY) ? a.u32(RTA_PRIORITY) : null,
        flags);
  }

  /** rtm_dst_len of the message at {@code at}, read without the rest. */
  static int dstLen(ByteBuffer b, int at, int length) {
    checkLength(length);
    return b.get(at + Messages.HEADER + 1) & 0xff;
  }

  private static void checkLength(int length) {
    if (length < Messages.HEADER + RTMSG) {
      throw new IllegalArgumentException("route message of " + length + " bytes, below nlmsghdr + rtmsg");
    }
  }

  /**
   * An IPv4 destination 0.0.0.0/x (a default, or a 0.0.0.0/1 someone may have), tested on the
   * text as the ip path tests what ip printed: these come first in an IPv4 dump.
   */
  public boolean zeroDestination() {
    return dst.equals("default") || dst.startsWith("0.0.0.0/");
  }

  public boolean cloned() {
    return (flags & RTM_F_CLONED) != 0;
  }

  /** RTNH_F_LINKDOWN on the route (single path) or on any of its nexthops, as ip prints "linkdown". */
  public boolean linkdown() {
    return (flags & RTNH_F_LINKDOWN) != 0 || hops.stream().anyMatch(Hop::linkdown);
  }
}
