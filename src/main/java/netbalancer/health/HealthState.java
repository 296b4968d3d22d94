package netbalancer.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import netbalancer.plan.UplinkState;

/**
 * The health state machine of one uplink: pure (no I/O, no threads, no clock of its own; every
 * method takes the ticker's "now"), driven by probe rounds and neighbor and traffic events.
 *
 * <pre>
 *   UP ──round fails──▶ DEGRADED ──FAILURE_THRESHOLD rounds in a row, or neighbor FAILED──▶
 *      HOLD_DOWN (hysteresis) ──hold-down over──▶ DOWN ──RECOVERY_THRESHOLD rounds pass──▶ UP
 *      DOWN (no hysteresis)   ──RECOVERY_THRESHOLD rounds pass──────────────────────────▶ UP
 * </pre>
 *
 * <p>Why each rule: a failed round brings the next forward to HEALTH_CHECK_FAST_INTERVAL so
 * detection does not cost threshold × interval. Rounds that pass during a hold-down, or that
 * started before it ended, never count towards recovery: the hold-down is a promise that the
 * uplink stays out. Each failure within {@link HealthSettings#backoffResetAfter()} of returning
 * to service raises the backoff level, and with it the next hold-down ({@link
 * HealthSettings#holdDownFor}). No round starts within {@link HealthSettings#MIN_PROBE_GAP} of
 * the previous one, whatever asks for it.
 *
 * <p>Traffic evidence ({@link #suspect}) makes the next round start at once. Strong evidence may
 * also count as the first failed observation, never as the last: an uplink still fails only on a
 * failed probe round, so with the default threshold of 2 one failed confirmation round (one
 * HEALTH_CHECK_TIMEOUT) does it instead of two.
 *
 * <p>Carrier ({@link #carrierLost}, {@link #carrierBack}): a probe of an uplink without carrier
 * tests nothing, so none starts while it is gone, and a round that overlapped a loss is not
 * counted (neither pass nor failure): the carrier rules alone judge the outage, wherever the probe
 * timer happened to be. Under hysteresis, {@link #FLAP_LOSSES} carrier losses within {@link
 * #FLAP_WINDOW_NANOS} count as one failure (hold-down with backoff, as failed probes do): one loss
 * is a cable being re-seated, three in a minute is a flapping link. Not thread-safe: {@link
 * HealthMonitor} locks.
 */
final class HealthState {
  static final long NEVER = Long.MAX_VALUE;
  private static final long NONE = Long.MIN_VALUE;
  // Far above any sensible streak; keeps the counter from overflowing on a years-long flap.
  private static final int MAX_LEVEL = 1_000;
  /** Carrier losses within {@link #FLAP_WINDOW_NANOS} that make a flap (a failure). */
  static final int FLAP_LOSSES = 3;
  static final long FLAP_WINDOW_NANOS = 60_000_000_000L;

  /** A state change, to be told to listeners in the order it happened. */
  record Change(UplinkState from, UplinkState to, String reason) {
  }

  private HealthSettings s;
  private final Measurements m = new Measurements();
  private final List<Change> changes = new ArrayList<>();
  private UplinkState state = UplinkState.UP;
  private String reason;
  private long since;
  private long transitions;
  private long inServiceSince;
  private int level;
  private long holdDownUntil;
  private long recoveryStartsAt = NONE;
  private int consecutiveFailures;
  private int consecutiveSuccesses;
  private boolean neighborFailed;
  private boolean fast;
  private String suspicion;
  private long suspectedAt;
  private boolean suspicionCounts; // the suspicion is one of consecutiveFailures
  private boolean inFlight;
  private boolean soon;
  private long lastProbeStart = NONE;
  private long nextProbeAt;
  private boolean noCarrier;
  private long carrierBackAt = NONE; // a round that started before this overlapped a loss
  private final ArrayDeque<Long> carrierLosses = new ArrayDeque<>();

