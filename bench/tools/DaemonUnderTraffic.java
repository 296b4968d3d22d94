import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import netbalancer.bench.ProcessCpu;
import netbalancer.lab.JvmFlags;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;
import netbalancer.lab.LabDaemon;
import netbalancer.lab.LabProcess;

/**
 * The daemon's CPU (its children included) while the LAN opens TCP connections at a busy router's
 * pace, default settings: what passive evidence costs the daemon when connections are many. Jars
 * side by side, alternating, each round in a fresh lab. Not part of CI (root, a quiet machine);
 * from the repository after {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/DaemonUnderTraffic.java PER_SECOND SECONDS ROUNDS JAR JAR…</pre>
 */
public class DaemonUnderTraffic {
  public static void main(String[] args) throws Exception {
    int perSecond = Integer.parseInt(args[0]);
    int seconds = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    List<Path> jars = new ArrayList<>();
    for (int i = 3; i < args.length; i++) {
      jars.add(Path.of(args[i]).toAbsolutePath());
    }
    List<List<Double>> cpu = new ArrayList<>();
    jars.forEach(j -> cpu.add(new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (int k = 0; k < jars.size(); k++) {
        int w = (k + round) % jars.size();
        double c = once(jars.get(w), perSecond, seconds);
        cpu.get(w).add(c);
        System.out.printf("round %d %s: %.2f %% of a core%n", round, jars.get(w), c);
      }
    }
    for (int k = 0; k < jars.size(); k++) {
      List<Double> s = new ArrayList<>(cpu.get(k));
      s.sort(null);
      System.out.printf("| %s | median %.2f %% | %s |%n", jars.get(k), s.get(s.size() / 2), s);
    }
  }

  private static double once(Path jar, int perSecond, int seconds) throws Exception {
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      LabBalancer nb = LabBalancer.in(lab).runningFrom(jar, JvmFlags.of(jar));
      try (LabDaemon daemon = nb.start()) {
        nb.awaitBalanced(lab.uplinkCount(), Duration.ofSeconds(30));
        try (LabProcess load = lab.startJava(lab.clientNs(), "netbalancer.bench.BenchClient", "traffic",
            Lab.SERVER_ADDRESS, Integer.toString(Lab.SERVER_PORT), Integer.toString(perSecond))) {
          Thread.sleep(3000); // the client's JVM warm, the daemon's watcher listing
          double cpu = ProcessCpu.percentOver(daemon.pid(), seconds);
          load.closeStdin();
          return cpu;
        }
      }
    }
  }
}
