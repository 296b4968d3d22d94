package netbalancer.health;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import netbalancer.config.Config;
import netbalancer.config.ProbeMethod;

/**
 * The health and failover settings, copied out of the configuration once so that this package
 * does not depend on the config record's accessor names.
 *
 * @param enabled           HEALTH_CHECK_ENABLED: false leaves every uplink UP for health
 * @param interval          HEALTH_CHECK_INTERVAL: between probe rounds of a healthy uplink
 * @param fastInterval      HEALTH_CHECK_FAST_INTERVAL: between rounds while a failure is confirmed
 * @param timeout           HEALTH_CHECK_TIMEOUT: per probe
 * @param failureThreshold  HEALTH_CHECK_FAILURE_THRESHOLD: failed rounds in a row that fail it
 * @param recoveryThreshold HEALTH_CHECK_RECOVERY_THRESHOLD: passed rounds in a row that restore it
 * @param targets           HEALTH_PROBE_TARGETS, or HEALTH_PROBE_TARGET alone
 * @param quorum            HEALTH_PROBE_QUORUM: targets that must answer for a round to pass
 * @param port              HEALTH_PROBE_PORT: for TCP probes
 * @param method            HEALTH_PROBE_METHOD
 * @param hysteresisEnabled FAILOVER_HYSTERESIS_ENABLED: hold-down and backoff after a failure
 * @param backoffBase       FAILOVER_BACKOFF_BASE: added to the hold-down at the first repeat
 * @param backoffMax        FAILOVER_BACKOFF_MAX: the longest hold-down
 * @param holdDown          FAILOVER_HOLD_DOWN: how long a failed uplink stays out at least
 * @param neighborEnabled   NEIGHBOR_REACHABILITY_ENABLED: a FAILED gateway neighbor fails it
 */
public record HealthSettings(boolean enabled, Duration interval, Duration fastInterval, Duration timeout,
    int failureThreshold, int recoveryThreshold, List<String> targets, int quorum, int port,
    ProbeMethod method, boolean hysteresisEnabled, Duration backoffBase, Duration backoffMax,
    Duration holdDown, boolean neighborEnabled) {

  /** No target is probed more than once a second, whatever the settings say. */
  public static final Duration MIN_PROBE_GAP = Duration.ofSeconds(1);

  public HealthSettings {
    for (Duration d : new Duration[] {interval, fastInterval, timeout, backoffBase, backoffMax, holdDown}) {
      if (Objects.requireNonNull(d, "duration").isNegative()) {
        throw new IllegalArgumentException("negative duration: " + d);
      }
    }
    if (timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    targets = List.copyOf(targets);
    Objects.requireNonNull(method, "method");
    if (targets.isEmpty() || failureThreshold < 1 || recoveryThreshold < 1 || quorum < 1
        || quorum > targets.size() || port < 1 || port > 65535) {
      throw new IllegalArgumentException("invalid health settings: targets=" + targets + " quorum=" + quorum
          + " thresholds=" + failureThreshold + "/" + recoveryThreshold + " port=" + port);
    }
  }

  /** The health settings of a validated configuration. */
  public static HealthSettings from(Config c) {
    return new HealthSettings(c.healthCheckEnabled(), c.healthCheckInterval(), c.healthCheckFastInterval(),
        c.healthCheckTimeout(), c.healthCheckFailureThreshold(), c.healthCheckRecoveryThreshold(),
        c.probeTargets(), c.healthProbeQuorum(), c.healthProbePort(), c.healthProbeMethod(),
        c.failoverHysteresisEnabled(), c.failoverBackoffBase(), c.failoverBackoffMax(), c.failoverHoldDown(),
        c.neighborReachabilityEnabled());
  }

  /**
   * These settings for the probes of one address family: only its targets (an IPv6 literal is the
   * one with a colon), HEALTH_PROBE_QUORUM capped at their number. A family without a target is
   * not probed on its own ({@code enabled} false): it follows the uplink's other state.
   */
  public HealthSettings forFamily(boolean ipv6) {
    List<String> mine = targets.stream().filter(t -> t.indexOf(':') >= 0 == ipv6).toList();
    boolean on = enabled && !mine.isEmpty();
    List<String> t = mine.isEmpty() ? targets : mine;
    return new HealthSettings(on, interval, fastInterval, timeout, failureThreshold, recoveryThreshold, t,
        Math.min(quorum, t.size()), port, method, hysteresisEnabled, backoffBase, backoffMax, holdDown,
        neighborEnabled);
  }

  /**
   * The seed's defaults: 30 s interval, 1 s fast, 3 s timeout, 2/1 thresholds, 1.1.1.1:53 over TCP
   * (and its IPv6 twin for IPv6 sides, as {@code Config#probeTargets}).
   */
  public static HealthSettings defaults() {
    return new HealthSettings(true, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(3), 2, 1,
        List.of("1.1.1.1", "2606:4700:4700::1111"), 1, 53, ProbeMethod.TCP, true, Duration.ofSeconds(30), Duration.ofSeconds(300),
        Duration.ofSeconds(60), true);
  }

  /**
   * The longest hold-down: FAILOVER_BACKOFF_MAX, unless FAILOVER_HOLD_DOWN alone is longer (the
   * first failure always gets the full hold-down the user asked for).
   */
  public Duration maxHoldDown() {
    return max(backoffMax, holdDown);
  }

  /**
   * How long an uplink must stay in service for its next failure to count as a first one again.
   * As long as the longest hold-down: an uplink that outlasts its worst penalty is not flapping.
   */
  public Duration backoffResetAfter() {
    return maxHoldDown();
  }

  /**
   * The hold-down for the {@code level}-th failure in a row (1 = first): FAILOVER_HOLD_DOWN, plus
   * FAILOVER_BACKOFF_BASE doubled for each repeat after the first, capped at {@link #maxHoldDown()}.
   * Seed defaults: 60, 90, 120, 180, 300, 300 … seconds.
   */
  public Duration holdDownFor(int level) {
    if (level <= 1) {
      return holdDown;
    }
    long capNanos = maxHoldDown().toNanos();
    long extra = backoffBase.toNanos();
    for (int i = 2; i < level && extra > 0 && extra < capNanos; i++) {
      extra *= 2; // stops doubling at the cap, so it cannot overflow
    }
    return Duration.ofNanos(Math.min(capNanos, holdDown.toNanos() + Math.min(extra, capNanos)));
  }

  /** Start-to-start gap between probe rounds, never below {@link #MIN_PROBE_GAP}. */
  Duration probeGap(boolean fast) {
    Duration gap = fast ? min(fastInterval, interval) : interval;
    return max(gap, MIN_PROBE_GAP);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
