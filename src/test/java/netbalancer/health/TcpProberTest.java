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
}
