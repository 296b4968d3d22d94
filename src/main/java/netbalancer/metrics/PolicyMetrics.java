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
 */
public record PolicyMetrics(String name, List<String> uplinks, boolean fallback, long newConnections) {
  public PolicyMetrics {
    uplinks = List.copyOf(uplinks);
  }

  /** Without a count. */
  public PolicyMetrics(String name, List<String> uplinks, boolean fallback) {
    this(name, uplinks, fallback, 0);
  }
}
