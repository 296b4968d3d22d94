package netbalancer.bench;

import java.util.List;

/**
 * How much of everything to measure. The full run is for people and takes minutes; the quick
 * run exists so CI keeps every section working, in about four minutes (nine sections, both families), and its
 * numbers are rough.
 */
public record BenchPlan(boolean quick, List<Integer> applySizes, int applyWarmup, int applyIterations,
    int reactionEvents, int detectionDefaultSamples, int detectionFastSamples, int dataPlaneRounds,
    int iperfSeconds, int connRateMillis, int distributionConnections, int footprintIdleSeconds) {

  /** 63, not 64: a mark mask is at least 6 bits wide, so net-balancer balances at most 63 uplinks. */
  static final int MOST_UPLINKS = 63;

  public BenchPlan {
    applySizes = List.copyOf(applySizes);
  }

  public static BenchPlan fullRun() {
    return new BenchPlan(false, List.of(1, 2, 4, 8, 16, 32, MOST_UPLINKS), 5, 30, 50, 3, 5, 40, 2, 1500, 6000, 60);
  }

  /** The default-settings detection case is skipped: one idle sample alone takes 30 s or more. */
  public static BenchPlan quickRun() {
    return new BenchPlan(true, List.of(1, 8, MOST_UPLINKS), 1, 2, 5, 0, 1, 1, 1, 500, 600, 3);
  }
}
