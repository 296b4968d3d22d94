package netbalancer.config;

/** HEALTH_PROBE_METHOD: how a health probe tests an uplink. */
public enum ProbeMethod {
  /** A TCP connect to HEALTH_PROBE_TARGET:HEALTH_PROBE_PORT bound to the uplink's address. */
  TCP,
  /** An ICMP echo to HEALTH_PROBE_TARGET bound to the uplink's address. */
  ICMP
}
