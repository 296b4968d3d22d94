package netbalancer.daemon;

import netbalancer.plan.UplinkState;

/**
 * An uplink changed state; {@code from} is null for an uplink just found, {@code to} null for one
 * gone. {@code family}: "ipv4" for the uplink's state (its IPv4 side, and whatever holds for the
 * whole uplink), "ipv6" for its IPv6 side's.
 */
public record Transition(String uplink, UplinkState from, UplinkState to, String reason, String family) {

  public static final String IPV4 = "ipv4";
  public static final String IPV6 = "ipv6";

  /** A change of the uplink's (IPv4) state. */
  public Transition(String uplink, UplinkState from, UplinkState to, String reason) {
    this(uplink, from, to, reason, IPV4);
  }

  public String describe() {
    return "uplink " + uplink + (IPV6.equals(family) ? " ipv6" : "") + ": " + (from == null ? "new" : from.wireName())
        + " -> " + (to == null ? "gone" : to.wireName()) + " (" + reason + ")";
  }
}
