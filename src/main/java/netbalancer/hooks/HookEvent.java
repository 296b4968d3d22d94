package netbalancer.hooks;

import java.util.Map;

/** One uplink state change as hooks see it; null fields become empty strings. */
record HookEvent(String iface, String state, String previousState, String reason) {

  HookEvent {
    iface = orEmpty(iface);
    state = orEmpty(state);
    previousState = orEmpty(previousState);
    reason = orEmpty(reason);
  }

  Map<String, String> environment() {
    return Map.of("NB_INTERFACE", iface, "NB_STATE", state, "NB_PREVIOUS_STATE", previousState,
        "NB_REASON", reason);
  }

  String describe() {
    return iface + " " + (previousState.isEmpty() ? "new" : previousState) + " -> " + state;
  }

  private static String orEmpty(String s) {
    // NUL cannot be passed in an environment variable
    return s == null ? "" : s.replace('\0', ' ');
  }
}
