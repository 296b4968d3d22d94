package netbalancer.daemon;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import netbalancer.config.Config;
import netbalancer.config.InterfaceNames;
import netbalancer.config.Policies;
import netbalancer.kernel.ApplyResult;
import netbalancer.kernel.Conntrack;
import netbalancer.kernel.KernelApplier;
import netbalancer.log.Log;
import netbalancer.observe.KernelState;
import netbalancer.plan.Plan;
import netbalancer.plan.Planner;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkDiscovery;
import netbalancer.plan.UplinkState;
import netbalancer.system.Ticker;

/**
 * One pass of the daemon: observe, decide states, plan, apply the difference, then deal with
 * the connections a change stranded — only those pinned to an uplink that failed hard, that
 * vanished, or whose drain timed out, or NATed to an address that changed. Never a flush.
 *
 * <p>A carrier loss is a hard failure with a grace period: the uplink leaves LB_TABLE at once,
 * but its pinned connections are deleted only if the carrier is not back by CARRIER_GRACE_PERIOD.
 * Meanwhile their packets still find the uplink's own table (its routes stay, marked linkdown), so
 * they are dropped at the dead link, where TCP retransmits them, and nothing leaves by another
 * uplink with the wrong source. A blip (a roam, a re-seated cable) then costs a retransmission,
 * not the connection. Not thread-safe: the daemon runs it on one thread.
 */
final class Reconciler {
  /**
   * What one pass did. {@code verdicts6}/{@code transitions6}: those of the uplinks' IPv6 sides
   * (family "ipv6"), beside the uplinks' own.
   */
  record Outcome(Plan plan, Map<String, Verdict> verdicts, List<Transition> transitions,
      ApplyResult applied, OptionalLong wakeAt, long durationNanos, Map<String, Verdict> verdicts6,
      List<Transition> transitions6) {
  }

  private Config config;
  private Policies policies;
  private final Supplier<KernelState> observer;
  private final KernelApplier applier;
  private final Conntrack conntrack;
  private final HealthSource health;
  private final Ticker ticker;
  private final StateDecider decider;
  private final Set<String> drained = new HashSet<>();
  private final Set<String> namesReported = new HashSet<>();
  private final Map<String, Long> drainDeadline = new HashMap<>();
  /** Carrier lost: when its pinned connections are deleted (Long.MIN_VALUE once they were). */
  private final Map<String, Long> graceDeadline = new HashMap<>();
  private Map<String, Uplink> previousUplinks = Map.of();
  private Map<String, Verdict> previousVerdicts = Map.of();
  private Map<String, Verdict> previousVerdicts6 = Map.of();
  private volatile List<Uplink> lastUplinks = List.of(); // read by the UnrepliedWatcher's thread
  /** The uplinks' links as the last pass read them: ifindex to name. */
  private volatile Map<Integer, String> lastLinks = Map.of();
  private boolean firstRun = true;
  /** The sticky maps' allowed uplink marks at the last purge that succeeded; null: purge on the next pass. */
  private Map<String, Set<Long>> stickyKept;
  private int tierInUse; // the UPLINK_TIERS tier LB_TABLE holds; 0 before the first pass
  /** The last pass's read, plan and apply, in nanoseconds: where a slow pass spent its time. */
  private final long[] lastSteps = new long[3];

  Reconciler(Config config, Supplier<KernelState> observer, KernelApplier applier, Conntrack conntrack,
      HealthSource health, Ticker ticker) {
    this(config, Policies.NONE, observer, applier, conntrack, health, ticker);
  }

  Reconciler(Config config, Policies policies, Supplier<KernelState> observer, KernelApplier applier,
      Conntrack conntrack, HealthSource health, Ticker ticker) {
    this.config = config;
    this.policies = policies;
    this.observer = observer;
    this.applier = applier;
    this.conntrack = conntrack;
    this.health = health;
    this.ticker = ticker;
    this.decider = new StateDecider(config.debounceTime().toNanos(), config.neighborReachabilityEnabled());
  }

  /**
   * New settings (a reload), keeping everything learned: drains and their deadlines, grace
   * periods, debounces, the last verdicts (so only real changes are transitions) and the tier.
   */
  void reconfigure(Config next) {
    reconfigure(next, policies);
  }

