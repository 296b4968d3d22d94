package netbalancer.cli;

import netbalancer.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code net-balancer COMMAND}: the entry point of the jar. */
@Command(name = "net-balancer", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
    description = "Use every uplink at once: policy routing and nftables over healthy uplinks.",
    subcommands = {ApplyCommand.class, CleanupCommand.class, StatusCommand.class, ExplainCommand.class, EventsCommand.class, RunCommand.class,
        DrainCommand.Drain.class, DrainCommand.Undrain.class, HandoverCommand.class, BenchCommand.class, TestCommand.class, LabCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("run")) {
      netbalancer.daemon.WarmUp.startEarly(); // beside the parsing and checks below (docs/design.md, "The first apply")
    }
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof ConfigException) {
        cmd.getErr().println(ex.getMessage()); // names every bad key; nothing was touched
        return ExitCodes.BAD_CONFIG;
      }
      if (ex instanceof Privileges.NotPermittedException) {
        cmd.getErr().println("net-balancer: " + ex.getMessage());
        return ExitCodes.NO_PRIVILEGE;
      }
      cmd.getErr().println("net-balancer: " + ex.getMessage());
      return ExitCodes.FAILURE;
    });
    return cl;
  }
}
