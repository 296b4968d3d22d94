package netbalancer.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import netbalancer.config.Config;
import netbalancer.harness.Observer.Seen;

/** The scenarios of {@code net-balancer test} (the seed's test_harness.sh), and what they share. */
public final class Scenarios {
  private Scenarios() {
  }

  public static Scenario status() {
    return new StatusScenario();
  }

  /** The uplink's link down for SECONDS, then up. */
  public static Scenario downUp(String uplink, int seconds) {
    return new FaultScenario("down-up " + uplink + " " + seconds, uplink, t -> t.carrier(uplink),
        Duration.ofSeconds(seconds), Expect.uplinkLeaves(uplink, Limits::out));
  }

  /** COUNT quick down/up cycles. */
  public static Scenario flap(String uplink, int count) {
    return new FlapScenario(uplink, count);
  }

  /** The uplink's gateway stops answering ARP for SECONDS (longer if the reaction is still due). */
  public static Scenario neighborFail(String uplink, int seconds) {
    return neighborFail(uplink, seconds, false);
  }

  /**
   * With {@code ipv6}: the uplink's IPv6 gateway (link-local or global) stops answering NDP, and
   * only its IPv6 side is expected to leave (LB_TABLE's IPv6 route).
   */
  public static Scenario neighborFail(String uplink, int seconds, boolean ipv6) {
    if (ipv6) {
      return new FaultScenario("neighbor-fail " + uplink + " " + seconds + " --ipv6", uplink,
          t -> t.neighbor6(uplink), Duration.ofSeconds(seconds), Expect.ipv6SideLeaves(uplink, Limits::neighbor));
    }
    return new FaultScenario("neighbor-fail " + uplink + " " + seconds, uplink, t -> t.neighbor(uplink),
        Duration.ofSeconds(seconds), Expect.uplinkLeaves(uplink, Limits::neighbor));
  }

  /** Health probes dropped for SECONDS, through one uplink or (null) through all. */
  public static Scenario healthBlock(int seconds, String uplinkOrNull) {
    String title = "health-block " + seconds + (uplinkOrNull == null ? "" : " --iface " + uplinkOrNull);
    Expect expect = uplinkOrNull == null ? Expect.allFail(Limits::health)
        : Expect.uplinkLeaves(uplinkOrNull, Limits::health);
    return new FaultScenario(title, uplinkOrNull, t -> t.probes(uplinkOrNull), Duration.ofSeconds(seconds), expect);
  }

  /** Every scenario in turn on IFACE (null: one the harness picks). */
  public static Scenario comprehensive(String uplinkOrNull, boolean lab) {
    return new Comprehensive(uplinkOrNull, lab);
  }

  // ---------------------------------------------------------------- shared by the scenarios

  /** Why nothing in the balancer could react to this scenario's fault, or null. */
  static String nothingWouldReact(String title, Config config) {
    if (title.startsWith("health-block") && !config.healthCheckEnabled()) {
      return "health checks are disabled (HEALTH_CHECK_ENABLED=false): blocked probes change nothing";
    }
    if (title.startsWith("neighbor-fail") && !config.healthCheckEnabled() && !config.neighborReachabilityEnabled()) {
      return "neither neighbor checks nor health checks are enabled: a dead gateway would go unnoticed";
    }
    return null;
  }

  /** Throws {@link Refused} if taking {@code uplink} away could cut the host off (null: none named). */
  static void refuseIfUnsafe(Context c, String uplink) {
    refuseIfUnsafe(c, uplink, false);
  }

  /** With {@code ipv6}, for a fault of the uplink's IPv6 side: judged on the IPv6 route's members. */
  static void refuseIfUnsafe(Context c, String uplink, boolean ipv6) {
    if (uplink == null) {
      return;
    }
    String why = Guard.refusal(uplink, c.target.uplinks(), ipv6 ? c.latest().members6() : c.latest().members(),
        c.force);
    if (why != null) {
      throw new Refused(why);
    }
  }

  /** Uplinks other than the faulted one that left LB_TABLE after {@code t0}; with none faulted, an empty LB_TABLE. */
  static List<String> collateral(Context c, long t0, String uplink, Set<String> before) {
    List<String> problems = new ArrayList<>();
    Set<String> reported = new LinkedHashSet<>();
    for (Seen s : c.observer.since(t0)) {
      if (uplink == null && s.members().isEmpty()) {
        problems.add("LB_TABLE became empty at +" + millis(s.nanos() - t0) + ": the balancer did not fail open");
        break;
      }
      for (String other : before) {
        if (uplink != null && !other.equals(uplink) && !s.members().contains(other) && reported.add(other)) {
          problems.add(other + " left LB_TABLE " + millis(s.nanos() - t0) + " after the fault, which was on " + uplink);
        }
      }
    }
    return problems;
  }

  /**
   * Every member of {@code before} (the faulted uplink too) that left {@code family}'s route after
   * {@code t0}; {@code what} follows the uplink's name in the text ("'s IPv6").
   */
  static List<String> collateral(Context c, long t0, String uplink, Set<String> before,
      java.util.function.Function<Seen, Set<String>> family, String what) {
    List<String> problems = new ArrayList<>();
    Set<String> reported = new LinkedHashSet<>();
    for (Seen s : c.observer.since(t0)) {
      for (String other : before) {
        if (!family.apply(s).contains(other) && reported.add(other)) {
          problems.add(other + what + " left LB_TABLE " + millis(s.nanos() - t0) + " after the fault, which was on "
              + uplink + "'s IPv6 side");
        }
      }
    }
    return problems;
  }

  /** Checks the held connections; returns the summary, adds a problem if one on another uplink died. */
  static String connections(Context c, Optional<Target.Held> held, String uplink, List<String> problems) {
    if (held.isEmpty()) {
      return "connections not measured (on a host the harness sends no traffic)";
    }
    Map<String, Integer> opened = held.get().opened();
    Map<String, Integer> alive = held.get().stillAlive();
    int total = 0;
    int kept = 0;
    for (var e : opened.entrySet()) {
      if (!e.getKey().equals(uplink)) {
        total += e.getValue();
        kept += Math.min(e.getValue(), alive.getOrDefault(e.getKey(), 0));
      }
    }
    c.timeline.note("held connections still answering: " + perUplink(alive) + " (of " + perUplink(opened) + ")");
    String where = uplink == null ? "" : " on the other uplinks";
    String text = "kept " + kept + "/" + total + " connections" + where;
    if (uplink != null) {
      text += " (" + uplink + ": " + alive.getOrDefault(uplink, 0) + "/" + opened.getOrDefault(uplink, 0) + ")";
    }
    if (kept < total) {
      problems.add((total - kept) + " established connection(s)" + where + " died");
    }
    return text;
  }

  static String perUplink(Map<String, Integer> counts) {
    return counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  static String describe(Seen s) {
    String table = "LB_TABLE " + (s.members().isEmpty() ? "empty" : String.join(" ", new TreeSet<>(s.members())));
    if (s.daemon() == null) {
      return table + "; no daemon answers";
    }
    return table + "; daemon: " + s.daemon().uplinks().entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue().state()).collect(Collectors.joining(", "));
  }

  static String millis(long nanos) {
    long ms = Math.max(0, nanos / 1_000_000);
    return ms < 1000 ? ms + " ms" : String.format("%.2f s", ms / 1000.0);
  }
}