  /** As above, with the policies read again (they were validated against {@code next}). */
  void reconfigure(Config next, Policies nextPolicies) {
    if (next.lbRtProto() != config.lbRtProto()) {
      throw new IllegalArgumentException("LB_RT_PROTO cannot change while running (the kernel's objects carry "
          + config.lbRtProto() + ")");
    }
    config = next;
    policies = nextPolicies;
    decider.reconfigure(next.debounceTime().toNanos(), next.neighborReachabilityEnabled());
  }

  void drain(String uplink, boolean on) {
    if (on) {
      drained.add(uplink);
    } else {
      drained.remove(uplink);
    }
  }

  Set<String> drained() {
    return Set.copyOf(drained);
  }

  /** "read R ms, plan P ms, apply A ms" of the last pass (plan: states decided and planned). */
  String lastSteps() {
    return String.format("read %d ms, plan %d ms, apply %d ms", TimeUnit.NANOSECONDS.toMillis(lastSteps[0]),
        TimeUnit.NANOSECONDS.toMillis(lastSteps[1]), TimeUnit.NANOSECONDS.toMillis(lastSteps[2]));
  }

  /** The links of the uplinks the last pass saw, ifindex to name; any thread may ask. */
  Map<Integer, String> uplinkLinks() {
    return lastLinks;
  }

  /** The uplinks the last pass saw; any thread may ask. */
  List<Uplink> uplinks() {
    return lastUplinks;
  }

  Outcome reconcile() {
    long start = ticker.read();
    KernelState kernel = observer.get();
    long read = ticker.read();
    List<Uplink> uplinks = UplinkDiscovery.discover(config, kernel);
    reportUnusableNames(kernel);
    reportNptRefusals(uplinks);
    long now = ticker.read();
    Set<String> neighborFailed = decider.neighborFailures(uplinks, kernel, now);
    StateDecider.Decisions decisions = decider.decide(uplinks, health.verdicts(), health.verdicts6(), drained,
        now, firstRun);
    firstRun = false;

    Map<String, UplinkState> states = new LinkedHashMap<>();
    decisions.verdicts().forEach((name, v) -> states.put(name, v.state()));
    Map<String, UplinkState> states6 = new LinkedHashMap<>();
    decisions.verdicts6().forEach((name, v) -> states6.put(name, v.state()));
    Plan plan = Planner.plan(config, policies, uplinks, states, states6);
    long planned = ticker.read();
    ApplyResult applied = applier.apply(plan, kernel);
    lastSteps[0] = read - start;
    lastSteps[1] = planned - read;
    lastSteps[2] = ticker.read() - planned;
    purgeSticky(plan);
    // Probes start only now: before our `from ADDR` rules exist, a probe bound to one uplink's
    // address would leave by the main table's default and fail (and poison ARP with a foreign
    // source address). A new uplink has no verdict yet, which counts as healthy.
    health.track(uplinks, neighborFailed, decider.neighborFailures6());
    applied.errors().forEach(e -> Log.error("apply: %s", e));
    if (plan.failOpen() && !plan.balanced().isEmpty()) {
      Log.warn("no uplink is healthy: failing open over every uplink with carrier (%s)",
          String.join(",", plan.balanced()));
    }
    logTierChange(plan);

    Map<String, Uplink> current = new LinkedHashMap<>();
    uplinks.forEach(u -> current.put(u.name(), u));
    List<Transition> transitions = transitions(current, previousVerdicts, decisions.verdicts(), Transition.IPV4);
    transitions.forEach(t -> Log.info("%s", t.describe()));
    List<Transition> transitions6 = transitions(current, previousVerdicts6, decisions.verdicts6(), Transition.IPV6);
    transitions6.forEach(t -> Log.info("%s", t.describe()));
    long wake = strandedConnections(current, decisions.verdicts(), now);
    if (decisions.wakeAt().isPresent()) {
      wake = Math.min(wake, decisions.wakeAt().getAsLong());
    }

    previousUplinks = current;
    previousVerdicts = decisions.verdicts();
    previousVerdicts6 = decisions.verdicts6();
    lastUplinks = List.copyOf(uplinks);
    Set<String> names = new java.util.HashSet<>();
    uplinks.forEach(u -> names.add(u.name()));
    Map<Integer, String> links = new LinkedHashMap<>();
    kernel.links().stream().filter(l -> names.contains(l.name())).forEach(l -> links.put(l.ifindex(), l.name()));
    lastLinks = Map.copyOf(links);
    return new Outcome(plan, decisions.verdicts(), transitions, applied,
        wake == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(wake), ticker.read() - start,
        decisions.verdicts6(), transitions6);
  }

