package netbalancer.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A SYN set's element as nfnetlink gives it: the concatenated key, each field in whole 4-byte words. */
class PendingSynTest {
  private static byte[] key(byte[] src, int sport, byte[] dst, int dport, String ifname) {
    ByteBuffer b = ByteBuffer.allocate(2 * src.length + 8 + 16);
    b.put(src).putShort((short) sport).putShort((short) 0).put(dst).putShort((short) dport).putShort((short) 0);
    b.put(ifname.getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  @Test
  void anIpv4AndAnIpv6KeyAreReadFieldByField() {
    byte[] v4 = key(new byte[] {(byte) 198, 18, 1, 2}, 65535, new byte[] {(byte) 203, 0, 113, 10}, 8080, "wan1");
    assertEquals(new PendingSyn("198.18.1.2", 65535, "203.0.113.10", 8080, "wan1", 9), PendingSyn.ofKey(v4, 9_999));
    byte[] src6 = new byte[16];
    src6[0] = 0x20;
    src6[1] = 0x01;
    src6[2] = 0x0d;
    src6[3] = (byte) 0xb8;
    src6[15] = 2;
    byte[] dst6 = src6.clone();
    dst6[15] = 0x10;
    assertEquals(new PendingSyn("2001:db8::2", 40002, "2001:db8::10", 443, "wwan0", 0),
        PendingSyn.ofKey(key(src6, 40002, dst6, 443, "wwan0"), -1));
    assertThrows(IllegalArgumentException.class, () -> PendingSyn.ofKey(new byte[24], 0));
  }
}
