package netbalancer.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import netbalancer.system.CommandRunner;

/**
 * Runs programs in one network namespace: {@code ip} gets {@code -n NS} (no extra exec: the
 * harness polls LB_TABLE 50 times a second through it), anything else goes through
 * {@code ip netns exec NS}.
 */
final class NamespaceRunner implements CommandRunner {
  private final CommandRunner inner;
  private final String ns;

  NamespaceRunner(CommandRunner inner, String ns) {
    if (ns == null || ns.isBlank()) {
      throw new IllegalArgumentException("a namespace runner needs a namespace");
    }
    this.inner = inner;
    this.ns = ns;
  }

  @Override
  public Result run(List<String> argv, String stdin, Duration timeout) {
    return inner.run(wrap(argv), stdin, timeout);
  }

  @Override
  public <T> T stream(List<String> argv, Duration timeout, java.util.function.Function<java.io.InputStream, T> reader) {
    return inner.stream(wrap(argv), timeout, reader);
  }

  List<String> wrap(List<String> argv) {
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
