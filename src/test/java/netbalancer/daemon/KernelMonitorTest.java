package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which lines of real {@code ip -N monitor} output (iproute2 6.1) wake the reconciler. */
class KernelMonitorTest {
  private final KernelMonitor monitor = KernelMonitor.ip(213,
      e -> e.isFor("198.18.1.1", "wan1") && e.state() != NeighborEvent.Nud.STALE, () -> { });

  @Test
  void neighborEventsReachThePredicateWithTheirState() {
    assertTrue(monitor.interesting("198.18.1.1 dev wan1 FAILED "));
    assertTrue(monitor.interesting("Deleted 198.18.1.1 dev wan1 FAILED "));
    assertTrue(monitor.interesting("198.18.1.1 dev wan1 lladdr b2:f5:b6:53:5d:c3 REACHABLE "));
    assertFalse(monitor.interesting("198.18.1.1 dev wan1 lladdr b2:f5:b6:53:5d:c3 STALE "));
    assertFalse(monitor.interesting("192.0.2.10 dev lan0 lladdr 02:00:00:00:00:01 STALE "));
    assertFalse(monitor.interesting("198.18.1.1 dev wan2 lladdr 02:00:00:00:00:01 REACHABLE "));
  }

  @Test
  void aNeighborLineIsReadOnceIntoItsParts() {
    assertEquals(Optional.of(new NeighborEvent("198.18.1.1", "wan1", NeighborEvent.Nud.REACHABLE)),
        NeighborEvent.parse("198.18.1.1 dev wan1 lladdr b2:f5:b6:53:5d:c3 REACHABLE "));
    NeighborEvent gone = NeighborEvent.parse("Deleted 2001:db8::1 dev wan2 INCOMPLETE").orElseThrow();
    assertEquals("2001:db8::1", gone.address());
    assertTrue(gone.failing());
    assertTrue(NeighborEvent.parse("miss 198.18.1.1 dev wan1 FAILED ").orElseThrow().failing());
    assertFalse(NeighborEvent.parse("198.18.1.1 dev wan1 lladdr b2:f5:b6:53:5d:c3 DELAY ").orElseThrow().failing());
    assertFalse(NeighborEvent.parse("198.18.1.1 dev wan1 FAILED").orElseThrow().isFor("198.18.1.1", "wan10"));
    assertFalse(NeighborEvent.parse("198.18.1.10 dev wan1 FAILED").orElseThrow().isFor("198.18.1.1", "wan1"));
    assertEquals(Optional.empty(), NeighborEvent.parse("default via 198.18.1.1 dev wan1 table 101 proto 213 "));
  }

  @Test
  void ourOwnRouteAdditionsAreEchoesButDeletionsAreNot() {
    assertFalse(monitor.interesting("default via 198.18.1.1 dev wan1 table 101 proto 213 "));
    assertTrue(monitor.interesting("Deleted default via 198.18.1.1 dev wan1 table 101 proto 213 "));
    assertTrue(monitor.interesting("3: wan2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 state LOWERLAYERDOWN "));
    assertTrue(monitor.interesting("198.18.0.0/24 dev va table 101 proto 2 scope 253 linkdown "));
  }
}
