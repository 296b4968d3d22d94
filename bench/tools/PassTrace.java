import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import netbalancer.bench.FeedRoutes;
import netbalancer.bench.ProcessCpu;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;
import netbalancer.lab.LabDaemon;

/**
 * What a router's size does to the daemon's passes, from its own debug lines: a dual-stack lab
 * with ROUTES IPv4 and ROUTES6 IPv6 feed routes in main (as the bench's route-scale section loads
 * them) and LINKS more links in the router (LINKS/2 veth pairs, one end of each up with a /30 of
 * 198.19.0.0/16: a router's VLANs), the daemon started at LOG_LEVEL=debug, then CYCLES carrier
 * losses of wan2 (its ISP's end down 0.3 s, then up until wan2 is back). Prints the first apply,
 * every read of the main table's parts (`main table read: …`), each carrier-loss pass
 * (`pass: read …, plan …, apply …`) and the daemon's idle CPU over 20 s. Not part of CI; run as
 * root from the repository after {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/PassTrace.java ROUTES ROUTES6 LINKS CYCLES</pre>
 *
 * No packet is sent to the feed's routes or the links' addresses: routes and links only.
 */
public class PassTrace {
  public static void main(String[] args) throws Exception {
    int routes = Integer.parseInt(args[0]);
    int routes6 = Integer.parseInt(args[1]);
    int links = Integer.parseInt(args[2]);
    int cycles = Integer.parseInt(args[3]);
    if (links < 0 || links % 2 != 0 || links > 2 * 16_384) {
      throw new IllegalArgumentException("LINKS: an even number up to 32768 (veth pairs), not " + links);
    }
    try (Lab lab = Lab.builder().uplinks(3).dualStack().build()) {
      System.out.printf("feed loaded in %.1f + %.1f s%n", FeedRoutes.load(lab, routes), FeedRoutes.load6(lab, routes6));
      addLinks(lab, links / 2);
      LabBalancer nb = LabBalancer.in(lab).with(Map.of("DEBOUNCE_TIME", "1", "HEALTH_CHECK_ENABLED", "false",
          "FAILOVER_HYSTERESIS_ENABLED", "false", "LOG_LEVEL", "debug"));
      try (LabDaemon daemon = nb.start()) {
        nb.awaitBalanced(3, Duration.ofSeconds(60));
        Thread.sleep(3000);
        // the daemon keeps its recent lines only: the start's are printed before the cycles push them out
        java.util.Set<String> printed = new java.util.HashSet<>();
        for (String line : daemon.recentLines()) {
          if ((line.contains("first apply") || line.contains("main table read")) && printed.add(line)) {
            System.out.println(line);
          }
        }
        long ticks = ProcessCpu.ticks(daemon.pid())[0]; // the daemon's own, not its children's
        Thread.sleep(20_000);
        System.out.printf("idle CPU over 20 s: %.2f %% of a core%n",
            100.0 * (ProcessCpu.ticks(daemon.pid())[0] - ticks) / ProcessCpu.TICKS_PER_SECOND / 20);
        for (int i = 0; i < cycles; i++) {
          Thread.sleep(200 + (long) (Math.random() * 200));
          lab.execCheck(lab.ispNs(2), "ip", "link", "set", "dev", Lab.ISP_CUSTOMER_IF, "down");
          Thread.sleep(300);
          lab.execCheck(lab.ispNs(2), "ip", "link", "set", "dev", Lab.ISP_CUSTOMER_IF, "up");
          nb.awaitBalanced(3, Duration.ofSeconds(20));
        }
        Thread.sleep(1000);
        boolean lost = false;
        for (String line : daemon.recentLines()) {
          if (line.contains("main table read") && printed.add(line)) {
            System.out.println(line);
          }
          if (lost && line.contains("pass:")) {
            System.out.println("  carrier-loss " + line); // the pass that took wan2 out
          }
          lost = line.contains("carrier lost;") || (lost && !line.contains("pass:"));
        }
      }
    }
  }

  private static void addLinks(Lab lab, int pairs) throws Exception {
    if (pairs == 0) {
      return;
    }
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < pairs; i++) {
      int at = i * 4;
      batch.append("link add vl").append(i).append("a type veth peer name vl").append(i).append("b\n")
          .append("link set vl").append(i).append("a up\n").append("link set vl").append(i).append("b up\n")
          .append("addr add 198.19.").append(at >> 8).append('.').append((at & 255) + 1).append("/30 dev vl")
          .append(i).append("a\n");
    }
    Path file = Files.createTempFile("nb-links", ".batch");
    try {
      Files.writeString(file, batch);
      var r = lab.exec(lab.routerNs(), List.of("ip", "-batch", file.toString()), null, Duration.ofMinutes(5));
      if (!r.ok()) {
        throw new IllegalStateException("adding links failed: " + r.stderr());
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
