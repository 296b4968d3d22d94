package netbalancer.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.observe.Family;
import netbalancer.observe.Nexthop;
import netbalancer.observe.Route;
import netbalancer.observe.Rule;

/**
 * The heart: a pure function from (configuration, uplinks, their states) to the desired kernel
 * state. No I/O, no clock.
 *
 * <p>Rules, lowest preference first, all below LB_PREF with gaps to insert between:
 * LB_PREF-20 {@code fwmark} per uplink (pinned connections stay), LB_PREF-10
 * {@code lookup main suppress_prefixlength 0} (LAN and connected routes win over the balancer),
 * LB_PREF-5 {@code from ADDR} per uplink (sockets bound to an uplink's address, e.g. probes, leave
 * by it), LB_PREF {@code lookup LB_TABLE} (new connections take the weighted multipath route over
 * the eligible uplinks of the best failover tier).
 *
 * <p>The fwmark rules come first because only packets on their way out of an uplink carry a mark
 * (nft restores it only on packets that did not arrive from an uplink, see {@link NftRenderer}):
 * they need their uplink's table and nothing else, and skipping the main table's lookup makes
 * their route as cheap as plain routing's. The mark itself came from the interface the
 * connection's first packet left by, after the main table had its say.
 */
public final class Planner {
  static final int MAIN_TABLE = 254;

  private Planner() {
  }

  public static Plan plan(Config config, List<Uplink> uplinks, Map<String, UplinkState> states) {
    return plan(config, Policies.NONE, uplinks, states, Map.of());
  }

  /** As below, without policies. */
  public static Plan plan(Config config, List<Uplink> uplinks, Map<String, UplinkState> states,
      Map<String, UplinkState> states6) {
    return plan(config, Policies.NONE, uplinks, states, states6);
  }

  /** As below, the IPv6 sides following their uplinks' states. */
  public static Plan plan(Config config, Policies policies, List<Uplink> uplinks, Map<String, UplinkState> states) {
    return plan(config, policies, uplinks, states, Map.of());
  }

