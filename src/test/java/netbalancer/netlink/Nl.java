package netbalancer.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Builds netlink messages laid out as the kernel sends them (host order, 4-byte alignment):
 * nlmsghdr, a fixed family header, attributes (nested ones too) — the fixtures of the dump
 * parsers' tests.
 */
final class Nl {
  private final ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.nativeOrder());
  private final int start;

  private Nl(int start) {
    this.start = start;
  }

  /** A message of {@code type}, sequence {@code seq}, flags {@code flags}. */
  static Nl message(int type, int seq, int flags) {
    Nl n = new Nl(0);
    n.b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(4242);
    return n;
  }

  static Nl message(int type) {
    return message(type, 1, 2); // NLM_F_MULTI
  }

  Nl u8(int v) {
    b.put((byte) v);
    return this;
  }

  Nl u16(int v) {
    b.putShort((short) v);
    return this;
  }

  Nl u32(int v) {
    b.putInt(v);
    return this;
  }

  /** Zero bytes, e.g. the rest of a fixed header. */
  Nl zeros(int n) {
    b.put(new byte[n]);
    return this;
  }

  Nl attr(int type, byte[] value) {
    b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
    pad();
    return this;
  }

  Nl attrU32(int type, int v) {
    return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
  }

  Nl attrU8(int type, int v) {
    return attr(type, new byte[] {(byte) v});
  }

  Nl attrString(int type, String s) {
    byte[] t = s.getBytes(StandardCharsets.UTF_8);
    byte[] z = new byte[t.length + 1];
    System.arraycopy(t, 0, z, 0, t.length);
    return attr(type, z);
  }

  /** An address literal (never a name: no lookup). */
  Nl attrAddress(int type, String literal) {
    return attr(type, address(literal));
  }

  /** A nested attribute whose content {@code inner} writes (attributes, or rtnexthop structs). */
  Nl nest(int type, Consumer<Nl> inner) {
    int at = b.position();
    b.putShort((short) 0).putShort((short) type);
    inner.accept(this);
    b.putShort(at, (short) (b.position() - at));
    pad();
    return this;
  }

  /** An rtnexthop (len, flags, hops, ifindex) with its attributes. */
  Nl nexthop(int flags, int hops, int ifindex, Consumer<Nl> attributes) {
    int at = b.position();
    b.putShort((short) 0).put((byte) flags).put((byte) hops).putInt(ifindex);
    attributes.accept(this);
    b.putShort(at, (short) (b.position() - at));
    return this;
  }

  byte[] done() {
    int length = b.position() - start;
    b.putInt(start, length);
    byte[] out = new byte[length];
    b.get(start, out);
    return out;
  }

  static byte[] address(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  /** The messages back to back (each padded to 4), as one datagram in a direct buffer. */
  static ByteBuffer datagram(byte[]... messages) {
    return Fixtures.datagram(messages);
  }

  /** One message's buffer, for a parser's (buffer, 0, length). */
  static ByteBuffer buffer(byte[] message) {
    return ByteBuffer.wrap(message).order(ByteOrder.nativeOrder());
  }

  private void pad() {
    while (b.position() % 4 != 0) {
      b.put((byte) 0);
    }
  }
}
