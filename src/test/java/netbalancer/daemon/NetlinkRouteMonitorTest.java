package netbalancer.daemon;

import static netbalancer.netlink.RouteMessage.AF_INET;
import static netbalancer.netlink.RouteMessage.AF_INET6;
import static netbalancer.netlink.RouteMessage.RTM_DELROUTE;
import static netbalancer.netlink.RouteMessage.RTM_NEWROUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import netbalancer.netlink.RouteMessage;
import netbalancer.observe.Family;
import netbalancer.observe.MainPart;
import org.junit.jupiter.api.Test;

/** Netlink route messages are judged by the same rules as ip monitor's lines. */
class NetlinkRouteMonitorTest {
  private final List<String> calls = new ArrayList<>();
  private final NetlinkRouteMonitor monitor = new NetlinkRouteMonitor(null, 213, List.of(200, 101, 1000),
      (families, parts) -> calls.add("main " + families + " " + parts), () -> calls.add("ours"), () -> calls.add("signal"));

  private static RouteMessage route(int type, int family, int dstLen, int table, int proto) {
    return new RouteMessage(type, 0, family, dstLen, table, proto);
  }

  @Test
  void eachMessageGetsTheKindItsIpMonitorLineGets() {
    KernelMonitor text = KernelMonitor.routes(213, t -> t == 200 || t == 101 || t == 1000, (f, p) -> { }, () -> { },
        () -> { }, 0);
    String[][] pairs = {
        {"24 2 0 254 16", "[ROUTE]default via 198.18.1.1 dev wan1 proto 16 metric 100 "},
        {"25 10 0 254 3", "[ROUTE]Deleted default via fe80::1 dev wan1 proto 3 metric 1024 pref medium"},
        {"24 2 24 254 2", "[ROUTE]198.18.1.0/24 dev wan1 proto 2 scope 253 src 198.18.1.2 "},
        {"24 2 28 254 12", "[ROUTE]240.255.0.0/28 via 198.18.0.1 dev wan1 proto 12 "},
        {"24 2 28 7 12", "[ROUTE]240.255.1.0/28 via 198.18.0.1 dev wan1 table 7 proto 12 "},
        {"24 2 0 101 213", "[ROUTE]default via 198.18.1.1 dev wan1 table 101 proto 213 "},
        {"25 2 0 101 213", "[ROUTE]Deleted default via 198.18.1.1 dev wan1 table 101 proto 213 "},
        {"25 10 64 7 213", "[ROUTE]Deleted 2001:db8:5::/64 dev wan1 table 7 proto 213 metric 1024 pref medium"},
        {"24 2 0 1000 16", "[ROUTE]default via 198.18.1.1 dev wan1 table 1000 proto 16 "},
        {"24 2 32 255 2", "[ROUTE]local 198.18.5.2 dev wan1 table 255 proto 2 scope 254 src 198.18.5.2 "},
    };
    for (String[] p : pairs) {
      String[] f = p[0].split(" ");
      RouteMessage m = route(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
          Integer.parseInt(f[3]), Integer.parseInt(f[4]));
      assertEquals(text.classify(p[1]), monitor.kind(m), p[1]);
    }
    assertEquals(KernelMonitor.Kind.OURS, monitor.kind(route(RTM_NEWROUTE, AF_INET, 28, 1000, 12)), "table > 255");
    assertEquals(KernelMonitor.Kind.IGNORED, monitor.kind(route(RTM_NEWROUTE, AF_INET, 28, 252, 12)));
  }

  @Test
  void aMainTableMessageMakesItsOwnFamilysPartStaleAndWakes() {
    assertTrue(monitor.handle(List.of(route(RTM_DELROUTE, AF_INET6, 64, 254, 2))));
    assertEquals(List.of("main " + EnumSet.of(Family.INET6) + " " + EnumSet.of(MainPart.CONNECTED)), calls);
    calls.clear();
    assertTrue(monitor.handle(List.of(route(RTM_NEWROUTE, AF_INET, 0, 254, 16), route(RTM_DELROUTE, AF_INET, 0, 101, 213))));
    assertEquals(List.of("main " + EnumSet.of(Family.INET) + " " + EnumSet.of(MainPart.DEFAULTS), "ours"), calls);
  }

  @Test
  void aFeedAndOurEchoesDoNotWake() {
    assertFalse(monitor.handle(List.of(route(RTM_NEWROUTE, AF_INET, 28, 254, 12), route(RTM_NEWROUTE, AF_INET, 0, 101, 213),
        new RouteMessage(RouteMessage.NLMSG_ERROR, 0, 0, 0, 0, 0), new RouteMessage(RouteMessage.NLMSG_DONE, 0, 0, 0, 0, 0))));
    assertEquals(List.of(), calls);
  }

  @Test
  void anOverrunOrAnErrorMakesEverythingStale() {
    assertTrue(monitor.handle(List.of(new RouteMessage(RouteMessage.NLMSG_OVERRUN, 0, 0, 0, 0, 0))));
    assertTrue(monitor.handle(List.of(new RouteMessage(RouteMessage.NLMSG_ERROR, -105, 0, 0, 0, 0))));
    String all = "main " + EnumSet.allOf(Family.class) + " " + EnumSet.allOf(MainPart.class);
    assertEquals(List.of(all, "ours", all, "ours"), calls);
  }
}