  /** A new uplink is in service at once (it has a default route) and is probed at once. */
  HealthState(HealthSettings settings, long now) {
    s = settings;
    since = now;
    inServiceSince = now;
    reason = s.enabled() ? "new uplink" : "health checks disabled";
    nextProbeAt = s.enabled() ? now : NEVER;
  }

  UplinkState state() {
    return state;
  }

  boolean eligible() {
    return state == UplinkState.UP || state == UplinkState.DEGRADED;
  }

  /** The earliest time {@link #advance} or a probe round has work to do; {@link #NEVER} if none. */
  long nextWakeAt() {
    long t = s.enabled() && !inFlight && !noCarrier ? nextProbeAt : NEVER;
    return state == UplinkState.HOLD_DOWN ? Math.min(t, holdDownUntil) : t;
  }

  /** Ends a hold-down whose time is over. Every other method calls it first. */
  void advance(long now) {
    if (state != UplinkState.HOLD_DOWN || now < holdDownUntil) {
      return;
    }
    if (neighborFailed) {
      to(UplinkState.DOWN, now, "hold-down over; gateway neighbor still unreachable");
    } else if (recoveryNeeded() == 0) {
      restore(now, "hold-down over");
    } else {
      to(UplinkState.DOWN, now, "hold-down over; waiting for " + recoveryNeeded() + " passed probe round(s)");
    }
  }

  boolean probeDue(long now) {
    return s.enabled() && !inFlight && !noCarrier && now >= nextProbeAt;
  }

  void probeStarted(long now) {
    if (inFlight) {
      throw new IllegalStateException("a probe round is already running");
    }
    advance(now);
    inFlight = true;
    lastProbeStart = now;
  }

  /** One round: one result per target; it passes when HEALTH_PROBE_QUORUM targets answered. */
  void probeCompleted(long now, List<ProbeResult> results) {
    if (!inFlight) {
      throw new IllegalStateException("no probe round is running");
    }
    inFlight = false;
    advance(now);
    if (noCarrier || lastProbeStart < carrierBackAt) {
      // Tested a link without carrier (or one in flux): no evidence either way.
      nextProbeAt = earliest(now); // without carrier: once it is back
      soon = false;
      return;
    }
    int answered = 0;
    String firstProblem = null;
    for (ProbeResult r : results) {
      m.record(r);
      if (r.ok()) {
        answered++;
      } else if (firstProblem == null) {
        firstProblem = r.detail();
      }
    }
    String summary = answered + "/" + results.size() + " targets answered"
        + (firstProblem == null ? "" : " (" + firstProblem + ")");
    if (answered >= s.quorum()) {
      passed(now, summary);
    } else {
      failed(now, summary);
    }
    nextProbeAt = soon ? earliest(now) : regularNext(now);
    soon = false;
  }

  /** Passive evidence (pinned connections stop getting replies): confirm it by probing at once. */
  void suspect(long now, String why) {
    suspect(now, why, false);
  }

  /**
   * Like {@link #suspect(long, String)}; with {@code counts} the evidence is also the first failed
   * observation (only if no round failed yet, and only below a threshold of 1: it never fails the
   * uplink by itself). A round that started before it cannot clear it.
   */
  void suspect(long now, String why, boolean counts) {
    advance(now);
    if (!s.enabled() || !eligible() || noCarrier) {
      // Without probes to confirm it, traffic evidence alone never fails an uplink; without
      // carrier, unanswered traffic says nothing the carrier rules do not.
      return;
    }
    fast = true;
    suspicion = why;
    suspectedAt = now;
    if (counts && consecutiveFailures == 0 && s.failureThreshold() > 1) {
      suspicionCounts = true;
      consecutiveFailures = 1;
      consecutiveSuccesses = 0;
      to(UplinkState.DEGRADED, now, "traffic: " + why + " (1/" + s.failureThreshold() + "); confirming with probes");
    }
    probeSoon(now);
  }

