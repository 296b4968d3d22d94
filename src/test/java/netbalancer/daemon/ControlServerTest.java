package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket serves every client, whatever the others do. */
class ControlServerTest {
  @TempDir
  Path tmp;

  private static SocketChannel connect(Path socket) throws Exception {
    return SocketChannel.open(UnixDomainSocketAddress.of(socket));
  }

  @Test
  void fiveHundredIdleConnectionsAndAHalfLineDelayNobody() throws Exception {
    Path socket = tmp.resolve("run/control.sock");
    List<SocketChannel> idle = new ArrayList<>();
    try (ControlServer server = new ControlServer(socket, r -> "you said " + r + "\n")) {
      server.start();
      for (int i = 0; i < 500; i++) {
        idle.add(connect(socket));
      }
      SocketChannel half = connect(socket);
      idle.add(half);
      half.write(ByteBuffer.wrap("status".getBytes(StandardCharsets.US_ASCII))); // no newline
      long t0 = System.nanoTime();
      assertEquals("you said status\n", ControlServer.request(socket, "status", Duration.ofSeconds(5)));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < 1000, "answered behind 501 idle connections in " + ms + " ms");

      // they are closed once they had their READ_TIMEOUT
      SocketChannel first = idle.get(0);
      first.configureBlocking(true);
      long t1 = System.nanoTime();
      assertEquals(-1, first.read(ByteBuffer.allocate(16)), "closed by the server");
      long closedMs = (System.nanoTime() - t1) / 1_000_000;
      assertTrue(closedMs < ControlServer.READ_TIMEOUT.toMillis() + 1500, "closed after " + closedMs + " ms");
    } finally {
      for (SocketChannel c : idle) {
        c.close();
      }
    }
  }

  @Test
  void aRequestLongerThanTheLimitIsRefused() throws Exception {
    Path socket = tmp.resolve("control.sock");
    try (ControlServer server = new ControlServer(socket, r -> "ok\n")) {
      server.start();
      try (SocketChannel c = connect(socket)) {
        c.write(ByteBuffer.wrap("x".repeat(2000).getBytes(StandardCharsets.US_ASCII)));
        int n;
        try {
          n = c.read(ByteBuffer.allocate(200));
        } catch (java.net.SocketException e) {
          n = -1; // reset: closed all the same
        }
        assertEquals(-1, n, "closed without an answer");
      }
      assertEquals("ok\n", ControlServer.request(socket, "status", Duration.ofSeconds(5)), "others still served");
    }
  }

  @Test
  void manyClientsAtOnceAreAllAnswered() throws Exception {
    Path socket = tmp.resolve("control.sock");
    try (ControlServer server = new ControlServer(socket, r -> {
      try {
        Thread.sleep(20); // a status takes a little while
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return r + "\n";
    })) {
      server.start();
      List<Thread> threads = new ArrayList<>();
      List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < 40; i++) {
        String req = "status " + i;
        Thread t = new Thread(() -> answers.add(ControlServer.request(socket, req, Duration.ofSeconds(5))));
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(40, answers.stream().filter(a -> a != null && a.startsWith("status ")).count(), answers.toString());
    }
  }

  @Test
  void theClientGivesUpOnADaemonThatDoesNotAnswerAndSaysNoneRunsWhenThereIsNoSocket() throws Exception {
    Path socket = tmp.resolve("stuck.sock");
    try (ServerSocketChannel stuck = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      stuck.bind(UnixDomainSocketAddress.of(socket)); // listens, never accepts
      long t0 = System.nanoTime();
      DaemonClient.UnreachableException e = assertThrows(DaemonClient.UnreachableException.class,
          () -> ControlServer.request(socket, "status", Duration.ofMillis(300)));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 250 && ms < 3000, "gave up after " + ms + " ms");
      assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
    }
    assertNull(ControlServer.request(tmp.resolve("none.sock"), "status", Duration.ofSeconds(1)));
  }

  /** A full queue of new clients means a busy daemon: the client waits, it does not say "none runs". */
  @Test
  void aDaemonWhoseQueueOfNewClientsIsFullIsWaitedFor() throws Exception {
    Path socket = tmp.resolve("busy.sock");
    try (ServerSocketChannel busy = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      busy.bind(UnixDomainSocketAddress.of(socket), 1);
      int queued = 0;
      while (true) { // fill the queue: a non-blocking connect then fails at once
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.configureBlocking(false);
        try {
          c.connect(UnixDomainSocketAddress.of(socket));
          queued++;
        } catch (java.io.IOException e) {
          assertTrue(String.valueOf(e.getMessage()).contains("Resource temporarily unavailable"), e.toString());
          break;
        } finally {
          c.close(); // still queued at the listener until accepted
        }
        assertTrue(queued < 100, "the queue never filled");
      }
      Thread acceptor = new Thread(() -> {
        try {
          Thread.sleep(300);
          while (true) {
            try (SocketChannel c = busy.accept()) {
              String got = new String(java.nio.channels.Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8);
              if (got.equals("status\n")) {
                c.write(ByteBuffer.wrap("ok\n".getBytes(StandardCharsets.US_ASCII)));
                return;
              }
            }
          }
        } catch (Exception e) {
          // the test's assertion says what went wrong
        }
      });
      acceptor.start();
      long t0 = System.nanoTime();
      assertEquals("ok\n", ControlServer.request(socket, "status", Duration.ofSeconds(5)));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 250, "answered only once the queue moved, after " + ms + " ms");
      acceptor.join(5_000);
    }
  }
}
