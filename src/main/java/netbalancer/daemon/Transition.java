package netbalancer.daemon;

import netbalancer.plan.UplinkState;

/** An uplink changed state; {@code from} is null for an uplink just found, {@code to} null for one gone. */
public record Transition(String uplink, UplinkState from, UplinkState to, String reason) {

  public String describe() {
    return "uplink " + uplink + ": " + (from == null ? "new" : from.wireName()) + " -> "
        + (to == null ? "gone" : to.wireName()) + " (" + reason + ")";
  }
}
