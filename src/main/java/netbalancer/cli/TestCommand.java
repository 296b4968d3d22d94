package netbalancer.cli;

import java.util.concurrent.Callable;
import netbalancer.config.Config;
import netbalancer.config.ConfigException;
import netbalancer.harness.Harness;
import netbalancer.harness.Scenario;
import netbalancer.harness.Scenarios;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code test SCENARIO}: the seed's {@code test_harness.sh}, same scenario names and arguments.
 * On a host each scenario changes only what it names and puts it back, also on Ctrl-C/SIGTERM;
 * {@code --lab} runs it in a fresh namespace lab instead.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
    description = {"Failure scenarios: make one fault, watch the balancer react, put everything back.",
        "Exit 0 all passed, 1 a scenario failed, 2 bad usage or configuration, 3 refused (nothing changed),"
            + " 130 interrupted (everything put back)."},
    subcommands = {TestCommand.Status.class, TestCommand.DownUp.class, TestCommand.Flap.class,
        TestCommand.NeighborFail.class, TestCommand.HealthBlock.class, TestCommand.Comprehensive.class})
final class TestCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.err);
    return ExitCodes.BAD_CONFIG;
  }

  /** Options every scenario takes. */
  static final class HarnessOptions {
    @Mixin
    ConfigOption configOption;

    @Option(names = "--lab", description = "run in a fresh namespace lab (3 simulated ISPs) instead of this host")
    boolean lab;

    @Option(names = "--force", description = "allow a fault on the last working uplink, or on a non-uplink")
    boolean force;
  }

  /** Loads the configuration (on a host), runs the scenario, maps the outcome to an exit code. */
  abstract static class ScenarioCommand implements Callable<Integer> {
    @Mixin
    HarnessOptions options;

    abstract Scenario scenario();

    /** A usage problem in the arguments, or null. */
    String badArguments() {
      return null;
    }

    static String range(String name, int value, int min, int max) {
      return value < min || value > max ? name + " must be " + min + ".." + max + ", not " + value : null;
    }

    @Override
    public Integer call() {
      String bad = badArguments();
      if (bad != null) {
        System.err.println("net-balancer test: " + bad);
        return ExitCodes.BAD_CONFIG;
      }
      Config config = null;
      if (!options.lab) {
        try {
          config = options.configOption.load();
        } catch (ConfigException e) {
          System.err.println(e.getMessage());
          return ExitCodes.BAD_CONFIG;
        }
      }
      Config loaded = config;
      return Harness.run(scenario(), () -> loaded, options.lab, options.force, System.out);
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show the uplinks, LB_TABLE and the daemon's view; changes nothing.")
  static final class Status extends ScenarioCommand {
    @Override
    Scenario scenario() {
      return Scenarios.status();
    }
  }

  @Command(name = "down-up", mixinStandardHelpOptions = true,
      description = "Bring IFACE down for SECONDS, then up (its addresses and routes put back).")
  static final class DownUp extends ScenarioCommand {
    @Parameters(index = "0", paramLabel = "IFACE", description = "the uplink to fault")
    String iface;

    @Parameters(index = "1", paramLabel = "SECONDS", description = "how long, 1..3600")
    int seconds;

    @Override
    String badArguments() {
      return range("SECONDS", seconds, 1, 3600);
    }

    @Override
    Scenario scenario() {
      return Scenarios.downUp(iface, seconds);
    }
  }

  @Command(name = "flap", mixinStandardHelpOptions = true,
      description = "Take IFACE down and up COUNT times quickly (300 ms each way).")
  static final class Flap extends ScenarioCommand {
    @Parameters(index = "0", paramLabel = "IFACE", description = "the uplink to fault")
    String iface;

    @Parameters(index = "1", paramLabel = "COUNT", description = "how many times, 1..1000")
    int count;

    @Override
    String badArguments() {
      return range("COUNT", count, 1, 1000);
    }

    @Override
    Scenario scenario() {
      return Scenarios.flap(iface, count);
    }
  }

  @Command(name = "neighbor-fail", mixinStandardHelpOptions = true,
      description = "Make IFACE's gateway unresolvable (ARP fails; NDP with --ipv6) for SECONDS (default 10).")
  static final class NeighborFail extends ScenarioCommand {
    @Parameters(index = "0", paramLabel = "IFACE", description = "the uplink to fault")
    String iface;

    @Option(names = "--ipv6", description = "the uplink's IPv6 gateway (link-local or global): only its IPv6 side"
        + " should leave")
    boolean ipv6;

    @Parameters(index = "1", paramLabel = "SECONDS", arity = "0..1", defaultValue = "10",
        description = "how long, 1..3600")
    int seconds;

    @Override
    String badArguments() {
      return range("SECONDS", seconds, 1, 3600);
    }

    @Override
    Scenario scenario() {
      return Scenarios.neighborFail(iface, seconds, ipv6);
    }
  }

  @Command(name = "health-block", mixinStandardHelpOptions = true,
      description = "Drop the health probes (HEALTH_PROBE_TARGET(S)) for SECONDS, on every uplink or one.")
  static final class HealthBlock extends ScenarioCommand {
    @Parameters(index = "0", paramLabel = "SECONDS", description = "how long, 1..3600")
    int seconds;

    @Option(names = "--iface", paramLabel = "IFACE", description = "only the probes through this uplink")
    String iface;

    @Override
    String badArguments() {
      return range("SECONDS", seconds, 1, 3600);
    }

    @Override
    Scenario scenario() {
      return Scenarios.healthBlock(seconds, iface);
    }
  }

  @Command(name = "comprehensive", mixinStandardHelpOptions = true,
      description = "Every scenario in turn (on IFACE, or an uplink that can safely be taken away); a pass/fail"
          + " report with the measured times.")
  static final class Comprehensive extends ScenarioCommand {
    @Parameters(index = "0", paramLabel = "IFACE", arity = "0..1",
        description = "the uplink to fault (default: one that can safely be taken away)")
    String iface;

    @Override
    Scenario scenario() {
      return Scenarios.comprehensive(iface, options.lab);
    }
  }
}
