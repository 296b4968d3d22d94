package netbalancer.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import netbalancer.config.Config;
import netbalancer.config.Ipv6Translation;

/**
 * IPV6_TRANSLATION as nft lines. nat66: LAN sources become the uplink's address (an {@code snat
 * ip6} map, or the shared masquerade). nptv6: IPV6_LAN_PREFIX is mapped onto the uplink's
 * IPV6_NPT_PREFIXES prefix with the host bits kept ({@code snat ip6 prefix}, the kernel's
 * netmap), and new connections to such a prefix from outside are mapped back; an uplink without
 * a prefix gets nat66, and the router's own sources always do. none: IPv6 is routed unchanged.
 */
public final class Translation6 {
  private Translation6() {
  }

  /** IPv6 uplinks to their NPTv6 prefix, in index order; empty unless IPV6_TRANSLATION=nptv6. */
  static Map<String, String> nptPrefixes(Config config, List<Uplink> uplinks) {
    Map<String, String> out = new LinkedHashMap<>();
    if (config.ipv6Translation() == Ipv6Translation.NPTV6) {
      for (Uplink u : uplinks) {
        String prefix = config.ipv6NptPrefixes().get(u.name());
        if (u.hasIpv6() && prefix != null) {
          out.put(u.name(), prefix);
        }
      }
    }
    return out;
  }

  /**
   * The IPv6 uplinks that nptv6 cannot map, uplink name to why (they get nat66): for the daemon
   * and apply to say so, since a silent fallback would surprise whoever asked for NPTv6.
   */
  public static Map<String, String> refusals(Config config, List<Uplink> uplinks) {
    Map<String, String> out = new LinkedHashMap<>();
    if (config.ipv6Translation() != Ipv6Translation.NPTV6) {
      return out;
    }
    Map<String, String> mapped = nptPrefixes(config, uplinks);
    for (Uplink u : uplinks) {
      if (u.hasIpv6() && !mapped.containsKey(u.name())) {
        out.put(u.name(), "IPV6_NPT_PREFIXES has no prefix for it (of IPV6_LAN_PREFIX's length "
            + config.ipv6LanPrefix().substring(config.ipv6LanPrefix().indexOf('/') + 1)
            + ", routed to this host through it); its LAN sources get NAT66 instead");
      }
    }
    return out;
  }

  /** The postrouting lines before the IPv6 SNAT or masquerade: the NPTv6 source mapping. */
  static List<String> sourceMapping(Config config, List<Uplink> uplinks) {
    Map<String, String> npt = nptPrefixes(config, uplinks);
    if (npt.isEmpty()) {
      return List.of();
    }
    return List.of("ip6 saddr " + config.ipv6LanPrefix() + " snat ip6 prefix to oifname map { "
        + npt.entrySet().stream().map(e -> quote(e.getKey()) + " : " + e.getValue()).collect(Collectors.joining(", "))
        + " }");
  }

  /**
   * The inverse for connections that start outside (the replies of outbound ones are mapped back
   * by conntrack): a mapped address reaches its LAN host, as a stateless NPTv6 promises.
   */
  static List<String> destinationMapping(Config config, List<Uplink> uplinks) {
    Map<String, String> npt = nptPrefixes(config, uplinks);
    if (npt.isEmpty()) {
      return List.of();
    }
    return List.of("iifname { " + npt.keySet().stream().map(Translation6::quote).collect(Collectors.joining(", "))
        + " } dnat ip6 prefix to ip6 daddr map { " + npt.values().stream()
        .map(p -> p + " : " + config.ipv6LanPrefix()).collect(Collectors.joining(", ")) + " }");
  }

  /** Whether the IPv6 uplinks' addresses are an SNAT target (nat66, and nptv6's fallback). */
  static boolean nat66(Config config) {
    return config.ipv6Translation() != Ipv6Translation.NONE;
  }

  private static String quote(String name) {
    return '"' + name + '"';
  }
}
