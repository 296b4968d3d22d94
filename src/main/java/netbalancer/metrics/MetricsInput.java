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
 * @param failOpen                no uplink is healthy and LB_TABLE holds every uplink with carrier
 * @param policies                the traffic policies in file order (none without a policies file)
 */
public record MetricsInput(List<UplinkMetrics> uplinks, long failoversTotal, double lastReconcileSeconds,
    double lastSuccessEpochSeconds, long reconcilesTotal, long reconcileFailuresTotal, boolean failOpen,
    List<PolicyMetrics> policies) {

  public MetricsInput {
    uplinks = List.copyOf(uplinks);
    policies = List.copyOf(policies);
  }

  /** Without policies. */
  public MetricsInput(List<UplinkMetrics> uplinks, long failoversTotal, double lastReconcileSeconds,
      double lastSuccessEpochSeconds, long reconcilesTotal, long reconcileFailuresTotal, boolean failOpen) {
    this(uplinks, failoversTotal, lastReconcileSeconds, lastSuccessEpochSeconds, reconcilesTotal,
        reconcileFailuresTotal, failOpen, List.of());
  }

  /** Not failing open. */
  public MetricsInput(List<UplinkMetrics> uplinks, long failoversTotal, double lastReconcileSeconds,
      double lastSuccessEpochSeconds, long reconcilesTotal, long reconcileFailuresTotal) {
    this(uplinks, failoversTotal, lastReconcileSeconds, lastSuccessEpochSeconds, reconcilesTotal,
        reconcileFailuresTotal, false);
  }
}
