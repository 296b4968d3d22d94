package netbalancer.harness;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The lab demo's live status: one row per uplink with its state and share of the last batch. */
final class ShareTable {
  private static final String ROW = "%-11s %-7s %-7s %-10s %-9s %s%n";

  private ShareTable() {
  }

  /**
   * @param shares  connections of the last batch by uplink
   * @param failed  connections of the last batch that failed
   */
  static String render(double seconds, List<String> uplinks, Map<String, Integer> weights, DaemonView daemon,
      Set<String> balanced, Map<String, Integer> shares, int failed) {
    int total = shares.values().stream().mapToInt(Integer::intValue).sum() + failed;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(ROW, String.format("  [%5.1f s]", seconds), "UPLINK", "WEIGHT", "STATE", "LB_TABLE",
        "SHARE of the last " + total + " connections"));
    for (String u : uplinks) {
      int n = shares.getOrDefault(u, 0);
      int pct = total == 0 ? 0 : Math.round(100f * n / total);
      sb.append(String.format(ROW, "", u, weights.getOrDefault(u, 1), daemon == null ? "?" : daemon.state(u),
          balanced.contains(u) ? "yes" : "no", String.format("%3d%% %s", pct, "#".repeat(pct / 4))));
    }
    if (failed > 0) {
      sb.append(String.format(ROW, "", "failed", "", "", "", String.format("%3d%% (%d connection(s): sent before the"
          + " balancer reacted)", Math.round(100f * failed / total), failed)));
    }
    return sb.toString();
  }
}
