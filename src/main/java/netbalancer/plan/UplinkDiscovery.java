package netbalancer.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import netbalancer.config.Config;
import netbalancer.config.InterfaceNames;
import netbalancer.observe.Address;
import netbalancer.observe.Family;
import netbalancer.observe.KernelState;
import netbalancer.observe.Link;
import netbalancer.observe.Nexthop;
import netbalancer.observe.Route;

/**
 * Finds the uplinks: interfaces with a default route in the main table (DHCP, NetworkManager,
 * static; any metric) plus those named in UPLINKS, minus the excluded ones. A pure function of
 * the configuration and one kernel read.
 *
 * <p>Indices are stable: an uplink keeps the index recorded in our nft mark map for as long as
 * it exists, because established connections carry that index in their conntrack mark. New
 * uplinks take the lowest free index, in UPLINKS order and then by name, so a fresh apply is
 * deterministic.
 */
public final class UplinkDiscovery {
  static final int MAIN_TABLE = 254;
  static final int KERNEL_PROTO = 2;
  static final int SCOPE_LINK = 253;

  private UplinkDiscovery() {
  }

  public static List<Uplink> discover(Config config, KernelState state) {
    Map<String, Nexthop> candidates = candidates(config, state);
    Map<String, Integer> index = indices(config, state, candidates);
    List<Uplink> out = new ArrayList<>();
    for (var e : index.entrySet()) {
      toUplink(config, state, e.getKey(), e.getValue(), candidates.get(e.getKey())).ifPresent(out::add);
    }
    out.sort(Comparator.comparingInt(Uplink::index));
    return List.copyOf(out);
  }

  /**
   * The candidates left without an index because every one the mark mask allows is taken (a
   * 64th uplink with the default mask): they stay out of the balancer, and should be said so.
   */
  public static List<String> leftOutForRoom(Config config, KernelState state) {
    Map<String, Nexthop> candidates = candidates(config, state);
    Map<String, Integer> index = indices(config, state, candidates);
    return candidates.keySet().stream().filter(n -> !index.containsKey(n)).sorted().toList();
  }

  /** Name → index, for as many candidates as there are indices (see the class comment). */
  private static Map<String, Integer> indices(Config config, KernelState state, Map<String, Nexthop> candidates) {
    Map<String, Integer> previous = previousIndices(config, state);
    List<String> names = new ArrayList<>(candidates.keySet());
    names.sort(Comparator.comparingInt((String n) -> configuredPosition(config, n))
        .thenComparing(Comparator.naturalOrder()));

    TreeSet<Integer> taken = new TreeSet<>();
    Map<String, Integer> index = new LinkedHashMap<>();
    for (String n : names) {
      Integer prev = previous.get(n);
      if (prev != null && prev >= 1 && prev <= config.maxUplinks() && taken.add(prev)) {
        index.put(n, prev);
      }
    }
    int next = 1;
    for (String n : names) {
      if (index.containsKey(n)) {
        continue;
      }
      while (taken.contains(next)) {
        next++;
      }
      if (next > config.maxUplinks()) {
        break; // the mark mask has no room left; the rest stay out of the balancer
      }
      taken.add(next);
      index.put(n, next);
    }
    return index;
  }

  /** Interface name → the main table's preferred default nexthop through it (gateway may be null). */
  private static Map<String, Nexthop> candidates(Config config, KernelState state) {
    Map<String, Nexthop> out = new LinkedHashMap<>();
    Map<String, Integer> bestMetric = new LinkedHashMap<>();
    for (Route r : state.routes()) {
      if (r.table() != MAIN_TABLE || !r.isDefault() || r.protocol() == config.lbRtProto()
          || r.family() != Family.INET) { // an uplink's IPv6 default is its IPv6 side, see ipv6Side
        continue;
      }
      int metric = r.metric() == null ? 0 : r.metric();
      for (Nexthop h : r.nexthops()) {
        if (usableName(config, h.dev()) && metric < bestMetric.getOrDefault(h.dev(), Integer.MAX_VALUE)) {
          bestMetric.put(h.dev(), metric);
          out.put(h.dev(), h);
        }
      }
    }
    // IPv6-only uplinks: a ::/0 through an interface that has no IPv4 default (its IPv6 side decides).
    for (Route r : state.routes()) {
      if (r.table() == MAIN_TABLE && r.isDefault() && r.protocol() != config.lbRtProto()
          && r.family() == Family.INET6) {
        for (Nexthop h : r.nexthops()) {
          if (usableName(config, h.dev()) && !out.containsKey(h.dev())) {
            out.put(h.dev(), new Nexthop(null, h.dev(), 1));
          }
        }
      }
    }
    for (String named : config.uplinks()) {
      if (!out.containsKey(named) && state.link(named).isPresent() && InterfaceNames.isValid(named)) {
        out.put(named, new Nexthop(null, named, 1));
      }
    }
    return out;
  }

