package netbalancer.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import netbalancer.config.Config;
import netbalancer.config.ConfigException;
import netbalancer.config.Policies;
import netbalancer.config.Policy;
import netbalancer.config.Policy.Action;
import netbalancer.config.Policy.Kind;
import netbalancer.config.Policy.Match;
import netbalancer.config.Policy.Member;
import netbalancer.observe.Family;
import netbalancer.observe.Nexthop;
import netbalancer.observe.Route;
import netbalancer.observe.Rule;

/**
 * A pure function from (configuration, policies, uplinks, which of them are eligible) to the
 * kernel state the policies need. No I/O, no clock.
 *
 * <h2>Marks</h2>
 * Uplink i owns mark value i (shifted into LB_MARK_MASK) and i is at most 63
 * (Keys.MAX_UPLINKS), so values from 64 up are free for the policies whatever uplinks come and
 * go: 64 sends a connection to LB_TABLE ({@code balanced}), 65 to the main table ({@code main}),
 * and 66, 67, ... each to one policy table. A policy mark lives on the packet only (meta mark),
 * never in the ct mark: the connection's first packet is routed by it, and then the existing
 * pinning (nat_postrouting: the ct mark of the uplink the packet left by) takes over, so an
 * established connection pays nothing per policy and a pinned one never changes uplink when a
 * policy table's route changes. The values are allotted from the file alone (distinct
 * action + else pairs in file order), so a health change never moves a mark. The mask needs 7
 * bits or more; the default 0xff00 leaves 190 policy tables.
 *
 * <h2>Tables and rules</h2>
 * Table ids follow the per-uplink tables: LB_TABLE_BASE+64, +65, ... skipping the kernel's
 * 253-255 and LB_TABLE. Their rules sit at LB_PREF-3, after LB_PREF-10 (the main table's LAN and
 * connected routes still win, as for the global balance) and LB_PREF-5 (sockets bound to an
 * uplink's address keep leaving by it), before LB_PREF ({@code lookup LB_TABLE}). A table holds
 * the multipath route over the first tier with an eligible uplink, resolved here exactly as
 * LB_TABLE's tiers are; with none, the {@code else} action: its uplinks, an
 * {@code unreachable}/{@code blackhole} default route, or no route at all, so that the lookup
 * falls through to LB_TABLE ({@code else balanced}) or to a second rule at LB_PREF-2 that looks
 * up main ({@code else main}). Failover thus changes routes only, in the one ip batch, at the
 * same moment as LB_TABLE.
 *
 * <h2>nft</h2>
 * The chain {@code policies} (with one chain per protocol and verdict maps that merge rules of
 * one shape, {@link PolicyChains}) decides as the file's first match would, and {@code goto}s the
 * policy's own chain, which counts its new connections and sets its mark. It runs only for
 * packets whose connection has no uplink pinned (ct mark 0 under the mask): a connection's first
 * packet, and the packets of connections that are never pinned
 * ({@code main} ones, LAN to LAN). Packets of {@code main} connections are thus re-marked on
 * every packet rather than carrying a ct mark: "neither marked nor translated" is what conntrack
 * and the server see. nat_postrouting accepts a {@code main} packet before it is pinned or
 * translated.
 *
 * <h2>Sticky</h2>
 * A sticky policy has its own mark and an nft map, source address to the uplink mark its last
 * new connection took, with the policy's timeout: {@code policies} gives a known source that
 * uplink's mark (refreshing the entry), the NAT chain records an unknown one. {@link
 * PolicyPlan#stickyKeep()} says which uplinks each map may hold now; the daemon deletes the rest.
 *
 * <h2>IPv6</h2>
 * The same marks and table numbers serve both families (the kernel keeps IPv4 and IPv6 rules and
 * routes apart): a table's IPv6 side holds the multipath route over the first tier with an
 * eligible IPv6 side, resolved from the IPv6 sides' states exactly as LB_TABLE's IPv6 route. An
 * uplink without IPv6 is never eligible there, so a policy whose listed uplinks have no IPv6
 * takes its {@code else} for IPv6 (and an IPv4-only one its else for IPv4). A sticky policy has
 * a second map, keyed by IPv6 source. The chain runs for the families some uplink has; {@code
 * main}'s bypass of the NAT chain is family-free, so a {@code main} IPv6 connection is neither
 * NAT66- nor NPTv6-translated. {@link Planner} calls this and {@link NftRenderer} places the
 * chain and its hooks in our one table.
 */
