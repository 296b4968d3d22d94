package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import netbalancer.system.ProcessRunner;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Reads (never changes) the host namespace's links, rules, routes and nftables, so a test can
 * prove it left them exactly as they were. As {@code @ExtendWith(HostGuard.class)} it checks a
 * whole test class.
 */
final class HostGuard implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(HostGuard.class);
  private final String before;

  private HostGuard(String before) {
    this.before = before;
  }

  /** For JUnit. */
  HostGuard() {
    this("");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(STORE).put("host", snapshot());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    context.getStore(STORE).get("host", HostGuard.class).assertUnchanged();
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
