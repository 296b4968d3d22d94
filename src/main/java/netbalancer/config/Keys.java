package netbalancer.config;

import static netbalancer.config.TextTypes.absolutePath;
import static netbalancer.config.TextTypes.globs;
import static netbalancer.config.TextTypes.interfaceNames;
import static netbalancer.config.TextTypes.ipv6PrefixOrEmpty;
import static netbalancer.config.TextTypes.ipv6PrefixesByName;
import static netbalancer.config.TextTypes.ipLiteral;
import static netbalancer.config.TextTypes.ipLiterals;
import static netbalancer.config.TextTypes.tiers;
import static netbalancer.config.TextTypes.weights;
import static netbalancer.config.ValueTypes.bool;
import static netbalancer.config.ValueTypes.choice;
import static netbalancer.config.ValueTypes.integer;
import static netbalancer.config.ValueTypes.mask;
import static netbalancer.config.ValueTypes.seconds;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Every setting, in the order of the {@link Config} components and of the default config file.
 * Names and defaults of the user's specification are promises: do not rename them.
 */
final class Keys {
  /**
   * Uplink marks are 1..N shifted into LB_MARK_MASK (0 means "not pinned"); a mask is at least
   * 6 bits wide, so 63 uplinks always fit. This also keeps the per-uplink table range short.
   */
  static final int MAX_UPLINKS = 63;
  static final int MIN_MASK_BITS = 6;
  static final long MAX_TABLE = Integer.MAX_VALUE;

  private static final List<Key<?>> LIST = new ArrayList<>();

  private static final String CORE = "Core Settings";
  private static final String UPLINK = "Uplinks";
  private static final String MONITOR = "Real-time Monitoring";
  private static final String HEALTH = "Health Checks";
  private static final String CONN = "Connection Management";
  private static final String FAILOVER = "Failover Control";
  private static final String NEIGH = "Neighbor Monitoring";
  private static final String LOG = "Logging & Metrics";
  private static final String RUN = "Runtime Files & Hooks";

  static final Key<Integer> LB_TABLE = add("LB_TABLE", CORE, "200",
      "Routing table ID for load balancing (holds the multipath default route)",
      integer("an integer 1.." + MAX_TABLE + " other than 253, 254 and 255 (the kernel's default, main"
          + " and local tables)", v -> v >= 1 && v <= MAX_TABLE && (v < 253 || v > 255)));
  static final Key<Integer> LB_PREF = add("LB_PREF", CORE, "90",
      "IP rule preference for load balancing; helper rules use LB_PREF-20, LB_PREF-10 and LB_PREF-5",
      integer("an integer 21..32765 (our rules take LB_PREF-20..LB_PREF; 0, 32766 and 32767 are the"
          + " kernel's local, main and default rules)", v -> v >= 21 && v <= 32765));
  static final Key<Integer> LB_TABLE_BASE = add("LB_TABLE_BASE", CORE, "100",
      "Per-uplink routing tables are LB_TABLE_BASE+1, LB_TABLE_BASE+2, ...",
      integer("an integer 0..189 or 255.." + (MAX_TABLE - MAX_UPLINKS) + " (per-uplink tables LB_TABLE_BASE+1"
          + "..+" + MAX_UPLINKS + " must avoid the kernel's tables 253-255)",
          v -> (v >= 0 && v + MAX_UPLINKS < 253) || (v >= 255 && v <= MAX_TABLE - MAX_UPLINKS)));
  static final Key<Long> LB_MARK_MASK = add("LB_MARK_MASK", CORE, "0xff00",
      "fwmark bits that pin a connection to its uplink; pick bits that WireGuard, Tailscale, Docker do not use",
      mask(MIN_MASK_BITS));
  static final Key<Integer> LB_RT_PROTO = add("LB_RT_PROTO", CORE, "213",
      "Protocol number that tags our routes and rules, so cleanup removes exactly ours",
      integer("an integer 5..255 (0-4 are the kernel's own route protocols)", v -> v >= 5 && v <= 255));