  private static boolean usableName(Config config, String name) {
    return InterfaceNames.isValid(name) && !config.isExcluded(name);
  }

  /**
   * The interfaces with a default route in the main table that are left out for their name alone
   * (see {@link InterfaceNames}), name to the reason: what would otherwise be an uplink silently
   * missing. Names in UPLINKS never appear here: validation refused them.
   */
  public static Map<String, String> unusableNames(Config config, KernelState state) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Route r : state.routes()) {
      if (r.table() == MAIN_TABLE && r.isDefault() && r.protocol() != config.lbRtProto()) {
        for (Nexthop h : r.nexthops()) {
          String why = InterfaceNames.problem(h.dev());
          if (why != null && !config.isExcluded(h.dev())) {
            out.putIfAbsent(h.dev(), why);
          }
        }
      }
    }
    return out;
  }

  private static Map<String, Integer> previousIndices(Config config, KernelState state) {
    Map<String, Integer> out = new LinkedHashMap<>();
    state.nftTable().uplinkMarks().forEach((name, mark) ->
        out.put(name, (int) ((mark & config.lbMarkMask()) >>> config.markShift())));
    return out;
  }

  private static int configuredPosition(Config config, String name) {
    int i = config.uplinks().indexOf(name);
    return i < 0 ? Integer.MAX_VALUE : i;
  }

  private static Optional<Uplink> toUplink(Config config, KernelState state, String name, int index, Nexthop hop) {
    Optional<Link> link = state.link(name);
    if (link.isEmpty() || !link.get().adminUp()) {
      return Optional.empty();
    }
    Optional<Address> addr = link.get().addresses().stream()
        .filter(a -> a.family() == Family.INET && a.global()).findFirst();
    Optional<Uplink.Ipv6Side> ipv6 = ipv6Side(config, state, link.get());
    if (addr.isEmpty()) { // no IPv4 to source from or SNAT to: an uplink only if its IPv6 side is
      return ipv6.map(side -> Uplink.ipv6Only(name, index, link.get().carrier(), side));
    }
    List<String> connected = state.routes().stream()
        .filter(r -> r.family() == Family.INET && r.table() == MAIN_TABLE && r.protocol() == KERNEL_PROTO
            && r.scope() == SCOPE_LINK)
        .filter(r -> r.nexthops().size() == 1 && r.nexthops().get(0).dev().equals(name))
        .map(Route::dst).sorted().distinct().toList();
    return Optional.of(new Uplink(name, index, Family.INET, addr.get().local(), hop.gateway(),
        connected, link.get().carrier(), ipv6.orElse(null)));
  }

  /**
   * The IPv6 side of uplink {@code link}: the main table's preferred {@code ::/0} through it (any
   * metric, any protocol but ours; usually {@code via fe80::…} from a router advertisement) and
   * a global address that can be a source now (not tentative, not deprecated), a stable one
   * before a temporary privacy address, so translated connections keep one address. Neither
   * alone makes an IPv6 side: without the route there is no IPv6 upstream, without the address
   * nothing to translate to.
   */
  static Optional<Uplink.Ipv6Side> ipv6Side(Config config, KernelState state, Link link) {
    String name = link.name();
    Nexthop best = null;
    int bestMetric = Integer.MAX_VALUE;
    for (Route r : state.routes()) {
      if (r.family() != Family.INET6 || r.table() != MAIN_TABLE || !r.isDefault()
          || r.protocol() == config.lbRtProto()) {
        continue;
      }
      int metric = r.metric() == null ? 0 : r.metric();
      for (Nexthop h : r.nexthops()) {
        if (h.dev().equals(name) && metric < bestMetric) {
          best = h;
          bestMetric = metric;
        }
      }
    }
    Optional<Address> addr = link.addresses().stream()
        .filter(a -> a.family() == Family.INET6 && a.usableSource())
        .min(Comparator.comparing(Address::temporary)); // stable first; stream order otherwise
    if (best == null || addr.isEmpty()) {
      return Optional.empty();
    }
    List<String> connected = state.routes().stream()
        .filter(r -> r.family() == Family.INET6 && r.table() == MAIN_TABLE && r.protocol() == KERNEL_PROTO)
        .filter(r -> r.nexthops().size() == 1 && r.nexthops().get(0).dev().equals(name)
            && r.nexthops().get(0).gateway() == null && !r.isDefault())
        .map(Route::dst).filter(d -> !d.toLowerCase(java.util.Locale.ROOT).startsWith("fe80:"))
        .sorted().distinct().toList();
    return Optional.of(new Uplink.Ipv6Side(addr.get().local(), addr.get().prefixLen(), best.gateway(), connected));
  }
}