public final class PolicyPlanner {
  static final int BALANCED_VALUE = 64;
  static final int MAIN_VALUE = 65;
  static final int FIRST_SET_VALUE = 66;
  static final String CHAIN = "policies";
  /** Sources a sticky policy remembers at most; a full map records no new source (they are balanced). */
  static final int STICKY_SIZE = 65536;

  private PolicyPlanner() {
  }

  /**
   * @param eligible names of the uplinks that may take new connections now (the daemon's view, or
   *                 every uplink with carrier when none is healthy: fail-open, as LB_TABLE)
   * @throws ConfigException when LB_MARK_MASK has no room for the policies' marks
   */
  public static PolicyPlan plan(Config config, Policies policies, List<Uplink> uplinks, Set<String> eligible) {
    return plan(config, policies, uplinks, eligible, eligible);
  }

  /**
   * @param eligible6 names of the uplinks whose IPv6 side may take new connections now (every
   *                  IPv6 side with carrier when none is eligible, as LB_TABLE's IPv6 route)
   */
  public static PolicyPlan plan(Config config, Policies policies, List<Uplink> uplinks, Set<String> eligible,
      Set<String> eligible6) {
    if (policies.isEmpty()) {
      return PolicyPlan.NONE;
    }
    Map<String, Uplink> byName = new LinkedHashMap<>();
    uplinks.forEach(u -> byName.put(u.name(), u));
    int shift = config.markShift();
    long maxValue = config.lbMarkMask() >>> shift;

    // Allot marks and tables from the file alone: distinct (action, else) in file order.
    Map<List<Object>, List<String>> users = new LinkedHashMap<>();
    for (Policy p : policies.rules()) {
      if (needsTable(p)) {
        users.computeIfAbsent(key(p), k -> new ArrayList<>()).add(p.name());
      }
    }
    long needed = FIRST_SET_VALUE + users.size() - 1L;
    if (needed > maxValue) {
      throw new ConfigException(List.of("LB_MARK_MASK=" + IpCommands.hex(config.lbMarkMask()) + " has room for mark"
          + " values up to " + maxValue + "; the policies in " + policies.source() + " need " + needed + " ("
          + users.size() + " distinct actions above the 63 uplink marks and 2 for balanced and main); allowed: a"
          + " mask of at least 7 bits, 8 (0xff00) for up to 190 distinct actions"));
    }
    int proto = config.lbRtProto();
    int pref = config.lbPref();
    List<PolicySet> sets = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    List<Route> typed = new ArrayList<>();
    List<Long> refused = new ArrayList<>();
    Map<List<Object>, Long> markOf = new LinkedHashMap<>();
    Map<String, java.util.Set<Long>> stickyKeep = new LinkedHashMap<>();
    boolean v6 = byName.values().stream().anyMatch(Uplink::hasIpv6);
    boolean v4 = !v6 || byName.values().stream().anyMatch(Uplink::hasIpv4); // IPv4 when no uplink has either
    int table = config.lbTableBase() + 64;
    int value = FIRST_SET_VALUE;
    for (Map.Entry<List<Object>, List<String>> e : users.entrySet()) {
      table = nextFreeTable(config, table);
      long mark = (long) value << shift;
      Action action = (Action) e.getKey().get(0);
      Action orElse = (Action) e.getKey().get(1);
      PolicySet.Resolved resolved = v4 ? resolve(action, orElse, byName, eligible, Family.INET) : null;
      PolicySet.Resolved resolved6 = v6 ? resolve(action, orElse, byName, eligible6, Family.INET6) : null;
      if (e.getKey().size() > 2) {
        if (v4) {
          stickyKeep.put(stickyMap(mark, shift), keep(config, resolved, byName, eligible, Family.INET));
        }
        if (v6) {
          stickyKeep.put(stickyMap6(mark, shift), keep(config, resolved6, byName, eligible6, Family.INET6));
        }
      }
      sets.add(new PolicySet(action, orElse, mark, table, e.getValue(), resolved, resolved6));
      markOf.put(e.getKey(), mark);
      for (Family f : Family.values()) {
        PolicySet.Resolved r = f == Family.INET ? resolved : resolved6;
        if (r == null) {
          continue;
        }
        rules.add(new Rule(f, pref - 3, null, mark, config.lbMarkMask(), table, null, proto));
        if (orElse.kind() == Kind.MAIN) { // static: matters only while the table above is empty
          rules.add(new Rule(f, pref - 2, null, mark, config.lbMarkMask(), Planner.MAIN_TABLE, null, proto));
        }
        if (!r.uplinks().isEmpty()) {
          List<Nexthop> hops = r.uplinks().stream()
              .map(m -> new Nexthop(gateway(byName.get(m.iface()), f), m.iface(), r.uplinks().size() == 1 ? 1 : m.weight()))
              .toList();
          routes.add(new Route(f, table, "default", hops, proto, 0, null, null, false));
        } else if (r.type() != null) {
          typed.add(new Route(f, table, "default", List.of(), proto, 0, null, null, false, r.type()));
        }
      }
      if (action.kind() == Kind.UNREACHABLE || orElse.kind() == Kind.UNREACHABLE) {
        refused.add(mark);
      }
      table++;
      value++;
    }
    boolean anyBalanced = policies.rules().stream().anyMatch(p -> p.action().kind() == Kind.BALANCED);
    boolean anyMain = policies.rules().stream().anyMatch(p -> p.action().kind() == Kind.MAIN);
    for (Family f : families(v4, v6)) {
      if (anyBalanced) {
        rules.add(new Rule(f, pref - 3, null, (long) BALANCED_VALUE << shift, config.lbMarkMask(),
            config.lbTable(), null, proto));
      }
      if (anyMain) {
        rules.add(new Rule(f, pref - 3, null, (long) MAIN_VALUE << shift, config.lbMarkMask(),
            Planner.MAIN_TABLE, null, proto));
      }
    }
    routes.addAll(typed); // after the unicast ones, as they were first written
    List<Family> families = families(v4, v6);
    List<String> hooks = hooks(config, anyMain, refused, families);
    hooks.addAll(stickyRecords(config, policies, markOf, byName));
    Chains chains = chains(config, policies, markOf, families);
    return new PolicyPlan(proto, sets, rules, routes, stickyMaps(policies, markOf, shift, families) + chains.text(),
        chains.rules(), hooks, stickyKeep, inUse(policies, sets, byName));
  }

