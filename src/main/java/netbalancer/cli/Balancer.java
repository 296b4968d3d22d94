package netbalancer.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.system.CommandRunner;
import netbalancer.kernel.KernelApplier;
import netbalancer.kernel.ProcSysctls;
import netbalancer.system.ProcessRunner;
import netbalancer.kernel.StateStore;
import netbalancer.kernel.Sysctls;
import netbalancer.observe.KernelObserver;
import netbalancer.observe.KernelState;
import netbalancer.plan.Observers;
import netbalancer.plan.Plan;
import netbalancer.plan.Planner;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkDiscovery;
import netbalancer.plan.UplinkState;

/**
 * The pieces wired together for one configuration: observe → discover → plan → apply. The CLI
 * commands and the daemon share it.
 */
public final class Balancer {
  private final Config config;
  private final KernelObserver observer;
  private final KernelApplier applier;

  public Balancer(Config config, CommandRunner runner, Sysctls sysctls) {
    this.config = config;
    this.observer = Observers.forConfig(runner, config);
    this.applier = new KernelApplier(runner, sysctls,
        StateStore.forCurrentNamespace(config.stateDir()), config.lbRtProto());
  }

  public static Balancer forHost(Config config) {
    return new Balancer(config, new ProcessRunner(), new ProcSysctls());
  }

  public Config config() {
    return config;
  }

  public KernelObserver observer() {
    return observer;
  }

  public KernelApplier applier() {
    return applier;
  }

  /** The plan for what the kernel shows now, each uplink up if it has carrier (one-shot apply). */
  public Plan planFromCarrier(KernelState state) {
    return planFromCarrier(state, Policies.NONE);
  }

  /** As above, with the policies' part. */
  public Plan planFromCarrier(KernelState state, Policies policies) {
    List<Uplink> uplinks = UplinkDiscovery.discover(config, state);
    Map<String, UplinkState> states = new LinkedHashMap<>();
    uplinks.forEach(u -> states.put(u.name(), u.carrier() ? UplinkState.UP : UplinkState.DOWN));
    return Planner.plan(config, policies, uplinks, states);
  }
}
