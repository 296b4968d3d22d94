package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netbalancer.netlink.NeighborMessage;
import org.junit.jupiter.api.Test;

class NetlinkNeighborMonitorTest {
  private final List<NeighborEvent> asked = new ArrayList<>();
  private final NetlinkNeighborMonitor monitor = new NetlinkNeighborMonitor(null, e -> {
    asked.add(e);
    return e.failing();
  }, () -> { });

  @Test
  void anUplinksEventIsJudgedUnderItsNameAndOtherLinksAreNot() {
    Map<Integer, String> links = Map.of(5, "wan1", 6, "wan2");
    assertTrue(monitor.handle(List.of(new NeighborMessage(5, "198.18.1.1", 0x20, 0)), links), "FAILED");
    assertFalse(monitor.handle(List.of(new NeighborMessage(6, "198.18.2.1", 0x02, 0)), links), "REACHABLE");
    assertFalse(monitor.handle(List.of(new NeighborMessage(7, "192.0.2.44", 0x20, 0)), links), "not an uplink's");
    assertEquals(List.of(new NeighborEvent("198.18.1.1", "wan1", NeighborEvent.Nud.FAILED),
        new NeighborEvent("198.18.2.1", "wan2", NeighborEvent.Nud.REACHABLE)), asked);
    assertTrue(monitor.handle(List.of(new NeighborMessage(6, "198.18.2.1", 0x02, 0),
        new NeighborMessage(5, "198.18.1.1", 0x01, 0)), links), "one of two: INCOMPLETE");
  }

  @Test
  void theStateIsNamedAsIpNamesIt() {
    assertEquals(NeighborEvent.Nud.REACHABLE, NetlinkNeighborMonitor.state(new NeighborMessage(1, "a", 0x02, 0)));
    assertEquals(NeighborEvent.Nud.STALE, NetlinkNeighborMonitor.state(new NeighborMessage(1, "a", 0x04, 0)));
    assertEquals(NeighborEvent.Nud.PERMANENT, NetlinkNeighborMonitor.state(new NeighborMessage(1, "a", 0x80, 0)));
    assertEquals(NeighborEvent.Nud.NONE, NetlinkNeighborMonitor.state(new NeighborMessage(1, "a", 0, 0)));
    assertNull(NetlinkNeighborMonitor.state(new NeighborMessage(1, "a", 0x100, 0)), "a bit ip does not name");
  }
}
