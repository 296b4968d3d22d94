package netbalancer.health;

import static netbalancer.plan.UplinkState.DEGRADED;
import static netbalancer.plan.UplinkState.DOWN;
import static netbalancer.plan.UplinkState.HOLD_DOWN;
import static netbalancer.plan.UplinkState.UP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import netbalancer.plan.UplinkState;
import netbalancer.system.FakeTicker;
import org.junit.jupiter.api.Test;

class HealthStateTest {
  private static final Instant WALL = Instant.parse("2025-01-01T00:00:00Z");
  private static final long SEC = 1_000_000_000L;

  private final FakeTicker clock = new FakeTicker();
  private final long t0 = clock.read();
  private HealthState st;

  private HealthState start(TestSettings settings) {
    st = new HealthState(settings.build(), clock.read());
    return st;
  }

  private long now() {
    return clock.read();
  }

  /** Seconds since the test began. */
  private double elapsed() {
    return (now() - t0) / 1e9;
  }

  private void at(double seconds) {
    clock.set(t0 + Math.round(seconds * SEC));
    st.advance(now());
  }

  /** Runs one round now, each target answering as given. */
  private void roundNow(boolean... answers) {
    List<ProbeResult> results = new ArrayList<>();
    for (boolean a : answers) {
      results.add(a ? ProbeResult.success(Duration.ofMillis(20), "ok") : ProbeResult.timeout("no answer"));
    }
    st.probeStarted(now());
    st.probeCompleted(now(), results);
  }

  /** Moves to the next time the state machine wants to probe, and runs the round there. */
  private void nextRound(boolean... answers) {
    long due = st.nextWakeAt();
    clock.set(Math.max(now(), due));
    st.advance(now());
    assertTrue(st.probeDue(now()), "a probe is due at " + elapsed());
    roundNow(answers);
  }

  private HealthSnapshot snap() {
    return st.snapshot("wan1", "198.18.1.2", now(), WALL);
  }

  private double nextProbeIn() {
    return (st.nextWakeAt() - now()) / 1e9;
  }

  private List<UplinkState> drainStates() {
    return st.drainChanges().stream().map(HealthState.Change::to).toList();
  }

  @Test
  void aNewUplinkIsUpAndProbedAtOnce() {
    start(TestSettings.defaults());
    assertEquals(UP, st.state());
    assertTrue(st.probeDue(now()));
    assertEquals("new uplink", snap().reason());
    assertEquals(WALL, snap().nextProbeAt());
  }

  @Test
  void failureThresholdAndRecoveryThresholdWithoutHysteresis() {
    start(TestSettings.defaults().thresholds(3, 2).hysteresis(false));
    nextRound(false);
    assertEquals(DEGRADED, st.state());
    assertTrue(snap().eligible(), "below the threshold it stays in service");
    nextRound(true);
    assertEquals(UP, st.state(), "a pass in between starts the count again");
    nextRound(false);
    nextRound(false);
    assertEquals(DEGRADED, st.state());
    nextRound(false);
    assertEquals(DOWN, st.state());
    assertTrue(snap().reason().startsWith("3 probe round(s) failed in a row"), snap().reason());
    nextRound(true);
    assertEquals(DOWN, st.state());
    nextRound(false);
    nextRound(true);
    assertEquals(DOWN, st.state(), "the failure in between reset the recovery count");
    nextRound(true);
    assertEquals(UP, st.state());
    assertEquals(List.of(DEGRADED, UP, DEGRADED, DOWN, UP), drainStates());
    assertEquals(5, snap().transitions());
  }

  @Test
  void aFailedRoundBringsTheNextForwardToTheFastInterval() {
    start(TestSettings.defaults().thresholds(3, 1));
    nextRound(true);
    assertEquals(30.0, nextProbeIn());
    nextRound(false);
    assertEquals(1.0, nextProbeIn());
    assertTrue(snap().fastMode());
    nextRound(true);
    assertEquals(30.0, nextProbeIn(), "a pass ends fast mode");
    assertFalse(snap().fastMode());
    nextRound(false);
    nextRound(false);
    nextRound(false);
    assertEquals(HOLD_DOWN, st.state());
    assertEquals(61 + 1 + 1, elapsed(), 1e-9, "detection took threshold-1 fast intervals after the first failure");
    assertFalse(snap().fastMode(), "once failed it is probed at the normal interval");
  }

