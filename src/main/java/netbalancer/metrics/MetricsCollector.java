package netbalancer.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import netbalancer.log.Log;
import netbalancer.plan.UplinkState;

/**
 * Builds every series from one view, read once per scrape, so a scrape taken in the middle of a
 * failover never mixes two updates (an uplink both down and balanced). Callback metrics would
 * each read the latest view on their own.
 */
final class MetricsCollector implements MultiCollector {
  static final List<String> STATES = states();

  /** The latest view with monotonic counters; null before the first update. */
  private final Supplier<MetricsInput> view;

  MetricsCollector(Supplier<MetricsInput> view) {
    this.view = view;
  }

  @Override
  public MetricSnapshots collect() {
    List<MetricSnapshot> out = new ArrayList<>();
    out.add(counter("load_balancer_log_messages_total", "Log messages written.",
        List.of(counterPoint(Labels.EMPTY, Log.messageCount()))));
    MetricsInput in = view.get();
    if (in == null) {
      return new MetricSnapshots(out); // nothing reconciled yet: no numbers to claim
    }
    List<UplinkMetrics> ups = in.uplinks();
    out.add(gauge("load_balancer_active_interfaces", "Uplinks currently taking new connections.",
        List.of(gaugePoint(Labels.EMPTY, ups.stream().filter(UplinkMetrics::balanced).count()))));
    // Explicit: while failing open the active interfaces are every uplink with carrier, so their
    // count alone cannot tell an alert that nothing is healthy.
    out.add(gauge("load_balancer_fail_open",
        "1 while no uplink is healthy and new connections go over every uplink with carrier, else 0.",
        List.of(gaugePoint(Labels.EMPTY, in.failOpen() ? 1 : 0))));

    List<GaugeDataPointSnapshot> states = new ArrayList<>();
    for (UplinkMetrics u : ups) {
      List<String> names = new ArrayList<>(STATES);
      if (!names.contains(u.state())) {
        names.add(u.state()); // a state this build does not know still shows, rather than none
      }
      for (String s : names) {
        states.add(gaugePoint(Labels.of("interface", u.name(), "state", s), s.equals(u.state()) ? 1 : 0));
      }
    }
    out.add(gauge("load_balancer_uplink_state", "1 for the uplink's current state, 0 for the others.", states));
    out.add(gauge("load_balancer_uplink_weight", "Multipath weight of the uplink.",
        perUplink(ups, UplinkMetrics::weight)));
    out.add(gauge("load_balancer_uplink_tier", "Failover tier of the uplink (UPLINK_TIERS; 1 is used first).",
        perUplink(ups, UplinkMetrics::tier)));
    out.add(gauge("load_balancer_uplink_balanced", "1 if the uplink takes new connections, else 0.",
        perUplink(ups, u -> u.balanced() ? 1 : 0)));
    out.add(gauge("load_balancer_probe_rtt_seconds", "Smoothed round trip of the health probes.",
        perUplink(ups, UplinkMetrics::rttSeconds)));
    out.add(gauge("load_balancer_probe_loss_ratio", "Lost share of the recent health probes.",
        perUplink(ups, UplinkMetrics::lossRatio)));

    perFamily(ups, out);

    List<CounterDataPointSnapshot> probes = new ArrayList<>();
    for (UplinkMetrics u : ups) {
      probes.add(counterPoint(Labels.of("interface", u.name(), "result", "success"), u.probesSuccess()));
      probes.add(counterPoint(Labels.of("interface", u.name(), "result", "failure"), u.probesFailure()));
      probes.add(counterPoint(Labels.of("interface", u.name(), "result", "timeout"), u.probesTimeout()));
    }
    out.add(counter("load_balancer_probes_total", "Health probes by result.", probes));
    out.add(counter("load_balancer_uplink_transitions_total", "State changes of the uplink.",
        perUplinkCounter(ups, UplinkMetrics::transitions)));
    out.add(gauge("load_balancer_uplink_connections", "Tracked connections pinned to the uplink.",
        perUplink(ups, UplinkMetrics::establishedConnections)));
    out.add(counter("load_balancer_uplink_transmit_bytes_total", "Bytes sent through the uplink.",
        perUplinkCounter(ups, UplinkMetrics::txBytes)));
    out.add(counter("load_balancer_uplink_receive_bytes_total", "Bytes received through the uplink.",
        perUplinkCounter(ups, UplinkMetrics::rxBytes)));

    // Per traffic policy (none without a policies file: the families are then left out below).
    List<GaugeDataPointSnapshot> inUse = new ArrayList<>();
    List<GaugeDataPointSnapshot> fallback = new ArrayList<>();
    for (PolicyMetrics p : in.policies()) {
      fallback.add(gaugePoint(Labels.of("policy", p.name()), p.fallback() ? 1 : 0));
      for (UplinkMetrics u : ups) {
        inUse.add(gaugePoint(Labels.of("policy", p.name(), "interface", u.name()), p.uplinks().contains(u.name()) ? 1 : 0));
      }
    }
    out.add(gauge("load_balancer_policy_uplink_in_use",
        "1 if the policy sends its new connections to the uplink now (LB_TABLE's uplinks for balanced), else 0.",
        inUse));
    out.add(gauge("load_balancer_policy_fallback",
        "1 while none of the policy's own uplinks is eligible and its else action decides, else 0.", fallback));
    // The family dimension, as for the uplinks: the series above are IPv4's (IPv6's when no uplink
    // has IPv4), these say each family's side where an uplink has IPv6.
    List<GaugeDataPointSnapshot> familyInUse = new ArrayList<>();
    List<GaugeDataPointSnapshot> familyFallback = new ArrayList<>();
    for (PolicyMetrics p : in.policies()) {
      if (p.uplinks6() == null) {
        continue;
      }
      for (int f = 0; f < 2; f++) {
        String family = f == 0 ? "ipv4" : "ipv6";
        List<String> used = f == 0 ? p.uplinks() : p.uplinks6();
        familyFallback.add(gaugePoint(Labels.of("policy", p.name(), "family", family),
            (f == 0 ? p.fallback() : p.fallback6()) ? 1 : 0));
        for (UplinkMetrics u : ups) {
          familyInUse.add(gaugePoint(Labels.of("policy", p.name(), "interface", u.name(), "family", family),
              used.contains(u.name()) ? 1 : 0));
        }
      }
    }
    out.add(gauge("load_balancer_policy_family_uplink_in_use",
        "1 if the policy sends its new connections of the family to the uplink now, else 0.", familyInUse));
    out.add(gauge("load_balancer_policy_family_fallback",
        "1 while the policy's else action decides for the family, else 0.", familyFallback));
    out.add(counter("load_balancer_policy_new_connections_total",
        "New connections the policy matched (its first packet through the policies chain).",
        in.policies().stream().map(p -> counterPoint(Labels.of("policy", p.name()), p.newConnections())).toList()));

    out.add(counter("load_balancer_failovers_total", "Uplinks that stopped taking new connections.",
        List.of(counterPoint(Labels.EMPTY, in.failoversTotal()))));
    out.add(gauge("load_balancer_reconcile_duration_seconds", "Duration of the last reconcile pass.",
        List.of(gaugePoint(Labels.EMPTY, in.lastReconcileSeconds()))));
    out.add(gauge("load_balancer_last_reconcile_success_timestamp_seconds",
        "Unix time of the last reconcile pass that applied cleanly; 0 if none yet.",
        List.of(gaugePoint(Labels.EMPTY, timestamp(in.lastSuccessEpochSeconds())))));
    out.add(counter("load_balancer_reconciles_total", "Reconcile passes run.",
        List.of(counterPoint(Labels.EMPTY, in.reconcilesTotal()))));
    out.add(counter("load_balancer_reconcile_failures_total", "Reconcile passes that failed.",
        List.of(counterPoint(Labels.EMPTY, in.reconcileFailuresTotal()))));
    out.removeIf(s -> s.getDataPoints().isEmpty());
    return new MetricSnapshots(out);
  }

