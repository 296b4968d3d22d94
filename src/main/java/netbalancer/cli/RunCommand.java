package netbalancer.cli;

import java.util.concurrent.Callable;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.daemon.Daemon;
import netbalancer.daemon.WarmUp;
import netbalancer.kernel.InstanceLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The service: the seed's {@code net_autobalance.sh} under {@code net_balancer.service}. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the daemon: follow kernel events and health, keep the data plane true.")
final class RunCommand implements Callable<Integer> {
  /** Reachable for the process's life: a collected channel would close and drop the lock. */
  private static InstanceLock lock;

  @Mixin
  ConfigOption configOption;

  @Override
  public Integer call() throws Exception {
    Config config = configOption.load();
    Policies policies = ConfigOption.policies(config);
    WarmUp.startBeside(config, policies); // the planner and renderer, beside the daemon's construction
    Privileges.requireNetAdmin("run");
    // Held until the process exits, its cleanup on SIGTERM included: one daemon per namespace.
    lock = InstanceLock.acquire(config.stateDir(), "run");
    return new Daemon(config, policies, configOption.reloader(), ConfigOption::policies).run();
  }
}