  /** The families planned for. */
  private static List<Family> families(boolean v4, boolean v6) {
    return v4 && v6 ? List.of(Family.INET, Family.INET6) : v6 ? List.of(Family.INET6) : List.of(Family.INET);
  }

  private static String gateway(Uplink u, Family f) {
    return f == Family.INET ? u.gateway() : u.ipv6().gateway();
  }

  private static List<PolicyPlan.InUse> inUse(Policies policies, List<PolicySet> sets, Map<String, Uplink> byName) {
    List<PolicyPlan.InUse> out = new ArrayList<>();
    for (Policy p : policies.rules()) {
      List<String> absent = java.util.stream.Stream.concat(p.action().uplinks().stream(), p.orElse().uplinks().stream())
          .filter(n -> !byName.containsKey(n)).distinct().toList();
      PolicySet set = sets.stream().filter(s -> s.policies().contains(p.name())).findFirst().orElse(null);
      if (set == null) {
        PolicyPlan.InUse.Side none = new PolicyPlan.InUse.Side(List.of(), p.action().kind().word(), false);
        out.add(new PolicyPlan.InUse(p.name(), none.uplinks(), none.route(), false, absent,
            byName.values().stream().anyMatch(Uplink::hasIpv6) ? none : null));
        continue;
      }
      PolicySet.Resolved r = set.resolved() != null ? set.resolved() : set.resolved6();
      PolicyPlan.InUse.Side v6 = set.resolved6() == null ? null : side(p, set, set.resolved6());
      PolicyPlan.InUse.Side main = side(p, set, r);
      out.add(new PolicyPlan.InUse(p.name(), main.uplinks(), main.route(), main.fallback(), absent, v6));
    }
    return out;
  }

