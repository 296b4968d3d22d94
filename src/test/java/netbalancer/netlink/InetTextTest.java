package netbalancer.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class InetTextTest {
  private static String text(String literal) {
    byte[] a = Nl.address(literal);
    return InetText.of(ByteBuffer.wrap(a), 0, a.length);
  }

  @Test
  void ipv4IsDotted() {
    assertEquals("198.51.100.255", text("198.51.100.255"));
    assertEquals("0.0.0.0", text("0.0.0.0"));
  }

  @Test
  void ipv6IsCompressedAsGlibcsInetNtopPrintsIt() {
    assertEquals("::", text("::"));
    assertEquals("::1", text("::1"));
    assertEquals("fe80::1", text("FE80:0:0:0:0:0:0:1"));
    assertEquals("2001:db8::1", text("2001:db8:0:0:0:0:0:1"));
    assertEquals("2001:db8::", text("2001:db8:0:0:0:0:0:0"));
    assertEquals("2001:db8::1:0:0:1", text("2001:db8:0:0:1:0:0:1"), "the first of two equal runs");
    assertEquals("1:0:0:2::3", text("1:0:0:2:0:0:0:3"), "the longest run");
    assertEquals("2001:db8:0:1:1:1:1:1", text("2001:db8:0:1:1:1:1:1"), "one zero group stays");
    assertEquals("2001:db8:ff00:42::", text("2001:db8:ff00:42::"));
  }

  @Test
  void ipv4MappedAndCompatibleAddressesEndDotted() {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = (byte) 192;
    mapped[15] = 1;
    mapped[14] = 2;
    assertEquals("::ffff:192.0.2.1", InetText.of(ByteBuffer.wrap(mapped), 0, 16));
    byte[] compatible = new byte[16];
    compatible[12] = (byte) 192;
    compatible[14] = 2;
    compatible[15] = 1;
    assertEquals("::192.0.2.1", InetText.of(ByteBuffer.wrap(compatible), 0, 16));
  }

  @Test
  void anotherLengthIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> InetText.of(ByteBuffer.allocate(8), 0, 8));
  }
}
