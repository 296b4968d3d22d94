package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Optional;
import netbalancer.observe.Family;
import org.junit.jupiter.api.Test;

/** Which lines of real {@code ip -N monitor … label} output (iproute2 6.1) wake the reconciler. */
class KernelMonitorTest {
  private final KernelMonitor monitor = KernelMonitor.ip(213, t -> t == 200 || t == 101,
      e -> e.isFor("198.18.1.1", "wan1") && e.state() != NeighborEvent.Nud.STALE,
      (index, name) -> index == 3 || name.equals("wan1") || name.equals("wan2"), (families, parts) -> { }, () -> { }, () -> { });

  @Test
  void anotherProgramsRulesWakeNothingOursDeletedDo() {
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[RULE]20000:\tfrom 198.18.200.1 lookup 5000"));
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[RULE]Deleted 20000:\tfrom 198.18.200.1 lookup 5000 proto 4"));
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[RULE]Deleted 5270:\tfrom all lookup 52 proto 2130"));
    assertEquals(KernelMonitor.Kind.SIGNAL, monitor.classify("[RULE]Deleted 85:\tfrom 198.18.1.2 lookup 101 proto 213"));
  }

  @Test
  void anotherDevicesLinkAndAddressEventsAndLinkLocalRoutesWakeNothing() {
    // A container's veth pair coming and going, as ip -N monitor link address route label prints it.
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[LINK]1207: veth3f2a@veth9c1b: <BROADCAST,MULTICAST,M-DOWN>"
        + " mtu 1500 qdisc noop state DOWN group default "));
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[LINK]1207: veth3f2a@if1206: <BROADCAST,MULTICAST,UP,LOWER_UP>"
        + " mtu 1500 qdisc noqueue master docker0 state UP group default "));
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[ADDR]1207: veth3f2a    inet6 fe80::a8c1:abff:fe38:1/64 scope link "));
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[ADDR]Deleted 1208: dum7    inet 198.18.3.4/32 scope 0 dum7"));
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[LINK]Deleted 1207: veth3f2a@NONE: <BROADCAST,MULTICAST> mtu 1500"));
    assertEquals(KernelMonitor.Kind.IGNORED,
        monitor.classify("[ROUTE]fe80::/64 dev veth3f2a proto 2 metric 256 pref medium"));
    assertEquals(KernelMonitor.Kind.IGNORED,
        monitor.classify("[ROUTE]Deleted fe80::/64 dev veth3f2a proto 2 metric 256 pref medium"));
    // An uplink's by name, whatever its index now (renumbered, made again); a new network's connected route.
    assertEquals(KernelMonitor.Kind.SIGNAL, monitor.classify("[LINK]9: wan1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500"));
    assertEquals(KernelMonitor.Kind.OURS, monitor.classify("[ADDR]3: wanx    inet 198.18.5.2/24 scope 0 wanx"), "by index");
    assertEquals(KernelMonitor.Kind.MAIN_CONNECTED,
        monitor.classify("[ROUTE]172.17.0.0/16 dev docker0 proto 2 scope 253 src 172.17.0.1 "));
    assertEquals(KernelMonitor.Kind.MAIN_CONNECTED,
        monitor.classify("[ROUTE]2001:db8:7::/64 dev docker0 proto 2 metric 256 pref medium"));
    assertEquals(KernelMonitor.Kind.IGNORED, KernelMonitor.routeKind(213, t -> false, false, 2, 254, false, true),
        "a netlink message's fe80::/64");
  }

  @Test
  void neighborEventsReachThePredicateWithTheirState() {
    assertTrue(monitor.interesting("[NEIGH]198.18.1.1 dev wan1 FAILED "));
    assertTrue(monitor.interesting("[NEIGH]Deleted 198.18.1.1 dev wan1 FAILED "));
    assertTrue(monitor.interesting("[NEIGH]198.18.1.1 dev wan1 lladdr b2:f5:b6:53:5d:c3 REACHABLE "));
    assertFalse(monitor.interesting("[NEIGH]198.18.1.1 dev wan1 lladdr b2:f5:b6:53:5d:c3 STALE "));
    assertFalse(monitor.interesting("[NEIGH]192.0.2.10 dev lan0 lladdr 02:00:00:00:00:01 STALE "));
    assertFalse(monitor.interesting("[NEIGH]198.18.1.1 dev wan2 lladdr 02:00:00:00:00:01 REACHABLE "));
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
    assertFalse(monitor.interesting("[ROUTE]default via 198.18.1.1 dev wan1 table 101 proto 213 "));
    assertTrue(monitor.interesting("[ROUTE]Deleted default via 198.18.1.1 dev wan1 table 101 proto 213 "));
    assertTrue(monitor.interesting("[LINK]3: wan2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 state LOWERLAYERDOWN "));
    assertFalse(monitor.interesting("[RULE]32700:\tfrom all lookup 200 proto 213"));
    assertTrue(monitor.interesting("[RULE]Deleted 32700:\tfrom all lookup 200 proto 213"));
  }

  @Test
  void aMainTableEventMakesOnlyItsOwnFamilyStale() {
    // A carrier loss deletes the uplink's IPv6 connected route: IPv4's main (a feed) is not re-read.
    assertEquals(EnumSet.of(Family.INET6),
        KernelMonitor.routeFamilies("[ROUTE]Deleted 2001:db8:2::/64 dev wan2 proto kernel metric 256 pref medium"));
    assertEquals(EnumSet.of(Family.INET6),
        KernelMonitor.routeFamilies("[ROUTE]default via fe80::1 dev wan1 proto ra metric 1024 pref medium"));
    assertEquals(EnumSet.of(Family.INET),
        KernelMonitor.routeFamilies("[ROUTE]198.18.1.0/24 dev wan1 proto kernel scope link src 198.18.1.2 "));
    assertEquals(EnumSet.of(Family.INET),
        KernelMonitor.routeFamilies("[ROUTE]Deleted default via 198.18.1.1 dev wan1 proto 16 metric 100 "));
    assertEquals(EnumSet.allOf(Family.class), KernelMonitor.routeFamilies("[ROUTE]Deleted default proto 16 metric 50 "),
        "a default without an address could be either");
  }

  @Test
  void aFeedsRoutesAndOtherTablesNeverWakeTheReconciler() {
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[ROUTE]240.255.0.0/28 via 198.18.0.1 dev wan1 proto 12 "));
    assertEquals(KernelMonitor.Kind.IGNORED,
        monitor.classify("[ROUTE]Deleted 240.255.0.0/28 via 198.18.0.1 dev wan1 proto 12 "));
    assertEquals(KernelMonitor.Kind.IGNORED,
        monitor.classify("[ROUTE]240.255.1.0/28 via 198.18.0.1 dev wan1 table 7 proto 12 "));
    assertEquals(KernelMonitor.Kind.IGNORED,
        monitor.classify("[ROUTE]2 198.18.5.2 dev wan1 table 255 proto 2 scope 254 src 198.18.5.2 "));
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[ROUTE]default via 198.18.9.1 dev x table 7 proto 16 "));
  }

  @Test
  void defaultAndConnectedRoutesOfMainMakeEachTheirOwnPartOfItsViewStale() {
    assertEquals(KernelMonitor.Kind.MAIN_DEFAULTS,
        monitor.classify("[ROUTE]default via 198.18.1.1 dev wan1 proto 16 metric 100 "));
    assertEquals(KernelMonitor.Kind.MAIN_DEFAULTS, monitor.classify("[ROUTE]Deleted default proto 16 metric 50 "));
    assertEquals(KernelMonitor.Kind.MAIN_DEFAULTS, monitor.classify("[ROUTE]default via 198.18.1.1 dev wan1 proto 12 "),
        "a routing daemon's default counts like any other");
    assertEquals(KernelMonitor.Kind.MAIN_DEFAULTS,
        monitor.classify("[ROUTE]default via fe80::1 dev wan1 proto 9 metric 1024 pref medium"));
    assertEquals(KernelMonitor.Kind.MAIN_CONNECTED,
        monitor.classify("[ROUTE]Deleted 198.18.5.0/24 dev wan1 proto 2 scope 253 src 198.18.5.2 "));
    assertEquals(KernelMonitor.Kind.MAIN_CONNECTED,
        monitor.classify("[ROUTE]Deleted 2001:db8:2::/64 dev wan2 proto 2 metric 256 pref medium"));
  }

  @Test
  void whatCanChangeOurRoutesMakesTheirKeptViewStaleAndACarrierChangeDoesNot() {
    assertEquals(KernelMonitor.Kind.OURS,
        monitor.classify("[ROUTE]198.18.0.0/24 dev va table 101 proto 2 scope 253 linkdown "), "someone's, in a table of ours");
    assertEquals(KernelMonitor.Kind.OURS, monitor.classify("[ROUTE]Deleted default via 198.18.1.1 dev wan1 table 101 proto 213 "));
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.classify("[ROUTE]default via 198.18.1.1 dev wan1 table 101 proto 213 "),
        "our own addition's echo");
    assertEquals(KernelMonitor.Kind.OURS, monitor.classify("[ADDR]3: wan1    inet 198.18.5.2/24 scope 0 wan1"));
    assertEquals(KernelMonitor.Kind.OURS, monitor.classify("[ADDR]Deleted 3: wan1    inet 198.18.5.2/24 scope 0 wan1"));
    // A device going down loses its IPv4 routes, ours too, with no route event for them.
    assertEquals(KernelMonitor.Kind.OURS, monitor.classify("[LINK]3: wan2@if4: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue"
        + " state DOWN group default "));
    assertEquals(KernelMonitor.Kind.OURS, monitor.classify("[LINK]Deleted 3: wan2@if4: <BROADCAST,MULTICAST,UP> mtu 1500"));
    assertEquals(KernelMonitor.Kind.SIGNAL, monitor.classify("[LINK]3: wan2@if4: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500"
        + " qdisc noqueue state LOWERLAYERDOWN group default "), "carrier lost: our routes stay (linkdown)");
    assertEquals(KernelMonitor.Kind.SIGNAL, monitor.classify("[LINK]3: wan2@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500"
        + " qdisc noqueue state UP group default "));
    assertEquals(KernelMonitor.Kind.SIGNAL, monitor.classify("[RULE]Deleted 80:	from all fwmark 0x100/0xff00 lookup 101 proto 213"));
  }

  @Test
  void eventsTheKernelDroppedMakeAllOfTheMainTablesViewStale() {
    // iproute2 6.1 prints this on stderr (merged into the stream) and reads on after ENOBUFS.
    assertEquals(KernelMonitor.Kind.LOST, monitor.classify("netlink receive error No buffer space available (105)"));
    assertEquals(KernelMonitor.Kind.SIGNAL, monitor.classify("[LINK]3: wan2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500"));
  }
}