  /**
   * @param policies POLICIES_FILE's rules: their tables, rules and routes join the global
   *     balance's, resolved for the same eligible uplinks (every one with carrier when failing
   *     open), and their nft chain joins our table. Without policies the plan is exactly the one
   *     of before.
   * @param states6 the state of each uplink's IPv6 side; one not given follows its uplink's state.
   *     IPv6 balances over the IPv6 sides as IPv4 over the uplinks: the eligible ones of the best
   *     tier among them, all with carrier when none is eligible. So an uplink whose IPv6 is broken
   *     leaves only the IPv6 multipath route, and one whose IPv4 is broken only the IPv4 one.
   * @throws netbalancer.config.ConfigException when LB_MARK_MASK has no room for the policies' marks
   */
  public static Plan plan(Config config, Policies policies, List<Uplink> uplinks, Map<String, UplinkState> states,
      Map<String, UplinkState> states6) {
    List<Uplink> sorted = uplinks.stream().sorted(Comparator.comparingInt(Uplink::index)).toList();
    Map<String, UplinkState> effective = new TreeMap<>();
    for (Uplink u : sorted) {
      effective.put(u.name(), states.getOrDefault(u.name(), u.carrier() ? UplinkState.UP : UplinkState.DOWN));
    }
    Map<String, UplinkState> effective6 = new TreeMap<>();
    for (Uplink u : sorted) {
      if (u.hasIpv6()) {
        effective6.put(u.name(), states6.getOrDefault(u.name(), effective.get(u.name())));
      }
    }
    if (sorted.isEmpty()) {
      return new Plan(List.of(), effective, List.of(), List.of(), NftRuleset.EMPTY, sysctls(config, sorted),
          List.of(), false);
    }

    List<Uplink> eligible = sorted.stream().filter(u -> effective.get(u.name()).eligible()).toList();
    // Nothing is healthy: better to try every link that is up than to route nothing.
    boolean failOpen = eligible.isEmpty();
    List<Uplink> balanced = bestTier(config, failOpen ? sorted.stream().filter(Uplink::carrier).toList() : eligible);

    int proto = config.lbRtProto();
    List<Uplink> v4 = sorted.stream().filter(Uplink::hasIpv4).toList();
    List<Uplink> balanced4 = balanced.stream().filter(Uplink::hasIpv4).toList();
    List<Route> routes = new ArrayList<>();
    for (Uplink u : v4) {
      int table = config.tableFor(u.index());
      for (String prefix : u.connected()) {
        routes.add(new Route(u.family(), table, prefix, List.of(new Nexthop(null, u.name(), 1)), proto,
            IpCommands.SCOPE_LINK, u.address(), null, false));
      }
      routes.add(new Route(u.family(), table, "default", List.of(new Nexthop(u.gateway(), u.name(), 1)),
          proto, 0, null, null, false));
    }
    if (!balanced4.isEmpty()) {
      List<Nexthop> hops = balanced4.stream()
          .map(u -> new Nexthop(u.gateway(), u.name(), balanced4.size() == 1 ? 1 : config.weightOf(u.name())))
          .toList();
      routes.add(new Route(Family.INET, config.lbTable(), "default", hops, proto, 0, null, null, false));
    }

    List<Rule> rules = new ArrayList<>();
    int pref = config.lbPref();
    for (Uplink u : v4) {
      rules.add(new Rule(u.family(), pref - 20, null, config.markFor(u.index()), config.lbMarkMask(),
          config.tableFor(u.index()), null, proto));
    }
    if (!v4.isEmpty()) { // every uplink IPv6-only: no IPv4 rule at all
      rules.add(new Rule(Family.INET, pref - 10, null, null, null, MAIN_TABLE, 0, proto));
    }
    for (Uplink u : v4) {
      rules.add(new Rule(u.family(), pref - 5, u.address(), null, null, config.tableFor(u.index()),
          null, proto));
    }
    if (!v4.isEmpty()) {
      rules.add(new Rule(Family.INET, pref, null, null, null, config.lbTable(), null, proto));
    }
    List<Uplink> dual = sorted.stream().filter(Uplink::hasIpv6).toList();
    List<Uplink> eligible6 = dual.stream().filter(u -> effective6.get(u.name()).eligible()).toList();
    List<Uplink> balanced6 = bestTier(config, eligible6.isEmpty() ? dual.stream().filter(Uplink::carrier).toList()
        : eligible6);
    planIpv6(config, sorted, balanced6, routes, rules);

    Set<String> usable = (failOpen ? sorted.stream().filter(Uplink::carrier) : eligible.stream())
        .map(Uplink::name).collect(Collectors.toSet());
    Set<String> usable6 = (eligible6.isEmpty() ? dual.stream().filter(Uplink::carrier) : eligible6.stream())
        .map(Uplink::name).collect(Collectors.toSet());
    PolicyPlan policy = PolicyPlanner.plan(config, policies, sorted, usable, usable6);
    rules.addAll(policy.rules());
    routes.addAll(policy.routes());
    return new Plan(sorted, effective, routes, rules, NftRenderer.render(config, sorted, policy),
        sysctls(config, sorted), balanced.stream().map(Uplink::name).toList(), failOpen, effective6,
        balanced6.stream().map(Uplink::name).toList(), policy);
  }

