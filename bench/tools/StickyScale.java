import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.bench.ProcessCpu;
import netbalancer.lab.JvmFlags;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;
import netbalancer.lab.LabDaemon;

/**
 * What a sticky policy's full source map costs the daemon: a lab (IPv4, three uplinks) whose
 * policy {@code bank proto tcp -> balanced sticky 3600} has SOURCES sources in its map (spread
 * over the three uplinks: map keys in 198.18.0.0/15 only, no packet is sent to them), the daemon
 * started with the launcher's flags and metrics on, then SCRAPES metrics scrapes 2 s apart (each
 * reads our nft table's counters), then wan2's carrier loss (its sources purged from the map).
 * Prints the first apply, the daemon's CPU over the scrapes and over the 5 s after the loss, the
 * longest scrape and the peak RSS; with OTHER_JAR, the same for it in a lab of its own, alternating
 * ROUNDS times. Not part of CI; run as root from the repository after {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/StickyScale.java SOURCES SCRAPES ROUNDS [OTHER_JAR]</pre>
 */
public class StickyScale {
  private static final int PORT = 9090;

  public static void main(String[] args) throws Exception {
    int sources = Integer.parseInt(args[0]);
    int scrapes = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    List<Path> jars = new ArrayList<>(List.of(Lab.jarPath()));
    if (args.length > 3) {
      jars.add(Path.of(args[3]).toAbsolutePath());
    }
    Path policies = Files.createTempFile("nb-sticky", ".conf");
    Files.writeString(policies, "bank proto tcp -> balanced sticky 3600\n");
    try {
      for (int round = 1; round <= rounds; round++) {
        for (Path jar : jars) {
          run(jar, policies, sources, scrapes, round);
        }
      }
    } finally {
      Files.deleteIfExists(policies);
    }
  }

  private static void run(Path jar, Path policies, int sources, int scrapes, int round) throws Exception {
    try (Lab lab = Lab.create(3)) {
      LabBalancer nb = LabBalancer.in(lab).with(Map.of("DEBOUNCE_TIME", "1", "HEALTH_CHECK_ENABLED", "false",
          "POLICIES_FILE", policies.toString(), "METRICS_ENABLED", "true", "METRICS_PORT", Integer.toString(PORT)));
      if (!jar.equals(Lab.jarPath())) {
        nb = nb.runningFrom(jar, JvmFlags.of(jar));
      }
      var applied = nb.run("apply");
      if (!applied.ok()) {
        throw new IllegalStateException("apply: " + applied.stderr());
      }
      String table = lab.execCheck(lab.routerNs(), "nft", "list", "table", "inet", "net_balancer").stdout();
      Matcher map = Pattern.compile("map (sticky_\\d+) \\{").matcher(table);
      if (!map.find()) {
        throw new IllegalStateException("no sticky map in\n" + table);
      }
      long[] marks = new long[4];
      Matcher m = Pattern.compile("\"wan(\\d)\" : (0x[0-9a-f]+)").matcher(table);
      while (m.find()) {
        marks[Integer.parseInt(m.group(1))] = Long.decode(m.group(2));
      }
      StringBuilder fill = new StringBuilder();
      for (int i = 0; i < sources; i++) {
        fill.append(i % 4096 == 0 ? (i == 0 ? "" : " }\n") + "add element inet net_balancer " + map.group(1) + " { " : ", ")
            .append("198.18.").append(i >> 8 & 255).append('.').append(i & 255).append(" : ").append(marks[1 + i % 3]);
      }
      lab.exec(lab.routerNs(), List.of("nft", "-f", "-"), fill.append(" }\n").toString(), Duration.ofMinutes(2));
      String who = jar.equals(Lab.jarPath()) ? "this build" : jar.getFileName().toString();
      try (LabDaemon daemon = nb.start()) {
        nb.awaitBalanced(3, Duration.ofSeconds(30));
        String first = daemon.recentLines().stream().filter(l -> l.contains("first apply done")).findFirst().orElse("?");
        Thread.sleep(2000);
        long ticks = ProcessCpu.ticks(daemon.pid())[0];
        long worst = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < scrapes; i++) {
          long s = System.nanoTime();
          var r = lab.exec(lab.routerNs(), "curl", "-sf", "-m", "30", "http://127.0.0.1:" + PORT + "/metrics");
          if (!r.ok()) {
            throw new IllegalStateException("scrape " + i + " failed: " + r.stderr() + "; daemon alive " + daemon.process().isAlive());
          }
          worst = Math.max(worst, (System.nanoTime() - s) / 1_000_000);
          Thread.sleep(2000);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double scrapeCpu = 100.0 * (ProcessCpu.ticks(daemon.pid())[0] - ticks) / ProcessCpu.TICKS_PER_SECOND / seconds;
        ticks = ProcessCpu.ticks(daemon.pid())[0];
        lab.carrierDown(2);
        Thread.sleep(5000);
        double lossCpuSeconds = (double) (ProcessCpu.ticks(daemon.pid())[0] - ticks) / ProcessCpu.TICKS_PER_SECOND;
        long hwm = Files.readAllLines(Path.of("/proc", Long.toString(daemon.pid()), "status")).stream()
            .filter(l -> l.startsWith("VmHWM:")).map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
        System.out.printf("round %d, %s, %d sources: %s | CPU over %d scrapes %.2f %% of a core, longest scrape %d ms"
            + " | CPU in the 5 s after wan2's carrier loss %.2f s | peak RSS %.1f MB | alive %s%n", round, who, sources,
            first.replaceAll(".*(first apply done.*)", "$1"), scrapes, scrapeCpu, worst, lossCpuSeconds, hwm / 1024.0,
            daemon.process().isAlive());
      }
    }
  }
}
