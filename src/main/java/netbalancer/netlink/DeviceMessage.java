package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One message of a datagram read from the device socket (links, addresses, rules, neighbors): what
 * the daemon judges it by, in place of a line of {@code ip monitor link address rule neigh}.
 *
 * @param kind     what it is about; LOST: the kernel reports an error (events may be missing)
 * @param deleted  an RTM_DEL* message
 * @param index    the link's ifindex (links, addresses, neighbors); 0 for rules
 * @param name     a link's IFLA_IFNAME, an IPv4 address's IFA_LABEL; else null
 * @param up       a link's IFF_UP
 * @param protocol a rule's FRA_PROTOCOL (0 when it has none)
 * @param neighbor a neighbor message's parts (null for other kinds, or one without an address)
 */
public record DeviceMessage(Kind kind, boolean deleted, int index, String name, boolean up, int protocol,
    NeighborMessage neighbor) {
  public enum Kind { LINK, ADDRESS, RULE, NEIGHBOR, LOST }

  static final int RTM_NEWLINK = 16;
  static final int RTM_DELLINK = 17;
  static final int RTM_NEWADDR = 20;
  static final int RTM_DELADDR = 21;
  static final int RTM_NEWRULE = 32;
  static final int RTM_DELRULE = 33;
  private static final int IFINFOMSG = 16;
  private static final int IFADDRMSG = 8;
  private static final int FIB_RULE_HDR = 12;
  private static final int IFLA_IFNAME = 3;
  private static final int IFA_LABEL = 3;
  private static final int FRA_PROTOCOL = 21;

  /**
   * The messages of one datagram (from 0 to its limit) that the daemon judges; others (a bridge's
   * FDB entries, an acknowledgement) are passed over.
   *
   * @throws IllegalArgumentException a message that does not fit the datagram, or is too short for its type
   */
  public static List<DeviceMessage> datagram(ByteBuffer datagram) {
    ByteBuffer b = datagram.duplicate().order(ByteOrder.nativeOrder());
    List<DeviceMessage> out = new ArrayList<>();
    int end = b.limit();
    int at = 0;
    while (end - at >= Messages.HEADER) {
      int length = b.getInt(at);
      if (length < Messages.HEADER || length > end - at) {
        throw new IllegalArgumentException("a message at " + at + " has length " + length + ", " + (end - at)
            + " bytes left");
      }
      DeviceMessage m = message(b, at, length, b.getShort(at + 4) & 0xffff);
      if (m != null) {
        out.add(m);
      }
      at += Messages.align(length);
    }
    return out;
  }

  private static DeviceMessage message(ByteBuffer b, int at, int length, int type) {
    int h = at + Messages.HEADER;
    switch (type) {
      case RTM_NEWLINK, RTM_DELLINK -> {
        need(length, IFINFOMSG, "link");
        Attributes a = Attributes.parse(b, h + IFINFOMSG, at + length, IFLA_IFNAME);
        return new DeviceMessage(Kind.LINK, type == RTM_DELLINK, b.getInt(h + 4),
            a.has(IFLA_IFNAME) ? a.string(IFLA_IFNAME) : null, (b.getInt(h + 8) & LinkMessage.IFF_UP) != 0, 0, null);
      }
      case RTM_NEWADDR, RTM_DELADDR -> {
        need(length, IFADDRMSG, "address");
        Attributes a = Attributes.parse(b, h + IFADDRMSG, at + length, IFA_LABEL);
        return new DeviceMessage(Kind.ADDRESS, type == RTM_DELADDR, b.getInt(h + 4),
            a.has(IFA_LABEL) ? a.string(IFA_LABEL) : null, false, 0, null);
      }
      case RTM_NEWRULE, RTM_DELRULE -> {
        need(length, FIB_RULE_HDR, "rule");
        Attributes a = Attributes.parse(b, h + FIB_RULE_HDR, at + length, FRA_PROTOCOL);
        return new DeviceMessage(Kind.RULE, type == RTM_DELRULE, 0, null, false,
            a.has(FRA_PROTOCOL) ? a.u8(FRA_PROTOCOL) : 0, null);
      }
      case NeighborFilter.RTM_NEWNEIGH, NeighborFilter.RTM_DELNEIGH -> {
        int family = length > Messages.HEADER ? b.get(h) & 0xff : 0;
        if (family != Messages.AF_INET && family != Messages.AF_INET6) {
          return null; // a bridge's FDB (AF_BRIDGE)
        }
        NeighborMessage n = NeighborMessage.parse(b, at, length);
        return n == null ? null : new DeviceMessage(Kind.NEIGHBOR, type == NeighborFilter.RTM_DELNEIGH, n.index(), null,
            false, 0, n);
      }
      case Messages.NLMSG_OVERRUN -> {
        return new DeviceMessage(Kind.LOST, false, 0, null, false, 0, null);
      }
      case Messages.NLMSG_ERROR -> {
        boolean error = length >= Messages.HEADER + 4 && b.getInt(h) != 0; // 0: an acknowledgement
        return error ? new DeviceMessage(Kind.LOST, false, 0, null, false, 0, null) : null;
      }
      default -> {
        return null;
      }
    }
  }

  private static void need(int length, int header, String what) {
    if (length < Messages.HEADER + header) {
      throw new IllegalArgumentException(what + " message of " + length + " bytes, below nlmsghdr + its header");
    }
  }
}
