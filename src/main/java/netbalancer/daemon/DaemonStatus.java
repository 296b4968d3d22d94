package netbalancer.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import netbalancer.config.Config;
import netbalancer.health.HealthSnapshot;
import netbalancer.plan.IpCommands;
import netbalancer.plan.Plan;
import netbalancer.plan.PolicyPlan;
import netbalancer.plan.PolicyPlanner;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkState;

/**
 * What the daemon last did, for the status command and the metrics: written by the reconcile
 * thread, read by others through one volatile snapshot.
 */
public final class DaemonStatus {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One immutable view; {@code verdicts6} of the uplinks' IPv6 sides. */
  public record Snapshot(Plan plan, Map<String, Verdict> verdicts, Map<String, Instant> since,
      Map<String, Long> transitions, Set<String> drained, long reconciles, long failures,
      long lastDurationNanos, Instant lastSuccess, long failovers, Map<String, Verdict> verdicts6) {
  }

  private final AtomicLong failures = new AtomicLong();
  private final Map<String, Instant> since = new HashMap<>();
  private final Map<String, Long> transitions = new HashMap<>();
  private volatile Snapshot snapshot;
  private long reconciles;
  private long failovers;

  synchronized void record(Reconciler.Outcome o, Set<String> drained) {
    reconciles++;
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    for (Transition t : o.transitions()) {
      if (t.to() == null) {
        since.remove(t.uplink());
        transitions.remove(t.uplink());
        continue;
      }
      since.put(t.uplink(), now);
      if (t.from() != null) {
        transitions.merge(t.uplink(), 1L, Long::sum);
        if (t.from().eligible() && !t.to().eligible()) {
          failovers++;
        }
      }
    }
    snapshot = new Snapshot(o.plan(), o.verdicts(), Map.copyOf(since), Map.copyOf(transitions),
        Set.copyOf(drained), reconciles, failures.get(), o.durationNanos(),
        o.applied().ok() ? now : last().lastSuccess(), failovers, o.verdicts6());
  }

  void recordFailure() {
    failures.incrementAndGet();
  }

  public Snapshot last() {
    Snapshot s = snapshot;
    return s != null ? s
        : new Snapshot(null, Map.of(), Map.of(), Map.of(), Set.of(), 0, failures.get(), 0, null, 0, Map.of());
  }

  /**
   * The status document: the shape of {@code status --json} without a daemon (name, state,
   * weight, address, gateway, …), plus reasons, health measurements and traffic. An uplink with an
   * IPv6 side has an {@code ipv6} object (its address, gateway, state, whether it is in the IPv6
   * multipath route, and its own probes' measurements when IPv6 is probed); null without one.
   */
  String json(Config config, Map<String, HealthSnapshot> health, Map<String, UplinkStats.Stats> stats) {
    return json(config, health, Map.of(), stats);
  }

  String json(Config config, Map<String, HealthSnapshot> health, Map<String, HealthSnapshot> health6,
      Map<String, UplinkStats.Stats> stats) {
    return json(config, health, health6, stats, Map.of());
  }

