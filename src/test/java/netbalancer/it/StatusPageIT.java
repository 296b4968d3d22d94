package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.system.CommandRunner.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: the daemon serves it in a lab router during a failover,
 * headless Chromium (Debian's package) loads it there, runs its script (which fetches
 * status.json) and the DOM it dumps shows the failed uplink down and the event; screenshots at
 * phone and desktop width go to target/status-page/ (kept by CI). Also: the page is one
 * self-contained document, read-only, and served only on METRICS_BIND.
 */
@ExtendWith(HostGuard.class)
class StatusPageIT {
  private static final String PORT = "9465";
  private static final String URL = "http://127.0.0.1:" + PORT + "/";
  private static final Path SHOTS = Path.of("target/status-page");

  @TempDir
  Path tmp;

  private Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEBOUNCE_TIME", "1");
    env.put("HEALTH_CHECK_INTERVAL", "1");
    env.put("METRICS_ENABLED", "true");
    env.put("METRICS_BIND", "127.0.0.1");
    env.put("METRICS_PORT", PORT);
    env.put("METRICS_FILE", tmp.resolve("metrics.prom").toString());
    return env;
  }

  private static String chromium() {
    for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    fail("chromium is not installed: scripts/install-deps.sh installs it (Debian package chromium)");
    return null;
  }

  /** Chromium in the router's namespace, where 127.0.0.1 is the daemon's METRICS_BIND. */
  private Result browser(Lab lab, String... args) {
    List<String> argv = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--disable-extensions", "--hide-scrollbars", "--user-data-dir=" + tmp.resolve("chromium"),
        "--virtual-time-budget=8000"));
    argv.addAll(List.of(args));
    argv.add(URL);
    return lab.exec(lab.routerNs(), argv, null, Duration.ofSeconds(90));
  }

  @Test
  void theBrowserShowsTheFailedUplinkDownAndTheEvent() throws Exception {
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers(); LabProcess daemon = Nb.daemon(lab, env())) {
      Await.until(Duration.ofSeconds(10), "status page served",
          () -> lab.exec(lab.routerNs(), "curl", "-sf", "-o", "/dev/null", URL).ok());
      Thread.sleep(6000); // a few health rounds and one 5 s beat: RTT samples for the sparklines
      lab.carrierDown(2);
      Await.until(Duration.ofSeconds(3), "wan2 out of LB_TABLE", () -> Nb.balanced(lab).equals(Set.of("wan1", "wan3")));
      Await.until(Duration.ofSeconds(10), "status.json shows wan2 down", () -> lab.exec(lab.routerNs(), "curl", "-sf",
          URL + "status.json").stdout().matches("(?s).*\"name\":\"wan2\",\"state\":\"down\".*"));

      Result dom = browser(lab, "--dump-dom");
      assertEquals(0, dom.exitCode(), dom.stderr());
      String html = dom.stdout();
      assertTrue(Pattern.compile("<section class=\"card down\" data-uplink=\"wan2\" data-state=\"down\">").matcher(html).find(),
          "the page shows wan2 down:\n" + html);
      for (String up : List.of("wan1", "wan3")) {
        assertTrue(html.contains("data-uplink=\"" + up + "\" data-state=\"up\""), up + " up:\n" + html);
      }
      assertTrue(Pattern.compile("<tr class=\"event\" data-uplink=\"wan2\" data-to=\"down\">.*?carrier lost</td>")
          .matcher(html).find(), "the event with its reason:\n" + html);
      assertTrue(html.contains("<path class=\"rtt\""), "an RTT sparkline:\n" + html);
      assertTrue(html.contains("<span id=\"conn\" class=\"muted\">updated "), "the refresh succeeded:\n" + html);

      Files.createDirectories(SHOTS);
      for (String[] shot : List.of(new String[] {"phone", "412,1400"}, new String[] {"desktop", "1280,900"})) {
        Path png = SHOTS.resolve("status-page-" + shot[0] + ".png").toAbsolutePath();
        Files.deleteIfExists(png);
        Result r = browser(lab, "--screenshot=" + png, "--window-size=" + shot[1]);
        assertTrue(Files.size(png) > 10_000, "screenshot " + png + ":\n" + r.stderr());
      }

      // One document, nothing from elsewhere: no src or href to another host, no @import/url().
      String page = lab.exec(lab.routerNs(), "curl", "-sf", URL).stdout();
      assertTrue(page.startsWith("<!DOCTYPE html>"), page);
      assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"(https?:)?//|@import|url\\(", Pattern.CASE_INSENSITIVE)
          .matcher(page).find(), "the page loads nothing from elsewhere");
      assertTrue(page.contains("name=\"viewport\""), "phone-readable");

      // Read-only, and only where METRICS_BIND says.
      Result post = lab.exec(lab.routerNs(), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", URL);
      assertEquals("405", post.stdout());
      Result lan = lab.exec(lab.clientNs(), "curl", "-s", "--max-time", "3", "http://" + Lab.ROUTER_LAN_ADDRESS + ":" + PORT + "/");
      assertTrue(lan.exitCode() != 0, "not served on the LAN address: " + lan.stdout());
      Result listen = lab.exec(lab.routerNs(), "ss", "-Hltn", "sport", "=", ":" + PORT);
      assertEquals(List.of("127.0.0.1:" + PORT), listen.stdout().lines()
          .map(l -> l.trim().split("\\s+")[3].replace("[::ffff:", "").replace("]", "")).toList(),
          "listens on METRICS_BIND only (Java may show it IPv4-mapped)");
    }
  }
}
