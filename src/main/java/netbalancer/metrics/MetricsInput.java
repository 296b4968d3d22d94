package netbalancer.metrics;

import java.util.List;

/**
 * Everything {@link Metrics} exports besides the log message count, as the daemon knows it after a
 * reconcile or a health change. Counters are absolute values.
 *
 * @param uplinks                 the uplinks that exist now; one missing here disappears from the output
 * @param failoversTotal          uplinks that stopped taking new connections, since start
 * @param lastReconcileSeconds    how long the last reconcile pass took
 * @param lastSuccessEpochSeconds when a pass last applied cleanly (Unix seconds); 0 if none yet
 * @param reconcilesTotal         passes run
 * @param reconcileFailuresTotal  passes that failed
 */
public record MetricsInput(List<UplinkMetrics> uplinks, long failoversTotal, double lastReconcileSeconds,
    double lastSuccessEpochSeconds, long reconcilesTotal, long reconcileFailuresTotal) {

  public MetricsInput {
    uplinks = List.copyOf(uplinks);
  }
}
