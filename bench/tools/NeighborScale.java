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
 * What the router's neighbor table costs the idle daemon: a lab (three uplinks, default settings:
 * health checks and NEIGHBOR_REACHABILITY_ENABLED on) whose router holds N permanent neighbors on
 * its LAN device (a big LAN's ARP entries; permanent ones need no gc_thresh change; addresses of
 * 198.18.0.0/15, entries only: no packet is sent to them), the daemon started with the launcher's
 * flags, its own CPU over 30 s once balanced (and SETTLE seconds more, 3 unless --settle: the JIT
 * compiles what runs often only after minutes). For each N given, this build, then OTHER_JAR (if
 * given) in a lab of its own. Not part of CI; run as root from the repository after
 * {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/NeighborScale.java [--other OTHER_JAR] [--env KEY=VALUE]… [--settle SETTLE] N…</pre>
 */
public class NeighborScale {
  private static final java.util.Map<String, String> ENV = new java.util.LinkedHashMap<>();
  private static int settle = 3;

  public static void main(String[] args) throws Exception {
    List<Path> jars = new ArrayList<>(List.of(Lab.jarPath()));
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--settle")) {
        settle = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--env")) {
        String[] kv = args[++i].split("=", 2);
        ENV.put(kv[0], kv[1]);
      } else if (args[i].equals("--other")) {
        jars.add(Path.of(args[++i]).toAbsolutePath());
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
        b.append("neigh add 198.18.").append(i >> 8 & 255).append('.').append(i & 255).append(" lladdr 02:00:00:")
            .append(String.format("%02x:%02x:%02x", i >> 16 & 255, i >> 8 & 255, i & 255))
            .append(" dev ").append(Lab.LAN_INTERFACE).append(" nud permanent\n");
      }
      if (n > 0) {
        var r = lab.exec(lab.routerNs(), List.of("ip", "-batch", "-"), b.toString(), Duration.ofMinutes(2));
        if (!r.ok()) {
          throw new IllegalStateException(r.stderr());
        }
      }
      LabBalancer nb = LabBalancer.in(lab).with(ENV);
      if (!jar.equals(Lab.jarPath())) {
        nb = nb.runningFrom(jar, JvmFlags.of(jar));
      }
      try (LabDaemon d = nb.start()) {
        nb.awaitBalanced(3, Duration.ofSeconds(30));
        Thread.sleep(settle * 1000L);
        long t = ProcessCpu.ticks(d.pid())[0];
        Thread.sleep(30_000);
        System.out.printf("%s, %d LAN neighbors: idle CPU %.2f %% of a core%n",
            jar.equals(Lab.jarPath()) ? "this build" : jar.getFileName(), n,
            100.0 * (ProcessCpu.ticks(d.pid())[0] - t) / ProcessCpu.TICKS_PER_SECOND / 30);
      }
    }
  }
}