  /**
   * A sticky source keeps its uplink only while its policy may use it: when that set changed (and
   * on the first pass, after a restart), the entries of the other uplinks go.
   */
  private void purgeSticky(Plan plan) {
    Map<String, Set<Long>> keep = plan.policies().stickyKeep();
    if (keep.equals(stickyKept)) {
      return;
    }
    List<String> errors = applier.purgeSticky(keep);
    errors.forEach(e -> Log.warn("sticky: %s (retried on the next pass)", e));
    stickyKept = errors.isEmpty() ? keep : null;
  }

  /** Once per interface: an uplink missing for its name alone would otherwise be a mystery. */
  private void reportUnusableNames(KernelState kernel) {
    UplinkDiscovery.unusableNames(config, kernel).forEach((name, why) -> {
      if (namesReported.add(name)) {
        Log.warn("interface %s has a default route but is not used as an uplink: its name is not one the balancer"
            + " uses (%s; allowed: %s)", printable(name), why, InterfaceNames.RULES);
      }
    });
    for (String name : UplinkDiscovery.leftOutForRoom(config, kernel)) {
      if (namesReported.add(name)) {
        Log.warn("uplink %s left out: all %d uplinks LB_MARK_MASK %s has room for are taken (a wider mask, or"
            + " EXCLUDE_INTERFACES for another, makes room)", printable(name), config.maxUplinks(),
            netbalancer.plan.IpCommands.hex(config.lbMarkMask()));
      }
    }
  }

  /** Once per uplink: nptv6 asked for but not possible on it, so it gets NAT66. */
  private void reportNptRefusals(List<Uplink> uplinks) {
    netbalancer.plan.Translation6.refusals(config, uplinks).forEach((name, why) -> {
      if (namesReported.add("npt:" + name)) {
        Log.warn("no NPTv6 on uplink %s: %s", printable(name), why);
      }
    });
  }

