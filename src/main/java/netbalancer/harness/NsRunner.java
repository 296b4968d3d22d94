package netbalancer.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import netbalancer.system.CommandRunner;
import netbalancer.system.ProcessRunner;

/**
 * Runs programs in one named network namespace, or in the current one when the name is null.
 * {@code ip} gets {@code -n NS} (no extra exec: the LB_TABLE poller runs it 50 times a second);
 * anything else goes through {@code ip netns exec NS}.
 */
final class NsRunner implements CommandRunner {
  private final CommandRunner inner;
  private final String ns;

  NsRunner(CommandRunner inner, String ns) {
    this.inner = inner;
    this.ns = ns;
  }

  static NsRunner current() {
    return new NsRunner(new ProcessRunner(), null);
  }

  static NsRunner in(String ns) {
    return new NsRunner(new ProcessRunner(), ns);
  }

  @Override
  public Result run(List<String> argv, String stdin, Duration timeout) {
    return inner.run(wrap(argv), stdin, timeout);
  }

  List<String> wrap(List<String> argv) {
    if (ns == null) {
      return argv;
    }
    List<String> out = new ArrayList<>();
    if (argv.get(0).equals("ip")) {
      out.addAll(List.of("ip", "-n", ns));
      out.addAll(argv.subList(1, argv.size()));
    } else {
      out.addAll(List.of("ip", "netns", "exec", ns));
      out.addAll(argv);
    }
    return out;
  }
}
