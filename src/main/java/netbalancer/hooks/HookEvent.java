package netbalancer.hooks;

import java.util.List;
import java.util.Map;

/**
 * One uplink state change as hooks see it; null fields become empty strings. {@code balanced}:
 * the uplinks in LB_TABLE once the change is applied, so a hook can tell when a backup tier
 * started or stopped carrying new connections. {@code family}: "ipv4" for the uplink's state,
 * "ipv6" for its IPv6 side's ({@code balanced} is then the IPv6 multipath route's uplinks).
 * {@code policies}: the traffic policies whose uplinks in use changed in the same pass.
 */
record HookEvent(String iface, String state, String previousState, String reason, int tier, List<String> balanced,
    String family, List<String> policies) {

  HookEvent(String iface, String state, String previousState, String reason, int tier, List<String> balanced,
      String family) {
    this(iface, state, previousState, reason, tier, balanced, family, List.of());
  }

  HookEvent {
    iface = orEmpty(iface);
    state = orEmpty(state);
    previousState = orEmpty(previousState);
    reason = orEmpty(reason);
    family = orEmpty(family);
    balanced = List.copyOf(balanced);
    policies = List.copyOf(policies);
  }

  Map<String, String> environment() {
    return Map.of("NB_INTERFACE", iface, "NB_STATE", state, "NB_PREVIOUS_STATE", previousState,
        "NB_REASON", reason, "NB_TIER", Integer.toString(tier), "NB_BALANCED", String.join(" ", balanced), "NB_FAMILY", family,
        "NB_POLICIES", String.join(" ", policies));
  }

  String describe() {
    return iface + ("ipv6".equals(family) ? " ipv6 " : " ") + (previousState.isEmpty() ? "new" : previousState) + " -> " + state;
  }

  private static String orEmpty(String s) {
    // NUL cannot be passed in an environment variable
    return s == null ? "" : s.replace('\0', ' ');
  }
}