  /**
   * The family dimension, as series of their own so the seed's names keep their meaning (and their
   * sums): each uplink with an IPv4 side with {@code family="ipv4"} (its own state, as
   * load_balancer_uplink_state) and each with an IPv6 side with {@code family="ipv6"}: an
   * IPv6-only uplink has no "ipv4" series, which would say its IPv4 is up.
   */
  private static void perFamily(List<UplinkMetrics> ups, List<MetricSnapshot> out) {
    List<GaugeDataPointSnapshot> states = new ArrayList<>();
    List<GaugeDataPointSnapshot> balanced = new ArrayList<>();
    List<GaugeDataPointSnapshot> rtt = new ArrayList<>();
    List<GaugeDataPointSnapshot> loss = new ArrayList<>();
    for (UplinkMetrics u : ups) {
      Map<String, UplinkMetrics.Side> sides = new LinkedHashMap<>();
      if (u.ipv4()) {
        sides.put("ipv4", new UplinkMetrics.Side(u.state(), u.balanced(), u.rttSeconds(), u.lossRatio()));
      }
      if (u.ipv6() != null) {
        sides.put("ipv6", u.ipv6());
      }
      for (Map.Entry<String, UplinkMetrics.Side> e : sides.entrySet()) {
        UplinkMetrics.Side side = e.getValue();
        String family = e.getKey();
        List<String> names = new ArrayList<>(STATES);
        if (!names.contains(side.state())) {
          names.add(side.state());
        }
        for (String st : names) {
          states.add(gaugePoint(Labels.of("interface", u.name(), "family", family, "state", st),
              st.equals(side.state()) ? 1 : 0));
        }
        Labels labels = Labels.of("interface", u.name(), "family", family);
        balanced.add(gaugePoint(labels, side.balanced() ? 1 : 0));
        if (!Double.isNaN(side.rttSeconds())) {
          rtt.add(gaugePoint(labels, side.rttSeconds()));
        }
        if (!Double.isNaN(side.lossRatio())) {
          loss.add(gaugePoint(labels, side.lossRatio()));
        }
      }
    }
    out.add(gauge("load_balancer_uplink_family_state",
        "1 for the current state of each family's side of the uplink, 0 for the others.", states));
    out.add(gauge("load_balancer_uplink_family_balanced",
        "1 if the uplink takes new connections of the family (is in its multipath route), else 0.", balanced));
    out.add(gauge("load_balancer_family_probe_rtt_seconds", "Smoothed round trip of the family's health probes.",
        rtt));
    out.add(gauge("load_balancer_family_probe_loss_ratio", "Lost share of the family's recent health probes.", loss));
  }

