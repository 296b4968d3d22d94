package netbalancer.netlink;

import java.nio.ByteBuffer;

/**
 * One RTM_NEWLINK: ifinfomsg (family, pad, type u16, index s32, flags u32, change u32), then
 * IFLA_IFNAME and IFLA_LINKINFO { IFLA_INFO_KIND }.
 *
 * @param flags ifi_flags: IFF_UP, IFF_POINTOPOINT, IFF_LOWER_UP (what ip prints as UP,
 *              POINTOPOINT, LOWER_UP)
 * @param kind  IFLA_INFO_KIND ("veth", "wireguard", …), "" when the link has none (ip prints no
 *              linkinfo then)
 */
public record LinkMessage(int index, String name, int flags, String kind) {
  static final int IFF_UP = 0x1;
  static final int IFF_POINTOPOINT = 0x10;
  static final int IFF_LOWER_UP = 0x10000;
  private static final int IFINFOMSG = 16;
  private static final int IFLA_IFNAME = 3;
  private static final int IFLA_LINKINFO = 18;
  private static final int IFLA_INFO_KIND = 1;

  static LinkMessage parse(ByteBuffer b, int at, int length) {
    if (length < Messages.HEADER + IFINFOMSG) {
      throw new IllegalArgumentException("link message of " + length + " bytes, below nlmsghdr + ifinfomsg");
    }
    int h = at + Messages.HEADER;
    int index = b.getInt(h + 4);
    int flags = b.getInt(h + 8);
    Attributes a = Attributes.parse(b, h + IFINFOMSG, at + length, IFLA_LINKINFO);
    if (!a.has(IFLA_IFNAME)) {
      throw new IllegalArgumentException("link " + index + " without IFLA_IFNAME");
    }
    String kind = "";
    if (a.has(IFLA_LINKINFO)) {
      Attributes info = a.nested(IFLA_LINKINFO, IFLA_INFO_KIND);
      if (info.has(IFLA_INFO_KIND)) {
        kind = info.string(IFLA_INFO_KIND);
      }
    }
    return new LinkMessage(index, a.string(IFLA_IFNAME), flags, kind);
  }

  public boolean up() {
    return (flags & IFF_UP) != 0;
  }

  /** ip -j's LOWER_UP, which IpJson takes as the carrier. */
  public boolean lowerUp() {
    return (flags & IFF_LOWER_UP) != 0;
  }

  public boolean pointToPoint() {
    return (flags & IFF_POINTOPOINT) != 0;
  }
}
