package netbalancer.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Loopback only: 127.0.0.1 as both the source and the target. */
class TcpProberTest {
  private static final String LOOPBACK = "127.0.0.1";

  @Test
  void aListeningPortIsASuccessWithItsRoundTrip() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName(LOOPBACK))) {
      ProbeResult r = new TcpProber().probe(LOOPBACK, LOOPBACK, server.getLocalPort(), Duration.ofSeconds(2));
      assertEquals(ProbeResult.Outcome.SUCCESS, r.outcome(), r.detail());
      assertEquals("connected", r.detail());
      assertNotNull(r.rtt());
      assertTrue(r.rtt().compareTo(Duration.ofSeconds(2)) < 0);
    }
  }

  @Test
  void aRefusedConnectionIsASuccessBecauseTheTargetAnswered() throws Exception {
    int port;
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      port = server.getLocalPort(); // closed again: nothing listens there now
    }
    ProbeResult r = new TcpProber().probe(LOOPBACK, LOOPBACK, port, Duration.ofSeconds(2));
    assertEquals(ProbeResult.Outcome.SUCCESS, r.outcome(), r.detail());
    assertTrue(r.detail().contains("refused"), r.detail());
    assertNotNull(r.rtt());
  }

  @Test
  void silenceIsATimeoutAfterExactlyTheTimeoutWithEveryAttemptTried() throws Exception {
    // A listener whose accept queue is full drops new SYNs: silence, as behind a blackhole.
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      java.util.List<java.net.Socket> fill = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          java.net.Socket s = new java.net.Socket();
          fill.add(s);
          try {
            s.connect(new java.net.InetSocketAddress(LOOPBACK, server.getLocalPort()), 200);
          } catch (java.io.IOException e) {
            break; // the queue is full now
          }
        }
        long t0 = System.nanoTime();
        ProbeResult r = new TcpProber().probe(LOOPBACK, LOOPBACK, server.getLocalPort(), Duration.ofMillis(600));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ProbeResult.Outcome.TIMEOUT, r.outcome(), r.detail());
        assertTrue(r.detail().contains("3 attempt(s)"), r.detail());
        assertTrue(ms >= 590 && ms < 1_500, "took " + ms + " ms");
      } finally {
        for (java.net.Socket s : fill) {
          s.close();
        }
      }
    }
  }

  @Test
  void anAddressThatIsNotOursFailsAtOnce() {
    ProbeResult r = new TcpProber().probe("192.0.2.123", LOOPBACK, 9, Duration.ofSeconds(2));
    assertEquals(ProbeResult.Outcome.FAILURE, r.outcome(), r.detail());
  }
}
