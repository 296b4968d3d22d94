package netbalancer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Grouping and matching of {@code ip -ts monitor link route} output, as iproute2 6.1 prints it. */
class IpMonitorTest {
  private static final List<String> FAILOVER = List.of(
      "[2026-11-26T07:37:24.625205] 3: wan2@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default ",
      "    link/ether 36:dc:db:f5:bc:7a brd ff:ff:ff:ff:ff:ff link-netns nblab-22698-7371-isp2",
      "[2026-11-26T07:37:24.635611] default table 200 proto 213 ",
      "\tnexthop via 198.18.1.1 dev wan1 weight 1 ",
      "\tnexthop via 198.18.3.1 dev wan3 weight 1 ",
      "[2026-11-26T07:37:25.629737] 3: wan2@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default ",
      "    link/ether 36:dc:db:f5:bc:7a brd ff:ff:ff:ff:ff:ff link-netns nblab-22698-7371-isp2",
      "[2026-11-26T07:37:26.653711] default table 200 proto 213 ",
      "\tnexthop via 198.18.1.1 dev wan1 weight 1 ",
      "\tnexthop via 198.18.2.1 dev wan2 weight 1 ",
      "\tnexthop via 198.18.3.1 dev wan3 weight 1 ");

  private static IpMonitor monitor(List<String> lines) {
    Deque<String> q = new ArrayDeque<>(lines);
    return new IpMonitor(timeout -> q.poll(), () -> { });
  }

  @Test
  void carrierLossThenTheRouteWithoutTheLinkThenItsReturn() {
    IpMonitor m = monitor(FAILOVER);
    IpMonitor.Event carrier = m.await(e -> e.isLinkOf("wan2") && e.noCarrier(), Duration.ofMillis(100));
    IpMonitor.Event out = m.await(e -> e.isRouteIn(200) && !e.mentionsDev("wan2"), Duration.ofMillis(100));
    IpMonitor.Event back = m.await(e -> e.isRouteIn(200) && e.mentionsDev("wan2"), Duration.ofMillis(100));
    assertNotNull(carrier);
    assertNotNull(out);
    assertNotNull(back);
    assertEquals(10_406, out.micros() - carrier.micros());
    assertTrue(back.text().contains("dev wan3"), back.text());
    assertNull(m.await(e -> true, Duration.ofMillis(50)));
  }

  @Test
  void aSinglePathRouteAndDeletionsAreToldApart() {
    IpMonitor m = monitor(List.of(
        "[2026-11-26T07:00:00.000001] Deleted default via 198.18.2.1 dev wan2 table 200 proto 213 ",
        "[2026-11-26T07:00:00.000002] default via 198.18.1.1 dev wan1 table 200 proto 213 ",
        "[2026-11-26T07:00:00.000003] 12: wan12@if2: <NO-CARRIER,BROADCAST> mtu 1500"));
    IpMonitor.Event e = m.await(ev -> ev.isRouteIn(200), Duration.ofMillis(100));
    assertEquals("default via 198.18.1.1 dev wan1 table 200 proto 213 ", e.text());
    assertNull(m.await(ev -> ev.isLinkOf("wan1"), Duration.ofMillis(100)), "wan12 is not wan1");
  }
}
