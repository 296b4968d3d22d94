package netbalancer.config;

import static netbalancer.config.Keys.MAX_UPLINKS;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Rules that relate two or more settings; each is skipped when one of its inputs was rejected already. */
final class CrossChecks {
  private CrossChecks() {
  }

  static void apply(Validation v) {
    tablesDisjoint(v);
    fastIntervalWithinInterval(v);
    backoffMaxAtLeastBase(v);
    quorumWithinTargets(v);
    onlyForUplinks(v, Keys.UPLINK_WEIGHTS, "weights");
    onlyForUplinks(v, Keys.UPLINK_TIERS, "tiers");
  }

  private static void tablesDisjoint(Validation v) {
    Integer table = v.get(Keys.LB_TABLE);
    Integer base = v.get(Keys.LB_TABLE_BASE);
    if (table == null || base == null) {
      return;
    }
    long first = base + 1L;
    long last = base + (long) MAX_UPLINKS;
    if (table >= first && table <= last) {
      v.error(v.show(Keys.LB_TABLE) + ": expected a table outside the per-uplink tables " + first + ".." + last
          + " (" + v.show(Keys.LB_TABLE_BASE) + " plus 1.." + MAX_UPLINKS + ")");
    }
  }

  private static void fastIntervalWithinInterval(Validation v) {
    Duration fast = v.get(Keys.HEALTH_CHECK_FAST_INTERVAL);
    Duration interval = v.get(Keys.HEALTH_CHECK_INTERVAL);
    if (fast != null && interval != null && fast.compareTo(interval) > 0) {
      v.error(v.show(Keys.HEALTH_CHECK_FAST_INTERVAL) + ": expected a number of seconds > 0, at most "
          + v.show(Keys.HEALTH_CHECK_INTERVAL));
    }
  }

  private static void backoffMaxAtLeastBase(Validation v) {
    Duration max = v.get(Keys.FAILOVER_BACKOFF_MAX);
    Duration base = v.get(Keys.FAILOVER_BACKOFF_BASE);
    if (max != null && base != null && max.compareTo(base) < 0) {
      v.error(v.show(Keys.FAILOVER_BACKOFF_MAX) + ": expected a number of seconds at least "
          + v.show(Keys.FAILOVER_BACKOFF_BASE));
    }
  }

  private static void quorumWithinTargets(Validation v) {
    Integer quorum = v.get(Keys.HEALTH_PROBE_QUORUM);
    List<String> targets = v.get(Keys.HEALTH_PROBE_TARGETS);
    if (quorum == null || targets == null) {
      return;
    }
    int count = targets.isEmpty() ? 1 : targets.size();
    if (quorum > count) {
      String why = targets.isEmpty()
          ? "HEALTH_PROBE_TARGETS is empty, so HEALTH_PROBE_TARGET is the only target"
          : "the number of targets in " + v.show(Keys.HEALTH_PROBE_TARGETS);
      v.error(v.show(Keys.HEALTH_PROBE_QUORUM) + ": expected an integer 1.." + count + " (" + why + ")");
    }
  }

  /** A weight or tier for an interface that UPLINKS leaves out is almost certainly a typo. */
  private static void onlyForUplinks(Validation v, Key<Map<String, Integer>> key, String what) {
    Map<String, Integer> byName = v.get(key);
    List<String> uplinks = v.get(Keys.UPLINKS);
    if (byName == null || uplinks == null || uplinks.isEmpty()) {
      return;
    }
    List<String> strays = byName.keySet().stream().filter(name -> !uplinks.contains(name)).toList();
    if (!strays.isEmpty()) {
      v.error(v.show(key) + ": " + String.join(", ", strays) + (strays.size() == 1 ? " is" : " are")
          + " not in " + v.show(Keys.UPLINKS) + "; expected " + what + " only for interfaces listed in UPLINKS");
    }
  }
}
