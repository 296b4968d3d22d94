package netbalancer.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import netbalancer.harness.Observer.Seen;
import org.junit.jupiter.api.Test;

class ObserverTest {
  @Test
  void aShortLivedStateIsFoundAfterTheFactAndEveryChangeIsTold() throws Exception {
    AtomicReference<Set<String>> table = new AtomicReference<>(Set.of("wan1", "wan2"));
    List<String> told = new ArrayList<>();
    try (Observer o = new Observer(table::get, () -> null, (t, what) -> told.add(what)).start()) {
      long t0 = System.nanoTime();
      table.set(Set.of("wan1"));
      Thread.sleep(100);
      table.set(Set.of("wan1", "wan2"));
      Thread.sleep(100);
      Seen out = o.await(t0, s -> !s.balances("wan2"), Duration.ZERO); // over by now, but it happened
      assertNotNull(out);
      assertTrue(out.nanos() >= t0);
      assertEquals(2, FlapScenario.changes(o.since(t0)));
      assertNull(o.await(System.nanoTime(), s -> s.members().isEmpty(), Duration.ofMillis(100)));
      assertEquals(List.of("LB_TABLE: wan1", "LB_TABLE: wan1 wan2"), told);
    }
  }

  /** The IPv6 route is watched beside LB_TABLE's IPv4 one, and its changes are told apart. */
  @Test
  void theIpv6RoutesMembersAreSeenAndToldOnTheirOwn() throws Exception {
    AtomicReference<Set<String>> table6 = new AtomicReference<>(Set.of("wan1", "wan2"));
    List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Observer o = new Observer(() -> Set.of("wan1", "wan2"), table6::get, () -> null,
        (t, what) -> told.add(what)).start()) {
      long t0 = System.nanoTime();
      table6.set(Set.of("wan2"));
      Seen out = o.await(t0, s -> !s.balances6("wan1"), Duration.ofSeconds(5));
      assertNotNull(out);
      assertTrue(out.balances("wan1"), "IPv4 kept it");
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (told.isEmpty() && System.nanoTime() < end) { // told just after the change is recorded
        Thread.sleep(5);
      }
      assertEquals(List.of("LB_TABLE IPv6: wan2"), told);
    }
  }

  @Test
  void theStateInEffectWhenWaitingStartsCounts() throws Exception {
    try (Observer o = new Observer(() -> Set.of("wan1"), () -> null, (t, w) -> { }).start()) {
      Thread.sleep(50);
      assertNotNull(o.await(System.nanoTime(), s -> s.balances("wan1"), Duration.ZERO));
    }
  }

  @Test
  void daemonStateChangesAreToldAsTransitions() {
    DaemonView before = DaemonView.parse("""
        {"uplinks":[{"name":"wan1","state":"up","reason":"link up"},{"name":"wan2","state":"up","reason":"x"}],
         "failOpen":false}""");
    DaemonView after = DaemonView.parse("""
        {"uplinks":[{"name":"wan1","state":"hold-down","reason":"2 probe rounds failed"}],"failOpen":true}""");
    assertEquals(List.of("wan1 up -> hold-down (2 probe rounds failed)", "wan2 gone",
        "FAIL-OPEN: no uplink healthy, balancing over all with carrier"), after.changesSince(before));
    assertTrue(after.noneEligible());
    assertTrue(before.allEligible());
    assertEquals(Map.of(), DaemonView.parse("{}").uplinks());
  }
}