  @Test
  void aSlowRoundIsFollowedAtOnceButNeverWithinOneSecondOfItsStart() {
    start(TestSettings.defaults().thresholds(3, 1));
    st.probeStarted(now());
    at(3); // timed out after 3 s
    st.probeCompleted(now(), List.of(ProbeResult.timeout("no answer")));
    assertEquals(0.0, nextProbeIn());
    start(TestSettings.defaults().thresholds(3, 1));
    at(10);
    st.probeStarted(now());
    at(10.2);
    st.probeCompleted(now(), List.of(ProbeResult.failure("unreachable")));
    assertEquals(0.8, nextProbeIn(), 1e-9);
  }

  @Test
  void holdDownKeepsAFailedUplinkOutEvenWhenProbesPass() {
    start(TestSettings.defaults()); // thresholds 2/1, hold-down 60 s
    nextRound(false);
    nextRound(false);
    assertEquals(HOLD_DOWN, st.state());
    assertEquals(Duration.ofSeconds(60), snap().holdDownRemaining());
    assertTrue(snap().reason().endsWith("hold-down 60 s (level 1)"), snap().reason());
    long heldAt = now();
    nextRound(true); // 30 s later
    assertEquals(30.0, (now() - heldAt) / 1e9);
    assertEquals(HOLD_DOWN, st.state());
    assertEquals(0, snap().consecutiveSuccesses(), "passes during hold-down do not count");
    assertEquals(Duration.ofSeconds(30), snap().holdDownRemaining());
    assertEquals(30.0, nextProbeIn(), "the next round is due right when the hold-down ends");
    at((heldAt - t0) / 1e9 + 60);
    assertEquals(DOWN, st.state());
    assertEquals(Duration.ZERO, snap().holdDownRemaining());
    nextRound(true);
    assertEquals(UP, st.state());
    assertEquals(0.0, (now() - heldAt) / 1e9 - 60);
  }

  @Test
  void aRoundThatStartedDuringHoldDownDoesNotCountAfterIt() {
    start(TestSettings.defaults());
    nextRound(false);
    nextRound(false);
    double end = elapsed() + 60;
    at(end - 1);
    st.probeSoon(now());
    st.probeStarted(now());
    at(end + 1); // the hold-down ended while this round ran
    st.probeCompleted(now(), List.of(ProbeResult.success(Duration.ofMillis(5), "ok")));
    assertEquals(DOWN, st.state());
    assertEquals(0.0, nextProbeIn(), "a round that can count follows at once");
    nextRound(true);
    assertEquals(UP, st.state());
  }

