package netbalancer.plan;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import netbalancer.observe.Family;
import netbalancer.observe.Route;
import netbalancer.observe.Rule;

/**
 * The desired state: every route and rule we own, our nft table and the sysctls we need.
 * Sysctl keys are /proc/sys paths with slashes, because interface names may contain dots.
 *
 * @param balanced names of the uplinks in the multipath route, in index order
 * @param failOpen no uplink was eligible, so every uplink with carrier was kept
 * @param states6 the state of each IPv6 side (uplinks that have one)
 * @param balanced6 names of the uplinks in the IPv6 multipath route, in index order
 * @param policies the policies' part, already inside {@code routes}, {@code rules} and {@code nft}
 *                 ({@link PolicyPlan#NONE} without a policies file)
 */
public record Plan(List<Uplink> uplinks, Map<String, UplinkState> states, List<Route> routes,
    List<Rule> rules, NftRuleset nft, SortedMap<String, String> sysctls, List<String> balanced,
    boolean failOpen, Map<String, UplinkState> states6, List<String> balanced6, PolicyPlan policies) {

  public Plan {
    uplinks = List.copyOf(uplinks);
    states = Map.copyOf(states);
    states6 = Map.copyOf(states6);
    balanced6 = List.copyOf(balanced6);
    routes = List.copyOf(routes);
    rules = List.copyOf(rules);
    sysctls = new TreeMap<>(sysctls);
    balanced = List.copyOf(balanced);
  }

  /** A plan whose IPv6 sides follow their uplinks' states. */
  public Plan(List<Uplink> uplinks, Map<String, UplinkState> states, List<Route> routes, List<Rule> rules,
      NftRuleset nft, SortedMap<String, String> sysctls, List<String> balanced, boolean failOpen) {
    this(uplinks, states, routes, rules, nft, sysctls, balanced, failOpen, follow(uplinks, states),
        uplinks.stream().filter(u -> u.hasIpv6() && balanced.contains(u.name())).map(Uplink::name).toList(),
        PolicyPlan.NONE);
  }

  private static Map<String, UplinkState> follow(List<Uplink> uplinks, Map<String, UplinkState> states) {
    Map<String, UplinkState> out = new TreeMap<>();
    uplinks.stream().filter(u -> u.hasIpv6() && states.containsKey(u.name()))
        .forEach(u -> out.put(u.name(), states.get(u.name())));
    return out;
  }

  /** The plan as text a person can read and a golden test can compare: ip batch, nft, sysctls. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("# ip -batch -\n");
    appendIp(sb, Family.INET);
    if (rules.stream().anyMatch(r -> r.family() == Family.INET6)) {
      sb.append("# ip -6 -batch -\n");
      appendIp(sb, Family.INET6);
    }
    sb.append("# nft -f -\n").append(nft.text());
    sb.append("# sysctl\n").append(sysctls.entrySet().stream()
        .map(e -> e.getKey() + " = " + e.getValue()).collect(Collectors.joining("\n")));
    return sb.append('\n').toString();
  }

  private void appendIp(StringBuilder sb, Family family) {
    rules.stream().filter(r -> r.family() == family).forEach(r -> sb.append(IpCommands.rule("add", r)).append('\n'));
    routes.stream().filter(r -> r.family() == family)
        .forEach(r -> sb.append(IpCommands.route("replace", r)).append('\n'));
  }
}
