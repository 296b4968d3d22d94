package netbalancer.cli;

import java.util.concurrent.Callable;
import netbalancer.config.Config;
import netbalancer.config.ConfigException;
import java.util.Map;
import java.util.Set;
import netbalancer.config.ConfigLoader;
import netbalancer.kernel.ApplyResult;
import netbalancer.kernel.InstanceLock;
import netbalancer.kernel.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Removes exactly what is ours and restores the sysctls apply changed. */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
    description = "Remove every route, rule and nft table net-balancer added; restore sysctls.")
final class CleanupCommand implements Callable<Integer> {
  @Mixin
  ConfigOption configOption;

  @Override
  public Integer call() {
    Config config;
    boolean broken = false;
    try {
      config = configOption.load();
    } catch (ConfigException e) {
      // Cleanup must work even when the config file went bad. What is ours is found from what apply
      // recorded in STATE_DIR (the route protocols it tagged with, the sysctl originals) and the
      // fixed nft table name; none of that needs the rest of the configuration.
      System.err.println(e.getMessage());
      config = ConfigLoader.fromMap(Map.of("STATE_DIR", configOption.stateDirDespiteErrors().toString()));
      broken = true;
    }
    Privileges.requireNetAdmin("cleanup");
    try (InstanceLock lock = InstanceLock.acquire(config.stateDir(), "cleanup")) {
      if (broken) {
        Set<Integer> recorded = StateStore.forCurrentNamespace(config.stateDir()).protocols();
        if (recorded.isEmpty()) {
          System.err.println("net-balancer: cleanup refused, nothing changed: the configuration does not load and "
              + config.stateDir() + " has no record of an apply in this network namespace, so LB_RT_PROTO is"
              + " unknown; fix the configuration and run cleanup again");
          return ExitCodes.BAD_CONFIG;
        }
        // Only the recorded protocols: the default one may belong to another program here.
        config = ConfigLoader.fromMap(Map.of("STATE_DIR", config.stateDir().toString(),
            "LB_RT_PROTO", Integer.toString(recorded.iterator().next())));
        System.err.println("net-balancer: cleaning up what " + config.stateDir() + " recorded (route protocol(s) "
            + recorded + ", nft table, sysctl originals) despite the configuration errors above");
      }
      Balancer balancer = Balancer.forHost(config);
      ApplyResult result = balancer.applier().cleanup(balancer.observer().observeEverythingOurs());
      result.errors().forEach(e -> System.err.println("net-balancer: " + e));
      System.out.printf("cleanup: %d route(s)/rule(s) removed, nft table %s, %d sysctl(s) restored%n",
          result.ipChanges(), result.nftChanged() ? "removed" : "absent", result.sysctlChanges());
      return result.ok() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
  }
}