  private static PolicyPlan.InUse.Side side(Policy p, PolicySet set, PolicySet.Resolved r) {
    String route = !r.uplinks().isEmpty() ? "uplinks" : r.type() != null ? r.type()
        : set.orElse().kind() == Kind.MAIN ? "main" : "balanced";
    return new PolicyPlan.InUse.Side(r.uplinks().stream().map(Member::iface).toList(), route,
        r.fallback() && p.action().kind() == Kind.UPLINKS);
  }

  /**
   * balanced and main need no table of their own: LB_TABLE and main are there already. A sticky
   * policy has its own mark (its table may be empty, falling through to LB_TABLE), so that the
   * NAT chain can tell its new connections from others of the same action and record their uplink.
   */
  private static boolean needsTable(Policy p) {
    return p.sticky() != null || (p.action().kind() != Kind.BALANCED && p.action().kind() != Kind.MAIN);
  }

  /** Policies with the same action and last resort share a table and mark; a sticky one has its own. */
  private static List<Object> key(Policy p) {
    return p.sticky() == null ? List.of(p.action(), p.orElse()) : List.of(p.action(), p.orElse(), p.name());
  }

  /** Named by its mark value: stable while the file's order of actions is, whatever the policy is renamed to. */
  public static String stickyMap(long mark, int shift) {
    return "sticky_" + (mark >>> shift);
  }

  /** The IPv6 sources' map of the same policy. */
  public static String stickyMap6(long mark, int shift) {
    return "sticky6_" + (mark >>> shift);
  }

  /**
   * The uplinks a sticky source may stay on now: those its table holds, or, when it falls through
   * to the balance, every eligible one. The daemon deletes the entries of every other uplink.
   */
  private static java.util.Set<Long> keep(Config config, PolicySet.Resolved resolved, Map<String, Uplink> byName,
      Set<String> eligible, Family family) {
    java.util.Set<Long> out = new java.util.TreeSet<>();
    if (!resolved.uplinks().isEmpty()) {
      resolved.uplinks().forEach(m -> out.add(config.markFor(byName.get(m.iface()).index())));
    } else if (resolved.type() == null) {
      byName.values().stream().filter(u -> eligible.contains(u.name()) && has(u, family))
          .forEach(u -> out.add(config.markFor(u.index())));
    }
    return out;
  }

  /**
   * A sticky policy's source map: source address to the uplink mark its last new connection took,
   * with the policy's timeout (refreshed by each new connection). It lives in the kernel, so a
   * daemon restart keeps it; a ruleset replaced for other reasons (a new uplink) starts it empty.
   */
  private static String stickyMaps(Policies policies, Map<List<Object>, Long> markOf, int shift,
      List<Family> families) {
    StringBuilder sb = new StringBuilder();
    for (Policy p : policies.rules()) {
      if (p.sticky() == null) {
        continue;
      }
      for (Family f : families) {
        long mark = markOf.get(key(p));
        sb.append("\tmap ").append(f == Family.INET ? stickyMap(mark, shift) : stickyMap6(mark, shift))
            .append(" {\n\t\ttype ").append(f == Family.INET ? "ipv4_addr" : "ipv6_addr").append(" : mark\n")
            .append("\t\tsize ").append(STICKY_SIZE).append("\n\t\tflags dynamic,timeout\n\t\ttimeout ")
            .append(p.sticky().toSeconds()).append("s\n\t}\n");
      }
    }
    return sb.toString();
  }

