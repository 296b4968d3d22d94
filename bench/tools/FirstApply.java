import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import netbalancer.bench.FeedRoutes;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;
import netbalancer.lab.LabDaemon;

/**
 * The daemon's first apply, started again and again in one lab: what it logs ("first apply done in
 * X ms (the pass Y ms: steps)") and the time from starting its JVM to that line, per start, then
 * the medians. Not part of CI; run as root from the repository after
 * {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/FirstApply.java ROUTES STARTS [JAR]</pre>
 *
 * ROUTES /28s of 240.0.0.0/4 are loaded into the lab router's main table first (routes only: no
 * packet is sent to them), as the bench's route-scale section does. With JAR, each start is made
 * twice, alternating: once from the project's jar and once from JAR (an older build), so the two
 * are compared side by side.
 */
public class FirstApply {
  public static void main(String[] args) throws Exception {
    int routes = Integer.parseInt(args[0]);
    int starts = Integer.parseInt(args[1]);
    Path other = args.length > 2 ? Path.of(args[2]) : null;
    Map<String, String> settings = Map.of("DEBOUNCE_TIME", "1", "HEALTH_CHECK_ENABLED", "false",
        "FAILOVER_HYSTERESIS_ENABLED", "false");
    try (Lab lab = Lab.create(3)) {
      FeedRoutes.load(lab, routes);
      List<List<Long>> logged = List.of(new ArrayList<>(), new ArrayList<>());
      List<List<Long>> outside = List.of(new ArrayList<>(), new ArrayList<>());
      for (int i = 0; i < starts; i++) {
        for (int way = 0; way < (other == null ? 1 : 2); way++) {
          int w = (i % 2 == 0) ? way : (other == null ? 0 : 1 - way); // alternate which goes first
          LabBalancer nb = LabBalancer.in(lab).with(settings);
          if (w == 1) {
            nb = nb.runningFrom(other, netbalancer.lab.JvmFlags.of(other));
          }
          try (LabDaemon d = nb.start()) {
            String line = d.recentLines().stream().filter(l -> l.contains(LabBalancer.FIRST_APPLY)).findFirst()
                .orElse("?");
            System.out.printf("%s routes=%d start=%d: %s | JVM start to line %d ms%n", w == 0 ? "this" : "other",
                routes, i, line.substring(Math.max(0, line.indexOf(LabBalancer.FIRST_APPLY))),
                d.startToFirstApplyMs());
            logged.get(w).add(d.firstApplyMs());
            outside.get(w).add(d.startToFirstApplyMs());
          }
          Thread.sleep(500);
        }
      }
      for (int w = 0; w < (other == null ? 1 : 2); w++) {
        System.out.printf("%s: median first apply (logged) %d ms, JVM start to line %d ms, n=%d%n",
            w == 0 ? "this jar" : "other jar", median(logged.get(w)), median(outside.get(w)), logged.get(w).size());
      }
    }
  }

  private static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
