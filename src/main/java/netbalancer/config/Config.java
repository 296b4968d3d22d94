package netbalancer.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All of net-balancer's settings, validated. Components follow the order of the setting names
 * ({@code LB_TABLE} is {@link #lbTable()}, and so on); {@link ConfigLoader#knownKeys()} documents them.
 * Every instance is valid: the constructor applies the same rules as the config file parser.
 */
public record Config(
    int lbTable,
    int lbPref,
    int lbTableBase,
    long lbMarkMask,
    int lbRtProto,
    List<String> uplinks,
    List<String> excludeInterfaces,
    Map<String, Integer> uplinkWeights,
    Map<String, Integer> uplinkTiers,
    BalanceMode balanceMode,
    Path policiesFile,
    Duration debounceTime,
    Duration resyncInterval,
    boolean healthCheckEnabled,
    Duration healthCheckInterval,
    Duration healthCheckFastInterval,
    Duration healthCheckTimeout,
    int healthCheckFailureThreshold,
    int healthCheckRecoveryThreshold,
    String healthProbeTarget,
    List<String> healthProbeTargets,
    int healthProbeQuorum,
    int healthProbePort,
    ProbeMethod healthProbeMethod,
    boolean connectionDrainingEnabled,
    Duration drainTimeout,
    Duration carrierGracePeriod,
    boolean sessionAffinityEnabled,
    boolean consistentNatEnabled,
    Ipv6Translation ipv6Translation,
    String ipv6LanPrefix,
    Map<String, String> ipv6NptPrefixes,
    boolean failoverHysteresisEnabled,
    Duration failoverBackoffBase,
    Duration failoverBackoffMax,
    Duration failoverHoldDown,
    boolean neighborReachabilityEnabled,
    LogLevel logLevel,
    boolean metricsEnabled,
    int metricsPort,
    String metricsBind,
    Path metricsFile,
    boolean keepStateOnExit,
    Path hooksDir,
    Duration hookTimeout,
    Path stateDir,
    Path controlSocket) {

  /** @throws ConfigException listing every invalid value */
  public Config {
    uplinks = uplinks == null ? null : List.copyOf(uplinks);
    excludeInterfaces = excludeInterfaces == null ? null : List.copyOf(excludeInterfaces);
    healthProbeTargets = healthProbeTargets == null ? null : List.copyOf(healthProbeTargets);
    uplinkWeights = uplinkWeights == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(uplinkWeights));
    uplinkTiers = uplinkTiers == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(uplinkTiers));
    ipv6NptPrefixes = ipv6NptPrefixes == null ? null
        : Collections.unmodifiableMap(new LinkedHashMap<>(ipv6NptPrefixes));

    Validation v = new Validation();
    v.check(Keys.LB_TABLE, lbTable);
    v.check(Keys.LB_PREF, lbPref);
    v.check(Keys.LB_TABLE_BASE, lbTableBase);
    v.check(Keys.LB_MARK_MASK, lbMarkMask);
    v.check(Keys.LB_RT_PROTO, lbRtProto);
    v.check(Keys.UPLINKS, uplinks);
    v.check(Keys.EXCLUDE_INTERFACES, excludeInterfaces);
    v.check(Keys.UPLINK_WEIGHTS, uplinkWeights);
    v.check(Keys.UPLINK_TIERS, uplinkTiers);
    v.check(Keys.BALANCE_MODE, balanceMode);
    v.check(Keys.POLICIES_FILE, policiesFile);
    v.check(Keys.DEBOUNCE_TIME, debounceTime);
    v.check(Keys.RESYNC_INTERVAL, resyncInterval);
    v.check(Keys.HEALTH_CHECK_ENABLED, healthCheckEnabled);
    v.check(Keys.HEALTH_CHECK_INTERVAL, healthCheckInterval);
    v.check(Keys.HEALTH_CHECK_FAST_INTERVAL, healthCheckFastInterval);
    v.check(Keys.HEALTH_CHECK_TIMEOUT, healthCheckTimeout);
    v.check(Keys.HEALTH_CHECK_FAILURE_THRESHOLD, healthCheckFailureThreshold);
    v.check(Keys.HEALTH_CHECK_RECOVERY_THRESHOLD, healthCheckRecoveryThreshold);
    v.check(Keys.HEALTH_PROBE_TARGET, healthProbeTarget);
    v.check(Keys.HEALTH_PROBE_TARGETS, healthProbeTargets);
    v.check(Keys.HEALTH_PROBE_QUORUM, healthProbeQuorum);
    v.check(Keys.HEALTH_PROBE_PORT, healthProbePort);
    v.check(Keys.HEALTH_PROBE_METHOD, healthProbeMethod);
    v.check(Keys.CONNECTION_DRAINING_ENABLED, connectionDrainingEnabled);
    v.check(Keys.DRAIN_TIMEOUT, drainTimeout);
    v.check(Keys.CARRIER_GRACE_PERIOD, carrierGracePeriod);
    v.check(Keys.SESSION_AFFINITY_ENABLED, sessionAffinityEnabled);
    v.check(Keys.CONSISTENT_NAT_ENABLED, consistentNatEnabled);
    v.check(Keys.IPV6_TRANSLATION, ipv6Translation);
    v.check(Keys.IPV6_LAN_PREFIX, ipv6LanPrefix);
    v.check(Keys.IPV6_NPT_PREFIXES, ipv6NptPrefixes);
    v.check(Keys.FAILOVER_HYSTERESIS_ENABLED, failoverHysteresisEnabled);
    v.check(Keys.FAILOVER_BACKOFF_BASE, failoverBackoffBase);
    v.check(Keys.FAILOVER_BACKOFF_MAX, failoverBackoffMax);
    v.check(Keys.FAILOVER_HOLD_DOWN, failoverHoldDown);
    v.check(Keys.NEIGHBOR_REACHABILITY_ENABLED, neighborReachabilityEnabled);
    v.check(Keys.LOG_LEVEL, logLevel);
    v.check(Keys.METRICS_ENABLED, metricsEnabled);
    v.check(Keys.METRICS_PORT, metricsPort);
    v.check(Keys.METRICS_BIND, metricsBind);
    v.check(Keys.METRICS_FILE, metricsFile);
    v.check(Keys.KEEP_STATE_ON_EXIT, keepStateOnExit);
    v.check(Keys.HOOKS_DIR, hooksDir);
    v.check(Keys.HOOK_TIMEOUT, hookTimeout);
    v.check(Keys.STATE_DIR, stateDir);
    v.check(Keys.CONTROL_SOCKET, controlSocket);
    CrossChecks.apply(v);
    v.throwIfInvalid();
  }

  /** The documented defaults. */
  public static Config defaults() {
    return of(Map.of());
  }

  /** Defaults overridden by {@code settings} (KEY → text as in the config file); unknown keys are errors. */
  public static Config of(Map<String, String> settings) {
    return ConfigLoader.fromMap(settings);
  }

  /** A copy with some settings replaced (KEY → text as in the config file). */
  public Config with(Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(toSettings());
    merged.putAll(overrides);
    return of(merged);
  }

  /** Every setting as KEY → text as it would be written in the config file, in key order. */
  public Map<String, String> toSettings() {
    RecordComponent[] components = Config.class.getRecordComponents();
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < components.length; i++) {
      Key<?> key = Keys.ALL.get(i);
      try {
        out.put(key.name(), key.formatUnchecked(components[i].getAccessor().invoke(this)));
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(e);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The seed's probe target, whose operator's IPv6 resolver probes the IPv6 sides by default. */
  static final String SEED_PROBE_TARGET = "1.1.1.1";
  static final String SEED_PROBE_TARGET_IPV6 = "2606:4700:4700::1111";

  /**
   * The probe targets: HEALTH_PROBE_TARGETS, or HEALTH_PROBE_TARGET alone when that list is empty.
   * At the seed's 1.1.1.1 its IPv6 twin (same operator's resolver) comes with it, so that the
   * defaults judge an uplink's IPv6 side on its own too; any other single target is the only one
   * (a target chosen by hand says nothing about which IPv6 address would answer).
   */
  public List<String> probeTargets() {
    if (!healthProbeTargets.isEmpty()) {
      return healthProbeTargets;
    }
    return healthProbeTarget.equals(SEED_PROBE_TARGET) ? List.of(SEED_PROBE_TARGET, SEED_PROBE_TARGET_IPV6)
        : List.of(healthProbeTarget);
  }

  /** The multipath weight of an uplink: its UPLINK_WEIGHTS entry, else 1. */
  public int weightOf(String iface) {
    return uplinkWeights.getOrDefault(iface, 1);
  }

  /** The failover tier of an uplink: its UPLINK_TIERS entry, else 1 (the first used). */
  public int tierOf(String iface) {
    return uplinkTiers.getOrDefault(iface, 1);
  }

  /** Whether an interface may never be an uplink: it matches EXCLUDE_INTERFACES and UPLINKS does not name it. */
  public boolean isExcluded(String iface) {
    if (uplinks.contains(iface)) {
      return false;
    }
    for (String pattern : excludeInterfaces) {
      if (Glob.matches(pattern, iface)) {
        return true;
      }
    }
    return false;
  }

  /** Bit position of the mask's lowest bit: an uplink's mark is its index shifted by this much. */
  public int markShift() {
    return Long.numberOfTrailingZeros(lbMarkMask);
  }

  /** How many uplinks can have distinct marks and tables. */
  public int maxUplinks() {
    return (int) Math.min(Keys.MAX_UPLINKS, (1L << Long.bitCount(lbMarkMask)) - 1);
  }

  /** The fwmark of the uplink with 1-based {@code index} (0 within the mask means "not pinned"). */
  public long markFor(int index) {
    checkIndex(index);
    return (long) index << markShift();
  }

  /** The routing table of the uplink with 1-based {@code index}: LB_TABLE_BASE + index. */
  public int tableFor(int index) {
    checkIndex(index);
    return lbTableBase + index;
  }

  private void checkIndex(int index) {
    if (index < 1 || index > maxUplinks()) {
      throw new IllegalArgumentException("uplink index " + index + " outside 1.." + maxUplinks());
    }
  }
}
