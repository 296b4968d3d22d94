package netbalancer.daemon;

import netbalancer.plan.UplinkState;

/**
 * The state decided for one uplink and why. {@code hard} failures (carrier, gateway neighbor,
 * interface gone) make pinned connections useless, so theirs are deleted at once.
 */
record Verdict(UplinkState state, String reason, boolean hard) {

  static Verdict up(String reason) {
    return new Verdict(UplinkState.UP, reason, false);
  }
}
