package netbalancer.observe;

/**
 * A policy routing rule ({@code ip -j -d -N rule show}). {@code src} is null for "all";
 * {@code fwmark}/{@code fwmask} are null when the rule does not match on a mark.
 */
public record Rule(Family family, int priority, String src, Long fwmark, Long fwmask, int table,
    Integer suppressPrefixLength, int protocol) {
}
