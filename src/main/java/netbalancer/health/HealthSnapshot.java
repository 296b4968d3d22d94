package netbalancer.health;

import java.time.Duration;
import java.time.Instant;
import netbalancer.plan.UplinkState;

/**
 * One uplink's health at one moment, for status, metrics and planning. Immutable.
 *
 * @param uplink               interface name
 * @param sourceAddress        the address probes are bound to
 * @param state                UP, DEGRADED (a probe round failed, below the threshold: still in
 *                             service), DOWN or HOLD_DOWN
 * @param eligible             whether health lets the uplink take new connections: UP or DEGRADED
 * @param reason               why the state last changed
 * @param since                when the state last changed
 * @param holdDownRemaining    time left in HOLD_DOWN, zero in any other state
 * @param rttLast              the last successful probe's round trip; null before the first one
 * @param rttSmoothed          EWMA of the round trips (gain 1/8); null before the first one
 * @param loss                 lost share (0..1) of the last {@code lossSamples} probes, all targets
 * @param lossSamples          how many probes the loss is taken over (at most 20)
 * @param successes            probes answered (a TCP "connection refused" is an answer)
 * @param failures             probes that failed with an error (unreachable, bind failed …)
 * @param timeouts             probes that had no answer within HEALTH_CHECK_TIMEOUT
 * @param transitions          state changes so far
 * @param consecutiveFailures  failed probe rounds in a row
 * @param consecutiveSuccesses passed probe rounds in a row that count towards recovery
 * @param backoffLevel         failures in a row without a stable period between them (0 = none)
 * @param neighborFailed       the gateway's neighbor entry is FAILED/INCOMPLETE
 * @param fastMode             probing at HEALTH_CHECK_FAST_INTERVAL to confirm a suspicion
 * @param nextProbeAt          when the next probe round starts; null while one runs or when
 *                             health checks are disabled
 */
public record HealthSnapshot(String uplink, String sourceAddress, UplinkState state, boolean eligible,
    String reason, Instant since, Duration holdDownRemaining, Duration rttLast, Duration rttSmoothed,
    double loss, int lossSamples, long successes, long failures, long timeouts, long transitions,
    int consecutiveFailures, int consecutiveSuccesses, int backoffLevel, boolean neighborFailed,
    boolean fastMode, Instant nextProbeAt) {
}
