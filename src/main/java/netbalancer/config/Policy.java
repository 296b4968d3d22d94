package netbalancer.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One rule of the policies file: {@code NAME MATCH... -> ACTION [else ACTION] [sticky SECONDS]}.
 * Immutable; {@link PolicyParser} is the only way text becomes one, so every instance is valid.
 *
 * @param name   unique in its file; it names the policy in status, metrics and hooks
 * @param line   1-based line of the file, for messages
 * @param match  which new connections the rule takes (empty: all of them)
 * @param action where they go
 * @param orElse the last resort when none of the action's uplinks is eligible ({@code balanced} unless given)
 * @param sticky how long a source address keeps the uplink its last new connection took; null when not sticky
 */
public record Policy(String name, int line, Match match, Action action, Action orElse, Duration sticky) {

  public Policy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(orElse, "orElse");
    if (line < 1) {
      throw new IllegalArgumentException("line " + line + " < 1");
    }
  }

  /** Whether network (or address) {@code inner} lies inside network {@code outer}; false across families. */
  public static boolean within(String inner, String outer) {
    return PolicyParser.within(inner, outer);
  }

  /** What {@code proto} says; ANY also when the rule does not say. */
  public enum Proto {
    TCP, UDP, ICMP, ANY;

    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A port or an inclusive range of ports, 1..65535. */
  public record PortRange(int from, int to) {
    public PortRange {
      if (from < 1 || to > 65535 || from > to) {
        throw new IllegalArgumentException("port range " + from + "-" + to + " outside 1..65535 or reversed");
      }
    }

    boolean contains(PortRange other) {
      return from <= other.from && other.to <= to;
    }

    /** Whether some port is in both. */
    public boolean overlaps(PortRange other) {
      return from <= other.to && other.from <= to;
    }

    @Override
    public String toString() {
      return from == to ? Integer.toString(from) : from + "-" + to;
    }
  }

  /**
   * The ANDed conditions; an empty list (or null iif, ANY proto) means "any".
   *
   * @param src   source addresses or networks (CIDR text as written, host bits clear)
   * @param dst   destination addresses or networks
   * @param sport source ports (only with tcp or udp)
   * @param dport destination ports (only with tcp or udp)
   * @param iif   the LAN-side interface the connection came in on, or null
   */
  public record Match(List<String> src, List<String> dst, Proto proto, List<PortRange> sport,
                      List<PortRange> dport, String iif) {
    public Match {
      src = List.copyOf(src);
      dst = List.copyOf(dst);
      sport = List.copyOf(sport);
      dport = List.copyOf(dport);
      Objects.requireNonNull(proto, "proto");
      if ((!sport.isEmpty() || !dport.isEmpty()) && proto != Proto.TCP && proto != Proto.UDP) {
        throw new IllegalArgumentException("ports need proto tcp or udp");
      }
    }

    public static final Match ALL = new Match(List.of(), List.of(), Proto.ANY, List.of(), List.of(), null);

    public boolean matchesEverything() {
      return equals(ALL);
    }
  }

  /** What an action does with a new connection. */
  public enum Kind {
    /** Over the listed uplinks, by tier and weight. */
    UPLINKS,
    /** The global balance (LB_TABLE). */
    BALANCED,
    /** Ordinary routing: neither marked nor translated by net-balancer. */
    MAIN,
    /** Refused at once (ICMP unreachable to the sender). */
    UNREACHABLE,
    /** Dropped silently. */
    BLACKHOLE;

    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** An uplink named by an action, with its multipath weight (1..256, default 1). */
  public record Member(String iface, int weight) {
    public Member {
      if (!InterfaceNames.isValid(iface)) {
        throw new IllegalArgumentException("not an interface name: " + iface);
      }
      if (weight < 1 || weight > 256) {
        throw new IllegalArgumentException("weight " + weight + " outside 1..256");
      }
    }

    @Override
    public String toString() {
      return weight == 1 ? iface : iface + "=" + weight;
    }
  }

  /**
   * An action. For {@link Kind#UPLINKS}, {@code tiers} lists the tiers in order of preference (the
   * first with an eligible uplink takes new connections, as UPLINK_TIERS does); otherwise empty.
   */
  public record Action(Kind kind, List<List<Member>> tiers) {
    public Action {
      Objects.requireNonNull(kind, "kind");
      tiers = tiers.stream().map(List::copyOf).toList();
      if ((kind == Kind.UPLINKS) == tiers.isEmpty() || tiers.stream().anyMatch(List::isEmpty)) {
        throw new IllegalArgumentException(kind + " with tiers " + tiers);
      }
    }

    public static final Action BALANCED = new Action(Kind.BALANCED, List.of());

    public static Action of(Kind kind) {
      return new Action(kind, List.of());
    }

    /** Every uplink the action names, in order. */
    public List<String> uplinks() {
      return tiers.stream().flatMap(List::stream).map(Member::iface).toList();
    }

    @Override
    public String toString() {
      if (kind != Kind.UPLINKS) {
        return kind.word();
      }
      StringBuilder sb = new StringBuilder();
      for (List<Member> tier : tiers) {
        sb.append(sb.length() == 0 ? "" : " > ");
        sb.append(String.join(",", tier.stream().map(Member::toString).toList()));
      }
      return sb.toString();
    }
  }
}
