package netbalancer.netlink;

import static netbalancer.netlink.Messages.NLM_F_DUMP;
import static netbalancer.netlink.Messages.NLM_F_REQUEST;

/**
 * The requests of the dump readers, each with the fixed header the kernel's strict checking
 * accepts (every field zero but those that filter) and the attributes it filters by.
 */
final class Requests {
  /** IFLA_EXT_MASK: RTEXT_FILTER_SKIP_STATS (a kernel that does not know the bit ignores it). */
  private static final int IFLA_EXT_MASK = 29;
  private static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;
  private static final int NDA_IFINDEX = 8;
  private static final int NDA_DST = 1;
  private static final int IFLA_IFNAME = 3;
  private static final int RTA_TABLE = 15;

  private Requests() {
  }

  static byte[] links(int seq) {
    return Messages.request(Messages.RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, new byte[16], IFLA_EXT_MASK,
        RTEXT_FILTER_SKIP_STATS);
  }

  /** One link by its index (a get, not a dump): what ip asks to name a route's device. */
  static byte[] link(int seq, int index) {
    return Messages.request(Messages.RTM_GETLINK, NLM_F_REQUEST, seq, Messages.header(16, b -> b.putInt(4, index)),
        IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  }

  static byte[] addresses(int seq, int family) {
    return Messages.request(Messages.RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq,
        Messages.header(8, b -> b.put(0, (byte) family)));
  }

  static byte[] rules(int seq, int family) {
    return Messages.request(Messages.RTM_GETRULE, NLM_F_REQUEST | NLM_F_DUMP, seq,
        Messages.header(12, b -> b.put(0, (byte) family)));
  }

  /** One link by its name (a get: IFLA_IFNAME). */
  static byte[] link(int seq, String name) {
    byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] ifname = new byte[n.length + 1];
    System.arraycopy(n, 0, ifname, 0, n.length);
    return withAttribute(Messages.request(Messages.RTM_GETLINK, NLM_F_REQUEST, seq, new byte[16], IFLA_EXT_MASK,
        RTEXT_FILTER_SKIP_STATS), IFLA_IFNAME, ifname);
  }

  /** One neighbor entry (a get, Linux 5.0): {@code address} on link {@code index}. */
  static byte[] neighbor(int seq, int family, int index, byte[] address) {
    return withAttribute(Messages.request(Messages.RTM_GETNEIGH, NLM_F_REQUEST, seq,
        Messages.header(12, b -> b.put(0, (byte) family).putInt(4, index))), NDA_DST, address);
  }

  /** {@code request} with one more attribute of any value at its end, its length fixed. */
  private static byte[] withAttribute(byte[] request, int type, byte[] value) {
    int length = Messages.align(request.length) + Messages.align(4 + value.length);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(length).order(java.nio.ByteOrder.nativeOrder());
    b.put(request).position(Messages.align(request.length));
    b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
    b.putInt(0, length);
    return b.array();
  }

  /** The neighbors of one family on one device (NDA_IFINDEX: the kernel filters). */
  static byte[] neighbors(int seq, int family, int index) {
    return Messages.request(Messages.RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, seq,
        Messages.header(12, b -> b.put(0, (byte) family)), NDA_IFINDEX, index);
  }

  /**
   * The routes of one family; the kernel filters by {@code table} (RTA_TABLE, 0: every table) and
   * {@code protocol} (rtm_protocol, 0: any), as for {@code ip route show table T proto P}.
   */
  static byte[] routes(int seq, int family, int table, int protocol) {
    byte[] rtmsg = Messages.header(12, b -> b.put(0, (byte) family).put(5, (byte) protocol));
    return table == 0
        ? Messages.request(Messages.RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq, rtmsg)
        : Messages.request(Messages.RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq, rtmsg, RTA_TABLE, table);
  }
}
