package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Route messages laid out as the kernel sends them (host order): nlmsghdr, rtmsg, then the
 * attributes in fib_dump_info's / rt6_fill_node's order: RTA_TABLE first, RTA_DST, RTA_PRIORITY,
 * RTA_GATEWAY, RTA_OIF.
 */
final class Fixtures {
  static final int RTA_DST = 1;
  static final int RTA_OIF = 4;
  static final int RTA_GATEWAY = 5;
  static final int RTA_PRIORITY = 6;
  static final int RTA_TABLE = 15;

  private Fixtures() {
  }

  /** A route message; {@code withTableAttribute} false leaves RTA_TABLE out (not a kernel layout). */
  static byte[] route(int type, int family, int dstLen, int table, int protocol, boolean withTableAttribute) {
    int addr = family == RouteMessage.AF_INET6 ? 16 : 4;
    ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    b.position(16);
    b.put((byte) family).put((byte) dstLen).put((byte) 0).put((byte) 0);
    b.put((byte) (table > 255 ? 252 : table)).put((byte) protocol).put((byte) 0).put((byte) 1); // scope universe, unicast
    b.putInt(0); // rtm_flags
    if (withTableAttribute) {
      attr(b, RTA_TABLE, intBytes(table));
    }
    if (dstLen > 0) {
      byte[] dst = new byte[addr];
      dst[0] = (byte) (family == RouteMessage.AF_INET6 ? 0x20 : 240);
      attr(b, RTA_DST, dst);
    }
    attr(b, RTA_PRIORITY, intBytes(1024));
    byte[] gw = new byte[addr];
    gw[0] = (byte) (family == RouteMessage.AF_INET6 ? 0x20 : 198);
    attr(b, RTA_GATEWAY, gw);
    attr(b, RTA_OIF, intBytes(3));
    int length = b.position();
    b.putInt(0, length).putShort(4, (short) type).putShort(6, (short) 0).putInt(8, 77).putInt(12, 4242);
    byte[] out = new byte[length];
    b.get(0, out);
    return out;
  }

  static byte[] route(int type, int family, int dstLen, int table, int protocol) {
    return route(type, family, dstLen, table, protocol, true);
  }

  /** An NLMSG_ERROR carrying {@code error} and the header of the request it answers. */
  static byte[] error(int error) {
    ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
    b.putInt(36).putShort((short) RouteMessage.NLMSG_ERROR).putShort((short) 0).putInt(1).putInt(0);
    b.putInt(error);
    b.putInt(20).putShort((short) 26).putShort((short) 0x301).putInt(1).putInt(0);
    return b.array();
  }

  static ByteBuffer datagram(byte[]... messages) {
    int n = 0;
    for (byte[] m : messages) {
      n += (m.length + 3) & ~3;
    }
    ByteBuffer b = ByteBuffer.allocateDirect(n);
    for (byte[] m : messages) {
      b.put(m);
      b.position((b.position() + 3) & ~3);
    }
    return b.flip();
  }

  private static byte[] intBytes(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
  }

  private static void attr(ByteBuffer b, int type, byte[] value) {
    b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
    b.position((b.position() + 3) & ~3);
  }
}
