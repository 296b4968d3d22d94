package netbalancer.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import netbalancer.config.Config;
import netbalancer.plan.IpCommands;
import netbalancer.plan.Plan;
import netbalancer.plan.Uplink;

/**
 * What the daemon last did, for the status command and the metrics: written by the reconcile
 * thread, read by others through one volatile snapshot.
 */
public final class DaemonStatus {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One immutable view. */
  public record Snapshot(Plan plan, Map<String, Verdict> verdicts, Map<String, Instant> since,
      Set<String> drained, long reconciles, long failures, long lastDurationNanos, Instant lastSuccess,
      long failovers) {
  }

  private final AtomicLong failures = new AtomicLong();
  private final Map<String, Instant> since = new HashMap<>();
  private volatile Snapshot snapshot;
  private long reconciles;
  private long failovers;

  synchronized void record(Reconciler.Outcome o, Set<String> drained) {
    reconciles++;
    Instant now = Instant.now();
    for (Transition t : o.transitions()) {
      if (t.to() == null) {
        since.remove(t.uplink());
      } else {
        since.put(t.uplink(), now);
        if (t.from() != null && t.from().eligible() && !t.to().eligible()) {
          failovers++;
        }
      }
    }
    snapshot = new Snapshot(o.plan(), o.verdicts(), Map.copyOf(since), Set.copyOf(drained), reconciles,
        failures.get(), o.durationNanos(), o.applied().ok() ? now : last().lastSuccess(), failovers);
  }

  void recordFailure() {
    failures.incrementAndGet();
  }

  public Snapshot last() {
    Snapshot s = snapshot;
    return s != null ? s : new Snapshot(null, Map.of(), Map.of(), Set.of(), 0, failures.get(), 0, null, 0);
  }

  /** The status document: the same shape as {@code status --json} without a daemon, plus more. */
  String json(Config config) {
    Snapshot s = last();
    List<Map<String, Object>> rows = new ArrayList<>();
    if (s.plan() != null) {
      for (Uplink u : s.plan().uplinks()) {
        Verdict v = s.verdicts().get(u.name());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", u.name());
        row.put("state", v.state().wireName());
        row.put("reason", v.reason());
        row.put("since", String.valueOf(s.since().get(u.name())));
        row.put("weight", config.weightOf(u.name()));
        row.put("address", u.address());
        row.put("gateway", u.gateway());
        row.put("table", config.tableFor(u.index()));
        row.put("mark", IpCommands.hex(config.markFor(u.index())));
        row.put("balanced", s.plan().balanced().contains(u.name()));
        rows.add(row);
      }
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("uplinks", rows);
    doc.put("failOpen", s.plan() != null && s.plan().failOpen());
    doc.put("reconciles", s.reconciles());
    doc.put("lastReconcileMillis", s.lastDurationNanos() / 1e6);
    try {
      return JSON.writeValueAsString(doc) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
