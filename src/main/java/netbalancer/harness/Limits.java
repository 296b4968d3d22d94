package netbalancer.harness;

import java.time.Duration;
import netbalancer.config.Config;

/**
 * How long the balancer may take to react, derived from its own settings, so that a host with
 * the seed's defaults (30 s probes, 60 s hold-down) and the fast lab are judged by the same rule.
 *
 * @param out       a hard fault (carrier) until the uplink leaves LB_TABLE: event-driven
 * @param neighbor  a dead gateway until it leaves: ARP needs a packet (a probe) and ~3 s of retries
 * @param health    blocked probes until the daemon fails the uplink
 * @param back      a fault removed until the uplink is balanced again: debounce, hold-down, probes
 */
record Limits(Duration out, Duration neighbor, Duration health, Duration back) {
  private static final Duration SLACK = Duration.ofSeconds(3);
  private static final Duration ARP_GIVES_UP = Duration.ofSeconds(3);

  static Limits of(Config c) {
    Duration fastGap = max(min(c.healthCheckFastInterval(), c.healthCheckInterval()), Duration.ofSeconds(1));
    Duration slowGap = max(c.healthCheckInterval(), Duration.ofSeconds(1));
    Duration health = slowGap.plus(fastGap.multipliedBy(c.healthCheckFailureThreshold() - 1L))
        .plus(c.healthCheckTimeout().multipliedBy(c.healthCheckFailureThreshold())).plus(SLACK);
    Duration neighbor = slowGap.plus(c.healthCheckTimeout()).plus(ARP_GIVES_UP).plus(SLACK);
    if (!c.neighborReachabilityEnabled()) {
      neighbor = max(neighbor, health);
    }
    Duration holdDown = c.failoverHysteresisEnabled() ? max(c.failoverHoldDown(), c.failoverBackoffMax())
        : Duration.ZERO;
    Duration back = c.debounceTime().plus(SLACK);
    if (c.healthCheckEnabled()) {
      Duration recovery = fastGap.plus(c.healthCheckTimeout()).multipliedBy(c.healthCheckRecoveryThreshold());
      back = back.plus(holdDown).plus(recovery).plus(slowGap);
    }
    return new Limits(Duration.ofSeconds(3), neighbor, health, back);
  }

  static String seconds(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
