package netbalancer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code promtool check metrics} (Debian package prometheus). Missing promtool fails the
 * test rather than skipping it: test.sh installs it, and a check that silently never runs is none.
 */
final class PromTool {
  private PromTool() {
  }

  static void check(String text) {
    Process p;
    try {
      p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("promtool not found: apt-get install prometheus (" + e.getMessage() + ")", e);
    }
    try {
      try (OutputStream in = p.getOutputStream()) {
        in.write(text.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("promtool did not finish");
      }
      assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out + "\non:\n" + text);
      assertEquals("", out.strip(), "promtool lint findings:\n" + out + "\non:\n" + text);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
