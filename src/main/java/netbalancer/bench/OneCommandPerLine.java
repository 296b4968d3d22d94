package netbalancer.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import netbalancer.system.CommandRunner;

/**
 * The shell-script baseline: an {@code ip -batch} becomes one {@code ip} command per line, as a
 * script that calls {@code ip route replace …} and {@code ip rule add …} for every change does.
 * Everything else (the one {@code nft -f} per table, sysctls) is left as it is, so the
 * comparison isolates batching.
 */
final class OneCommandPerLine implements CommandRunner {
  private final CommandRunner delegate;

  OneCommandPerLine(CommandRunner delegate) {
    this.delegate = delegate;
  }

  @Override
  public Result run(List<String> argv, String stdin, Duration timeout) {
    if (!argv.get(0).equals("ip") || !argv.contains("-batch") || stdin == null) {
      return delegate.run(argv, stdin, timeout);
    }
    int exit = 0;
    StringBuilder err = new StringBuilder();
    for (String line : stdin.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      List<String> one = new ArrayList<>(List.of("ip"));
      one.addAll(List.of(line.trim().split("\\s+")));
      Result r = delegate.run(one, null, timeout);
      if (!r.ok()) { // like ip -force: report, go on
        exit = exit == 0 ? r.exitCode() : exit;
        err.append(r.stderr());
      }
    }
    return new Result(exit, "", err.toString());
  }
}
