package netbalancer.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.config.Policy;
import netbalancer.config.Policy.Kind;
import netbalancer.config.Policy.Member;

/**
 * Why a flow goes where it goes, from the plan alone (pure): its policy's mark and table, the
 * uplinks that table holds now, and for every uplink why it is or is not among them. The
 * kernel's own answer for the same mark is asked separately ({@code ip route get}).
 */
public final class FlowExplainer {
  private FlowExplainer() {
  }

  /**
   * @param mark     the mark the flow's first packet gets (0: none, LB_TABLE decides)
   * @param table    the table its policy's rule looks up, or null (no policy: the main table's
   *                 routes, then LB_TABLE)
   * @param now      the uplinks it would take now (a multipath route's, or LB_TABLE's after a fall-through)
   * @param route    what the policy's table holds now, in words
   * @param uplinks  uplink name to why it is or is not used, in index order
   */
  public record Explanation(long mark, Integer table, List<String> now, String route, Map<String, String> uplinks) {
  }

  /**
   * @param policy the flow's policy, or null
   * @param why    per uplink not eligible now, the reason as the daemon gives it (state, cause, time left)
   */
  public static Explanation explain(Config config, Plan plan, Policy policy, Map<String, String> why) {
    return explain(config, plan, policy, why, false);
  }

  /**
   * @param ipv6 the flow is IPv6: its policy's IPv6 side, LB_TABLE's IPv6 route and the IPv6
   *             sides' states decide, and an uplink without IPv6 is never used
   * @param why  per uplink (per IPv6 side for an IPv6 flow) not eligible now, the daemon's reason
   */
  public static Explanation explain(Config config, Plan plan, Policy policy, Map<String, String> why, boolean ipv6) {
    Map<String, String> out = new LinkedHashMap<>();
    int shift = config.markShift();
    List<String> balanced = ipv6 ? plan.balanced6() : plan.balanced();
    if (policy == null || (policy.sticky() == null && policy.action().kind() == Kind.BALANCED)) {
      for (Uplink u : plan.uplinks()) {
        out.put(u.name(), balanced.contains(u.name()) ? "in LB_TABLE (weight " + config.weightOf(u.name())
            + ", tier " + config.tierOf(u.name()) + ")" : notUsed(config, plan, u, why, ipv6));
      }
      return new Explanation(policy == null ? 0 : (long) PolicyPlanner.BALANCED_VALUE << shift,
          policy == null ? null : config.lbTable(), balanced, "LB_TABLE: " + joined(balanced), out);
    }
    if (policy.action().kind() == Kind.MAIN) {
      plan.uplinks().forEach(u -> out.put(u.name(), "not used: the main table routes this flow"));
      return new Explanation((long) PolicyPlanner.MAIN_VALUE << shift, Planner.MAIN_TABLE, List.of(),
          "the main table (not balanced, not pinned, not translated)", out);
    }
    PolicySet set = plan.policies().sets().stream().filter(s -> s.policies().contains(policy.name())).findFirst()
        .orElseThrow(() -> new IllegalStateException("no table for policy " + policy.name()));
    PolicySet.Resolved r = set.resolved(ipv6);
    if (r == null) { // no uplink has this family: nothing of ours routes the flow
      plan.uplinks().forEach(u -> out.put(u.name(), "not used: no uplink has " + (ipv6 ? "IPv6" : "IPv4")));
      return new Explanation(set.mark(), set.table(), List.of(), "no uplink has " + (ipv6 ? "IPv6" : "IPv4"), out);
    }
    List<String> now = r.uplinks().stream().map(Member::iface).toList();
    String route;
    if (!now.isEmpty()) {
      route = joined(r.uplinks().stream().map(Member::toString).toList()) + (r.fallback() ? " (else, the last resort)" : "");
    } else if (r.type() != null) {
      route = r.type() + (r.fallback() ? " (else, the last resort: no listed uplink is eligible)" : "");
    } else if (set.orElse().kind() == Kind.MAIN) {
      route = "empty: the main table (else main)";
    } else {
      now = balanced;
      route = "empty: falls through to LB_TABLE (" + (policy.action().kind() == Kind.BALANCED ? "balanced"
          : "else balanced") + "): " + joined(now);
    }
    List<String> named = new ArrayList<>(policy.action().uplinks());
    policy.orElse().uplinks().forEach(n -> {
      if (!named.contains(n)) {
        named.add(n);
      }
    });
    for (Uplink u : plan.uplinks()) {
      String name = u.name();
      if (now.contains(name)) {
        out.put(name, "in use" + tierOf(policy, name));
      } else if (!named.contains(name) && policy.action().kind() == Kind.UPLINKS) {
        out.put(name, "not named by the policy");
      } else if (ipv6 ? !u.hasIpv6() : !u.hasIpv4()) {
        out.put(name, "no " + (ipv6 ? "IPv6" : "IPv4") + tierOf(policy, name));
      } else if (eligible(plan, name, ipv6)) {
        out.put(name, "eligible, but a better tier of the policy has an eligible uplink" + tierOf(policy, name));
      } else {
        out.put(name, notUsed(config, plan, u, why, ipv6) + tierOf(policy, name));
      }
    }
    for (String name : named) {
      if (!out.containsKey(name)) {
        out.put(name, "not an uplink now (no default route, or excluded)");
      }
    }
    return new Explanation(set.mark(), set.table(), now, route, out);
  }

  private static boolean eligible(Plan plan, String name, boolean ipv6) {
    UplinkState s = (ipv6 ? plan.states6() : plan.states()).get(name);
    return s != null && s.eligible() && !(ipv6 ? plan.states6().values().stream().noneMatch(UplinkState::eligible)
        : plan.failOpen());
  }

  private static String notUsed(Config config, Plan plan, Uplink u, Map<String, String> why, boolean ipv6) {
    String name = u.name();
    if (ipv6 ? !u.hasIpv6() : !u.hasIpv4()) {
      return "no " + (ipv6 ? "IPv6" : "IPv4");
    }
    UplinkState s = (ipv6 ? plan.states6() : plan.states()).get(name);
    if (s != null && s.eligible()) {
      return "eligible, but tier " + config.tierOf(name) + " of UPLINK_TIERS is not the best with an eligible uplink";
    }
    return why.getOrDefault(name, s == null ? "unknown" : s.wireName());
  }

  private static String tierOf(Policy policy, String name) {
    List<List<Member>> tiers = policy.action().tiers();
    for (int i = 0; i < tiers.size(); i++) {
      if (tiers.get(i).stream().anyMatch(m -> m.iface().equals(name))) {
        return " (tier " + (i + 1) + " of the policy)";
      }
    }
    return policy.orElse().uplinks().contains(name) ? " (its else)" : "";
  }

  private static String joined(List<String> names) {
    return names.isEmpty() ? "none" : String.join(",", names);
  }
}