  /**
   * The NAT chain runs for a connection's first packet only: there a sticky policy's new
   * connection records (or refreshes) its source with the uplink the routes chose. One rule per
   * uplink: nft 1.0.6 takes no map lookup as a dynamic set's value.
   */
  private static List<String> stickyRecords(Config config, Policies policies, Map<List<Object>, Long> markOf,
      Map<String, Uplink> byName) {
    List<String> out = new ArrayList<>();
    String mask = IpCommands.hex(config.lbMarkMask());
    for (Policy p : policies.rules()) {
      if (p.sticky() == null) {
        continue;
      }
      long mark = markOf.get(key(p));
      for (Family f : Family.values()) {
        for (Uplink u : byName.values()) {
          if (has(u, f)) {
            out.add("nat_postrouting: meta mark & " + mask + " == " + IpCommands.hex(mark) + " oifname \"" + u.name()
                + "\" update @" + (f == Family.INET ? stickyMap(mark, config.markShift())
                : stickyMap6(mark, config.markShift())) + " { " + f.nftKeyword() + " saddr : "
                + IpCommands.hex(config.markFor(u.index())) + " }");
          }
        }
      }
    }
    return out;
  }

  private static int nextFreeTable(Config config, int candidate) {
    int t = candidate;
    while ((t >= 253 && t <= 255) || t == config.lbTable()) {
      t++;
    }
    return t;
  }

  static PolicySet.Resolved resolve(Action action, Action orElse, Map<String, Uplink> uplinks, Set<String> eligible) {
    return resolve(action, orElse, uplinks, eligible, Family.INET);
  }

  /**
   * The first tier with an eligible uplink of {@code family}; else the last resort's; else
   * nothing (fall through). An uplink without that family is never eligible for it.
   */
  static PolicySet.Resolved resolve(Action action, Action orElse, Map<String, Uplink> uplinks, Set<String> eligible,
      Family family) {
    if (action.kind() == Kind.UNREACHABLE || action.kind() == Kind.BLACKHOLE) {
      return new PolicySet.Resolved(List.of(), action.kind().word(), false);
    }
    List<Member> tier = firstEligibleTier(action, uplinks, eligible, family);
    if (!tier.isEmpty()) {
      return new PolicySet.Resolved(tier, null, false);
    }
    return switch (orElse.kind()) {
      case UPLINKS -> new PolicySet.Resolved(firstEligibleTier(orElse, uplinks, eligible, family), null, true);
      case UNREACHABLE, BLACKHOLE -> new PolicySet.Resolved(List.of(), orElse.kind().word(), true);
      default -> new PolicySet.Resolved(List.of(), null, true); // balanced, main: the next rule decides
    };
  }

  private static List<Member> firstEligibleTier(Action action, Map<String, Uplink> uplinks, Set<String> eligible,
      Family family) {
    for (List<Member> tier : action.tiers()) {
      List<Member> ok = tier.stream()
          .filter(m -> uplinks.containsKey(m.iface()) && eligible.contains(m.iface()) && has(uplinks.get(m.iface()), family))
          .toList();
      if (!ok.isEmpty()) {
        return ok;
      }
    }
    return List.of();
  }

  private static boolean has(Uplink u, Family f) {
    return f == Family.INET ? u.hasIpv4() : u.hasIpv6();
  }

  private static List<String> hooks(Config config, boolean anyMain, List<Long> refused, List<Family> families) {
    String mask = IpCommands.hex(config.lbMarkMask());
    List<String> out = new ArrayList<>();
    // Only the families some uplink has: a family without uplinks has no policy rules, and its
    // packets must keep the main table (and their NAT) untouched.
    String only = families.size() == 2 ? "" : "meta nfproto " + (families.get(0) == Family.INET ? "ipv4" : "ipv6") + " ";
    String classify = only + "ct mark & " + mask + " == 0 jump " + CHAIN;
    out.add("prerouting: " + classify);
    if (!refused.isEmpty()) {
      // Fast failure: TCP treats the unreachable route's ICMP answer to a SYN as a soft error and
      // retries until its timeout (20 s and more), so a new connection that its policy's table
      // refuses now is reset instead. The kernel's own lookup with the policy's mark decides (no
      // route: oif missing), so this rule never changes with health; it costs a compare per
      // packet, and a route lookup only for a new TCP connection of such a policy.
      out.add("prerouting: meta mark & " + mask + (refused.size() == 1 ? " == " : " ") + set(refused.stream().map(IpCommands::hex).toList())
          + " meta l4proto tcp fib daddr . mark oif missing reject with tcp reset");
    }
    out.add("output: " + classify);
    if (anyMain) {
      out.add("nat_postrouting: meta mark & " + mask + " == " + IpCommands.hex((long) MAIN_VALUE
          << config.markShift()) + " accept");
    }
    return out;
  }

