package netbalancer.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed values of one configuration being assembled, plus every problem found so far. A key
 * whose value was rejected has no value here, so cross-key checks can skip it instead of
 * reporting a second, confusing error about a default it was replaced with.
 */
final class Validation {
  private final Map<Key<?>, Object> values = new HashMap<>();
  private final List<String> errors = new ArrayList<>();

  /** Parses a setting's text; {@code source} (e.g. "file:12", may be null) is appended to an error. */
  <T> void parse(Key<T> key, String text, String source) {
    try {
      values.put(key, key.type().parse(text.strip()));
    } catch (InvalidValue e) {
      // systemd takes "200 # note" as the whole value; say so, since shell users expect a comment.
      String hint = text.contains(" #") ? "; '#' starts a comment only at the beginning of a line" : "";
      error(setting(key.name(), text.strip()) + ": " + e.getMessage() + hint
          + (source == null ? "" : " (" + source + ")"));
    }
  }

  /** Checks a typed value with the same rules as its text, by rendering and parsing it again. */
  <T> void check(Key<T> key, T value) {
    if (value == null) {
      error(key.name() + " is null; expected " + key.type().allowed());
      return;
    }
    String text = key.type().format(value);
    try {
      if (key.type().parse(text).equals(value)) {
        values.put(key, value);
        return;
      }
    } catch (InvalidValue e) {
      error(setting(key.name(), text) + ": " + e.getMessage());
      return;
    }
    // e.g. a list element containing a separator, which could not be written in the file
    error(setting(key.name(), text) + ": cannot be written as a setting; expected " + key.type().allowed());
  }

  @SuppressWarnings("unchecked")
  <T> T get(Key<T> key) {
    return (T) values.get(key);
  }

  /** A value of {@code key} rendered as in the config file, for messages. */
  <T> String show(Key<T> key) {
    return setting(key.name(), key.type().format(get(key)));
  }

  void error(String message) {
    errors.add(message);
  }

  List<String> errors() {
    return List.copyOf(errors);
  }

  void throwIfInvalid() {
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
  }

  /** NAME=value, quoting a value that is empty or contains whitespace or quotes so its extent is clear. */
  static String setting(String name, String value) {
    boolean quote = value.isEmpty() || value.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"');
    if (!quote) {
      return name + "=" + value;
    }
    return name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  /** All checks passed: the record. Its constructor validates the values once more, cheaply. */
  Config build() {
    throwIfInvalid();
    return new Config(
        get(Keys.LB_TABLE), get(Keys.LB_PREF), get(Keys.LB_TABLE_BASE), get(Keys.LB_MARK_MASK),
        get(Keys.LB_RT_PROTO),
        get(Keys.UPLINKS), get(Keys.EXCLUDE_INTERFACES), get(Keys.UPLINK_WEIGHTS), get(Keys.UPLINK_TIERS),
        get(Keys.BALANCE_MODE), get(Keys.POLICIES_FILE),
        get(Keys.DEBOUNCE_TIME), get(Keys.RESYNC_INTERVAL),
        get(Keys.HEALTH_CHECK_ENABLED), get(Keys.HEALTH_CHECK_INTERVAL), get(Keys.HEALTH_CHECK_FAST_INTERVAL),
        get(Keys.HEALTH_CHECK_TIMEOUT), get(Keys.HEALTH_CHECK_FAILURE_THRESHOLD),
        get(Keys.HEALTH_CHECK_RECOVERY_THRESHOLD), get(Keys.HEALTH_PROBE_TARGET),
        get(Keys.HEALTH_PROBE_TARGETS), get(Keys.HEALTH_PROBE_QUORUM), get(Keys.HEALTH_PROBE_PORT),
        get(Keys.HEALTH_PROBE_METHOD),
        get(Keys.CONNECTION_DRAINING_ENABLED), get(Keys.DRAIN_TIMEOUT), get(Keys.CARRIER_GRACE_PERIOD),
        get(Keys.SESSION_AFFINITY_ENABLED),
        get(Keys.CONSISTENT_NAT_ENABLED), get(Keys.IPV6_TRANSLATION), get(Keys.IPV6_LAN_PREFIX),
        get(Keys.IPV6_NPT_PREFIXES),
        get(Keys.FAILOVER_HYSTERESIS_ENABLED), get(Keys.FAILOVER_BACKOFF_BASE), get(Keys.FAILOVER_BACKOFF_MAX),
        get(Keys.FAILOVER_HOLD_DOWN),
        get(Keys.NEIGHBOR_REACHABILITY_ENABLED),
        get(Keys.LOG_LEVEL), get(Keys.METRICS_ENABLED), get(Keys.METRICS_PORT), get(Keys.METRICS_BIND),
        get(Keys.METRICS_FILE),
        get(Keys.KEEP_STATE_ON_EXIT), get(Keys.HOOKS_DIR), get(Keys.HOOK_TIMEOUT), get(Keys.STATE_DIR),
        get(Keys.CONTROL_SOCKET));
  }
}
