package netbalancer.harness;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import netbalancer.config.Config;
import netbalancer.plan.Observers;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkDiscovery;
import netbalancer.system.CommandRunner;

/**
 * Where the scenarios run and how each fault is made: on this host's own interfaces
 * ({@link HostTarget}) or on the ISP side of a throw-away lab ({@link LabTarget}).
 */
interface Target extends AutoCloseable {
  /** "this host", or the lab's namespaces. */
  String describe();

  /** The balancer's configuration: LB_TABLE, the control socket, the probe targets, the timings. */
  Config config();

  /** Runs commands where the balancer runs. */
  CommandRunner runner();

  /** The uplinks the balancer finds now, as it finds them. */
  default List<Uplink> uplinks() {
    return UplinkDiscovery.discover(config(), Observers.forConfig(runner(), config()).observe());
  }

  default Optional<Uplink> uplink(String name) {
    return uplinks().stream().filter(u -> u.name().equals(name)).findFirst();
  }

  /** Takes the uplink's link down ({@link Fault#apply}) and back up ({@link Fault#revert}). */
  Fault carrier(String uplink);

  /** Makes the uplink's gateway unresolvable (ARP fails), and resolvable again. */
  Fault neighbor(String uplink);

  /** Makes the uplink's IPv6 gateway unresolvable (NDP fails), and resolvable again. */
  Fault neighbor6(String uplink);

  /** Drops the health probes to every target, through one uplink or (null) through all. */
  Fault probes(String uplinkOrNull);

  /** Opens connections to hold across a scenario; empty where no traffic may be sent (a host). */
  Optional<Held> hold();

  /** What to show under a failed scenario (the lab daemon's log); nothing on a host. */
  default List<String> diagnostics() {
    return List.of();
  }

  @Override
  void close();

  /** Connections held open across a scenario, counted by the uplink they took. */
  interface Held extends AutoCloseable {
    Map<String, Integer> opened();

    /** Sends a line on each; counts, by uplink, those that still echo it. */
    Map<String, Integer> stillAlive();

    @Override
    void close();
  }
}