  /** nft text and how many rules it holds. */
  private record Chains(String text, int rules) {
  }

  /** The counter of the new connections of the policy at {@code position} (1-based) in the file; 0: of none. */
  public static String counterName(int position) {
    return "policy_new_" + position;
  }

  /**
   * The {@code policies} chain ({@link PolicyChains}: by protocol, then one verdict map per run
   * of rules of one shape that first-match order allows), whose rules {@code goto} the matching
   * policy's own small chain, which counts the connection if it is new and sets the mark (then
   * returns to the hook's chain, as {@code return} would). The count costs nothing on the way
   * and only a compare for a match; packets of a {@code main} connection come here on every
   * packet but count once. The last rule of each chain counts new connections no policy
   * matched, so that each policy's share is of every new connection.
   */
  private static Chains chains(Config config, Policies policies, Map<List<Object>, Long> markOf,
      List<Family> families) {
    String keep = IpCommands.hex(~config.lbMarkMask() & 0xffffffffL);
    List<PolicyChains.Target> targets = new ArrayList<>();
    StringBuilder own = new StringBuilder();
    StringBuilder counters = new StringBuilder();
    int rules = 0;
    int position = 0;
    for (Policy p : policies.rules()) {
      position++;
      long mark = markOf.containsKey(key(p)) ? markOf.get(key(p))
          : (long) (p.action().kind() == Kind.MAIN ? MAIN_VALUE : BALANCED_VALUE) << config.markShift();
      String chain = "policy_" + position;
      List<PolicyChains.Selector> selectors = PolicyChains.Selector.of(p.match());
      selectors.forEach(sel -> targets.add(new PolicyChains.Target(sel, chain, p.name())));
      counters.append("\tcounter ").append(counterName(position)).append(" { }\n");
      own.append("\tchain ").append(chain).append(" {\n\t\tct state new counter name \"")
          .append(counterName(position)).append("\"\n");
      rules++;
      if (p.sticky() != null) {
        // A source the map knows takes its uplink's own mark (the fwmark rules then route it by
        // that uplink's table) and refreshes its entry. The map's value is the whole mark: nft
        // 1.0.6 cannot OR it into the packet's, so this first packet loses mark bits outside
        // LB_MARK_MASK (the connection's later packets keep theirs). One rule per family: the
        // maps are keyed by one family's addresses.
        for (Family f : families) {
          if (selectors.stream().anyMatch(sel -> sel.family() == null || sel.family() == f)) {
            String map = "@" + (f == Family.INET ? stickyMap(mark, config.markShift())
                : stickyMap6(mark, config.markShift()));
            String saddr = f.nftKeyword() + " saddr";
            own.append("\t\tmeta mark set ").append(saddr).append(" map ").append(map).append(" update ").append(map)
                .append(" { ").append(saddr).append(" : meta mark } return\n");
            rules++;
          }
        }
      }
      own.append("\t\tmeta mark set meta mark & ").append(keep).append(" | ").append(IpCommands.hex(mark))
          .append("\n\t}\n");
      rules++;
    }
    PolicyChains.Rendered walk = PolicyChains.render(CHAIN, targets,
        "ct state new counter name \"" + counterName(0) + "\"");
    counters.insert(0, "\tcounter " + counterName(0) + " { }\n");
    return new Chains(counters.toString() + walk.text() + own, rules + walk.rules());
  }

  /** One selector text per address family the rule can match (one when it names no address). */
  static List<String> selectors(Match m) {
    return PolicyChains.Selector.of(m).stream().map(PolicyChains.Selector::text).toList();
  }

  private static String set(List<String> items) {
    return items.size() == 1 ? items.get(0) : items.stream().collect(Collectors.joining(", ", "{ ", " }"));
  }
}
