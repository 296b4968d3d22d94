package netbalancer.daemon;

import netbalancer.plan.UplinkState;

/**
 * The state decided for one uplink and why. {@code hard} failures (carrier, gateway neighbor,
 * interface gone) make pinned connections useless, so theirs are deleted: at once, or for a carrier
 * loss ({@code carrierLost}) once CARRIER_GRACE_PERIOD passed without the carrier's return.
 */
record Verdict(UplinkState state, String reason, boolean hard, boolean carrierLost) {

  Verdict(UplinkState state, String reason, boolean hard) {
    this(state, reason, hard, false);
  }

  static Verdict up(String reason) {
    return new Verdict(UplinkState.UP, reason, false);
  }
}
