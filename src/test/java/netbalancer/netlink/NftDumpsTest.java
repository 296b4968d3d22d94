package netbalancer.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** nf_tables answers as the kernel lays them out (nlmsghdr, nfgenmsg, attributes), to a fake socket. */
class NftDumpsTest {
  private static final int NFT = 10 << 8;
  private static final int MULTI = 2;

  /** Answers each request with the datagrams {@code script} makes for its sequence number. */
  private static final class FakeSocket implements Dump.Endpoint {
    final List<byte[]> sent = new ArrayList<>();
    final Deque<IntFunction<List<ByteBuffer>>> scripts = new ArrayDeque<>();
    final Deque<ByteBuffer> pending = new ArrayDeque<>();

    FakeSocket then(IntFunction<List<ByteBuffer>> script) {
      scripts.add(script);
      return this;
    }

    @Override
    public void send(byte[] message) {
      sent.add(message);
      int seq = ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).getInt(8);
      pending.addAll(scripts.remove().apply(seq));
    }

    @Override
    public int receive(ByteBuffer buffer) {
      ByteBuffer next = pending.poll();
      if (next == null) {
        return NetlinkSocket.TIMED_OUT;
      }
      buffer.clear();
      buffer.put(next);
      buffer.flip();
      return buffer.limit();
    }
  }

  private static Nl nf(int msg, int seq) {
    return Nl.message(NFT | msg, seq, MULTI).u8(NftDumps.NFPROTO_INET).u8(0).u16(0);
  }

  private static byte[] done(int seq) {
    return Nl.message(Messages.NLMSG_DONE, seq, MULTI).u32(0).done();
  }

  private static byte[] error(int seq, int errno) {
    return Nl.message(Messages.NLMSG_ERROR, seq, 0).u32(-errno).zeros(16).done();
  }

  private static byte[] be(long v, int bytes) {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    return bytes == 4 ? b.putInt((int) v).array() : b.putLong(v).array();
  }

  private static byte[] ifname(String name) {
    byte[] key = new byte[16];
    byte[] s = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(s, 0, key, 0, s.length);
    return key;
  }

  private static byte[] hostMark(int mark) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(mark).array();
  }

  /** A NEWSETELEM message with {@code elements} (key, data or null). */
  private static byte[] elements(int seq, String set, List<byte[][]> elements) {
    return nf(12, seq).attrString(1, "net_balancer").attrString(2, set).nest(3, list -> {
      for (byte[][] e : elements) {
        list.nest(1, elem -> {
          elem.nest(1, key -> key.attr(1, e[0]));
          if (e[1] != null) {
            elem.nest(2, data -> data.attr(1, e[1]));
          }
          elem.attr(4, be(600_000, 8)); // a timeout, to be passed over
        });
      }
    }).done();
  }

  private static List<ByteBuffer> answer(byte[]... messages) {
    return List.of(Nl.datagram(messages));
  }

  @Test
  void rulesAreCountedCountersReadAndAMapsElementsHandedOverOneByOne() throws Exception {
    FakeSocket s = new FakeSocket()
        .then(seq -> answer(nf(6, seq).attrString(1, "net_balancer").done(), nf(6, seq).attrString(1, "net_balancer").done(),
            nf(6, seq).done(), done(seq)))
        .then(seq -> List.of(Nl.datagram(nf(6, seq).done()), Nl.datagram(done(seq))))
        .then(seq -> answer(nf(18, seq).attrString(1, "net_balancer").attrString(2, "new_1").attr(3, be(1, 4))
                .nest(4, c -> c.attr(1, be(9000, 8)).attr(2, be(42, 8))).done(),
            nf(18, seq).attrString(2, "new_2").attr(3, be(1, 4)).nest(4, c -> c.attr(2, be(1L << 40, 8))).done(),
            done(seq)))
        .then(seq -> List.of(Nl.datagram(elements(seq, "uplink_mark", List.of(new byte[][] {ifname("wan1"), hostMark(0x100)},
                new byte[][] {ifname("wan2"), hostMark(0x200)}))),
            Nl.datagram(elements(seq, "uplink_mark", List.<byte[][]>of(new byte[][] {ifname("wan3"), hostMark(0x300)})),
                done(seq))));
    NftDumps nft = new NftDumps(s);
    assertEquals(3, nft.ruleCount(NftDumps.NFPROTO_INET, "net_balancer"));
    assertEquals(1, nft.ruleCount(NftDumps.NFPROTO_INET, "net_balancer"));
    assertEquals(Map.of("new_1", 42L, "new_2", 1L << 40), nft.counters(NftDumps.NFPROTO_INET, "net_balancer"));
    Map<String, Long> marks = new LinkedHashMap<>();
    assertTrue(nft.elements(NftDumps.NFPROTO_INET, "net_balancer", "uplink_mark",
        (key, data) -> marks.put(NftDumps.ifname(key), NftDumps.mark(data))));
    assertEquals(List.of("wan1", "wan2", "wan3"), List.copyOf(marks.keySet()));
    assertEquals(List.of(0x100L, 0x200L, 0x300L), List.copyOf(marks.values()));

    // The requests: a dump (NLM_F_DUMP | NLM_F_REQUEST) of the inet family, filtered by table (and set, and type).
    ByteBuffer rules = ByteBuffer.wrap(s.sent.get(0)).order(ByteOrder.nativeOrder());
    assertEquals(NFT | 7, rules.getShort(4) & 0xffff);
    assertEquals(0x301, rules.getShort(6) & 0xffff);
    assertEquals(NftDumps.NFPROTO_INET, rules.get(16));
    assertArrayEquals(NftDumps.string(1, "net_balancer"), java.util.Arrays.copyOfRange(s.sent.get(0), 20, 20 + 20));
    byte[] objects = s.sent.get(2);
    assertArrayEquals(NftDumps.be32(3, 1), java.util.Arrays.copyOfRange(objects, objects.length - 8, objects.length));
    byte[] elems = s.sent.get(3);
    assertArrayEquals(NftDumps.string(2, "uplink_mark"), java.util.Arrays.copyOfRange(elems, 40, elems.length));
  }

  @Test
  void aTableOrSetThatIsNotThereIsAnAnswerNotAnError() throws Exception {
    FakeSocket s = new FakeSocket()
        .then(seq -> answer(error(seq, 2)))
        .then(seq -> answer(nf(0, seq).attrString(1, "net_balancer").done()))
        .then(seq -> answer(error(seq, 2)))
        .then(seq -> answer(error(seq, 1)));
    NftDumps nft = new NftDumps(s);
    assertFalse(nft.tableExists(NftDumps.NFPROTO_INET, "net_balancer"));
    assertTrue(nft.tableExists(NftDumps.NFPROTO_INET, "net_balancer"));
    assertFalse(nft.elements(NftDumps.NFPROTO_INET, "net_balancer", "sticky_1", (k, d) -> { }));
    NetlinkError e = assertThrows(NetlinkError.class,
        () -> nft.elements(NftDumps.NFPROTO_INET, "net_balancer", "sticky_1", (k, d) -> { }));
    assertEquals(1, e.errno());
  }

  @Test
  void theGenerationIsReadBigEndianAndUnsigned() throws Exception {
    FakeSocket s = new FakeSocket().then(seq -> answer(nf(15, seq).attr(1, be(0xfffffffeL, 4)).attrU32(2, 77).done()));
    assertEquals(0xfffffffeL, new NftDumps(s).generation());
  }

  @Test
  void keysAndValuesAreReadAsNftWritesThem() {
    assertEquals("wan1", NftDumps.ifname(ifname("wan1")));
    assertEquals("0123456789abcde", NftDumps.ifname("0123456789abcde\0".getBytes(StandardCharsets.UTF_8)));
    assertEquals(0x3f00L, NftDumps.mark(hostMark(0x3f00)));
    assertEquals(0xff000000L, NftDumps.mark(hostMark(0xff000000)));
    assertEquals(-1, NftDumps.mark(null)); // a verdict map's value
    assertEquals("198.18.0.7", NftDumps.address(Nl.address("198.18.0.7")));
    assertEquals("2001:db8::7", NftDumps.address(Nl.address("2001:db8::7")));
    assertNull(NftDumps.address(new byte[8]));
  }

  @Test
  void anElementWhoseLengthRunsPastItsListIsAnError() {
    FakeSocket s = new FakeSocket().then(seq -> answer(nf(12, seq).nest(3, list -> list.u16(400).u16(1).u32(0)).done()));
    assertThrows(IllegalArgumentException.class,
        () -> new NftDumps(s).elements(NftDumps.NFPROTO_INET, "net_balancer", "sticky_1", (k, d) -> { }));
  }
}