  static final Key<List<String>> UPLINKS = add("UPLINKS", UPLINK, "",
      "Interfaces to balance over; empty means every interface with a default route that is not excluded",
      interfaceNames(MAX_UPLINKS));
  static final Key<List<String>> EXCLUDE_INTERFACES = add("EXCLUDE_INTERFACES", UPLINK,
      "lo docker* veth* br-* virbr* tailscale* wg*",
      "Interface name patterns never used as uplinks (an interface named in UPLINKS is always used)",
      globs());
  static final Key<Map<String, Integer>> UPLINK_WEIGHTS = add("UPLINK_WEIGHTS", UPLINK, "",
      "Relative share of new connections per uplink, e.g. \"wan1=3 wan2=1\"; unlisted uplinks weigh 1",
      weights());
  static final Key<Map<String, Integer>> UPLINK_TIERS = add("UPLINK_TIERS", UPLINK, "",
      "Failover tiers, e.g. \"wan1=1 wan2=1 lte0=2\": new connections use the lowest tier with a healthy uplink;"
          + " unlisted uplinks are tier 1",
      tiers());
  static final Key<BalanceMode> BALANCE_MODE = add("BALANCE_MODE", UPLINK, "connection",
      "connection: each connection may take any uplink; host: all traffic between two hosts takes one",
      choice(BalanceMode.class));
  static final Key<Path> POLICIES_FILE = add("POLICIES_FILE", UPLINK, "/etc/net-balancer/policies.conf",
      "Traffic policies (which traffic takes which uplinks), one rule per line; a missing default file means none",
      absolutePath(Integer.MAX_VALUE));

  static final Key<Duration> DEBOUNCE_TIME = add("DEBOUNCE_TIME", MONITOR, "2",
      "Seconds to wait after network events before reconfiguration", seconds(0, false, 3600));
  static final Key<Duration> RESYNC_INTERVAL = add("RESYNC_INTERVAL", MONITOR, "30",
      "Seconds between re-reads of our own kernel state (tables, rules, nft), in case an event was missed",
      seconds(0, true, 86400));

  static final Key<Boolean> HEALTH_CHECK_ENABLED = add("HEALTH_CHECK_ENABLED", HEALTH, "true",
      "Enable/disable active health monitoring", bool());
  static final Key<Duration> HEALTH_CHECK_INTERVAL = add("HEALTH_CHECK_INTERVAL", HEALTH, "30",
      "Seconds between health checks", seconds(0, true, 86400));
  static final Key<Duration> HEALTH_CHECK_FAST_INTERVAL = add("HEALTH_CHECK_FAST_INTERVAL", HEALTH, "1",
      "Seconds between health checks while an uplink is failing or recovering (at most HEALTH_CHECK_INTERVAL)",
      seconds(0, true, 86400));
  static final Key<Duration> HEALTH_CHECK_TIMEOUT = add("HEALTH_CHECK_TIMEOUT", HEALTH, "3",
      "Timeout for health probes, in seconds", seconds(0, true, 3600));
  static final Key<Integer> HEALTH_CHECK_FAILURE_THRESHOLD = add("HEALTH_CHECK_FAILURE_THRESHOLD", HEALTH, "2",
      "Consecutive failures before marking interface down", integer(1, 100));
  static final Key<Integer> HEALTH_CHECK_RECOVERY_THRESHOLD = add("HEALTH_CHECK_RECOVERY_THRESHOLD", HEALTH, "1",
      "Consecutive successes before marking interface up", integer(1, 100));
  static final Key<String> HEALTH_PROBE_TARGET = add("HEALTH_PROBE_TARGET", HEALTH, "1.1.1.1",
      "Target for connectivity checks (an IP address: probes must not depend on DNS);"
          + " at 1.1.1.1 the IPv6 sides probe its twin 2606:4700:4700::1111", ipLiteral());
  static final Key<List<String>> HEALTH_PROBE_TARGETS = add("HEALTH_PROBE_TARGETS", HEALTH, "",
      "Several probe targets; when empty, HEALTH_PROBE_TARGET is the only one", ipLiterals());
  static final Key<Integer> HEALTH_PROBE_QUORUM = add("HEALTH_PROBE_QUORUM", HEALTH, "1",
      "How many probe targets must answer for an uplink's check to succeed", integer(1, 100));
  static final Key<Integer> HEALTH_PROBE_PORT = add("HEALTH_PROBE_PORT", HEALTH, "53",
      "TCP port for health probes", integer(1, 65535));
  static final Key<ProbeMethod> HEALTH_PROBE_METHOD = add("HEALTH_PROBE_METHOD", HEALTH, "tcp",
      "tcp: connect to HEALTH_PROBE_PORT; icmp: echo request", choice(ProbeMethod.class));

