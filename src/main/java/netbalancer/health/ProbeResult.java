package netbalancer.health;

import java.time.Duration;
import java.util.Objects;

/**
 * What one probe of one target through one uplink found.
 *
 * @param outcome success, failure (an error: unreachable, bind failed) or timeout
 * @param rtt     the round trip; null unless the outcome is success
 * @param detail  a short human reason, shown in status and logs
 */
public record ProbeResult(Outcome outcome, Duration rtt, String detail) {

  /** How a probe ended; counted separately in the metrics. */
  public enum Outcome {
    SUCCESS, FAILURE, TIMEOUT
  }

  public ProbeResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(detail, "detail");
    if ((outcome == Outcome.SUCCESS) != (rtt != null)) {
      throw new IllegalArgumentException("rtt is required for success and only for success");
    }
  }

  public static ProbeResult success(Duration rtt, String detail) {
    return new ProbeResult(Outcome.SUCCESS, rtt, detail);
  }

  public static ProbeResult failure(String detail) {
    return new ProbeResult(Outcome.FAILURE, null, detail);
  }

  public static ProbeResult timeout(String detail) {
    return new ProbeResult(Outcome.TIMEOUT, null, detail);
  }

  public boolean ok() {
    return outcome == Outcome.SUCCESS;
  }
}
