package netbalancer.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class DumpTest {
  private static final int SEQ = 77;

  /** Answers from a queue of datagrams; TIMED_OUT when it is empty. */
  private static final class FakeSocket implements Dump.Endpoint {
    final Deque<ByteBuffer> datagrams = new ArrayDeque<>();
    final List<byte[]> sent = new ArrayList<>();

    FakeSocket answer(byte[]... messages) {
      datagrams.add(Nl.datagram(messages));
      return this;
    }

    @Override
    public void send(byte[] message) {
      sent.add(message);
    }

    @Override
    public int receive(ByteBuffer buffer) {
      ByteBuffer next = datagrams.poll();
      if (next == null) {
        return NetlinkSocket.TIMED_OUT;
      }
      buffer.clear();
      buffer.put(next);
      buffer.flip();
      return buffer.limit();
    }
  }

  private static byte[] link(int seq, int index, int flags) {
    return Nl.message(Messages.RTM_NEWLINK, seq, flags).u8(0).u8(0).u16(1).u32(index).u32(1).u32(0)
        .attrString(3, "eth" + index).done();
  }

  private static byte[] done(int seq, int errno, int flags) {
    return Nl.message(Messages.NLMSG_DONE, seq, flags).u32(-errno).done();
  }

  private static List<String> names(FakeSocket s, boolean dump) throws IOException {
    List<String> out = new ArrayList<>();
    Dump.run(s, ByteBuffer.allocateDirect(1 << 16), "link dump", Requests.links(SEQ), Messages.RTM_NEWLINK, dump,
        (b, at, len) -> out.add(LinkMessage.parse(b, at, len).name()));
    return out;
  }

  @Test
  void aDumpIsReadOverDatagramsUntilDone() throws IOException {
    FakeSocket s = new FakeSocket().answer(link(SEQ, 1, 2), link(SEQ, 2, 2)).answer(link(SEQ, 3, 2), done(SEQ, 0, 2));
    assertEquals(List.of("eth1", "eth2", "eth3"), names(s, true));
    assertEquals(1, s.sent.size());
  }

  @Test
  void aGetEndsWithItsOneAnswer() throws IOException {
    FakeSocket s = new FakeSocket().answer(link(SEQ, 7, 0));
    assertEquals(List.of("eth7"), names(s, false));
  }

  @Test
  void theHandlerStopsTheReading() throws IOException {
    FakeSocket s = new FakeSocket().answer(link(SEQ, 1, 2), link(SEQ, 2, 2)).answer(done(SEQ, 0, 2));
    List<String> seen = new ArrayList<>();
    boolean complete = Dump.run(s, ByteBuffer.allocateDirect(1 << 16), "link dump", Requests.links(SEQ),
        Messages.RTM_NEWLINK, true, (b, at, len) -> seen.add("x") && seen.size() < 1);
    assertFalse(complete);
    assertEquals(1, seen.size());
    assertEquals(1, s.datagrams.size(), "the rest never read");
  }

  @Test
  void kernelErrorsCarryTheirErrnoFromDoneOrError() {
    NetlinkError inDone = assertThrows(NetlinkError.class,
        () -> names(new FakeSocket().answer(done(SEQ, 2, 2)), true));
    assertEquals(2, inDone.errno());
    byte[] error = Nl.message(Messages.NLMSG_ERROR, SEQ, 0).u32(-22).zeros(16).done();
    NetlinkError inError = assertThrows(NetlinkError.class, () -> names(new FakeSocket().answer(error), true));
    assertEquals(22, inError.errno());
  }

  @Test
  void anInterruptedDumpIsSaidSoAtItsEnd() {
    FakeSocket s = new FakeSocket().answer(link(SEQ, 1, 2 | Messages.NLM_F_DUMP_INTR), done(SEQ, 0, 2));
    assertThrows(DumpInterrupted.class, () -> names(s, true));
  }

  @Test
  void malformedAnswersAreErrorsNeverLoops() {
    byte[] l = link(SEQ, 1, 2);
    java.nio.ByteBuffer.wrap(l).order(java.nio.ByteOrder.nativeOrder()).putInt(0, l.length + 8);
    assertThrows(IllegalArgumentException.class, () -> names(new FakeSocket().answer(l), true), "longer than the datagram");
    byte[] z = link(SEQ, 1, 2);
    java.nio.ByteBuffer.wrap(z).order(java.nio.ByteOrder.nativeOrder()).putInt(0, 0);
    assertThrows(IllegalArgumentException.class, () -> names(new FakeSocket().answer(z), true), "length 0");
    assertThrows(IllegalStateException.class, () -> names(new FakeSocket().answer(link(SEQ + 1, 1, 2)), true),
        "another request's answer");
    byte[] route = Nl.message(Messages.RTM_NEWROUTE, SEQ, 2).zeros(12).done();
    assertThrows(IllegalArgumentException.class, () -> names(new FakeSocket().answer(route), true), "another type");
    IOException silent = assertThrows(IOException.class, () -> names(new FakeSocket(), true));
    assertTrue(silent.getMessage().contains("no answer"), silent.getMessage());
  }

  @Test
  void requestsCarryWhatTheKernelFiltersBy() {
    ByteBuffer r = Nl.buffer(Requests.routes(5, Messages.AF_INET6, 1000, 213));
    assertEquals(16 + 12 + 8, r.getInt(0));
    assertEquals(Messages.RTM_GETROUTE, r.getShort(4));
    assertEquals(Messages.NLM_F_REQUEST | Messages.NLM_F_DUMP, r.getShort(6));
    assertEquals(5, r.getInt(8));
    assertEquals(Messages.AF_INET6, r.get(16));
    assertEquals(0, r.get(20), "rtm_table 0: the table is RTA_TABLE's");
    assertEquals((byte) 213, r.get(21));
    assertEquals(8, r.getShort(28));
    assertEquals(15, r.getShort(30));
    assertEquals(1000, r.getInt(32));
    assertEquals(16 + 12, Nl.buffer(Requests.routes(5, Messages.AF_INET, 0, 213)).getInt(0), "every table: no RTA_TABLE");
    ByteBuffer n = Nl.buffer(Requests.neighbors(6, Messages.AF_INET, 3));
    assertEquals(8, n.getShort(16 + 12 + 2), "NDA_IFINDEX");
    assertEquals(3, n.getInt(16 + 12 + 4));
    assertEquals(0, n.getInt(16 + 4), "ndm_ifindex 0: strict checking refuses it");
  }
}
