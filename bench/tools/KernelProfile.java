import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import netbalancer.bench.LabWays;
import netbalancer.bench.PeerWays;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;

/**
 * Where the kernel's CPU time goes, per way of routing: one lab per way (plain routing +
 * masquerade; the same with policy routing switched on; net-balancer applied; optionally
 * net-balancer with an ablation; the peers' rulesets, mwan3's and VyOS's, as {@code PeerWays}
 * rebuilds them), the bench's workload run in each in turn under
 * {@code perf record -a}, and the kernel's samples per unit of work grouped by what they do:
 * per 1000 connections for {@code connections} (the bench's connection-rate client), per GB for
 * {@code throughput} (one iperf3 stream). Not part of CI (it needs perf and a quiet machine); run
 * as root from the repository after {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/KernelProfile.java connections|throughput [ROUNDS [SECONDS]]</pre>
 *
 * With {@code NET_BALANCER_BENCH_AFTER_APPLY='cmd'} one more lab runs {@code cmd} in its router
 * after apply, as the bench's ablations do.
 */
public class KernelProfile {
  private static final String AFTER_APPLY = System.getenv("NET_BALANCER_BENCH_AFTER_APPLY");
  private static final String[] WAYS = AFTER_APPLY == null || AFTER_APPLY.isBlank()
      ? new String[] {"plain", "policy", "nb", "mwan3", "vyos"}
      : new String[] {"plain", "policy", "nb", "nb+cmd", "mwan3", "vyos"};
  private static final int HZ = 4999;

  public static void main(String[] args) throws Exception {
    boolean connections = args.length > 0 && args[0].equals("connections");
    if (!connections && !(args.length > 0 && args[0].equals("throughput"))) {
      throw new IllegalArgumentException("first argument: connections or throughput");
    }
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path dir = Files.createTempDirectory("nb-profile");
    List<Lab> labs = new ArrayList<>();
    try {
      List<LabProcess> clients = new ArrayList<>();
      for (String way : WAYS) {
        Lab lab = Lab.create(3);
        labs.add(lab);
        lab.startServers();
        LabWays.startIperfServer(lab);
        route(lab, way);
        clients.add(lab.startJava(lab.clientNs(), "netbalancer.bench.BenchClient", "rates", Lab.SERVER_ADDRESS,
            Integer.toString(Lab.SERVER_PORT), "4"));
      }
      Map<String, Map<String, Long>> samples = new LinkedHashMap<>();
      Map<String, Double> work = new LinkedHashMap<>();
      for (int round = -1; round < rounds; round++) { // round -1 warms up
        for (int k = 0; k < WAYS.length; k++) {
          int i = (k + Math.max(round, 0)) % WAYS.length; // rotating order
          Lab lab = labs.get(i);
          lab.execCheck(lab.routerNs(), "conntrack", "-F");
          File data = dir.resolve(WAYS[i] + round).toFile();
          Process perf = new ProcessBuilder("perf", "record", "-a", "-F", Integer.toString(HZ), "-o", data.toString(),
              "--", "sleep", Integer.toString(seconds)).redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
          double done = connections ? connections(clients.get(i), seconds)
              : LabWays.iperf(lab, seconds, null).bytes() / 1e9; // GB
          perf.waitFor();
          if (round >= 0) {
            work.merge(WAYS[i], done, Double::sum);
            kernelSymbols(data).forEach((sym, n) -> samples.computeIfAbsent(WAYS[i], x -> new TreeMap<>())
                .merge(group(sym), n, Long::sum));
          }
        }
      }
      print(connections ? "kernel CPU per 1000 connections, ms (µs per connection)" : "kernel CPU per GB, ms",
          connections ? 1000 : 1, samples, work);
    } finally {
      labs.forEach(Lab::close);
      try (var files = Files.list(dir)) {
        files.forEach(f -> f.toFile().delete());
      }
      Files.delete(dir);
    }
  }

