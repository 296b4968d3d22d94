package netbalancer.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.system.CommandRunner;
import netbalancer.plan.Uplink;

/**
 * comprehensive [IFACE]: every scenario in turn on one uplink that can safely be taken away
 * (IFACE, or one the harness picks), and health-block on it alone and on all.
 * Durations are short; in the lab, each scenario's own timings keep the whole run well under
 * two minutes.
 */
final class Comprehensive implements Scenario {
  private final String iface;
  private final boolean lab;

  Comprehensive(String ifaceOrNull, boolean lab) {
    this.iface = ifaceOrNull;
    this.lab = lab;
  }

  @Override
  public String uplink() {
    return iface;
  }

  @Override
  public String title() {
    return "comprehensive" + (iface == null ? "" : " " + iface);
  }

  @Override
  public Result run(Context c) {
    throw new IllegalStateException("comprehensive runs through expand()");
  }

  @Override
  public List<Scenario> expand(Target target, Context c) {
    int seconds = lab ? 3 : 5;
    List<Uplink> uplinks = target.uplinks();
    Set<String> members = c.latest().members();
    Map<String, Long> metrics = defaultRouteMetrics(target);
    String a = iface != null ? iface : pick(uplinks, members, c.force, lab ? "wan2" : null, false, metrics);
    String b = iface != null ? iface : pick(uplinks, members, c.force, lab ? "wan3" : null, true, metrics);
    String h = iface != null ? iface : pick(uplinks, members, c.force, lab ? "wan1" : null, false, metrics);
    List<Scenario> all = new ArrayList<>();
    all.add(new StatusScenario());
    all.add(a == null ? skip("down-up", uplinks, members) : Scenarios.downUp(a, seconds));
    all.add(a == null ? skip("flap", uplinks, members) : Scenarios.flap(a, 5));
    all.add(b == null ? skip("neighbor-fail", uplinks, members) : Scenarios.neighborFail(b, seconds));
    all.add(h == null ? skip("health-block --iface", uplinks, members) : Scenarios.healthBlock(seconds, h));
    all.add(Scenarios.healthBlock(seconds + 1, null));
    return all;
  }

  /**
   * The preferred uplink if it may be taken away, else the one this host likes least (the highest
   * metric on its main-table default route, as DHCP gives Wi-Fi and LTE), so that a host's
   * primary link is the last one a comprehensive run disturbs.
   */
  private static String pick(List<Uplink> uplinks, Set<String> members, boolean force, String preferred,
      boolean needsGateway, Map<String, Long> metrics) {
    List<Uplink> order = new ArrayList<>(uplinks);
    order.sort(Comparator.comparing((Uplink u) -> !u.name().equals(preferred))
        .thenComparing(u -> -metrics.getOrDefault(u.name(), 0L)));
    for (Uplink u : order) {
      if (members.contains(u.name()) && (!needsGateway || u.gateway() != null)
          && Guard.refusal(u.name(), uplinks, members, force) == null) {
        return u.name();
      }
    }
    return null;
  }

  /** Each interface's lowest default-route metric in the main table. */
  static Map<String, Long> defaultRouteMetrics(Target target) {
    Map<String, Long> out = new HashMap<>();
    CommandRunner.Result r = target.runner().run("ip", "-4", "-j", "route", "show", "default");
    if (r.ok() && !r.stdout().isBlank()) {
      try {
        for (JsonNode route : new ObjectMapper().readTree(r.stdout())) {
          out.merge(route.path("dev").asText(), route.path("metric").asLong(0), Math::min);
        }
      } catch (IOException e) {
        // no preference then
      }
    }
    return out;
  }

  private static Scenario skip(String what, List<Uplink> uplinks, Set<String> members) {
    String why = "no uplink can be taken away safely (uplinks: " + uplinks.stream().map(Uplink::name).toList()
        + ", in LB_TABLE: " + members + "); name one and add --force to run it anyway";
    return new Scenario() {
      @Override
      public String title() {
        return what;
      }

      @Override
      public Result run(Context c) {
        return Result.skip(what, why);
      }
    };
  }
}
