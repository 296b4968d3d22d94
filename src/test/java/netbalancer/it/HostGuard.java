package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import netbalancer.kernel.ProcessRunner;

/**
 * Reads (never changes) the host namespace's links, rules, routes and nftables, so a test can
 * prove it left them exactly as they were.
 */
final class HostGuard {
  private final String before;

  private HostGuard(String before) {
    this.before = before;
  }

  static HostGuard snapshot() {
    return new HostGuard(dump());
  }

  void assertUnchanged() {
    assertEquals(before, dump(), "the host namespace changed");
  }

  private static String dump() {
    ProcessRunner r = new ProcessRunner();
    StringBuilder sb = new StringBuilder();
    for (List<String> argv : List.of(List.of("ip", "-br", "link"), List.of("ip", "rule"), List.of("ip", "-6", "rule"),
        List.of("ip", "route", "show", "table", "all"), List.of("ip", "-6", "route", "show", "table", "all"),
        List.of("nft", "-s", "list", "ruleset"))) {
      sb.append("## ").append(String.join(" ", argv)).append('\n').append(r.run(argv, null).stdout());
    }
    return sb.toString();
  }
}