  private static void route(Lab lab, String way) {
    if (way.startsWith("nb")) {
      List<String> argv = new ArrayList<>(List.of("env"));
      Lab.balancerSettings(lab.stateDir()).forEach((k, v) -> argv.add(k + "=" + v));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      argv.addAll(List.of(java, "-jar", Lab.jarPath().toString(), "apply"));
      if (!lab.exec(lab.routerNs(), argv, null, Duration.ofSeconds(60)).ok()) {
        throw new IllegalStateException("apply failed");
      }
      if (way.equals("nb+cmd")) {
        lab.execCheck(lab.routerNs(), "sh", "-c", AFTER_APPLY);
      }
      return;
    }
    if (way.equals("mwan3") || way.equals("vyos")) { // the peers' rulesets, as the bench rebuilds them
      PeerWays.Peer.valueOf(way.toUpperCase(java.util.Locale.ROOT)).apply(lab);
      return;
    }
    LabWays.plain(lab); // the bench's own baselines
    if (way.equals("policy")) {
      LabWays.policyRoutingOn(lab);
    }
  }

  /** Short connections for {@code seconds}; how many were made. */
  private static double connections(LabProcess client, int seconds) {
    client.writeLine(Integer.toString(seconds * 1000));
    String[] w = client.readLine(Duration.ofSeconds(seconds + 60L)).split(" ");
    if (!w[1].equals("0")) {
      throw new IllegalStateException(w[1] + " of " + w[0] + " connections failed");
    }
    return Double.parseDouble(w[0]);
  }

  /** Samples per kernel symbol, from {@code perf report}; user-space and idle samples left out. */
  private static Map<String, Long> kernelSymbols(File data) throws Exception {
    Process p = new ProcessBuilder("perf", "report", "-i", data.toString(), "--no-children", "--sort", "sym",
        "--stdio", "-n").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
      String[] f = line.strip().split("\\s+");
      // "12.34%  567  [k] symbol"
      if (f.length >= 4 && f[0].endsWith("%") && f[2].equals("[k]") && !f[3].contains("halt")) {
        out.merge(f[3], Long.parseLong(f[1]), Long::sum);
      }
    }
    p.waitFor();
    return out;
  }

  /** The part of the path a kernel symbol belongs to. */
  private static String group(String sym) {
    if (sym.startsWith("nft_")) {
      return "nftables (nft_*)";
    }
    if (sym.startsWith("fib_rules") || sym.startsWith("fib4_rule") || sym.equals("fib_get_table")
        || sym.equals("__fib_lookup") || sym.equals("l3mdev_update_flow") || sym.equals("dev_get_by_index_rcu")) {
      return "rule walk (fib_rules_lookup, fib4_rule_*, fib_get_table, l3mdev_update_flow, …)";
    }
    if (sym.startsWith("fib_") || sym.startsWith("ip_route_input") || sym.startsWith("fib_validate")) {
      return "route lookups (fib_table_lookup, fib_select_multipath, ip_route_input_slow, …)";
    }
    if (sym.startsWith("neigh_")) {
      return "neighbour output (neigh_resolve_output, …)";
    }
    return "everything else in the kernel";
  }

  private static void print(String title, int per, Map<String, Map<String, Long>> samples, Map<String, Double> work) {
    System.out.printf("%s (perf at %d Hz)%n", title, HZ);
    System.out.printf("| | %s |%n|---|%s%n", String.join(" | ", WAYS), "---:|".repeat(WAYS.length));
    TreeMap<String, Long> totals = new TreeMap<>();
    samples.values().forEach(m -> m.forEach((g, n) -> totals.merge(g, n, Long::sum)));
    for (String g : totals.keySet()) {
      StringBuilder row = new StringBuilder("| " + g + " |");
      for (String way : WAYS) {
        row.append(String.format(" %.1f |", ms(samples.get(way).getOrDefault(g, 0L)) * per / work.get(way)));
      }
      System.out.println(row);
    }
    StringBuilder total = new StringBuilder("| kernel total |");
    for (String way : WAYS) {
      long sum = samples.get(way).values().stream().mapToLong(Long::longValue).sum();
      total.append(String.format(" %.1f |", ms(sum) * per / work.get(way)));
    }
    System.out.println(total);
  }

  /** Samples at {@link #HZ} as ms of CPU. */
  private static double ms(long samples) {
    return samples * 1000.0 / HZ;
  }
}