  /**
   * The IPv6 twin of the above for the uplinks with an IPv6 side: the same preferences, tables,
   * marks, weights and ownership tag, in the IPv6 rule and route space (which is separate in the
   * kernel, so the numbers do not collide). The multipath route spans the balanced IPv6 sides;
   * nothing is added when no uplink has one.
   */
  private static void planIpv6(Config config, List<Uplink> sorted, List<Uplink> balanced6, List<Route> routes,
      List<Rule> rules) {
    List<Uplink> dual = sorted.stream().filter(Uplink::hasIpv6).toList();
    if (dual.isEmpty()) {
      return;
    }
    int proto = config.lbRtProto();
    for (Uplink u : dual) {
      int table = config.tableFor(u.index());
      for (String prefix : u.ipv6().connected()) {
        routes.add(new Route(Family.INET6, table, prefix, List.of(new Nexthop(null, u.name(), 1)), proto, 0,
            u.ipv6().address(), null, false));
      }
      routes.add(new Route(Family.INET6, table, "default", List.of(new Nexthop(u.ipv6().gateway(), u.name(), 1)),
          proto, 0, null, null, false));
    }
    if (!balanced6.isEmpty()) {
      List<Nexthop> hops = balanced6.stream().map(u -> new Nexthop(u.ipv6().gateway(), u.name(),
          balanced6.size() == 1 ? 1 : config.weightOf(u.name()))).toList();
      routes.add(new Route(Family.INET6, config.lbTable(), "default", hops, proto, 0, null, null, false));
    }
    int pref = config.lbPref();
    for (Uplink u : dual) {
      rules.add(new Rule(Family.INET6, pref - 20, null, config.markFor(u.index()), config.lbMarkMask(),
          config.tableFor(u.index()), null, proto));
    }
    rules.add(new Rule(Family.INET6, pref - 10, null, null, null, MAIN_TABLE, 0, proto));
    for (Uplink u : dual) {
      rules.add(new Rule(Family.INET6, pref - 5, u.ipv6().address(), null, null, config.tableFor(u.index()),
          null, proto));
    }
    rules.add(new Rule(Family.INET6, pref, null, null, null, config.lbTable(), null, proto));
  }

  /**
   * The candidates of the lowest UPLINK_TIERS tier among them: a backup tier (a metered LTE link,
   * say) takes new connections only while no uplink of a better tier can. Connections already on
   * it keep their uplink when a better tier comes back: only LB_TABLE changes.
   */
  private static List<Uplink> bestTier(Config config, List<Uplink> candidates) {
    int best = candidates.stream().mapToInt(u -> config.tierOf(u.name())).min().orElse(1);
    return candidates.stream().filter(u -> config.tierOf(u.name()) == best).toList();
  }

  private static TreeMap<String, String> sysctls(Config config, List<Uplink> uplinks) {
    TreeMap<String, String> s = new TreeMap<>();
    if (uplinks.isEmpty()) {
      return s;
    }
    // IPv4 forwarding and hashing even when every uplink is IPv6-only: cheap, and the same
    // for a host whose next uplink has IPv4 (rp_filter only where there is IPv4).
    s.put("net/ipv4/ip_forward", "1");
    // 1 hashes the 5-tuple (each connection picks its uplink), 0 the address pair.
    s.put("net/ipv4/fib_multipath_hash_policy", Integer.toString(config.balanceMode().fibMultipathHashPolicy()));
    // Skip nexthops whose gateway neighbor is known FAILED, before any health check notices.
    s.put("net/ipv4/fib_multipath_use_neigh", "1");
    for (Uplink u : uplinks.stream().filter(Uplink::hasIpv4).toList()) {
      // Loose: replies of pinned connections arrive on an uplink the main table would not choose.
      s.put("net/ipv4/conf/" + u.name() + "/rp_filter", "2");
    }
    if (uplinks.stream().anyMatch(Uplink::hasIpv6)) {
      s.put("net/ipv6/conf/all/forwarding", "1");
      // The same values mean the same for IPv6 (0 the address pair and flow label, 1 the 5-tuple).
      s.put("net/ipv6/fib_multipath_hash_policy", Integer.toString(config.balanceMode().fibMultipathHashPolicy()));
      for (Uplink u : uplinks) {
        if (u.hasIpv6()) {
          // Forwarding makes accept_ra=1 ignore router advertisements (and purges their default
          // routes at once): 2 keeps a SLAAC uplink's default. The applier raises only a 1 (a 0 is
          // the operator's choice) and writes it before forwarding.
          s.put("net/ipv6/conf/" + u.name() + "/accept_ra", "2");
        }
      }
    }
    return s;
  }
}
