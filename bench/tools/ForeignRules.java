import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import netbalancer.bench.ProcessCpu;
import netbalancer.lab.JvmFlags;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;
import netbalancer.lab.LabDaemon;

/**
 * What another program's policy rules cost the daemon (a VPN's split tunnels, a policy router's
 * per-customer rules): a lab (three uplinks, default settings) whose router holds N IPv4 rules of
 * someone else's (prefs from 20 000, {@code from} addresses of 198.18.0.0/15, tables 5000-5099),
 * then the daemon started. Printed: its first apply, its idle CPU over 20 s, and its CPU while one
 * more rule of that program is added or deleted CHURN times a second for 20 s. For each N, this
 * build, then OTHER_JAR (if given) in a lab of its own. Not part of CI; run as root from the
 * repository after {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/ForeignRules.java [--other OTHER_JAR] [--churn CHURN] N…</pre>
 */
public class ForeignRules {
  private static int churn = 10;

  public static void main(String[] args) throws Exception {
    List<Path> jars = new ArrayList<>(List.of(Lab.jarPath()));
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--other")) {
        jars.add(Path.of(args[++i]).toAbsolutePath());
      } else if (args[i].equals("--churn")) {
        churn = Integer.parseInt(args[++i]);
      } else {
        sizes.add(Integer.parseInt(args[i]));
      }
    }
    for (int n : sizes) {
      for (Path jar : jars) {
        measure(n, jar);
      }
    }
  }

  private static void measure(int n, Path jar) throws Exception {
    try (Lab lab = Lab.create(3)) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < n; i++) {
        b.append("rule add pref ").append(20_000 + i).append(" from 198.18.").append(128 + (i >> 8 & 127)).append('.')
            .append(i & 255).append(" lookup ").append(5_000 + i % 100).append('\n');
      }
      if (n > 0) {
        var r = lab.exec(lab.routerNs(), List.of("ip", "-batch", "-"), b.toString(), Duration.ofMinutes(5));
        if (!r.ok()) {
          throw new IllegalStateException(r.stderr());
        }
      }
      LabBalancer nb = LabBalancer.in(lab);
      if (!jar.equals(Lab.jarPath())) {
        nb = nb.runningFrom(jar, JvmFlags.of(jar));
      }
      try (LabDaemon d = nb.start()) {
        nb.awaitBalanced(3, Duration.ofSeconds(120));
        Thread.sleep(3000);
        long own = ProcessCpu.ticks(d.pid())[0];
        Thread.sleep(20_000);
        double idle = 100.0 * (ProcessCpu.ticks(d.pid())[0] - own) / ProcessCpu.TICKS_PER_SECOND / 20;
        Process ip = new ProcessBuilder("ip", "netns", "exec", lab.routerNs(), "ip", "-force", "-batch", "-")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        own = ProcessCpu.ticks(d.pid())[0];
        long t0 = System.nanoTime();
        int sent = 0;
        try (OutputStream out = ip.getOutputStream()) {
          while (System.nanoTime() - t0 < 20_000_000_000L) {
            long due = (System.nanoTime() - t0) * churn / 1_000_000_000L;
            for (; sent < due; sent++) {
              out.write(("rule " + (sent % 2 == 0 ? "add" : "del") + " pref 19999 from 198.18.127.1 lookup 4999\n")
                  .getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            Thread.sleep(20);
          }
        }
        ip.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s, %d rules of another program: first apply %d ms | idle CPU %.2f %% | %d rule changes a"
            + " second: %.2f %% of a core%n", jar.equals(Lab.jarPath()) ? "this build" : jar.getFileName(), n,
            d.firstApplyMs(), idle, churn, 100.0 * (ProcessCpu.ticks(d.pid())[0] - own) / ProcessCpu.TICKS_PER_SECOND / s);
      }
    }
  }
}
