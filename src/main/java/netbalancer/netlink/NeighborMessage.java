package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One RTM_NEWNEIGH: ndmsg (family, pad1, pad2 u16, ifindex s32, state u16, flags u8, type u8),
 * then NDA_DST. The states named as ip names them, in its order.
 */
public record NeighborMessage(int index, String address, int state, int flags) {
  private static final int NDMSG = 12;
  private static final int NDA_DST = 1;
  private static final int NUD_NOARP = 0x40;
  private static final int NUD_VALID = 0x80 | 0x40 | 0x02 | 0x10 | 0x04 | 0x08;
  private static final int NTF_PROXY = 0x08;
  private static final int NTF_EXT_LEARNED = 0x10;
  private static final String[] STATES = {"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP",
      "PERMANENT"};

  /** The message, or null for one without NDA_DST (nothing ip would print an address for). */
  static NeighborMessage parse(ByteBuffer b, int at, int length) {
    if (length < Messages.HEADER + NDMSG) {
      throw new IllegalArgumentException("neighbor message of " + length + " bytes, below nlmsghdr + ndmsg");
    }
    int h = at + Messages.HEADER;
    int family = b.get(h) & 0xff;
    Attributes a = Attributes.parse(b, h + NDMSG, at + length, NDA_DST);
    if (!a.has(NDA_DST)) {
      return null;
    }
    return new NeighborMessage(b.getInt(h + 4), a.address(NDA_DST, Messages.addressBytes(family)),
        b.getShort(h + 8) & 0xffff, b.get(h + 10) & 0xff);
  }

  /**
   * Whether {@code ip neigh show} lists it: its default filter is every state but NOARP (and
   * none), besides proxy and externally learned entries.
   */
  public boolean listed() {
    return (state & 0xff & ~NUD_NOARP) != 0 || (flags & (NTF_PROXY | NTF_EXT_LEARNED)) != 0;
  }

  /**
   * Whether the kernel has the neighbor's link-layer address (NUD_VALID: permanent, noarp,
   * reachable, stale, delay or probe): what /proc/net/arp flags ATF_COM.
   */
  public boolean resolved() {
    return (state & NUD_VALID) != 0;
  }

  public List<String> states() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < STATES.length; i++) {
      if ((state & (1 << i)) != 0) {
        out.add(STATES[i]);
      }
    }
    return out;
  }
}
