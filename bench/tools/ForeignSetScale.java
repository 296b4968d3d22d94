import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * What another program's big nft set costs the balancer: a lab (three uplinks, default settings)
 * whose router holds a table {@code inet blocklist} of someone else (a CrowdSec or fail2ban
 * bouncer's) with a set of N IPv4 addresses (of 240.0.0.0/4: set elements only, no packet is
 * sent to them). Then the daemon starts; printed: its first apply, the peak RSS of the daemon and
 * of its running children (its {@code ip monitor}, {@code nft monitor}, the listings' nft) over
 * 30 s, their CPU over those 30 s, the same while the blocklist changes CHURN elements a second
 * (half added, half deleted) for 20 s, and how long {@code net-balancer status} takes. For each
 * N, this build, then OTHER_JAR (if given) in a lab of its own. Not part of CI; run as root from
 * the repository after {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/ForeignSetScale.java [--other OTHER_JAR] [--churn CHURN] N…</pre>
 */
public class ForeignSetScale {
  private static int churn = 1000;

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

  private static String address(int i) {
    return "240." + (i >> 16 & 255) + '.' + (i >> 8 & 255) + '.' + (i & 255);
  }

  private static void measure(int n, Path jar) throws Exception {
    try (Lab lab = Lab.create(3)) {
      StringBuilder b = new StringBuilder("add table inet blocklist\n"
          + "add set inet blocklist deny { type ipv4_addr; size " + Math.max(65536, 2 * n) + "; }\n");
      for (int c = 0; c < n; c += 10_000) {
        b.append("add element inet blocklist deny { ");
        for (int i = c; i < Math.min(n, c + 10_000); i++) {
          b.append(i == c ? "" : ", ").append(address(i));
        }
        b.append(" }\n");
      }
      var r = lab.exec(lab.routerNs(), List.of("nft", "-f", "-"), b.toString(), Duration.ofMinutes(5));
      if (!r.ok()) {
        throw new IllegalStateException(r.stderr());
      }
      String who = jar.equals(Lab.jarPath()) ? "this build" : jar.getFileName().toString();
      LabBalancer nb = LabBalancer.in(lab);
      if (!jar.equals(Lab.jarPath())) {
        nb = nb.runningFrom(jar, JvmFlags.of(jar));
      }
      try (LabDaemon d = nb.start()) {
        nb.awaitBalanced(3, Duration.ofSeconds(120));
        long[] peak = new long[2];
        long own = ProcessCpu.ticks(d.pid())[0];
        long children = ProcessCpu.runningChildTicks(d.pid());
        for (int s = 0; s < 30; s++) {
          Thread.sleep(1000);
          peak(d.pid(), peak);
        }
        double idleOwn = percent(ProcessCpu.ticks(d.pid())[0] - own, 30);
        double idleChildren = percent(ProcessCpu.runningChildTicks(d.pid()) - children, 30);

        Process nft = new ProcessBuilder("ip", "netns", "exec", lab.routerNs(), "nft", "-f", "-")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        own = ProcessCpu.ticks(d.pid())[0];
        children = ProcessCpu.runningChildTicks(d.pid());
        long t0 = System.nanoTime();
        int sent = 0;
        try (OutputStream out = nft.getOutputStream()) {
          while (System.nanoTime() - t0 < 20_000_000_000L) {
            long due = (System.nanoTime() - t0) * churn / 2 / 1_000_000_000L;
            if (due > sent) {
              StringBuilder add = new StringBuilder("add element inet blocklist deny { ");
              StringBuilder del = new StringBuilder("delete element inet blocklist deny { ");
              for (int i = sent; i < due; i++) {
                add.append(i == sent ? "" : ", ").append(address(n + i));
                del.append(i == sent ? "" : ", ").append(address(i));
              }
              sent = (int) due;
              out.write((add + " }\n" + del + " }\n").getBytes(StandardCharsets.US_ASCII));
              out.flush();
            }
            peak(d.pid(), peak);
            Thread.sleep(100);
          }
        }
        nft.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        double churnOwn = 100.0 * (ProcessCpu.ticks(d.pid())[0] - own) / ProcessCpu.TICKS_PER_SECOND / s;
        double churnChildren = 100.0 * (ProcessCpu.runningChildTicks(d.pid()) - children) / ProcessCpu.TICKS_PER_SECOND / s;
        long c0 = System.nanoTime();
        var status = nb.run(Duration.ofMinutes(2), "status");
        double statusMs = (System.nanoTime() - c0) / 1e6;
        System.out.printf("%s, %d foreign set elements: first apply %d ms | peak RSS daemon %.1f MB, children %.1f MB"
            + " | idle CPU daemon %.2f %%, children %.2f %% | %d element changes/s: daemon %.2f %%, children %.2f %%"
            + " | status %s in %.0f ms%n", who, n, d.firstApplyMs(), peak[0] / 1024.0, peak[1] / 1024.0, idleOwn,
            idleChildren, sent * 2 / 20, churnOwn, churnChildren, status.ok() ? "ok" : "FAILED", statusMs);
      }
    }
  }

  private static double percent(long ticks, double seconds) {
    return 100.0 * ticks / ProcessCpu.TICKS_PER_SECOND / seconds;
  }

  /** Peak VmRSS (kB) of the daemon and the sum over its running children, into {@code peak}. */
  private static void peak(long pid, long[] peak) throws Exception {
    peak[0] = Math.max(peak[0], rss(Path.of("/proc", Long.toString(pid))));
    long sum = 0;
    for (ProcessHandle c : ProcessCpu.runningChildren(pid)) {
      sum += rss(Path.of("/proc", Long.toString(c.pid())));
    }
    peak[1] = Math.max(peak[1], sum);
  }

  private static long rss(Path proc) {
    try {
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // ended meanwhile
    }
    return 0;
  }
}
