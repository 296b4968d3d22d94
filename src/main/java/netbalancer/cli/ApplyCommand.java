package netbalancer.cli;

import java.util.concurrent.Callable;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.kernel.ApplyResult;
import netbalancer.kernel.InstanceLock;
import netbalancer.observe.KernelState;
import netbalancer.plan.Plan;
import netbalancer.plan.StateDiff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** One-shot configuration: the seed's {@code universal_load_balancer.sh}. */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = "Configure routes, rules and nftables for the uplinks found now, once.")
final class ApplyCommand implements Callable<Integer> {
  @Mixin
  ConfigOption configOption;

  @Option(names = "--dry-run", description = "print the plan (ip batch and nft ruleset); change nothing")
  boolean dryRun;

  @Override
  public Integer call() {
    Config config = configOption.load();
    Policies policies = ConfigOption.policies(config);
    Balancer balancer = Balancer.forHost(config);
    if (dryRun) {
      KernelState state = balancer.observer().observe();
      Plan plan = balancer.planFromCarrier(state, policies);
      System.out.print(plan.render());
      StateDiff diff = StateDiff.between(plan, state, config.lbRtProto());
      System.out.println("# changes against the running kernel: " + diff.ipChanges()
          + " ip change(s), nft table " + (diff.replaceNft() ? "replaced" : diff.deleteNft() ? "deleted" : "unchanged"));
      diff.ipBatch().forEach(l -> System.out.println("#   " + l));
      diff.ipBatch6().forEach(l -> System.out.println("#   -6 " + l));
      return ExitCodes.OK;
    }
    Privileges.requireNetAdmin("apply");
    // Refused while a daemon runs: it would put its own view back within seconds.
    try (InstanceLock lock = InstanceLock.acquire(config.stateDir(), "apply")) {
      KernelState state = balancer.observer().observe();
      Plan plan = balancer.planFromCarrier(state, policies);
      if (plan.uplinks().isEmpty()) {
        System.err.println("net-balancer: no uplink found (no default route in the main table, none in UPLINKS)");
      }
      for (String name : netbalancer.plan.UplinkDiscovery.leftOutForRoom(config, state)) {
        System.err.println("net-balancer: warning: uplink " + name + " left out: all " + config.maxUplinks()
            + " uplinks LB_MARK_MASK has room for are taken");
      }
      netbalancer.plan.Translation6.refusals(config, plan.uplinks()).forEach((name, why) ->
          System.err.println("net-balancer: warning: no NPTv6 on uplink " + name + ": " + why));
      ApplyResult result = balancer.applier().apply(plan, state);
      result.errors().forEach(e -> System.err.println("net-balancer: " + e));
      System.out.printf("applied: %d uplink(s), balanced over %s; %d ip change(s), nft %s, %d sysctl(s) set%n",
          plan.uplinks().size(), plan.balanced().isEmpty() ? "none" : String.join(",", plan.balanced()),
          result.ipChanges(), result.nftChanged() ? "replaced" : "unchanged", result.sysctlChanges());
      return result.ok() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
  }
}
