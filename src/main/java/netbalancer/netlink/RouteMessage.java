package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One netlink message of a datagram read from a route socket: an RTM_NEWROUTE/RTM_DELROUTE with
 * the fields the daemon judges a route by, or another type (NLMSG_ERROR with its errno,
 * NLMSG_OVERRUN, NLMSG_DONE). Netlink is in host byte order.
 *
 * @param type     nlmsg_type
 * @param error    for NLMSG_ERROR the (negative) errno, 0 for an acknowledgement; else 0
 * @param family   rtm_family (2 AF_INET, 10 AF_INET6)
 * @param dstLen   rtm_dst_len: 0 for a default route
 * @param table    RTA_TABLE when present (tables above 255 are only there), else rtm_table
 * @param protocol rtm_protocol
 * @param linkLocal its destination (RTA_DST) is IPv6 link-local (fe80::/10): every IPv6 device's
 *                 own {@code fe80::/64}, which never leads anywhere the balancer routes
 */
public record RouteMessage(int type, int error, int family, int dstLen, int table, int protocol, boolean linkLocal) {
  public static final int NLMSG_ERROR = 2;
  public static final int NLMSG_DONE = 3;
  public static final int NLMSG_OVERRUN = 4;
  public static final int RTM_NEWROUTE = RouteFilter.RTM_NEWROUTE;
  public static final int RTM_DELROUTE = RouteFilter.RTM_DELROUTE;
  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;
  private static final int HEADER = 16;
  private static final int RTMSG = 12;
  private static final int RTA_TABLE = RouteFilter.RTA_TABLE;
  private static final int RTA_DST = 1;

  /** A message whose destination is not IPv6 link-local. */
  public RouteMessage(int type, int error, int family, int dstLen, int table, int protocol) {
    this(type, error, family, dstLen, table, protocol, false);
  }

  public boolean isRoute() {
    return type == RTM_NEWROUTE || type == RTM_DELROUTE;
  }

  public boolean deleted() {
    return type == RTM_DELROUTE;
  }

  /**
   * The messages of one datagram, from position 0 to the limit of {@code datagram}.
   *
   * @throws IllegalArgumentException a length that does not fit (a truncated or corrupt datagram)
   */
  public static List<RouteMessage> parse(ByteBuffer datagram) {
    ByteBuffer b = datagram.duplicate().order(ByteOrder.nativeOrder());
    List<RouteMessage> out = new ArrayList<>();
    int at = 0;
    int end = b.limit();
    while (end - at >= HEADER) {
      int length = b.getInt(at);
      if (length < HEADER || length > end - at) {
        throw new IllegalArgumentException("netlink message at " + at + " has length " + length + ", "
            + (end - at) + " bytes left");
      }
      int type = b.getShort(at + 4) & 0xffff;
      if (type == RTM_NEWROUTE || type == RTM_DELROUTE) {
        out.add(route(b, at, length, type));
      } else if (type == NLMSG_ERROR) {
        if (length < HEADER + 4) {
          throw new IllegalArgumentException("NLMSG_ERROR of " + length + " bytes");
        }
        out.add(new RouteMessage(type, b.getInt(at + HEADER), 0, 0, 0, 0));
      } else {
        out.add(new RouteMessage(type, 0, 0, 0, 0, 0));
      }
      at += align(length);
    }
    return out;
  }

  private static RouteMessage route(ByteBuffer b, int at, int length, int type) {
    if (length < HEADER + RTMSG) {
      throw new IllegalArgumentException("route message of " + length + " bytes, below nlmsghdr + rtmsg");
    }
    int r = at + HEADER;
    int family = b.get(r) & 0xff;
    int dstLen = b.get(r + 1) & 0xff;
    int table = b.get(r + 4) & 0xff;
    int protocol = b.get(r + 5) & 0xff;
    int a = r + RTMSG;
    int end = at + length;
    boolean linkLocal = false;
    while (end - a >= 4) {
      int len = b.getShort(a) & 0xffff;
      int attr = b.getShort(a + 2) & 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
      if (len < 4 || len > end - a) {
        throw new IllegalArgumentException("route attribute at " + a + " has length " + len);
      }
      if (attr == RTA_TABLE && len >= 8) {
        table = b.getInt(a + 4);
      } else if (attr == RTA_DST && family == AF_INET6 && len >= 6) {
        linkLocal = (b.get(a + 4) & 0xff) == 0xfe && (b.get(a + 5) & 0xc0) == 0x80; // fe80::/10
      }
      a += align(len);
    }
    return new RouteMessage(type, 0, family, dstLen, table, protocol, linkLocal);
  }

  private static int align(int n) {
    return (n + 3) & ~3;
  }
}
