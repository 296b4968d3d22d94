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
 * What many other network devices cost the daemon: a lab (three uplinks, default settings) whose
 * router also has N veth pairs, both ends up, one with an address of 198.18.0.0/15 (a container
 * host's veths; no packet is sent to them). Printed: the daemon's first apply, its idle
 * CPU over 30 s (and its running children's), then the same while CHURN pairs a second are
 * added and deleted for 20 s (containers coming and going), and the peak RSS. For each N, this
 * build, then OTHER_JAR (if given) in a lab of its own. Not part of CI; run as root from the
 * repository after {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/LinkScale.java [--other OTHER_JAR] [--churn CHURN] N…</pre>
 */
public class LinkScale {
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

  private static String device(int i, int address) {
    return "link add dum" + i + " type veth peer name dup" + i + "\nlink set dum" + i + " up\nlink set dup" + i
        + " up\naddress add 198.18." + (address >> 8 & 255) + '.' + (address & 255) + "/32 dev dum" + i + "\n";
  }

  private static void measure(int n, Path jar) throws Exception {
    try (Lab lab = Lab.create(3)) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < n; i++) {
        b.append(device(i, i));
      }
      if (n > 0) {
        var r = lab.exec(lab.routerNs(), List.of("ip", "-batch", "-"), b.toString(), Duration.ofMinutes(5));
        if (!r.ok()) {
          throw new IllegalStateException(r.stderr());
        }
      }
      String who = jar.equals(Lab.jarPath()) ? "this build" : jar.getFileName().toString();
      LabBalancer nb = LabBalancer.in(lab);
      if (!jar.equals(Lab.jarPath())) {
        nb = nb.runningFrom(jar, JvmFlags.of(jar));
      }
      try (LabDaemon d = nb.start()) {
        nb.awaitBalanced(3, Duration.ofSeconds(120));
        Thread.sleep(3000);
        long own = ProcessCpu.ticks(d.pid())[0];
        long children = ProcessCpu.runningChildTicks(d.pid());
        Thread.sleep(30_000);
        double idleOwn = 100.0 * (ProcessCpu.ticks(d.pid())[0] - own) / ProcessCpu.TICKS_PER_SECOND / 30;
        double idleChildren = 100.0 * (ProcessCpu.runningChildTicks(d.pid()) - children) / ProcessCpu.TICKS_PER_SECOND / 30;
        Process ip = new ProcessBuilder("ip", "netns", "exec", lab.routerNs(), "ip", "-force", "-batch", "-")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        own = ProcessCpu.ticks(d.pid())[0];
        children = ProcessCpu.runningChildTicks(d.pid());
        long t0 = System.nanoTime();
        int made = 0;
        try (OutputStream out = ip.getOutputStream()) {
          while (System.nanoTime() - t0 < 20_000_000_000L) {
            long due = (System.nanoTime() - t0) * churn / 1_000_000_000L;
            StringBuilder c = new StringBuilder();
            for (; made < due; made++) {
              c.append(device(100_000 + made, 60_000 + made % 5000));
              if (made >= 5) {
                c.append("link del dum").append(100_000 + made - 5).append('\n');
              }
            }
            out.write(c.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(20);
          }
        }
        ip.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        double churnOwn = 100.0 * (ProcessCpu.ticks(d.pid())[0] - own) / ProcessCpu.TICKS_PER_SECOND / s;
        double churnChildren = 100.0 * (ProcessCpu.runningChildTicks(d.pid()) - children) / ProcessCpu.TICKS_PER_SECOND / s;
        long hwm = Files.readAllLines(Path.of("/proc", Long.toString(d.pid()), "status")).stream()
            .filter(l -> l.startsWith("VmHWM:")).mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).sum();
        System.out.printf("%s, %d other devices: first apply %d ms | idle CPU daemon %.2f %%, children %.2f %% |"
            + " %d devices added and deleted a second: daemon %.2f %%, children %.2f %% | peak RSS %.1f MB%n", who, n,
            d.firstApplyMs(), idleOwn, idleChildren, churn, churnOwn, churnChildren, hwm / 1024.0);
      }
    }
  }
}
