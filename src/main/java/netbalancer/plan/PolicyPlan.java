package netbalancer.plan;

import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.observe.Family;
import netbalancer.observe.Route;
import netbalancer.observe.Rule;

/**
 * The kernel state the policies need, beside the global balance's {@link Plan}: one routing
 * table per distinct action, its fwmark rules, its routes as resolved for the uplinks' health
 * now, and the nft text that gives a connection's first packet its policy's mark.
 *
 * @param protocol LB_RT_PROTO, which tags every route and rule
 * @param sets   every table, in allocation order
 * @param rules  fwmark rules, all at LB_PREF-3 (and LB_PREF-2 for an {@code else main})
 * @param routes the uplink routes of the tables whose action has an eligible uplink now
 * @param nftDefinitions the sticky maps and the {@code policies} chain (to be placed inside our one nft table)
 * @param chainRules how many rules the {@code policies} chain holds
 * @param nftHooks rules for the existing chains, each "CHAIN: RULE" (prerouting, output, nat_postrouting)
 * @param stickyKeep per sticky map, the uplink marks its entries may hold now (the others' are deleted)
 * @param inUse  every policy in file order with what it uses now, for status, metrics and hooks
 */
public record PolicyPlan(int protocol, List<PolicySet> sets, List<Rule> rules, List<Route> routes, String nftDefinitions,
    int chainRules, List<String> nftHooks, Map<String, Set<Long>> stickyKeep, List<InUse> inUse) {

  public static final PolicyPlan NONE = new PolicyPlan(0, List.of(), List.of(), List.of(), "", 0, List.of(), Map.of(),
      List.of());

  /**
   * What one policy uses now.
   *
   * @param uplinks  the uplinks its table holds (empty for the balance, main, unreachable, blackhole)
   * @param route    {@code uplinks}, {@code balanced} (LB_TABLE's uplinks, also after a fall-through),
   *                 {@code main}, {@code unreachable} or {@code blackhole}
   * @param fallback its own uplinks are all ineligible: its {@code else} decides
   * @param absent   uplinks the policy names that are not uplinks now (valid: USB and LTE come and go)
   * @param ipv6     the same for IPv6 connections, null when no uplink has IPv6 (the fields above are
   *                 IPv4's, or IPv6's when no uplink has IPv4)
   */
  public record InUse(String policy, List<String> uplinks, String route, boolean fallback, List<String> absent,
      Side ipv6) {
    public InUse {
      uplinks = List.copyOf(uplinks);
      absent = List.copyOf(absent);
    }

    /** What one family's connections of the policy use now. */
    public record Side(List<String> uplinks, String route, boolean fallback) {
      public Side {
        uplinks = List.copyOf(uplinks);
      }
    }
  }

  public PolicyPlan {
    sets = List.copyOf(sets);
    rules = List.copyOf(rules);
    routes = List.copyOf(routes);
    nftHooks = List.copyOf(nftHooks);
    Map<String, Set<Long>> copy = new java.util.LinkedHashMap<>();
    stickyKeep.forEach((k, v) -> copy.put(k, Set.copyOf(v)));
    stickyKeep = java.util.Collections.unmodifiableMap(copy);
    inUse = List.copyOf(inUse);
  }

  /** The rules (added) and routes (replaced, typed unreachable/blackhole ones last), as ip batch lines. */
  public List<String> ipBatch() {
    return ipBatch(Family.INET);
  }

  /** As above for one family ({@code ip -6 -batch} for IPv6). */
  public List<String> ipBatch(Family family) {
    List<String> out = new java.util.ArrayList<>();
    rules.stream().filter(r -> r.family() == family).forEach(r -> out.add(IpCommands.rule("add", r)));
    routes.stream().filter(r -> r.family() == family).forEach(r -> out.add(IpCommands.route("replace", r)));
    return out;
  }

  /** The hook rules for one of our chains (prerouting, output, nat_postrouting), in order. */
  List<String> hooks(String chain) {
    String prefix = chain + ": ";
    return nftHooks.stream().filter(h -> h.startsWith(prefix)).map(h -> h.substring(prefix.length())).toList();
  }

  /** How many nft rules the chain and the hooks add to our table (the observer counts them). */
  int nftRuleCount() {
    return chainRules + nftHooks.size();
  }

  /** ip batch lines (the typed unreachable/blackhole routes included) and the nft text, for golden tests. */
  public String render() {
    StringBuilder sb = new StringBuilder("# policy tables\n");
    for (PolicySet s : sets) {
      sb.append("# ").append(s.describe()).append('\n');
    }
    sb.append("# ip -batch -\n");
    ipBatch(Family.INET).forEach(l -> sb.append(l).append('\n'));
    if (rules.stream().anyMatch(r -> r.family() == Family.INET6)) {
      sb.append("# ip -6 -batch -\n");
      ipBatch(Family.INET6).forEach(l -> sb.append(l).append('\n'));
    }
    sb.append("# nft: in chain prerouting, output, nat_postrouting\n");
    nftHooks.forEach(h -> sb.append(h).append('\n'));
    sb.append("# nft: definitions\n").append(nftDefinitions);
    return sb.toString();
  }
}
