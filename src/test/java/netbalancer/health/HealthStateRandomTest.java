package netbalancer.health;

import static netbalancer.plan.UplinkState.DEGRADED;
import static netbalancer.plan.UplinkState.DOWN;
import static netbalancer.plan.UplinkState.HOLD_DOWN;
import static netbalancer.plan.UplinkState.UP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import netbalancer.plan.UplinkState;
import netbalancer.system.FakeTicker;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Long seeded random runs of probe results and events against a shadow model that checks the
 * promises of the state machine after every step. A failure names its seed and step.
 */
class HealthStateRandomTest {
  private static final int STEPS = 100_000;
  private static final long SEC = 1_000_000_000L;

  static Stream<Arguments> runs() {
    return Stream.of(
        Arguments.of(1L, TestSettings.defaults()),
        Arguments.of(2L, TestSettings.defaults().thresholds(3, 2).targets(2, "t1", "t2", "t3")),
        Arguments.of(3L, TestSettings.defaults().thresholds(1, 3).interval(5).backoff(10, 5, 40)),
        Arguments.of(4L, TestSettings.defaults().hysteresis(false).thresholds(2, 2)),
        Arguments.of(5L, TestSettings.defaults().interval(1).fast(Duration.ofMillis(200)).backoff(2, 1, 20)),
        Arguments.of(6L, TestSettings.defaults().enabled(false)),
        Arguments.of(7L, TestSettings.defaults().neighbor(false).thresholds(4, 1).targets(1, "t1", "t2")));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("runs")
  void invariantsHoldOverLongRandomRuns(long seed, TestSettings builder) {
    new Run(seed, builder.build()).go();
  }

  private static final class Run {
    final Random rnd;
    final long seed;
    final HealthSettings s;
    final FakeTicker clock = new FakeTicker();
    final HealthState st;
    int step;
    // the world
    double failP = 0.02;
    // the round in flight
    boolean inFlight;
    long roundStart;
    long roundEnd;
    long lastStart = Long.MIN_VALUE;
    // shadow model
    int failedInRow;
    int countedPasses;
    long countFrom = Long.MIN_VALUE;
    boolean neighborDown;
    long holdDownEnd = Long.MIN_VALUE;
    long inServiceSince;
    int level;
    int recoveries;
    boolean noCarrier;
    long carrierBack = Long.MIN_VALUE;
    final java.util.ArrayDeque<Long> losses = new java.util.ArrayDeque<>();
    int flapFailures;
    boolean flappy;
    final Map<UplinkState, Integer> seen = new EnumMap<>(UplinkState.class);

    Run(long seed, HealthSettings settings) {
      this.seed = seed;
      this.rnd = new Random(seed);
      this.s = settings;
      this.st = new HealthState(settings, clock.read());
      this.inServiceSince = clock.read();
    }

    long now() {
      return clock.read();
    }

    void go() {
      for (step = 0; step < STEPS; step++) {
        if (rnd.nextInt(200) == 0) {
          failP = new double[] {0.0, 0.02, 0.3, 0.6, 0.97, 1.0}[rnd.nextInt(6)]; // the link changes character
        }
        if (rnd.nextInt(300) == 0) {
          flappy = !flappy; // a stretch of carrier flaps a second or two apart
        }
        int dice = rnd.nextInt(100);
        if (flappy && dice < 40) {
          clock.advance(Duration.ofMillis(rnd.nextInt(3_000)));
          st.advance(now());
          carrier(noCarrier);
        } else if (dice < 70) {
          nextEvent();
        } else if (dice < 80) {
          clock.advance(Duration.ofMillis(rnd.nextInt(5_000)));
          st.advance(now());
        } else if (dice < 88) {
          boolean wasIn = st.eligible();
          st.suspect(now(), "no replies", rnd.nextBoolean()); // strong evidence counts as a failure
          assertTrue(!wasIn || st.eligible(), at("failed on traffic evidence alone"));
        } else if (dice < 91) {
          carrier(rnd.nextInt(3) != 0 && !noCarrier ? false : true);
        } else if (dice < 94) {
          neighborDown |= s.neighborEnabled();
          countedPasses = 0;
          st.neighborFailed(now());
        } else {
          if (neighborDown) {
            countFrom = Math.max(countFrom, now());
            countedPasses = 0;
          }
          neighborDown = false;
          st.neighborReachable(now());
        }
        check();
      }
      if (s.enabled()) {
        for (UplinkState u : s.failureThreshold() > 1 ? List.of(UP, DEGRADED, DOWN) : List.of(UP, DOWN)) {
          assertTrue(seen.getOrDefault(u, 0) > 100, "seed " + seed + " hardly visited " + u + ": " + seen);
        }
        assertTrue(recoveries > 100, "seed " + seed + " hardly recovered: " + recoveries);
        if (s.hysteresisEnabled()) {
          assertTrue(seen.getOrDefault(HOLD_DOWN, 0) > 100, "seed " + seed + " hardly held down: " + seen);
          assertTrue(flapFailures > 10, "seed " + seed + " hardly flapped: " + flapFailures);
        }
      }
    }

    /** A carrier change: no round starts without carrier, none that overlapped a loss counts. */
    void carrier(boolean up) {
      if (up) {
        if (noCarrier) {
          carrierBack = now();
        }
        noCarrier = false;
        st.carrierBack(now());
        return;
      }
      boolean wasIn = st.eligible();
      if (!noCarrier) {
        losses.addLast(now());
        while (now() - losses.peekFirst() > HealthState.FLAP_WINDOW_NANOS) {
          losses.removeFirst();
        }
      }
      boolean flap = !noCarrier && wasIn && s.hysteresisEnabled() && losses.size() >= HealthState.FLAP_LOSSES;
      noCarrier = true;
      st.carrierLost(now());
      assertEquals(wasIn && !flap, st.eligible(), at(flap ? "a flap is a failure" : "one carrier loss is none"));
      flapFailures += flap ? 1 : 0;
    }

    /** Jumps to the round's end, or to the next time the machine wants to wake, and acts there. */
    void nextEvent() {
      if (inFlight) {
        clock.set(Math.max(now(), roundEnd));
        completeRound();
        return;
      }
      long wake = st.nextWakeAt();
      clock.set(wake == HealthState.NEVER ? now() + rnd.nextInt(100) * SEC : Math.max(now(), wake));
      boolean held = st.state() == HOLD_DOWN; // then the wake may be for the hold-down's end
      st.advance(now());
      if (st.probeDue(now())) {
        assertFalse(noCarrier, at("a probe without carrier"));
        if (lastStart != Long.MIN_VALUE) {
          assertTrue(now() - lastStart >= HealthSettings.MIN_PROBE_GAP.toNanos(), at("rounds 1 s apart at least"));
        }
        st.probeStarted(now());
        inFlight = true;
        roundStart = now();
        lastStart = now();
        roundEnd = now() + (rnd.nextBoolean() ? 0 : (long) (rnd.nextDouble() * s.timeout().toNanos()));
      } else {
        assertFalse(s.enabled() && wake <= now() && !held && wake != HealthState.NEVER && !noCarrier,
            at("woken for a probe that is not due"));
      }
    }

    void completeRound() {
      List<ProbeResult> results = new ArrayList<>();
      int answered = 0;
      for (int i = 0; i < s.targets().size(); i++) {
        boolean ok = rnd.nextDouble() >= failP;
        answered += ok ? 1 : 0;
        results.add(ok ? ProbeResult.success(Duration.ofMillis(1 + rnd.nextInt(300)), "ok")
            : rnd.nextBoolean() ? ProbeResult.timeout("no answer") : ProbeResult.failure("unreachable"));
      }
      boolean passed = answered >= s.quorum();
      if (noCarrier || roundStart < carrierBack) {
        // tested a link without carrier: counts for nothing (the machine must agree, see check)
        int before = st.snapshot("wan1", "198.18.1.2", now(), Instant.EPOCH).consecutiveFailures();
        inFlight = false;
        st.probeCompleted(now(), results);
        assertEquals(before, st.snapshot("wan1", "198.18.1.2", now(), Instant.EPOCH).consecutiveFailures(),
            at("a round without carrier counted"));
        return;
      } else if (passed) {
        failedInRow = 0;
        if (roundStart >= countFrom && !neighborDown) {
          countedPasses++;
        }
      } else {
        failedInRow++;
        countedPasses = 0;
      }
      inFlight = false;
      st.probeCompleted(now(), results);
      long next = st.nextWakeAt();
      long gapCap = Math.max(s.interval().toNanos(), SEC);
      assertTrue(next <= Math.max(now(), roundStart + gapCap), at("the next round is at most one interval away"));
      if (failedInRow >= s.failureThreshold()) {
        assertFalse(st.eligible(), at(failedInRow + " failed rounds in a row but still in service"));
      }
    }

    void check() {
      HealthSnapshot snap = st.snapshot("wan1", "198.18.1.2", now(), Instant.EPOCH);
      for (HealthState.Change c : st.drainChanges()) {
        assertNotEquals(c.from(), c.to(), at("a change that changes nothing"));
        boolean wasIn = c.from() == UP || c.from() == DEGRADED;
        boolean isIn = c.to() == UP || c.to() == DEGRADED;
        if (wasIn && !isIn) { // a failure
          level = (now() - inServiceSince >= s.backoffResetAfter().toNanos() ? 0 : level) + 1;
          countedPasses = 0;
          if (c.to() == HOLD_DOWN) {
            assertTrue(s.hysteresisEnabled(), at("hold-down without hysteresis"));
            Duration hold = snap.holdDownRemaining();
            assertTrue(hold.compareTo(s.maxHoldDown()) <= 0, at("hold-down " + hold + " above the max"));
            assertEquals(s.holdDownFor(level), hold, at("hold-down for level " + level));
            holdDownEnd = now() + hold.toNanos();
            countFrom = holdDownEnd;
          } else {
            countFrom = now();
          }
        }
        if (!wasIn && isIn) { // a recovery
          assertEquals(UP, c.to(), at("recovered to degraded"));
          assertTrue(now() >= holdDownEnd, at("back in service during its hold-down"));
          assertFalse(neighborDown, at("back in service while its neighbor is failed"));
          if (s.enabled()) {
            assertTrue(countedPasses >= s.recoveryThreshold(),
                at("back after " + countedPasses + " counted passes, threshold " + s.recoveryThreshold()));
          }
          inServiceSince = now();
          recoveries++;
        }
      }
      UplinkState state = st.state();
      seen.merge(state, 1, Integer::sum);
      assertEquals(state, snap.state());
      assertEquals(state == UP || state == DEGRADED, snap.eligible());
      if (now() < holdDownEnd) {
        assertEquals(HOLD_DOWN, state, at("out of hold-down early"));
      }
      assertEquals(state == HOLD_DOWN, !snap.holdDownRemaining().isZero(), at("hold-down time left"));
      if (state == DEGRADED) {
        assertTrue(snap.consecutiveFailures() > 0 && snap.consecutiveFailures() < s.failureThreshold(),
            at("degraded with " + snap.consecutiveFailures() + " failures"));
      }
      if (neighborDown) {
        assertFalse(snap.eligible(), at("in service with a failed neighbor"));
      }
      if (!s.enabled()) {
        assertEquals(0, snap.successes() + snap.failures() + snap.timeouts(), at("probed while disabled"));
      }
      if (s.enabled() && !inFlight && !noCarrier && st.nextWakeAt() == HealthState.NEVER) {
        fail(at("no probe planned"));
      }
    }

    String at(String what) {
      return "seed " + seed + " step " + step + " (t=" + now() / 1e9 + " s, " + st.state() + "): " + what;
    }
  }
}
