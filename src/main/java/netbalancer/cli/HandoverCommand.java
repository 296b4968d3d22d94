package netbalancer.cli;

import java.util.concurrent.Callable;
import netbalancer.config.Config;
import netbalancer.daemon.DaemonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code handover}: the running daemon's next stop leaves routes, rules and the nft table in
 * place, so the daemon started after it (a package upgrade's restart) adopts them and no
 * connection is lost, as after {@code kill -9}. The package's prerm runs it before an upgrade.
 */
@Command(name = "handover", mixinStandardHelpOptions = true,
    description = "Make the running daemon's next stop (within 10 minutes) leave the data plane in place for the"
        + " daemon started after it, as a package upgrade does: no connection is lost.")
final class HandoverCommand implements Callable<Integer> {
  @Mixin
  ConfigOption configOption;

  @Override
  public Integer call() {
    Config config = configOption.load();
    String answer = DaemonClient.request(config.controlSocket(), "handover");
    if (answer == null) {
      System.err.println("net-balancer: no daemon listens on " + config.controlSocket() + " (nothing to hand over)");
      return ExitCodes.FAILURE;
    }
    System.out.print(answer);
    return answer.startsWith("ok") ? ExitCodes.OK : ExitCodes.FAILURE;
  }
}