  /** The gateway's neighbor entry went FAILED/INCOMPLETE: a hard failure, no confirmation. */
  void neighborFailed(long now) {
    advance(now);
    if (!s.neighborEnabled() || neighborFailed) {
      return;
    }
    neighborFailed = true;
    consecutiveSuccesses = 0;
    if (eligible()) {
      fail(now, "gateway neighbor unreachable (FAILED/INCOMPLETE)");
    }
  }

  /** The neighbor answers again: only makes the uplink eligible for probing and recovery. */
  void neighborReachable(long now) {
    advance(now);
    if (!s.neighborEnabled() || !neighborFailed) {
      return;
    }
    neighborFailed = false;
    consecutiveSuccesses = 0;
    recoveryStartsAt = Math.max(recoveryStartsAt, now);
    if (state == UplinkState.DOWN && recoveryNeeded() == 0) {
      restore(now, "gateway neighbor reachable again");
    } else {
      probeSoon(now);
    }
  }

  /**
   * The uplink lost carrier: no probes until it is back. Under hysteresis the {@link #FLAP_LOSSES}-th
   * loss within {@link #FLAP_WINDOW_NANOS} fails an uplink in service (hold-down with backoff).
   */
  void carrierLost(long now) {
    advance(now);
    if (noCarrier) {
      return;
    }
    noCarrier = true;
    carrierLosses.addLast(now);
    while (now - carrierLosses.peekFirst() > FLAP_WINDOW_NANOS) {
      carrierLosses.removeFirst();
    }
    if (s.hysteresisEnabled() && eligible() && carrierLosses.size() >= FLAP_LOSSES) {
      fail(now, "carrier lost " + carrierLosses.size() + " times in "
          + Math.max(1, (now - carrierLosses.peekFirst()) / 1_000_000_000L) + " s (flapping)");
    }
  }

  /** Carrier is back: probe as soon as allowed (a round that overlapped the loss does not count). */
  void carrierBack(long now) {
    advance(now);
    if (!noCarrier) {
      return;
    }
    noCarrier = false;
    carrierBackAt = now;
    probeSoon(now);
  }

  boolean hasCarrier() {
    return !noCarrier;
  }

  /**
   * New settings (a reload): the state, levels, counters and a hold-down in progress stay as they
   * were earned; thresholds, intervals and the next hold-downs follow the new settings.
   */
  void reconfigure(HealthSettings next, long now) {
    advance(now);
    boolean wasEnabled = s.enabled();
    s = next;
    if (!next.enabled()) {
      nextProbeAt = NEVER;
      reason = wasEnabled ? "health checks disabled" : reason;
      if (state == UplinkState.DEGRADED || state == UplinkState.DOWN && !neighborFailed) {
        restore(now, "health checks disabled");
      }
    } else if (!wasEnabled || nextProbeAt == NEVER) {
      nextProbeAt = earliest(now);
    } else if (!inFlight && lastProbeStart != NONE && nextProbeAt > earliest(now)) {
      nextProbeAt = regularNext(now); // a changed interval counts from the last round
    }
  }

  /** Probe as soon as the rate limit allows, e.g. after the source address changed. */
  void probeSoon(long now) {
    if (inFlight) {
      soon = true;
    } else if (s.enabled()) {
      nextProbeAt = Math.min(nextProbeAt, earliest(now)); // waits for carrier if it is gone
    }
  }

  /** The changes since the last call, oldest first. */
  List<Change> drainChanges() {
    List<Change> out = List.copyOf(changes);
    changes.clear();
    return out;
  }

  HealthSnapshot snapshot(String uplink, String address, long now, Instant wallNow) {
    Duration remaining = state == UplinkState.HOLD_DOWN
        ? Duration.ofNanos(Math.max(0, holdDownUntil - now)) : Duration.ZERO;
    Instant next = s.enabled() && !inFlight && nextProbeAt != NEVER ? wallNow.plusNanos(nextProbeAt - now) : null;
    return new HealthSnapshot(uplink, address, state, eligible(), reason, wallNow.plusNanos(since - now),
        remaining, m.rttLast(), m.rttSmoothed(), m.loss(), m.samples(), m.successes(), m.failures(),
        m.timeouts(), transitions, consecutiveFailures, consecutiveSuccesses, effectiveLevel(now),
        neighborFailed, fast, next);
  }

