package netbalancer.netlink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The attributes (struct rtattr / nlattr: u16 length, u16 type, value, padded to 4) between two
 * offsets of a message, indexed by type; the last of a type wins, as in iproute2's parse_rtattr.
 * Every length is checked against the room left: a malformed message is an error, never a loop or
 * a read past the message.
 */
final class Attributes {
  private final ByteBuffer b;
  private final int[] at;
  private final int[] len;

  private Attributes(ByteBuffer b, int max) {
    this.b = b;
    this.at = new int[max + 1];
    this.len = new int[max + 1];
    java.util.Arrays.fill(at, -1);
  }

  /** The attributes from {@code from} to {@code to}; types above {@code max} are skipped. */
  static Attributes parse(ByteBuffer b, int from, int to, int max) {
    Attributes a = new Attributes(b, max);
    int p = from;
    while (to - p >= 4) {
      int length = b.getShort(p) & 0xffff;
      int type = b.getShort(p + 2) & 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
      if (length < 4 || length > to - p) {
        throw new IllegalArgumentException("attribute " + type + " at " + p + " has length " + length + ", "
            + (to - p) + " bytes left");
      }
      if (type <= max) {
        a.at[type] = p + 4;
        a.len[type] = length - 4;
      }
      p += Messages.align(length);
    }
    return a;
  }

  boolean has(int type) {
    return type < at.length && at[type] >= 0;
  }

  /** Where the value starts. */
  int offset(int type) {
    return at[type];
  }

  int length(int type) {
    return len[type];
  }

  int u8(int type) {
    need(type, 1);
    return b.get(at[type]) & 0xff;
  }

  /** A u32 (as a Java int: compare unsigned where it matters). */
  int u32(int type) {
    need(type, 4);
    return b.getInt(at[type]);
  }

  /** The value's bytes, a copy. */
  byte[] bytes(int type) {
    need(type, 0);
    byte[] out = new byte[len[type]];
    b.get(at[type], out);
    return out;
  }

  /** A NUL-terminated string (the NUL, when there, left out). */
  String string(int type) {
    int n = len[type];
    byte[] s = new byte[n];
    b.get(at[type], s);
    int end = 0;
    while (end < n && s[end] != 0) {
      end++;
    }
    return new String(s, 0, end, StandardCharsets.UTF_8);
  }

  /** An address of {@code bytes} bytes (4 or 16), as ip prints it. */
  String address(int type, int bytes) {
    need(type, bytes);
    if (len[type] != bytes) {
      throw new IllegalArgumentException("attribute " + type + ": an address of " + len[type] + " bytes, expected "
          + bytes);
    }
    return InetText.of(b, at[type], bytes);
  }

  /** The attributes nested in {@code type}. */
  Attributes nested(int type, int max) {
    return parse(b, at[type], at[type] + len[type], max);
  }

  private void need(int type, int bytes) {
    if (!has(type)) {
      throw new IllegalStateException("attribute " + type + " missing");
    }
    if (len[type] < bytes) {
      throw new IllegalArgumentException("attribute " + type + " of " + len[type] + " bytes, expected " + bytes);
    }
  }
}
