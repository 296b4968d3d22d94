package netbalancer.metrics;

import java.util.Objects;

/**
 * One uplink as the daemon sees it at one moment. Counters are the source's absolute values;
 * {@link Metrics} turns them into counters that never go back (nft counters restart at zero
 * when the ruleset is replaced, the health monitor's when it is rebuilt).
 *
 * @param name                   interface name, the {@code interface} label
 * @param state                  up, degraded, draining, down or hold-down
 * @param weight                 multipath weight
 * @param tier                   failover tier (1 is used first)
 * @param balanced               whether new connections are currently spread onto it
 * @param rttSeconds             smoothed probe round trip; NaN while unknown (the series is left out)
 * @param lossRatio              lost share of recent probes, 0..1; NaN leaves the series out
 * @param probesSuccess          probes answered
 * @param probesFailure          probes that failed with an error
 * @param probesTimeout          probes without an answer in time
 * @param transitions            state changes
 * @param establishedConnections conntrack entries pinned to it
 * @param txBytes                bytes sent through it (nft counter)
 * @param rxBytes                bytes received through it (nft counter)
 * @param ipv6                   its IPv6 side; null when it has none
 * @param ipv4                   whether it has an IPv4 side (false: IPv6-only, no family="ipv4" series)
 */
public record UplinkMetrics(String name, String state, int weight, int tier, boolean balanced, double rttSeconds,
    double lossRatio, long probesSuccess, long probesFailure, long probesTimeout, long transitions,
    long establishedConnections, long txBytes, long rxBytes, Side ipv6, boolean ipv4) {

  public UplinkMetrics {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
  }

  /** An uplink with an IPv4 side, and an IPv6 side unless {@code ipv6} is null. */
  public UplinkMetrics(String name, String state, int weight, int tier, boolean balanced, double rttSeconds,
      double lossRatio, long probesSuccess, long probesFailure, long probesTimeout, long transitions,
      long establishedConnections, long txBytes, long rxBytes, Side ipv6) {
    this(name, state, weight, tier, balanced, rttSeconds, lossRatio, probesSuccess, probesFailure, probesTimeout,
        transitions, establishedConnections, txBytes, rxBytes, ipv6, true);
  }

  /** An uplink without an IPv6 side. */
  public UplinkMetrics(String name, String state, int weight, int tier, boolean balanced, double rttSeconds,
      double lossRatio, long probesSuccess, long probesFailure, long probesTimeout, long transitions,
      long establishedConnections, long txBytes, long rxBytes) {
    this(name, state, weight, tier, balanced, rttSeconds, lossRatio, probesSuccess, probesFailure, probesTimeout,
        transitions, establishedConnections, txBytes, rxBytes, null);
  }

  /**
   * One family's side of an uplink: its state, whether it is in that family's multipath route, and
   * its own probes' RTT and loss (NaN while unknown, or when the family is not probed on its own).
   */
  public record Side(String state, boolean balanced, double rttSeconds, double lossRatio) {
    public Side {
      Objects.requireNonNull(state, "state");
    }
  }
}
