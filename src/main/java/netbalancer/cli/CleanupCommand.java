package netbalancer.cli;

import java.util.concurrent.Callable;
import netbalancer.config.Config;
import netbalancer.config.ConfigException;
import netbalancer.kernel.ApplyResult;
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
    try {
      config = configOption.load();
    } catch (ConfigException e) {
      // Cleanup must work even when the config file went bad: fall back to the defaults.
      System.err.println(e.getMessage());
      System.err.println("net-balancer: cleaning up with the default settings");
      config = Config.defaults();
    }
    Balancer balancer = Balancer.forHost(config);
    ApplyResult result = balancer.applier().cleanup(balancer.observer().observe());
    result.errors().forEach(e -> System.err.println("net-balancer: " + e));
    System.out.printf("cleanup: %d route(s)/rule(s) removed, nft table %s, %d sysctl(s) restored%n",
        result.ipChanges(), result.nftChanged() ? "removed" : "absent", result.sysctlChanges());
    return result.ok() ? ExitCodes.OK : ExitCodes.FAILURE;
  }
}
