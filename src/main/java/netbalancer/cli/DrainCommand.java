package netbalancer.cli;

import java.util.concurrent.Callable;
import netbalancer.config.Config;
import netbalancer.config.InterfaceNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code drain IFACE} / {@code undrain IFACE}: asks the running daemon. */
abstract class DrainCommand implements Callable<Integer> {
  @Mixin
  ConfigOption configOption;

  @Parameters(paramLabel = "IFACE", description = "the uplink")
  String uplink;

  abstract String verb();

  @Override
  public Integer call() {
    String why = InterfaceNames.problem(uplink);
    if (why != null) {
      System.err.println("net-balancer " + verb() + ": IFACE \"" + uplink + "\" is not an uplink name (" + why
          + "); allowed: " + InterfaceNames.RULES);
      return ExitCodes.BAD_CONFIG;
    }
    Config config = configOption.load();
    String answer = Privileges.ask(config.controlSocket(), verb() + " " + uplink);
    if (answer == null) {
      System.err.println("net-balancer: no daemon listens on " + config.controlSocket() + " (start `net-balancer run`)");
      return ExitCodes.FAILURE;
    }
    System.out.print(answer);
    return answer.startsWith("ok") ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  @Command(name = "drain", mixinStandardHelpOptions = true,
      description = "Take no new connections on IFACE; its connections carry on until DRAIN_TIMEOUT.")
  static final class Drain extends DrainCommand {
    @Override
    String verb() {
      return "drain";
    }
  }

  @Command(name = "undrain", mixinStandardHelpOptions = true, description = "Let IFACE take new connections again.")
  static final class Undrain extends DrainCommand {
    @Override
    String verb() {
      return "undrain";
    }
  }
}