  /** The name in quotes, with anything outside printable ASCII as \\uXXXX: a name is not a log line. */
  static String printable(String name) {
    StringBuilder sb = new StringBuilder("'");
    name.chars().forEach(c -> sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
    return sb.append('\'').toString();
  }

  /** Operators want to know when the backup (a metered link, say) starts or stops carrying new traffic. */
  private void logTierChange(Plan plan) {
    if (plan.balanced().isEmpty()) {
      return;
    }
    int tier = config.tierOf(plan.balanced().get(0));
    if (tierInUse != 0 && tier != tierInUse) {
      String what = String.format("failover tier %d -> %d: new connections go to %s", tierInUse, tier,
          String.join(",", plan.balanced()));
      if (tier > tierInUse) {
        Log.warn("%s", what);
      } else {
        Log.info("%s", what);
      }
    }
    tierInUse = tier;
  }

  /** One family's changes; a side that is gone (the uplink, or only its IPv6 default) is one too. */
  private static List<Transition> transitions(Map<String, Uplink> current, Map<String, Verdict> previous,
      Map<String, Verdict> verdicts, String family) {
    List<Transition> out = new ArrayList<>();
    verdicts.forEach((name, v) -> {
      Verdict before = previous.get(name);
      if (before == null || before.state() != v.state()) {
        out.add(new Transition(name, before == null ? null : before.state(), v.state(), v.reason(), family));
      }
    });
    previous.forEach((name, v) -> {
      if (!verdicts.containsKey(name)) {
        out.add(new Transition(name, v.state(), null, current.containsKey(name) ? "its IPv6 default route gone"
            : "interface or its default route gone", family));
      }
    });
    return out;
  }

  /** Deletes connections that can no longer work; returns when a drain deadline falls due. */
  private long strandedConnections(Map<String, Uplink> current, Map<String, Verdict> verdicts, long now) {
    long mask = config.lbMarkMask();
    previousUplinks.forEach((name, old) -> {
      Uplink u = current.get(name);
      if (u == null || u.index() != old.index()) {
        forget(name, old.index());
      } else if (old.address() != null && !old.address().equals(u.address())) {
        int n = conntrack.deleteReplyDestination(old.address());
        Log.info("uplink %s renumbered %s -> %s: %d connection(s) on the old address deleted",
            name, old.address(), u.address(), n);
      }
    });
    long wake = Long.MAX_VALUE;
    for (Uplink u : current.values()) {
      Verdict v = verdicts.get(u.name());
      if (!v.carrierLost() && !v.hard()) {
        carrierBack(u.name(), now);
      }
      Verdict before = previousVerdicts.get(u.name());
      boolean wasOut = before != null && !before.state().eligible();
      if (v.state().eligible()) {
        drainDeadline.remove(u.name());
      } else if (v.carrierLost() && config.carrierGracePeriod().toNanos() > 0) {
        drainDeadline.remove(u.name());
        if (!graceDeadline.containsKey(u.name()) && (!wasOut || !before.hard())) {
          graceDeadline.put(u.name(), now + config.carrierGracePeriod().toNanos());
          Log.info("uplink %s: carrier lost; its pinned connections are held for %s s (CARRIER_GRACE_PERIOD)",
              u.name(), seconds(config.carrierGracePeriod().toNanos()));
        }
        Long deadline = graceDeadline.get(u.name());
        if (deadline != null && deadline != Long.MIN_VALUE) {
          if (deadline <= now) {
            int n = conntrack.deleteMarked(config.markFor(u.index()), mask);
            Log.info("uplink %s: carrier not back within %s s: %d pinned connection(s) deleted", u.name(),
                seconds(config.carrierGracePeriod().toNanos()), n);
            graceDeadline.put(u.name(), Long.MIN_VALUE);
          } else {
            wake = Math.min(wake, deadline);
          }
        }
      } else if (v.hard()) {
        drainDeadline.remove(u.name());
        Long grace = graceDeadline.remove(u.name());
        if (!wasOut || !before.hard() || grace != null && grace != Long.MIN_VALUE) {
          int n = conntrack.deleteMarked(config.markFor(u.index()), mask);
          Log.info("uplink %s: %d pinned connection(s) deleted (%s)", u.name(), n, v.reason());
        }
      } else if (!config.connectionDrainingEnabled() && v.state() != UplinkState.DRAINING) {
        if (!wasOut) {
          int n = conntrack.deleteMarked(config.markFor(u.index()), mask);
          Log.info("uplink %s: %d pinned connection(s) deleted (draining disabled)", u.name(), n);
        }
      } else {
        long deadline = drainDeadline.computeIfAbsent(u.name(), k -> now + config.drainTimeout().toNanos());
        if (deadline <= now) {
          if (deadline != Long.MIN_VALUE) {
            int n = conntrack.deleteMarked(config.markFor(u.index()), mask);
            Log.info("uplink %s: drain timed out after %d s, %d connection(s) deleted", u.name(),
                TimeUnit.NANOSECONDS.toSeconds(config.drainTimeout().toNanos()), n);
            drainDeadline.put(u.name(), Long.MIN_VALUE);
          }
        } else {
          wake = Math.min(wake, deadline);
        }
      }
    }
    return wake;
  }

  /** The carrier is back: connections held for it carry on (a changed address deleted them above). */
  private void carrierBack(String name, long now) {
    Long deadline = graceDeadline.remove(name);
    if (deadline != null && deadline != Long.MIN_VALUE) {
      long held = now - (deadline - config.carrierGracePeriod().toNanos());
      Log.info("uplink %s: carrier back after %s s, before its pinned connections were deleted: they carry on",
          name, seconds(Math.max(0, held)));
    }
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
  }

  private void forget(String name, int index) {
    drainDeadline.remove(name);
    graceDeadline.remove(name);
    int n = conntrack.deleteMarked(config.markFor(index), config.lbMarkMask());
    Log.info("uplink %s gone: %d pinned connection(s) deleted", name, n);
  }
}
