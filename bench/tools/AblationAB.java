import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import netbalancer.bench.LabWays;
import netbalancer.bench.PeerWays;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;

/**
 * Connection rate of ways side by side, quicker than the bench's data-plane section when only one
 * part of the ruleset changes: the first way is the reference, and each other way is measured at
 * the same moment as it (each lab's client pinned to the first CPU, its servers to the second, as
 * the bench does), so the ratio of the two is the ratio of what a connection costs. Blocks of
 * rounds with fresh labs created in a rotating order, so that a lab a little faster than its twin
 * falls on each way in turn. Not part of CI (a quiet machine and root); from the repository after
 * {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/AblationAB.java ROUNDS MILLIS BLOCKS WAY WAY…</pre>
 *
 * A way is {@code plain}, {@code policy} (plain with one ip rule), {@code mwan3}, {@code vyos},
 * {@code nb} (net-balancer applied), {@code nb:CMD} (then the shell command CMD in its router) or
 * {@code jar:PATH} (net-balancer applied by another jar, say the one built from main).
 */
public class AblationAB {
  private static final int CPU_CLIENT = 0;
  private static final int CPU_SERVER = 1;

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    int millis = Integer.parseInt(args[1]);
    int blocks = Integer.parseInt(args[2]);
    List<String> ways = Arrays.asList(args).subList(3, args.length);
    double[][] ratios = new double[ways.size()][rounds * blocks];
    ExecutorService both = Executors.newFixedThreadPool(2);
    try {
      for (int block = 0; block < blocks; block++) {
        List<Lab> labs = new ArrayList<>(ways.size());
        List<LabProcess> clients = new ArrayList<>(ways.size());
        for (int k = 0; k < ways.size(); k++) {
          labs.add(null);
          clients.add(null);
        }
        try {
          for (int k = 0; k < ways.size(); k++) {
            int w = (k + block) % ways.size();
            Lab lab = Lab.create(3);
            labs.set(w, lab);
            pin(lab.startServers(), CPU_SERVER);
            route(lab, ways.get(w));
            LabProcess c = lab.startJava(lab.clientNs(), "netbalancer.bench.BenchClient", "rates", Lab.SERVER_ADDRESS,
                Integer.toString(Lab.SERVER_PORT), "4");
            pin(c, CPU_CLIENT);
            clients.set(w, c);
          }
          for (int round = -1; round < rounds; round++) { // round -1 warms up
            for (int k = 1; k < ways.size(); k++) {
              int w = 1 + (k + Math.max(round, 0)) % (ways.size() - 1);
              int first = (round + w + block) % 2;
              int[] pair = first == 0 ? new int[] {0, w} : new int[] {w, 0};
              Future<Double> a = both.submit(() -> rate(labs.get(pair[0]), clients.get(pair[0]), millis));
              Future<Double> b = both.submit(() -> rate(labs.get(pair[1]), clients.get(pair[1]), millis));
              double ra = a.get();
              double rb = b.get();
              double ref = first == 0 ? ra : rb;
              double way = first == 0 ? rb : ra;
              if (round >= 0) {
                ratios[w][block * rounds + round] = way / ref;
              }
            }
          }
        } finally {
          for (Lab lab : labs) {
            if (lab != null) {
              lab.close();
            }
          }
        }
        System.out.printf("block %d done, load %s%n", block, java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip());
      }
    } finally {
      both.shutdownNow();
    }
    System.out.printf("connection rate ÷ %s, %d rounds × %d blocks of %d ms%n", ways.get(0), rounds, blocks, millis);
    for (int w = 1; w < ways.size(); w++) {
      double[] r = ratios[w];
      double[] ci = interval(r);
      System.out.printf("| %s | %.3f (95 %%: %.3f–%.3f) |%n", ways.get(w), median(r), ci[0], ci[1]);
      StringBuilder each = new StringBuilder("  rounds:");
      for (double x : r) {
        each.append(String.format(" %.3f", x));
      }
      System.out.println(each);
    }
  }

  private static void route(Lab lab, String way) {
    if (way.equals("nb") || way.startsWith("nb:") || way.startsWith("jar:")) {
      Path jar = way.startsWith("jar:") ? Path.of(way.substring(4)) : Lab.jarPath();
      List<String> argv = new ArrayList<>(List.of("env"));
      Lab.balancerSettings(lab.stateDir()).forEach((k, v) -> argv.add(k + "=" + v));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      argv.addAll(List.of(java, "-jar", jar.toString(), "apply"));
      if (!lab.exec(lab.routerNs(), argv, null, Duration.ofSeconds(60)).ok()) {
        throw new IllegalStateException("apply failed");
      }
      if (way.startsWith("nb:")) {
        lab.execCheck(lab.routerNs(), "sh", "-c", way.substring(3));
      }
      if (System.getenv("AB_SHOW") != null) { // to check what a variant left in the kernel
        System.out.println("== " + way + "\n" + lab.execCheck(lab.routerNs(), "nft", "list", "table", "inet",
            "net_balancer").stdout() + lab.execCheck(lab.routerNs(), "ip", "rule").stdout());
      }
      return;
    }
    if (way.equals("mwan3") || way.equals("vyos")) {
      PeerWays.Peer.valueOf(way.toUpperCase(java.util.Locale.ROOT)).apply(lab);
      return;
    }
    LabWays.plain(lab);
    if (way.equals("policy")) {
      LabWays.policyRoutingOn(lab);
    } else if (!way.equals("plain")) {
      throw new IllegalArgumentException("way: " + way + " (plain, policy, mwan3, vyos, nb, nb:CMD, jar:PATH)");
    }
  }

  private static void pin(LabProcess p, int cpu) throws Exception {
    Process t = new ProcessBuilder("taskset", "-a", "-p", "-c", Integer.toString(cpu), Long.toString(p.pid()))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (t.waitFor() != 0) {
      throw new IllegalStateException("taskset failed for " + p.pid());
    }
  }

  private static double rate(Lab lab, LabProcess client, int millis) {
    lab.exec(lab.routerNs(), "conntrack", "-F");
    client.writeLine(Integer.toString(millis));
    String[] w = client.readLine(Duration.ofSeconds(120)).split(" ");
    if (!w[1].equals("0")) {
      throw new IllegalStateException(w[1] + " of " + w[0] + " connections failed");
    }
    return Integer.parseInt(w[0]) / Double.parseDouble(w[2]);
  }

  private static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** Bootstrap 95 % interval of the median. */
  private static double[] interval(double[] x) {
    Random rnd = new Random(17);
    double[] m = new double[2000];
    for (int i = 0; i < m.length; i++) {
      double[] s = new double[x.length];
      for (int j = 0; j < s.length; j++) {
        s[j] = x[rnd.nextInt(x.length)];
      }
      m[i] = median(s);
    }
    Arrays.sort(m);
    return new double[] {m[49], m[1949]};
  }
}
