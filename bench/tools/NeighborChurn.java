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
 * What a busy LAN's neighbor events cost the daemon: a lab (three uplinks, default settings)
 * whose router's LAN entries change state RATE times a second for 20 s (`ip neigh replace` of 800
 * entries of 198.18.0.0/15 on the LAN device, REACHABLE and STALE by turns: each a netlink event,
 * as a LAN host's entry makes a couple of times a minute; entries only, no packet is sent to
 * them). Prints the daemon's own CPU and its running children's (its `ip monitor`) over those
 * 20 s. For each RATE, this build, then OTHER_JAR (if given) in a lab of its own. Not part of CI;
 * run as root from the repository after {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/NeighborChurn.java [--other OTHER_JAR] RATE…</pre>
 */
public class NeighborChurn {
  private static final int ENTRIES = 800; // under the kernel's gc_thresh3 (1024) for entries that are not permanent

  public static void main(String[] args) throws Exception {
    List<Path> jars = new ArrayList<>(List.of(Lab.jarPath()));
    List<Integer> rates = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--other")) {
        jars.add(Path.of(args[++i]).toAbsolutePath());
      } else {
        rates.add(Integer.parseInt(args[i]));
      }
    }
    for (int rate : rates) {
      for (Path jar : jars) {
        measure(rate, jar);
      }
    }
  }

  private static void measure(int rate, Path jar) throws Exception {
    try (Lab lab = Lab.create(3)) {
      LabBalancer nb = LabBalancer.in(lab);
      if (!jar.equals(Lab.jarPath())) {
        nb = nb.runningFrom(jar, JvmFlags.of(jar));
      }
      try (LabDaemon d = nb.start()) {
        nb.awaitBalanced(3, Duration.ofSeconds(30));
        Thread.sleep(2000);
        Process ip = new ProcessBuilder("ip", "netns", "exec", lab.routerNs(), "ip", "-force", "-batch", "-")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        OutputStream out = ip.getOutputStream();
        long own = ProcessCpu.ticks(d.pid())[0];
        long children = ProcessCpu.runningChildTicks(d.pid());
        long t0 = System.nanoTime();
        int sent = 0;
        while (System.nanoTime() - t0 < 20_000_000_000L) {
          long due = (System.nanoTime() - t0) * rate / 1_000_000_000L;
          StringBuilder b = new StringBuilder();
          for (; sent < due; sent++) {
            int i = sent % ENTRIES;
            b.append("neigh replace 198.18.").append(i >> 8).append('.').append(i & 255).append(" lladdr 02:00:00:00:")
                .append(String.format("%02x:%02x", i >> 8 & 255, i & 255)).append(" dev ").append(Lab.LAN_INTERFACE)
                .append(" nud ").append((sent / ENTRIES) % 2 == 0 ? "reachable" : "stale").append('\n');
          }
          out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
          out.flush();
          Thread.sleep(10);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s, %d neighbor events/s (%d sent): daemon %.2f %% of a core, its running children %.2f %%%n",
            jar.equals(Lab.jarPath()) ? "this build" : jar.getFileName(), rate, sent,
            100.0 * (ProcessCpu.ticks(d.pid())[0] - own) / ProcessCpu.TICKS_PER_SECOND / s,
            100.0 * (ProcessCpu.runningChildTicks(d.pid()) - children) / ProcessCpu.TICKS_PER_SECOND / s);
        out.close();
        ip.waitFor();
      }
    }
  }
}
