package netbalancer.config;

/** IPV6_TRANSLATION: what becomes of a LAN host's IPv6 source address on its way out of an uplink. */
public enum Ipv6Translation {
  /** Translated to the uplink's own IPv6 address (stateful, the IPv6 twin of the IPv4 SNAT). */
  NAT66,
  /**
   * IPV6_LAN_PREFIX mapped onto the uplink's IPV6_NPT_PREFIXES prefix, host bits kept: each LAN
   * host has a stable, distinct address per uplink, reachable from outside.
   */
  NPTV6,
  /** Routed as it is: for a LAN whose addresses every ISP accepts, or that translates itself. */
  NONE
}
