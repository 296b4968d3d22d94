package netbalancer.harness;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import netbalancer.plan.Uplink;

/**
 * Refuses a fault that could cut the host off: one on an interface that is not an uplink of the
 * balancer (the LAN, a VPN), or on the last working uplink — the only member of LB_TABLE, or the
 * only uplink with carrier. {@code --force} overrides, for people on a console.
 */
final class Guard {
  private Guard() {
  }

  /** Why the fault must not be made, or null if it may. */
  static String refusal(String iface, List<Uplink> uplinks, Set<String> balanced, boolean force) {
    if (force) {
      return null;
    }
    List<String> names = uplinks.stream().map(Uplink::name).toList();
    if (!names.contains(iface)) {
      return iface + " is not one of the balancer's uplinks ("
          + (names.isEmpty() ? "none found" : String.join(", ", names)) + "); use --force to test it anyway";
    }
    Set<String> withCarrier = uplinks.stream().filter(Uplink::carrier).map(Uplink::name).collect(Collectors.toSet());
    if (balanced.equals(Set.of(iface))) {
      return iface + " is the only uplink in LB_TABLE: taking it away could cut this host off; use --force if"
          + " you are on a console";
    }
    if (withCarrier.equals(Set.of(iface))) {
      return iface + " is the only uplink with carrier: taking it away could cut this host off; use --force if"
          + " you are on a console";
    }
    return null;
  }
}