  static final Key<Boolean> CONNECTION_DRAINING_ENABLED = add("CONNECTION_DRAINING_ENABLED", CONN, "true",
      "Enable graceful connection draining", bool());
  static final Key<Duration> DRAIN_TIMEOUT = add("DRAIN_TIMEOUT", CONN, "300",
      "Seconds a removed uplink's existing connections may keep using it", seconds(0, false, 86400));
  static final Key<Duration> CARRIER_GRACE_PERIOD = add("CARRIER_GRACE_PERIOD", CONN, "2.8",
      "Seconds the connections of an uplink that lost carrier are held for its return before they are"
          + " reset (0: at once)", seconds(0, false, 3600));
  static final Key<Boolean> SESSION_AFFINITY_ENABLED = add("SESSION_AFFINITY_ENABLED", CONN, "true",
      "Enable sticky routing per connection", bool());
  static final Key<Boolean> CONSISTENT_NAT_ENABLED = add("CONSISTENT_NAT_ENABLED", CONN, "true",
      "Ensure consistent source IPs", bool());
  static final Key<Ipv6Translation> IPV6_TRANSLATION = add("IPV6_TRANSLATION", CONN, "nat66",
      "What LAN IPv6 sources become on an uplink: nat66 its address, nptv6 IPV6_LAN_PREFIX mapped onto its"
          + " IPV6_NPT_PREFIXES prefix, none routed unchanged", choice(Ipv6Translation.class));
  static final Key<String> IPV6_LAN_PREFIX = add("IPV6_LAN_PREFIX", CONN, "",
      "The LAN's IPv6 prefix, which IPV6_TRANSLATION=nptv6 maps (required then)", ipv6PrefixOrEmpty());
  static final Key<Map<String, String>> IPV6_NPT_PREFIXES = add("IPV6_NPT_PREFIXES", CONN, "",
      "For nptv6: the prefix routed to this host through each uplink (e.g. from its delegated prefix), of"
          + " IPV6_LAN_PREFIX's length; an uplink without one gets nat66", ipv6PrefixesByName());

  static final Key<Boolean> FAILOVER_HYSTERESIS_ENABLED = add("FAILOVER_HYSTERESIS_ENABLED", FAILOVER, "true",
      "Enable hysteresis to prevent flapping", bool());
  static final Key<Duration> FAILOVER_BACKOFF_BASE = add("FAILOVER_BACKOFF_BASE", FAILOVER, "30",
      "Base backoff time in seconds", seconds(0, false, 86400));
  static final Key<Duration> FAILOVER_BACKOFF_MAX = add("FAILOVER_BACKOFF_MAX", FAILOVER, "300",
      "Maximum backoff time in seconds (at least FAILOVER_BACKOFF_BASE)", seconds(0, false, 86400));
  static final Key<Duration> FAILOVER_HOLD_DOWN = add("FAILOVER_HOLD_DOWN", FAILOVER, "60",
      "Hold-down period in seconds before re-enabling interfaces", seconds(0, false, 86400));

  static final Key<Boolean> NEIGHBOR_REACHABILITY_ENABLED = add("NEIGHBOR_REACHABILITY_ENABLED", NEIGH, "true",
      "Monitor ARP/NDP for gateway reachability", bool());

  static final Key<LogLevel> LOG_LEVEL = add("LOG_LEVEL", LOG, "info",
      "Logging level (debug/info/warn/error)", choice(LogLevel.class));
  static final Key<Boolean> METRICS_ENABLED = add("METRICS_ENABLED", LOG, "false",
      "Enable Prometheus metrics", bool());
  static final Key<Integer> METRICS_PORT = add("METRICS_PORT", LOG, "9090",
      "Port for metrics HTTP server", integer(1, 65535));
  static final Key<String> METRICS_BIND = add("METRICS_BIND", LOG, "127.0.0.1",
      "Address the metrics HTTP server listens on", ipLiteral());
  static final Key<Path> METRICS_FILE = add("METRICS_FILE", LOG, "/var/run/load_balancer_metrics.prom",
      "Metrics file path", absolutePath(Integer.MAX_VALUE));

  static final Key<Boolean> KEEP_STATE_ON_EXIT = add("KEEP_STATE_ON_EXIT", RUN, "false",
      "Leave routes, rules and nftables in place when the daemon stops", bool());
  static final Key<Path> HOOKS_DIR = add("HOOKS_DIR", RUN, "/etc/net-balancer/hooks.d",
      "Directory of executables run when an uplink changes state", absolutePath(Integer.MAX_VALUE));
  static final Key<Duration> HOOK_TIMEOUT = add("HOOK_TIMEOUT", RUN, "10",
      "Seconds a hook may run before it is killed", seconds(0, true, 3600));
  static final Key<Path> STATE_DIR = add("STATE_DIR", RUN, "/run/net-balancer",
      "Directory for runtime state", absolutePath(Integer.MAX_VALUE));
  // sun_path holds 108 bytes including the terminating NUL.
  static final Key<Path> CONTROL_SOCKET = add("CONTROL_SOCKET", RUN, "/run/net-balancer/control.sock",
      "Unix socket through which the CLI talks to the running daemon", absolutePath(107));

  /** All keys in declaration order. */
  static final List<Key<?>> ALL = Collections.unmodifiableList(LIST);

  private Keys() {
  }

  private static <T> Key<T> add(String name, String section, String def, String description, ValueType<T> type) {
    Key<T> key = new Key<>(name, section, def, description, type);
    LIST.add(key);
    return key;
  }

  static Key<?> byName(String name) {
    for (Key<?> k : LIST) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    return null;
  }
}
