package netbalancer.metrics;

import java.util.List;

/**
 * One traffic policy as the metrics show it.
 *
 * @param name     the policy's name in POLICIES_FILE
 * @param uplinks  the uplinks its new connections go to now (LB_TABLE's for balanced; none for
 *                 main, unreachable, blackhole)
 * @param fallback its own uplinks are all ineligible and its {@code else} decides
 * @param newConnections its new connections as its nft counter reads (restarts when the ruleset is replaced)
 * @param uplinks6  the uplinks its IPv6 connections go to now; null when no uplink has IPv6
 * @param fallback6 its IPv6 side's else decides
 */
public record PolicyMetrics(String name, List<String> uplinks, boolean fallback, long newConnections,
    List<String> uplinks6, boolean fallback6) {
  public PolicyMetrics {
    uplinks = List.copyOf(uplinks);
    uplinks6 = uplinks6 == null ? null : List.copyOf(uplinks6);
  }

  /** IPv4 only. */
  public PolicyMetrics(String name, List<String> uplinks, boolean fallback, long newConnections) {
    this(name, uplinks, fallback, newConnections, null, false);
  }

  /** IPv4 only, without a count. */
  public PolicyMetrics(String name, List<String> uplinks, boolean fallback) {
    this(name, uplinks, fallback, 0);
  }
}
