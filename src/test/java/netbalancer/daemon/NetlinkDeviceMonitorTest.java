package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netbalancer.netlink.DeviceMessage;
import netbalancer.netlink.DeviceMessage.Kind;
import netbalancer.netlink.NeighborMessage;
import org.junit.jupiter.api.Test;

class NetlinkDeviceMonitorTest {
  private final List<NeighborEvent> asked = new ArrayList<>();
  private int oursChanged;
  private final NetlinkDeviceMonitor monitor = new NetlinkDeviceMonitor(null, 213, e -> {
    asked.add(e);
    return e.failing();
  }, (index, name) -> index == 5 || index == 6 || name.equals("lte0"), () -> oursChanged++, () -> { });
  private final Map<Integer, String> links = Map.of(5, "wan1", 6, "wan2");

  private static DeviceMessage neighbor(NeighborMessage n) {
    return new DeviceMessage(Kind.NEIGHBOR, false, n.index(), null, false, 0, n);
  }

  private boolean handle(DeviceMessage... m) {
    return monitor.handle(List.of(m), links);
  }

  @Test
  void anUplinksNeighborEventIsJudgedUnderItsNameAndOtherLinksAreNot() {
    assertTrue(handle(neighbor(new NeighborMessage(5, "198.18.1.1", 0x20, 0))), "FAILED");
    assertFalse(handle(neighbor(new NeighborMessage(6, "198.18.2.1", 0x02, 0))), "REACHABLE");
    assertFalse(handle(neighbor(new NeighborMessage(7, "192.0.2.44", 0x20, 0))), "not an uplink's");
    assertEquals(List.of(new NeighborEvent("198.18.1.1", "wan1", NeighborEvent.Nud.FAILED),
        new NeighborEvent("198.18.2.1", "wan2", NeighborEvent.Nud.REACHABLE)), asked);
    assertTrue(handle(neighbor(new NeighborMessage(6, "198.18.2.1", 0x02, 0)),
        neighbor(new NeighborMessage(5, "198.18.1.1", 0x01, 0))), "one of two: INCOMPLETE");
    assertEquals(0, oursChanged);
  }

  @Test
  void linksAndAddressesAsIpMonitorsLinesRulesOnlyOursDeleted() {
    assertTrue(handle(new DeviceMessage(Kind.LINK, false, 5, "wan1", true, 0, null)), "carrier change");
    assertEquals(0, oursChanged, "an up link keeps our routes");
    assertTrue(handle(new DeviceMessage(Kind.LINK, false, 6, "wan2", false, 0, null)));
    assertTrue(handle(new DeviceMessage(Kind.LINK, true, 6, "wan2", true, 0, null)));
    assertTrue(handle(new DeviceMessage(Kind.ADDRESS, false, 5, null, false, 0, null)));
    assertEquals(3, oursChanged, "down, gone, an address: our routes may have changed");
    assertTrue(handle(new DeviceMessage(Kind.LINK, false, 44, "lte0", true, 0, null)), "named in UPLINKS");
    assertFalse(handle(new DeviceMessage(Kind.LINK, false, 1207, "veth3f2a", true, 0, null)));
    assertFalse(handle(new DeviceMessage(Kind.ADDRESS, true, 1207, null, false, 0, null)));
    assertFalse(handle(new DeviceMessage(Kind.RULE, false, 0, null, false, 213, null)), "our echo");
    assertFalse(handle(new DeviceMessage(Kind.RULE, true, 0, null, false, 4, null)), "another program's");
    assertTrue(handle(new DeviceMessage(Kind.RULE, true, 0, null, false, 213, null)), "ours deleted");
    assertTrue(handle(new DeviceMessage(Kind.LOST, false, 0, null, false, 0, null)));
    assertEquals(4, oursChanged);
  }

  @Test
  void theStateIsNamedAsIpNamesIt() {
    assertEquals(NeighborEvent.Nud.REACHABLE, NetlinkDeviceMonitor.state(new NeighborMessage(1, "a", 0x02, 0)));
    assertEquals(NeighborEvent.Nud.STALE, NetlinkDeviceMonitor.state(new NeighborMessage(1, "a", 0x04, 0)));
    assertEquals(NeighborEvent.Nud.PERMANENT, NetlinkDeviceMonitor.state(new NeighborMessage(1, "a", 0x80, 0)));
    assertEquals(NeighborEvent.Nud.NONE, NetlinkDeviceMonitor.state(new NeighborMessage(1, "a", 0, 0)));
    assertNull(NetlinkDeviceMonitor.state(new NeighborMessage(1, "a", 0x100, 0)), "a bit ip does not name");
  }
}