  /** @param counters our nft counters by name, read with {@code stats}: each policy's new connections */
  String json(Config config, Map<String, HealthSnapshot> health, Map<String, HealthSnapshot> health6,
      Map<String, UplinkStats.Stats> stats, Map<String, Long> counters) {
    Snapshot s = last();
    List<Map<String, Object>> rows = new ArrayList<>();
    long newTotal = stats.values().stream().mapToLong(UplinkStats.Stats::newConnections).sum();
    if (s.plan() != null) {
      for (Uplink u : s.plan().uplinks()) {
        Verdict v = s.verdicts().get(u.name());
        HealthSnapshot h = health.get(u.name());
        UplinkStats.Stats t = stats.getOrDefault(u.name(), UplinkStats.Stats.NONE);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", u.name());
        row.put("state", v.state().wireName());
        row.put("reason", v.reason());
        row.put("since", String.valueOf(s.since().get(u.name())));
        row.put("weight", config.weightOf(u.name()));
        row.put("tier", config.tierOf(u.name()));
        row.put("share", newTotal == 0 ? null : Math.round(1000.0 * t.newConnections() / newTotal) / 10.0);
        row.put("address", u.address());
        row.put("gateway", u.gateway());
        row.put("table", config.tableFor(u.index()));
        row.put("mark", IpCommands.hex(config.markFor(u.index())));
        row.put("balanced", s.plan().balanced().contains(u.name()));
        row.put("drained", s.drained().contains(u.name()));
        row.put("rttMillis", h == null || h.rttSmoothed() == null ? null : h.rttSmoothed().toNanos() / 1e6);
        row.put("loss", h == null ? null : h.loss());
        row.put("holdDownSeconds", h == null || h.state() != UplinkState.HOLD_DOWN || h.holdDownRemaining() == null
            ? null : h.holdDownRemaining().toSeconds());
        row.put("backoffLevel", h == null ? null : h.backoffLevel());
        row.put("connections", t.connections());
        row.put("newConnections", t.newConnections());
        row.put("txBytes", t.txBytes());
        row.put("rxBytes", t.rxBytes());
        row.put("transitions", s.transitions().getOrDefault(u.name(), 0L));
        row.put("ipv6", ipv6(u, s, health6.get(u.name())));
        rows.add(row);
      }
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("uplinks", rows);
    doc.put("failOpen", s.plan() != null && s.plan().failOpen());
    if (s.plan() != null && !s.plan().policies().inUse().isEmpty()) {
      doc.put("policies", withShares(policies(s.plan()), counters));
    }
    doc.put("failovers", s.failovers());
    doc.put("reconciles", s.reconciles());
    doc.put("lastReconcileMillis", s.lastDurationNanos() / 1e6);
    doc.put("lastSuccess", String.valueOf(s.lastSuccess()));
    try {
      return JSON.writeValueAsString(doc) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Each policy with the uplinks it sends new connections to now ({@code balanced}: LB_TABLE's)
   * and whether its last resort decides, for IPv6 too when an uplink has it; only with a policies file, so the document is otherwise
   * as before.
   */
  static List<Map<String, Object>> policies(Plan plan) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (PolicyPlan.InUse p : plan.policies().inUse()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", p.policy());
      row.put("route", p.route());
      row.put("uplinks", p.route().equals("balanced") ? plan.balanced() : p.uplinks());
      row.put("fallback", p.fallback());
      row.put("absent", p.absent());
      if (p.ipv6() != null) { // only when an uplink has IPv6, so that an IPv4-only document stays as it was
        Map<String, Object> v6 = new LinkedHashMap<>();
        v6.put("route", p.ipv6().route());
        v6.put("uplinks", p.ipv6().route().equals("balanced") ? plan.balanced6() : p.ipv6().uplinks());
        v6.put("fallback", p.ipv6().fallback());
        row.put("ipv6", v6);
      }
      out.add(row);
    }
    return out;
  }

  /**
   * Each policy's new connections (its nft counter, since the ruleset was last replaced) and its
   * share of every new connection the policies chain saw (those no policy matched included).
   */
  static List<Map<String, Object>> withShares(List<Map<String, Object>> rows, Map<String, Long> counters) {
    long total = counters.getOrDefault(PolicyPlanner.counterName(0), 0L);
    for (int i = 1; i <= rows.size(); i++) {
      total += counters.getOrDefault(PolicyPlanner.counterName(i), 0L);
    }
    for (int i = 1; i <= rows.size(); i++) {
      long n = counters.getOrDefault(PolicyPlanner.counterName(i), 0L);
      rows.get(i - 1).put("newConnections", n);
      rows.get(i - 1).put("share", total == 0 ? null : Math.round(1000.0 * n / total) / 10.0);
    }
    return rows;
  }

  /** New connections no policy matched, by the same counters. */
  static long unmatched(Map<String, Long> counters) {
    return counters.getOrDefault(PolicyPlanner.counterName(0), 0L);
  }

  private static Map<String, Object> ipv6(Uplink u, Snapshot s, HealthSnapshot h) {
    if (!u.hasIpv6()) {
      return null;
    }
    Verdict v = s.verdicts6().getOrDefault(u.name(), s.verdicts().get(u.name()));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("address", u.ipv6().address());
    row.put("gateway", u.ipv6().gateway());
    row.put("state", v.state().wireName());
    row.put("reason", v.reason());
    row.put("balanced", s.plan().balanced6().contains(u.name()));
    row.put("probed", h != null); // false: no IPv6 target, so IPv6 follows the uplink's state
    row.put("rttMillis", h == null || h.rttSmoothed() == null ? null : h.rttSmoothed().toNanos() / 1e6);
    row.put("loss", h == null ? null : h.loss());
    row.put("holdDownSeconds", h == null || h.state() != UplinkState.HOLD_DOWN || h.holdDownRemaining() == null
        ? null : h.holdDownRemaining().toSeconds());
    return row;
  }

  static double seconds(Duration d) {
    return d == null ? Double.NaN : d.toNanos() / 1e9;
  }
}