  private void passed(long now, String summary) {
    if (suspicion == null || lastProbeStart >= suspectedAt) {
      // A round that started before the suspicion arrived cannot clear it.
      fast = false;
      suspicion = null;
      suspicionCounts = false;
    }
    consecutiveFailures = suspicionCounts ? 1 : 0;
    switch (state) {
      case UP -> consecutiveSuccesses++;
      case DEGRADED -> {
        if (!suspicionCounts) {
          consecutiveSuccesses++;
          to(UplinkState.UP, now, "probes pass again: " + summary);
        }
      }
      case DOWN -> {
        if (!neighborFailed && lastProbeStart >= recoveryStartsAt
            && ++consecutiveSuccesses >= s.recoveryThreshold()) {
          restore(now, "recovered: " + consecutiveSuccesses + " probe round(s) passed in a row");
        }
      }
      default -> {
        // HOLD_DOWN: passing rounds do not count until it is over
      }
    }
  }

  private void failed(long now, String summary) {
    consecutiveSuccesses = 0;
    consecutiveFailures++;
    if (!eligible()) {
      return;
    }
    if (consecutiveFailures >= s.failureThreshold()) {
      String why = suspicionCounts
          ? "traffic evidence confirmed by " + (consecutiveFailures - 1) + " failed probe round(s): " + summary
          : consecutiveFailures + " probe round(s) failed in a row: " + summary;
      fail(now, suspicion == null ? why : why + "; traffic: " + suspicion);
    } else {
      fast = true;
      to(UplinkState.DEGRADED, now,
          "probe round failed (" + consecutiveFailures + "/" + s.failureThreshold() + "): " + summary);
    }
  }

  private void fail(long now, String why) {
    level = Math.min(MAX_LEVEL, effectiveLevel(now) + 1);
    fast = false;
    suspicion = null;
    suspicionCounts = false;
    consecutiveSuccesses = 0;
    if (s.hysteresisEnabled()) {
      Duration hold = s.holdDownFor(level);
      if (!hold.isZero()) {
        holdDownUntil = now + hold.toNanos();
        recoveryStartsAt = holdDownUntil;
        to(UplinkState.HOLD_DOWN, now, why + "; hold-down " + hold.toSeconds() + " s (level " + level + ")");
        return;
      }
    }
    recoveryStartsAt = now;
    to(UplinkState.DOWN, now, why);
  }

  private void restore(long now, String why) {
    consecutiveFailures = 0;
    suspicionCounts = false;
    fast = false;
    inServiceSince = now;
    to(UplinkState.UP, now, why);
  }

  /** The backoff level, forgotten once the uplink has stayed in service long enough. */
  private int effectiveLevel(long now) {
    return eligible() && now - inServiceSince >= s.backoffResetAfter().toNanos() ? 0 : level;
  }

  /** Without probes (HEALTH_CHECK_ENABLED=false) there is nothing to wait for. */
  private int recoveryNeeded() {
    return s.enabled() ? s.recoveryThreshold() : 0;
  }

  private long earliest(long now) {
    return lastProbeStart == NONE ? now : Math.max(now, lastProbeStart + HealthSettings.MIN_PROBE_GAP.toNanos());
  }

  private long regularNext(long now) {
    long next = lastProbeStart + s.probeGap(fast).toNanos();
    if (!eligible() && lastProbeStart < recoveryStartsAt) {
      next = Math.min(next, recoveryStartsAt); // the first round that can count, as early as allowed
    }
    return Math.max(next, earliest(now));
  }

  private void to(UplinkState next, long now, String why) {
    if (next == state) {
      return;
    }
    changes.add(new Change(state, next, why));
    state = next;
    reason = why;
    since = now;
    transitions++;
  }
}