  /** NaN (unknown) leaves the uplink's series out rather than exporting a NaN sample. */
  private static List<GaugeDataPointSnapshot> perUplink(List<UplinkMetrics> ups, ToDoubleFunction<UplinkMetrics> f) {
    List<GaugeDataPointSnapshot> out = new ArrayList<>();
    for (UplinkMetrics u : ups) {
      double v = f.applyAsDouble(u);
      if (!Double.isNaN(v)) {
        out.add(gaugePoint(Labels.of("interface", u.name()), v));
      }
    }
    return out;
  }

  private static List<CounterDataPointSnapshot> perUplinkCounter(List<UplinkMetrics> ups,
      ToDoubleFunction<UplinkMetrics> f) {
    List<CounterDataPointSnapshot> out = new ArrayList<>();
    for (UplinkMetrics u : ups) {
      out.add(counterPoint(Labels.of("interface", u.name()), f.applyAsDouble(u)));
    }
    return out;
  }

  /** "Never" is 0, so that an age alert (time() - x > 300) fires when there has been no success. */
  private static double timestamp(double epochSeconds) {
    return Double.isNaN(epochSeconds) || epochSeconds < 0 ? 0 : epochSeconds;
  }

  private static GaugeSnapshot gauge(String name, String help, List<GaugeDataPointSnapshot> points) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
    points.forEach(b::dataPoint);
    return b.build();
  }

  /** {@code name} as exported; the model wants it without the _total the writer appends. */
  private static CounterSnapshot counter(String name, String help, List<CounterDataPointSnapshot> points) {
    CounterSnapshot.Builder b = CounterSnapshot.builder()
        .name(name.substring(0, name.length() - "_total".length())).help(help);
    points.forEach(b::dataPoint);
    return b.build();
  }

  private static GaugeDataPointSnapshot gaugePoint(Labels labels, double value) {
    return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static CounterDataPointSnapshot counterPoint(Labels labels, double value) {
    return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static List<String> states() {
    List<String> out = new ArrayList<>();
    for (UplinkState s : UplinkState.values()) {
      out.add(s.wireName());
    }
    return List.copyOf(out);
  }
}
