package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Netlink message framing (linux/netlink.h, linux/rtnetlink.h): requests as the kernel expects
 * them, in host byte order, and the few numbers the dump readers share.
 */
final class Messages {
  static final int HEADER = 16;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLMSG_OVERRUN = 4;
  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_DUMP_INTR = 0x10;
  static final int NLM_F_DUMP = 0x300;
  static final int RTM_NEWLINK = 16;
  static final int RTM_GETLINK = 18;
  static final int RTM_NEWADDR = 20;
  static final int RTM_GETADDR = 22;
  static final int RTM_NEWROUTE = 24;
  static final int RTM_GETROUTE = 26;
  static final int RTM_NEWNEIGH = 28;
  static final int RTM_GETNEIGH = 30;
  static final int RTM_NEWRULE = 32;
  static final int RTM_GETRULE = 34;
  static final int AF_UNSPEC = 0;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  private static final AtomicInteger SEQUENCE = new AtomicInteger((int) System.nanoTime() & 0xffff);

  private Messages() {
  }

  static int align(int n) {
    return (n + 3) & ~3;
  }

  static int nextSequence() {
    return SEQUENCE.incrementAndGet();
  }

  /** The address length of an address family: 4, 16, or an error. */
  static int addressBytes(int family) {
    return switch (family) {
      case AF_INET -> 4;
      case AF_INET6 -> 16;
      default -> throw new IllegalArgumentException("address family " + family);
    };
  }

  /**
   * A request: nlmsghdr, the fixed family header ({@code header}, already padded to 4 bytes by
   * its size), then u32 attributes as (type, value) pairs.
   */
  static byte[] request(int type, int flags, int seq, byte[] header, int... u32Attributes) {
    if (u32Attributes.length % 2 != 0) {
      throw new IllegalArgumentException("attributes come as type, value pairs");
    }
    int length = HEADER + align(header.length) + 8 * (u32Attributes.length / 2);
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
    b.putInt(length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
    b.put(header);
    b.position(HEADER + align(header.length));
    for (int i = 0; i < u32Attributes.length; i += 2) {
      b.putShort((short) 8).putShort((short) u32Attributes[i]).putInt(u32Attributes[i + 1]);
    }
    return b.array();
  }

  /** A fixed header of {@code size} bytes, filled by {@code fill} (host order). */
  static byte[] header(int size, java.util.function.Consumer<ByteBuffer> fill) {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    fill.accept(b);
    return b.array();
  }
}