  @Test
  void repeatedFailuresBackOffExponentiallyUpToTheMax() {
    start(TestSettings.defaults()); // hold-down 60, base 30, max 300
    List<Duration> holdDowns = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      nextRound(false);
      nextRound(false);
      assertEquals(HOLD_DOWN, st.state());
      holdDowns.add(snap().holdDownRemaining());
      assertEquals(i + 1, snap().backoffLevel());
      clock.set(st.nextWakeAt());
      while (st.state() != UP) {
        nextRound(true);
      }
    }
    assertEquals(List.of(60L, 90L, 120L, 180L, 300L, 300L, 300L),
        holdDowns.stream().map(Duration::toSeconds).toList());
  }

  @Test
  void aStablePeriodResetsTheBackoff() {
    start(TestSettings.defaults());
    for (int i = 0; i < 3; i++) { // levels 1..3
      nextRound(false);
      nextRound(false);
      at(elapsed() + snap().holdDownRemaining().toSeconds());
      nextRound(true);
    }
    assertEquals(UP, st.state());
    double back = elapsed();
    while (elapsed() < back + 240) {
      nextRound(true);
    }
    nextRound(false); // at back + 270: less than the 300 s in service that count as stable
    nextRound(false);
    assertEquals(Duration.ofSeconds(180), snap().holdDownRemaining(), "level 4: not stable long enough");
    at(elapsed() + 180);
    nextRound(true);
    back = elapsed();
    assertEquals(4, snap().backoffLevel());
    at(back + 300);
    assertEquals(0, snap().backoffLevel(), "300 s in service: the next failure is a first one again");
    nextRound(false);
    nextRound(false);
    assertEquals(HOLD_DOWN, st.state());
    assertEquals(Duration.ofSeconds(60), snap().holdDownRemaining());
    assertEquals(1, snap().backoffLevel());
  }

  @Test
  void quorumLetsOneTargetFailWithoutFailingTheUplink() {
    start(TestSettings.defaults().targets(2, "t1", "t2", "t3"));
    nextRound(true, true, false);
    nextRound(false, true, true);
    assertEquals(UP, st.state());
    assertEquals(List.of(), drainStates());
    nextRound(true, false, false);
    assertEquals(DEGRADED, st.state());
    assertTrue(snap().reason().contains("1/3 targets answered"), snap().reason());
    nextRound(false, false, true);
    assertEquals(HOLD_DOWN, st.state());
    assertEquals(6, snap().successes());
    assertEquals(6, snap().timeouts());
    assertEquals(0.5, snap().loss(), 1e-12);
  }

  @Test
  void neighborFailureIsAHardFailureAndItsReturnOnlyAllowsProbing() {
    start(TestSettings.defaults().thresholds(2, 2));
    nextRound(true);
    at(5);
    st.neighborFailed(now());
    assertEquals(HOLD_DOWN, st.state(), "no probe confirmation needed");
    assertTrue(snap().neighborFailed());
    assertTrue(snap().reason().startsWith("gateway neighbor unreachable"), snap().reason());
    at(5 + 60);
    assertEquals(DOWN, st.state(), "the hold-down is over but the neighbor is still failed");
    nextRound(true);
    nextRound(true);
    nextRound(true);
    assertEquals(DOWN, st.state(), "probes passing while the neighbor is failed do not count");
    at(200);
    st.neighborReachable(now());
    assertEquals(DOWN, st.state());
    assertTrue(st.probeDue(now()), "probed at once");
    nextRound(true);
    assertEquals(200.0, elapsed());
    assertEquals(DOWN, st.state());
    nextRound(true);
    assertEquals(UP, st.state(), "recovery threshold (2) passed after the neighbor returned");
  }

  @Test
  void neighborEventsAreIgnoredWhenNeighborMonitoringIsOff() {
    start(TestSettings.defaults().neighbor(false));
    st.neighborFailed(now());
    assertEquals(UP, st.state());
    assertFalse(snap().neighborFailed());
  }

  @Test
  void disabledChecksNeverProbeButTheNeighborStillCounts() {
    start(TestSettings.defaults().enabled(false));
    assertEquals(HealthState.NEVER, st.nextWakeAt());
    assertNull(snap().nextProbeAt());
    assertEquals("health checks disabled", snap().reason());
    st.suspect(now(), "no replies");
    assertEquals(UP, st.state(), "without probes suspicion alone never fails an uplink");
    st.neighborFailed(now());
    assertEquals(HOLD_DOWN, st.state());
    at(10);
    st.neighborReachable(now());
    assertEquals(HOLD_DOWN, st.state(), "the hold-down still applies");
    assertEquals(50.0, nextProbeIn(), "woken at the hold-down's end");
    at(60);
    assertEquals(UP, st.state(), "nothing to wait for without probes");

    start(TestSettings.defaults().enabled(false).hysteresis(false));
    st.neighborFailed(now());
    assertEquals(DOWN, st.state());
    st.neighborReachable(now());
    assertEquals(UP, st.state());
  }

  @Test
  void suspicionProbesAtOnceAndIsConfirmedByProbesBeforeFailing() {
    start(TestSettings.defaults().thresholds(2, 1));
    nextRound(true);
    at(10);
    st.suspect(now(), "pinned connections get no replies");
    assertEquals(UP, st.state(), "not failed on traffic evidence alone");
    assertEquals(0.0, nextProbeIn());
    assertTrue(snap().fastMode());
    nextRound(false);
    assertEquals(DEGRADED, st.state());
    nextRound(false);
    assertEquals(HOLD_DOWN, st.state());
    assertEquals(11.0, elapsed());
    assertTrue(snap().reason().contains("traffic: pinned connections get no replies"), snap().reason());
  }

  @Test
  void aCountedSuspicionIsTheFirstFailureSoOneFailedRoundFailsTheUplink() {
    start(TestSettings.defaults().thresholds(2, 1));
    nextRound(true);
    at(10);
    st.suspect(now(), "2 connections to 2 servers unanswered", true);
    assertEquals(DEGRADED, st.state(), "still in service: evidence alone never fails an uplink");
    assertEquals(1, snap().consecutiveFailures());
    assertEquals(0.0, nextProbeIn(), "confirmed at once");
    st.probeStarted(now());
    at(13); // one HEALTH_CHECK_TIMEOUT later
    st.probeCompleted(now(), List.of(ProbeResult.timeout("no answer")));
    assertEquals(HOLD_DOWN, st.state());
    assertTrue(snap().reason().startsWith("traffic evidence confirmed by 1 failed probe round(s)"), snap().reason());
  }

  @Test
  void aCountedSuspicionThatProbesContradictIsForgotten() {
    start(TestSettings.defaults().thresholds(2, 1));
    at(10);
    st.suspect(now(), "dead server?", true);
    nextRound(true);
    assertEquals(UP, st.state());
    assertEquals(0, snap().consecutiveFailures());
    assertFalse(snap().fastMode());
    nextRound(false);
    assertEquals(DEGRADED, st.state(), "a later failed round is a first failure again, not a second");
  }

  @Test
  void aCountedSuspicionNeverAddsToFailedRoundsNorFailsAtThresholdOne() {
    start(TestSettings.defaults().thresholds(2, 1));
    nextRound(false);
    assertEquals(1, snap().consecutiveFailures());
    st.suspect(now(), "no replies", true);
    assertEquals(1, snap().consecutiveFailures(), "it only ever stands for the first failure");
    assertEquals(DEGRADED, st.state());

    start(TestSettings.defaults().thresholds(1, 1));
    st.suspect(now(), "no replies", true);
    assertEquals(UP, st.state());
    assertEquals(0, snap().consecutiveFailures());
    nextRound(false);
    assertEquals(HOLD_DOWN, st.state(), "the probe fails it, as it would without the evidence");
  }

  @Test
  void aRoundThatStartedBeforeACountedSuspicionCannotClearIt() {
    start(TestSettings.defaults().thresholds(2, 1));
    nextRound(true);
    at(30);
    st.probeStarted(now());
    at(30.5);
    st.suspect(now(), "no replies", true);
    st.probeCompleted(now(), List.of(ProbeResult.success(Duration.ofMillis(5), "ok")));
    assertEquals(DEGRADED, st.state());
    assertEquals(1, snap().consecutiveFailures());
    nextRound(false);
    assertEquals(HOLD_DOWN, st.state());
    assertEquals(31.0, elapsed(), "the confirming round ran 1 s after the previous one began");
  }

  /**
   * A blackhole under traffic at the defaults: the round that the weak evidence started (0.5 s of
   * silence) is the one that confirms the strong evidence arriving while it runs, so the uplink is
   * out one timeout after the weak evidence, not after the strong.
   */
  @Test
  void theRoundWeakEvidenceStartedConfirmsTheStrongEvidenceThatArrivesDuringIt() {
    start(TestSettings.defaults().thresholds(2, 1));
    nextRound(true);
    at(31);
    st.suspect(now(), "2 connections unanswered for 0.5 s");
    assertTrue(st.probeDue(now()), "weak evidence starts a round at once");
    st.probeStarted(now());
    at(32);
    st.suspect(now(), "2 connections to 2 servers unanswered for 1.5 s", true);
    assertFalse(st.probeDue(now()), "no second round while one runs");
    at(34); // the weak evidence's round times out
    st.probeCompleted(now(), List.of(ProbeResult.timeout("no answer")));
    assertEquals(HOLD_DOWN, st.state(), "out 3 s after the weak evidence");
  }

  /** A regular round that started just after the fault began fails, and the evidence meanwhile completes it. */
  @Test
  void aRegularRoundInFlightWhenEvidenceArrivesCountsAsTheConfirmation() {
    start(TestSettings.defaults().thresholds(2, 1));
    nextRound(true);
    at(30);
    assertTrue(st.probeDue(now()));
    st.probeStarted(now()); // the fault began a moment before
    at(31);
    st.suspect(now(), "2 connections unanswered for 0.5 s");
    at(32);
    st.suspect(now(), "2 connections to 2 servers unanswered for 1.5 s", true);
    at(33);
    st.probeCompleted(now(), List.of(ProbeResult.timeout("no answer")));
    assertEquals(HOLD_DOWN, st.state());
    assertEquals(33.0, elapsed());
  }

  @Test
  void evidenceAboutAnUplinkOutOfServiceIsIgnored() {
    start(TestSettings.defaults().thresholds(2, 1));
    st.neighborFailed(now());
    st.suspect(now(), "no replies", true);
    assertEquals(HOLD_DOWN, st.state());
    assertEquals(0, snap().consecutiveFailures());
  }

  @Test
  void aPassingProbeClearsASuspicionOnlyIfItStartedAfterIt() {
    start(TestSettings.defaults());
    st.probeStarted(now());
    at(0.5);
    st.suspect(now(), "no replies");
    st.probeCompleted(now(), List.of(ProbeResult.success(Duration.ofMillis(5), "ok")));
    assertTrue(snap().fastMode(), "that round began before the suspicion");
    assertEquals(0.5, nextProbeIn(), 1e-9, "one second after the last round began");
    nextRound(true);
    assertFalse(snap().fastMode());
    assertEquals(30.0, nextProbeIn());
  }

  @Test
  void suspicionCannotMakeProbesMoreFrequentThanOnePerSecond() {
    start(TestSettings.defaults().thresholds(100, 1));
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < 600; i++) { // a suspicion every 100 ms for a minute
      at(i * 0.1);
      st.suspect(now(), "no replies");
      if (st.probeDue(now())) {
        starts.add(now());
        roundNow(true);
      }
    }
    assertEquals(60, starts.size());
    for (int i = 1; i < starts.size(); i++) {
      assertTrue(starts.get(i) - starts.get(i - 1) >= SEC);
    }
  }

  @Test
  void snapshotShowsTimesAndMeasurements() {
    start(TestSettings.defaults());
    at(1);
    roundNow(true);
    at(4);
    roundNow(false);
    at(5);
    HealthSnapshot s = snap();
    assertEquals(DEGRADED, s.state());
    assertEquals(WALL.minusSeconds(1), s.since());
    assertEquals(WALL, s.nextProbeAt(), "due at 5 s: one fast interval after 4 s");
    assertEquals(Duration.ofMillis(20), s.rttLast());
    assertEquals(Duration.ofMillis(20), s.rttSmoothed());
    assertEquals(0.5, s.loss());
    assertEquals(2, s.lossSamples());
    assertEquals(1, s.successes());
    assertEquals(1, s.timeouts());
    assertEquals(1, s.consecutiveFailures());
    assertEquals(1, s.transitions());
    assertEquals("wan1", s.uplink());
    assertEquals("198.18.1.2", s.sourceAddress());
  }

  @Test
  void noProbeWithoutCarrierAndARoundThatOverlappedALossCountsForNothing() {
    start(TestSettings.defaults().interval(5)); // the 10 s outage with a 5 s interval
    nextRound(true);
    at(4);
    st.probeStarted(now()); // a round in flight when the carrier goes
    at(4.5);
    st.carrierLost(now());
    at(7);
    st.probeCompleted(now(), List.of(ProbeResult.failure("No route to host")));
    assertEquals(0, snap().consecutiveFailures(), "a round without carrier is no failure");
    for (double t = 7; t < 14.5; t += 0.5) {
      at(t);
      assertFalse(st.probeDue(now()), "no probe without carrier at " + t);
    }
    assertEquals(HealthState.NEVER, st.nextWakeAt(), "no timer while the carrier is gone");
    assertEquals(UP, st.state(), "carrier loss is judged by the carrier rules, not by health");
    at(14.5);
    st.carrierBack(now());
    assertTrue(st.probeDue(now()), "probed as soon as the carrier is back");
    nextRound(true);
    assertEquals(UP, st.state());
    assertEquals(0, snap().failures() + snap().timeouts(), "the ignored round left no measurement");
    assertEquals(2, snap().successes(), "the round right at the return counts");
  }

  @Test
  void aRoundThatStartedBeforeTheCarrierCameBackDoesNotCount() {
    start(TestSettings.defaults());
    st.probeStarted(now());
    at(0.2);
    st.carrierLost(now());
    at(1);
    st.carrierBack(now());
    at(2);
    st.probeCompleted(now(), List.of(ProbeResult.timeout("no answer")));
    assertEquals(0, snap().consecutiveFailures());
    assertEquals(0.0, nextProbeIn(), 1e-9, "another round at once (a second after the ignored one's start)");
  }

  @Test
  void threeCarrierLossesInAMinuteAreAFlapWithBackoffAndOneIsNothing() {
    start(TestSettings.defaults().backoff(10, 10, 100));
    nextRound(true);
    st.carrierLost(now());
    at(1);
    st.carrierBack(now());
    assertEquals(UP, st.state(), "one loss is a blip");
    at(3);
    st.carrierLost(now());
    at(4);
    st.carrierBack(now());
    assertEquals(UP, st.state(), "two losses are not yet a flap");
    at(6);
    st.carrierLost(now());
    assertEquals(HOLD_DOWN, st.state(), "the third loss within 60 s is");
    assertEquals(Duration.ofSeconds(10), snap().holdDownRemaining());
    assertEquals(1, snap().backoffLevel());
    assertTrue(snap().reason().contains("carrier lost 3 times"), snap().reason());
    at(7);
    st.carrierBack(now());
    at(15.9);
    assertEquals(HOLD_DOWN, st.state(), "held down although the carrier is back");
    at(16.1);
    nextRound(true);
    assertEquals(UP, st.state(), "back after the hold-down and a passed round");
    at(18);
    st.carrierLost(now());
    assertEquals(HOLD_DOWN, st.state(), "still flapping: held down again");
    assertEquals(Duration.ofSeconds(20), snap().holdDownRemaining(), "with a longer hold-down");
    assertEquals(2, snap().backoffLevel());
  }

  @Test
  void lossesFurtherApartThanTheWindowAreNoFlapNorWithoutHysteresis() {
    start(TestSettings.defaults());
    for (int i = 0; i < 5; i++) {
      at(i * 31);
      st.carrierLost(now());
      at(i * 31 + 1);
      st.carrierBack(now());
    }
    assertEquals(UP, st.state(), "one loss every 31 s: two in any minute");
    start(TestSettings.defaults().hysteresis(false));
    for (int i = 0; i < 5; i++) {
      st.carrierLost(now());
      st.carrierBack(now());
    }
    assertEquals(UP, st.state(), "no hysteresis, no flap damping");
  }

  @Test
  void newSettingsKeepAHoldDownItsLevelAndCounters() {
    start(TestSettings.defaults().backoff(60, 30, 300));
    nextRound(false);
    nextRound(false);
    assertEquals(HOLD_DOWN, st.state());
    at(elapsed() + 10);
    HealthSnapshot before = snap();
    st.reconfigure(TestSettings.defaults().interval(10).backoff(20, 5, 50).build(), now());
    HealthSnapshot after = snap();
    assertEquals(before.holdDownRemaining(), after.holdDownRemaining(), "the hold-down earned stays");
    assertEquals(before.backoffLevel(), after.backoffLevel());
    assertEquals(before.failures() + before.timeouts(), after.failures() + after.timeouts());
    assertEquals(before.transitions(), after.transitions());
    assertTrue(st.drainChanges().stream().noneMatch(c -> c.to() == UP), "no change made by a reload");
    at(elapsed() + after.holdDownRemaining().toSeconds());
    nextRound(true);
    nextRound(false);
    nextRound(false);
    assertEquals(Duration.ofSeconds(25), snap().holdDownRemaining(), "the next hold-down follows the new settings");
  }
}
