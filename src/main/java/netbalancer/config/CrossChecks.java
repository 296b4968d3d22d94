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
    onlyForUplinks(v, Keys.IPV6_NPT_PREFIXES, "NPTv6 prefixes");
    nptv6HasPrefixes(v);
  }

  /**
   * NPTv6 maps the LAN prefix's host bits onto each uplink's prefix one to one, so it needs the
   * LAN prefix and uplink prefixes of exactly its length (a shorter one would leave bits unmapped,
   * a longer one would merge LAN hosts).
   */
  private static void nptv6HasPrefixes(Validation v) {
    String lan = v.get(Keys.IPV6_LAN_PREFIX);
    Map<String, String> npt = v.get(Keys.IPV6_NPT_PREFIXES);
    if (v.get(Keys.IPV6_TRANSLATION) == Ipv6Translation.NPTV6 && "".equals(lan)) {
      v.error(v.show(Keys.IPV6_LAN_PREFIX) + ": expected " + Ipv6Prefixes.allowed() + " with "
          + v.show(Keys.IPV6_TRANSLATION) + " (the prefix NPTv6 maps)");
    }
    if (lan == null || lan.isEmpty() || npt == null) {
      return;
    }
    List<String> clash = npt.entrySet().stream()
        .filter(e -> e.getValue().equals(lan) || npt.values().stream().filter(e.getValue()::equals).count() > 1)
        .map(e -> e.getKey() + "=" + e.getValue()).toList();
    if (!clash.isEmpty()) { // a mapped prefix must lead back to one uplink, and never be the LAN's own
      v.error(v.show(Keys.IPV6_NPT_PREFIXES) + ": " + String.join(", ", clash) + "; expected a distinct prefix per"
          + " uplink, other than " + v.show(Keys.IPV6_LAN_PREFIX));
    }
    int length = Ipv6Prefixes.length(lan);
    List<String> wrong = npt.entrySet().stream().filter(e -> Ipv6Prefixes.length(e.getValue()) != length)
        .map(e -> e.getKey() + "=" + e.getValue()).toList();
    if (!wrong.isEmpty()) {
      v.error(v.show(Keys.IPV6_NPT_PREFIXES) + ": " + String.join(", ", wrong) + "; expected prefixes of length "
          + length + ", that of " + v.show(Keys.IPV6_LAN_PREFIX));
    }
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
  private static void onlyForUplinks(Validation v, Key<? extends Map<String, ?>> key, String what) {
    Map<String, ?> byName = v.get(key);
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
