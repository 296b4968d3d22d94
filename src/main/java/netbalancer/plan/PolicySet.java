package netbalancer.plan;

import java.util.List;
import netbalancer.config.Policy;

/**
 * One routing table of the policies: the connections of every policy with this action and
 * last resort share it (and its mark).
 *
 * @param action   the uplinks (or unreachable/blackhole) in tiers
 * @param orElse   the last resort when no listed uplink is eligible
 * @param mark     the fwmark value, inside LB_MARK_MASK
 * @param table    the routing table id
 * @param policies names of the policies that use it, in file order
 * @param resolved what the table holds now for IPv4 (null when no uplink has IPv4)
 * @param resolved6 what it holds now for IPv6 (null when no uplink has IPv6)
 */
public record PolicySet(Policy.Action action, Policy.Action orElse, long mark, int table, List<String> policies,
    Resolved resolved, Resolved resolved6) {

  public PolicySet {
    policies = List.copyOf(policies);
  }

  /** The side of {@code ipv6}'s family (null when no uplink has it). */
  public Resolved resolved(boolean ipv6) {
    return ipv6 ? resolved6 : resolved;
  }

  /**
   * The table's content for the uplinks' health now: a multipath route over {@code uplinks}, or
   * a route of {@code type} (unreachable, blackhole), or nothing at all (the lookup falls through
   * to the next rule: LB_TABLE for {@code else balanced}, main for {@code else main}).
   *
   * @param fallback true when the action's own uplinks are all ineligible and {@code else} decides
   */
  public record Resolved(List<Policy.Member> uplinks, String type, boolean fallback) {
    public Resolved {
      uplinks = List.copyOf(uplinks);
    }
  }

  String describe() {
    return "table " + table + " mark " + IpCommands.hex(mark) + ": " + action
        + (action.kind() == Policy.Kind.UPLINKS ? " else " + orElse : "") + " for " + String.join(",", policies)
        + (resolved == null ? "" : "; now " + now(resolved))
        + (resolved6 == null ? "" : "; IPv6 now " + now(resolved6));
  }

  private String now(Resolved r) {
    String now = r.type() != null ? r.type()
        : r.uplinks().isEmpty() ? "empty (falls through to " + orElse + ")"
        : String.join(",", r.uplinks().stream().map(Policy.Member::toString).toList());
    return now + (r.fallback() ? " (fallback)" : "");
  }
}
