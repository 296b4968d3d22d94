package netbalancer.metrics;

import java.util.List;

/** Test inputs. */
final class Inputs {
  private Inputs() {
  }

  static UplinkMetrics uplink(String name, String state, boolean balanced, long tx, long rx) {
    return new UplinkMetrics(name, state, 2, 1, balanced, 0.0125, 0.05, 100, 3, 2, 4, 17, tx, rx);
  }

  static MetricsInput input(long failovers, UplinkMetrics... uplinks) {
    return new MetricsInput(List.of(uplinks), failovers, 0.0042, 1_700_000_000.5, 12, 1);
  }
}
