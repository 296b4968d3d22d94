package netbalancer.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import netbalancer.plan.UplinkState;
import netbalancer.system.FakeTicker;
import netbalancer.system.Ticker;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
  private static final String WAN1 = "198.18.1.2";
  private static final String WAN2 = "198.18.2.2";

  private final FakeTicker ticker = new FakeTicker();
  private final long t0 = ticker.read();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final ScriptedProber prober = new ScriptedProber(ticker);
  private final Clock wall = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
  /** "t=SECONDS uplink old->new" for every change the listener heard. */
  private final List<String> heard = new ArrayList<>();

  private HealthMonitor monitor(TestSettings settings) {
    return new HealthMonitor(settings.build(), prober, scheduler, Runnable::run, ticker, wall,
        (uplink, from, to, reason) -> heard.add(
            "t=" + seconds() + " " + uplink + " " + from.wireName() + "->" + to.wireName()));
  }

  private long seconds() {
    return Math.round((ticker.read() - t0) / 1e9);
  }

  private void advance(double s) {
    scheduler.advance(Duration.ofNanos(Math.round(s * 1e9)));
  }

  private static Map<String, String> uplinks(String... nameAddress) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < nameAddress.length; i += 2) {
      m.put(nameAddress[i], nameAddress[i + 1]);
    }
    return m;
  }

  @Test
  void perFamilyMonitorsProbeOnlyTheirTargetsFromTheirAddressAndFailApart() {
    HealthSettings mixed = TestSettings.defaults().targets(1, "198.51.100.7", "2001:db8:ffff::10").build();
    List<String> heard6 = new ArrayList<>();
    HealthMonitor v4 = new HealthMonitor(mixed.forFamily(false), prober, scheduler, Runnable::run, ticker, wall,
        (uplink, from, to, reason) -> heard.add("t=" + seconds() + " " + uplink + " " + to.wireName()));
    HealthMonitor v6 = new HealthMonitor(mixed.forFamily(true), prober, scheduler, Runnable::run, ticker, wall,
        (uplink, from, to, reason) -> heard6.add("t=" + seconds() + " " + uplink + " " + to.wireName()));
    v4.setUplinks(uplinks("wan1", WAN1));
    v6.setUplinks(uplinks("wan1", "2001:db8:1::2"));
    advance(0);
    assertEquals(List.of("198.51.100.7"), prober.callsFrom(WAN1).stream().map(ScriptedProber.Call::target).toList());
    assertEquals(List.of("2001:db8:ffff::10"),
        prober.callsFrom("2001:db8:1::2").stream().map(ScriptedProber.Call::target).toList());
    prober.kill("2001:db8:ffff::10"); // IPv6 blackholed upstream, IPv4 fine
    advance(30);
    advance(1);
    advance(1);
    assertEquals(List.of("t=30 wan1 degraded", "t=31 wan1 hold-down"), heard6);
    assertEquals(UplinkState.HOLD_DOWN, v6.snapshot().get("wan1").state());
    assertEquals(UplinkState.UP, v4.snapshot().get("wan1").state());
    assertEquals(List.of(), heard, "IPv4 never changed");
    prober.revive("2001:db8:ffff::10");
    advance(61);
    assertEquals(UplinkState.UP, v6.snapshot().get("wan1").state(), "back after the hold-down, the same way");
  }

  @Test
  void newUplinksStartUpAndAreProbedAtOnceEachFromItsOwnAddress() {
    HealthMonitor m = monitor(TestSettings.defaults().targets(1, "t1", "t2"));
    m.setUplinks(uplinks("wan1", WAN1, "wan2", WAN2));
    assertEquals(UplinkState.UP, m.snapshot().get("wan1").state());
    advance(0);
    List<ScriptedProber.Call> calls = prober.calls();
    assertEquals(4, calls.size());
    assertEquals(List.of("t1", "t2"), prober.callsFrom(WAN1).stream().map(ScriptedProber.Call::target).toList());
    assertEquals(List.of("t1", "t2"), prober.callsFrom(WAN2).stream().map(ScriptedProber.Call::target).toList());
    assertTrue(calls.stream().allMatch(c -> c.at() == t0 && c.port() == 53 && c.timeout().equals(Duration.ofSeconds(3))));
    Map<String, HealthSnapshot> snap = m.snapshot();
    assertEquals(List.of("wan1", "wan2"), List.copyOf(snap.keySet()));
    assertEquals(2, snap.get("wan2").successes());
    assertEquals(Duration.ofMillis(15), snap.get("wan2").rttLast());
    assertEquals(WAN2, snap.get("wan2").sourceAddress());
    assertEquals(wall.instant().plusSeconds(30), snap.get("wan2").nextProbeAt());
    assertThrows(UnsupportedOperationException.class, () -> snap.put("x", null));
    assertEquals(List.of(), heard);
  }

  @Test
  void detectionTakesThePhaseToTheNextProbePlusThresholdMinusOneFastIntervals() {
    HealthMonitor m = monitor(TestSettings.defaults().thresholds(3, 1));
    m.setUplinks(uplinks("wan1", WAN1, "wan2", WAN2));
    advance(7);
    prober.kill(WAN1); // dies 7 s in; the next probe is at 30 s: phase 23 s
    advance(60);
    assertEquals(List.of("t=30 wan1 up->degraded", "t=32 wan1 degraded->hold-down"), heard);
    assertTrue(32 - 7 <= 23 + 3 * 1, "detection within interval phase + threshold x fast interval");
    assertEquals(UplinkState.UP, m.snapshot().get("wan2").state(), "the other uplink is untouched");
    List<Long> wan1Probes = prober.callsFrom(WAN1).stream().map(c -> (c.at() - t0) / 1_000_000_000L).toList();
    assertEquals(List.of(0L, 30L, 31L, 32L, 62L), wan1Probes, "fast while confirming, then the normal interval");
  }

  @Test
  void eligibleNamesTheUplinksTheSnapshotCallsEligible() {
    HealthMonitor m = monitor(TestSettings.defaults().thresholds(3, 1));
    m.setUplinks(uplinks("wan1", WAN1, "wan2", WAN2));
    assertEquals(java.util.Set.of("wan1", "wan2"), m.eligible());
    advance(1);
    prober.kill(WAN1);
    advance(40);
    assertEquals(java.util.Set.of("wan2"), m.eligible());
    assertFalse(m.snapshot().get("wan1").eligible());
  }

  @Test
  void holdDownThenRecoveryAndListenerOrder() {
    HealthMonitor m = monitor(TestSettings.defaults()); // 2/1, hold-down 60
    m.setUplinks(uplinks("wan1", WAN1));
    advance(1);
    prober.kill(WAN1);
    advance(40);
    prober.revive(WAN1);
    HealthSnapshot held = m.snapshot().get("wan1");
    assertEquals(UplinkState.HOLD_DOWN, held.state());
    assertEquals(Duration.ofSeconds(60 - (41 - 31)), held.holdDownRemaining());
    advance(100);
    assertEquals(List.of("t=30 wan1 up->degraded", "t=31 wan1 degraded->hold-down", "t=91 wan1 hold-down->down",
        "t=91 wan1 down->up"), heard);
    assertTrue(m.snapshot().get("wan1").reason().startsWith("recovered"));
  }

  @Test
  void suspicionFromTrafficProbesAtOnceAndIsConfirmedBeforeFailing() {
    HealthMonitor m = monitor(TestSettings.defaults());
    m.setUplinks(uplinks("wan1", WAN1));
    advance(10);
    m.suspect("wan1", "pinned connections get no replies");
    advance(0);
    assertEquals(2, prober.callsFrom(WAN1).size(), "probed at once");
    assertEquals(UplinkState.UP, m.snapshot().get("wan1").state(), "the probe passed: the suspicion was wrong");
    prober.kill(WAN1);
    advance(5);
    m.suspect("wan1", "pinned connections get no replies");
    advance(1);
    assertEquals(List.of("t=15 wan1 up->degraded", "t=16 wan1 degraded->hold-down"), heard);
    assertTrue(m.snapshot().get("wan1").reason().contains("traffic: pinned connections get no replies"));
  }

  @Test
  void neighborFailureFailsAtOnceAndItsReturnStartsRecoveryProbes() {
    HealthMonitor m = monitor(TestSettings.defaults());
    m.setUplinks(uplinks("wan1", WAN1));
    advance(5);
    m.neighborFailed("wan1");
    assertEquals(List.of("t=5 wan1 up->hold-down"), heard, "told at once, without a scheduler turn");
    advance(60);
    assertEquals("t=65 wan1 hold-down->down", heard.get(1));
    advance(29);
    assertEquals(UplinkState.DOWN, m.snapshot().get("wan1").state(), "probes pass, but the neighbor is failed");
    int before = prober.calls().size();
    m.neighborReachable("wan1");
    advance(0);
    assertEquals(before + 1, prober.calls().size());
    assertEquals("t=94 wan1 down->up", heard.get(2));
  }

  @Test
  void disabledChecksNeverProbeAndKeepUplinksUpUnlessTheNeighborFails() {
    HealthMonitor m = monitor(TestSettings.defaults().enabled(false).hysteresis(false));
    m.setUplinks(uplinks("wan1", WAN1));
    m.suspect("wan1", "no replies");
    advance(3600);
    assertEquals(List.of(), prober.calls());
    assertEquals(UplinkState.UP, m.snapshot().get("wan1").state());
    m.neighborFailed("wan1");
    m.neighborReachable("wan1");
    assertEquals(List.of("t=3600 wan1 up->down", "t=3600 wan1 down->up"), heard);
    assertEquals(0, scheduler.pending());
  }

  @Test
  void exceptionsFromProbersAndListenersNeverStopTheChecks() {
    List<String> told = new ArrayList<>();
    HealthMonitor m = new HealthMonitor(TestSettings.defaults().build(), prober, scheduler, Runnable::run, ticker,
        wall, (u, from, to, reason) -> {
          told.add(to.wireName());
          throw new IllegalStateException("listener bug");
        });
    m.setUplinks(uplinks("wan1", WAN1));
    prober.throwOnProbe(new IllegalStateException("prober bug"));
    advance(2);
    assertEquals(List.of("degraded", "hold-down"), told, "a throwing probe is a failed probe");
    assertTrue(m.snapshot().get("wan1").reason().contains("probe error"), m.snapshot().get("wan1").reason());
    prober.throwOnProbe(null);
    advance(120);
    assertEquals(UplinkState.UP, m.snapshot().get("wan1").state());
    assertEquals(List.of("degraded", "hold-down", "down", "up"), told);
  }

  @Test
  void uplinksComeAndGo() {
    HealthMonitor m = monitor(TestSettings.defaults());
    m.setUplinks(uplinks("wan1", WAN1, "wan2", WAN2));
    prober.kill(WAN2);
    advance(2);
    assertEquals(UplinkState.HOLD_DOWN, m.snapshot().get("wan2").state());
    m.setUplinks(uplinks("wan1", WAN1));
    assertEquals(List.of("wan1"), List.copyOf(m.snapshot().keySet()));
    int wan2Probes = prober.callsFrom(WAN2).size();
    advance(300);
    assertEquals(wan2Probes, prober.callsFrom(WAN2).size(), "a removed uplink is no longer probed");
    assertEquals(1, scheduler.pending());
    m.setUplinks(uplinks("wan1", WAN1, "wan2", WAN2));
    assertEquals(UplinkState.UP, m.snapshot().get("wan2").state(), "back as a new uplink");
    advance(0);
    assertEquals(wan2Probes + 1, prober.callsFrom(WAN2).size(), "and probed at once");
  }

  @Test
  void aNewSourceAddressIsProbedAtOnce() {
    HealthMonitor m = monitor(TestSettings.defaults());
    m.setUplinks(uplinks("wan1", WAN1));
    advance(10);
    m.setUplinks(uplinks("wan1", "198.18.1.3"));
    advance(0);
    assertEquals(1, prober.callsFrom("198.18.1.3").size());
    assertEquals("198.18.1.3", m.snapshot().get("wan1").sourceAddress());
  }

  @Test
  void aRoundOfARemovedUplinkIsIgnoredAndAnEventDuringARoundIsKept() {
    List<Runnable> deferred = new ArrayList<>();
    HealthMonitor m = new HealthMonitor(TestSettings.defaults().build(), prober, scheduler, deferred::add, ticker,
        wall, (u, from, to, reason) -> heard.add(u + " " + to.wireName()));
    m.setUplinks(uplinks("wan1", WAN1));
    advance(0);
    assertEquals(1, deferred.size(), "the probe waits on the probe executor");
    assertEquals(0, scheduler.pending(), "no timer while a round runs");
    m.setUplinks(Map.of());
    deferred.remove(0).run();
    assertEquals(1, prober.calls().size());
    assertEquals(Map.of(), m.snapshot());
    assertEquals(List.of(), heard);

    m.setUplinks(uplinks("wan1", WAN1));
    advance(0);
    deferred.remove(0).run(); // round 1: 0 s
    advance(5);
    m.suspect("wan1", "no replies");
    advance(0); // round 2 starts at 5 s
    assertEquals(1, deferred.size());
    advance(0.5);
    m.suspect("wan1", "no replies again"); // arrives while round 2 runs
    deferred.remove(0).run(); // and round 2 passes
    HealthSnapshot s = m.snapshot().get("wan1");
    assertTrue(s.fastMode(), "the round began before this suspicion, so it cannot clear it");
    assertEquals(wall.instant().plusMillis(500), s.nextProbeAt(), "1 s after round 2 began");
  }

  @Test
  void probesStayAtOnePerSecondPerTargetWhateverTheEvents() {
    HealthMonitor m = monitor(TestSettings.defaults().thresholds(100, 1).fast(Duration.ofMillis(10))
        .interval(1).targets(1, "t1", "t2", "t3"));
    m.setUplinks(uplinks("wan1", WAN1));
    for (int i = 0; i < 600; i++) {
      m.suspect("wan1", "no replies");
      m.neighborReachable("wan1");
      m.setUplinks(uplinks("wan1", i % 2 == 0 ? WAN1 : "198.18.1.3"));
      advance(0.1);
    }
    for (String target : List.of("t1", "t2", "t3")) {
      List<Long> at = prober.calls().stream().filter(c -> c.target().equals(target)).map(ScriptedProber.Call::at)
          .toList();
      assertTrue(at.size() <= 61, target + " probed " + at.size() + " times in 60 s");
      for (int i = 1; i < at.size(); i++) {
        assertTrue(at.get(i) - at.get(i - 1) >= 1_000_000_000L, "1 s apart at least");
      }
    }
    assertTrue(scheduler.pending() <= 1, "one timer per uplink, however many events");
  }

  @Test
  void closeStopsEverything() {
    HealthMonitor m = monitor(TestSettings.defaults());
    m.setUplinks(uplinks("wan1", WAN1));
    m.close();
    assertEquals(0, scheduler.pending());
    m.setUplinks(uplinks("wan1", WAN1));
    m.neighborFailed("wan1");
    advance(100);
    assertEquals(List.of(), prober.calls());
    assertEquals(Map.of(), m.snapshot());
  }

  @Test
  void worksOnRealThreads() throws Exception {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    ExecutorService probes = Executors.newCachedThreadPool();
    CountDownLatch down = new CountDownLatch(1);
    Prober failing = (source, target, port, timeout) -> ProbeResult.failure("unreachable");
    HealthMonitor m = new HealthMonitor(TestSettings.defaults().thresholds(1, 1).hysteresis(false)
        .targets(2, "t1", "t2").build(), failing, timer, probes, Ticker.system(), Clock.systemUTC(),
        (u, from, to, reason) -> {
          if (to == UplinkState.DOWN) {
            down.countDown();
          }
        });
    try {
      m.setUplinks(uplinks("wan1", WAN1));
      assertTrue(down.await(10, TimeUnit.SECONDS), "the first round fails it (threshold 1)");
      assertEquals(2, m.snapshot().get("wan1").failures());
    } finally {
      m.close();
      timer.shutdownNow();
      probes.shutdownNow();
    }
  }

  /** The case: a 10 s outage with a 5 s interval used to earn a hold-down from probes. */
  @Test
  void noProbeRunsWithoutCarrierAndTheUplinkIsProbedOnItsReturn() {
    HealthMonitor m = monitor(TestSettings.defaults().interval(5));
    m.setUplinks(uplinks("wan1", WAN1));
    advance(1);
    m.carrier("wan1", false);
    prober.kill(WAN1);
    int before = prober.callsFrom(WAN1).size();
    advance(10);
    assertEquals(before, prober.callsFrom(WAN1).size(), "no probe while the carrier is gone");
    prober.revive(WAN1);
    m.carrier("wan1", true);
    advance(0);
    assertEquals(before + 1, prober.callsFrom(WAN1).size(), "probed at once when it is back");
    assertEquals(UplinkState.UP, m.snapshot().get("wan1").state());
    assertEquals(List.of(), heard, "no health change at all: the carrier rules judged the outage");
  }

  @Test
  void aReloadKeepsEveryUplinksStateAndChangesOnlyWhatTheSettingsGovern() {
    HealthMonitor m = monitor(TestSettings.defaults());
    m.setUplinks(uplinks("wan1", WAN1, "wan2", WAN2));
    advance(1);
    prober.kill(WAN1);
    advance(40);
    HealthSnapshot held = m.snapshot().get("wan1");
    assertEquals(UplinkState.HOLD_DOWN, held.state());
    List<String> heardBefore = List.copyOf(heard);
    m.reconfigure(TestSettings.defaults().interval(10).build(), prober);
    HealthSnapshot after = m.snapshot().get("wan1");
    assertEquals(held.holdDownRemaining(), after.holdDownRemaining());
    assertEquals(held.backoffLevel(), after.backoffLevel());
    assertEquals(heardBefore, heard, "a reload is no state change");
    int calls = prober.callsFrom(WAN2).size();
    advance(20.5); // wan2's last round was at 30 s: due at once under the 10 s interval, then every 10 s
    assertEquals(calls + 3, prober.callsFrom(WAN2).size(), "the new 10 s interval is in force");
  }
}
