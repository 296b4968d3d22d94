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
 */
public record UplinkMetrics(String name, String state, int weight, int tier, boolean balanced, double rttSeconds,
    double lossRatio, long probesSuccess, long probesFailure, long probesTimeout, long transitions,
    long establishedConnections, long txBytes, long rxBytes) {

  public UplinkMetrics {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
  }
}
