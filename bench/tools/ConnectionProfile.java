import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;

/**
 * Where a new connection's CPU time goes, per way of routing: three labs (plain routing +
 * masquerade; the same with policy routing switched on; net-balancer applied), the bench's
 * connection-rate client run in each in turn under {@code perf record -a}, and the kernel's
 * samples per 1000 connections grouped by what they do. Not part of CI (it needs perf and a quiet
 * machine); run as root from the repository after {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/ConnectionProfile.java [ROUNDS [MILLIS]]</pre>
 */
public class ConnectionProfile {
  /** A shell command run in a fourth lab's router after apply: way "nb+cmd", for ablations. */
  private static final String AFTER_APPLY = System.getenv("NET_BALANCER_BENCH_AFTER_APPLY");
  private static final String[] WAYS = AFTER_APPLY == null || AFTER_APPLY.isBlank()
      ? new String[] {"plain", "policy", "nb"} : new String[] {"plain", "policy", "nb", "nb+cmd"};
  private static final int HZ = 4999;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    int millis = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
    Path dir = Files.createTempDirectory("nb-profile");
    List<Lab> labs = new ArrayList<>();
    try {
      List<LabProcess> clients = new ArrayList<>();
      for (String way : WAYS) {
        Lab lab = Lab.create(3);
        labs.add(lab);
        lab.startServers();
        route(lab, way);
        clients.add(lab.startJava(lab.clientNs(), "netbalancer.bench.BenchClient", "rates", Lab.SERVER_ADDRESS,
            Integer.toString(Lab.SERVER_PORT), "4"));
      }
      Map<String, Map<String, Long>> samples = new LinkedHashMap<>();
      Map<String, Long> connections = new LinkedHashMap<>();
      for (int round = -1; round < rounds; round++) { // round -1 warms up
        for (int k = 0; k < WAYS.length; k++) {
          int i = (k + Math.max(round, 0)) % WAYS.length; // rotating order
          Lab lab = labs.get(i);
          lab.execCheck(lab.routerNs(), "conntrack", "-F");
          File data = dir.resolve(WAYS[i] + round).toFile();
          Process perf = new ProcessBuilder("perf", "record", "-a", "-F", Integer.toString(HZ), "-o", data.toString(),
              "--", "sleep", Double.toString(millis / 1000.0)).redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
          clients.get(i).writeLine(Integer.toString(millis));
          String[] w = clients.get(i).readLine(Duration.ofSeconds(60)).split(" ");
          perf.waitFor();
          if (round >= 0) {
            connections.merge(WAYS[i], Long.parseLong(w[0]), Long::sum);
            kernelSymbols(data).forEach((sym, n) -> samples.computeIfAbsent(WAYS[i], x -> new TreeMap<>())
                .merge(group(sym), n, Long::sum));
          }
        }
      }
      print(samples, connections);
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
      argv.addAll(List.of("java", "-jar", Lab.jarPath().toString(), "apply"));
      if (!lab.exec(lab.routerNs(), argv, null, Duration.ofSeconds(60)).ok()) {
        throw new IllegalStateException("apply failed");
      }
      if (way.equals("nb+cmd")) {
        lab.execCheck(lab.routerNs(), "sh", "-c", AFTER_APPLY);
      }
      return;
    }
    lab.execCheck(lab.routerNs(), "sh", "-c", "printf 'table ip bench_plain { chain postrouting { type nat hook"
        + " postrouting priority srcnat; policy accept; oifname != \"lan0\" masquerade; }; }' | nft -f -");
    if (way.equals("policy")) {
      lab.execCheck(lab.routerNs(), "ip", "rule", "add", "pref", "32765", "lookup", "main");
    }
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
    return "everything else in the kernel";
  }

  private static void print(Map<String, Map<String, Long>> samples, Map<String, Long> connections) {
    double perConn = 1000.0 / HZ; // ms of CPU per sample, reported per 1000 connections
    System.out.printf("kernel CPU per 1000 connections, ms (perf at %d Hz)%n", HZ);
    System.out.printf("| | %s |%n|---|%s%n", String.join(" | ", WAYS), "---:|".repeat(WAYS.length));
    Map<String, Long> any = samples.get("plain");
    List<String> groups = new ArrayList<>(new TreeMap<>(any).keySet());
    for (Map<String, Long> m : samples.values()) {
      m.keySet().stream().filter(g -> !groups.contains(g)).forEach(groups::add);
    }
    for (String g : groups) {
      StringBuilder row = new StringBuilder("| " + g + " |");
      for (String way : WAYS) {
        row.append(String.format(" %.1f |", samples.get(way).getOrDefault(g, 0L) * perConn * 1000 / connections.get(way)));
      }
      System.out.println(row);
    }
    StringBuilder total = new StringBuilder("| kernel total |");
    for (String way : WAYS) {
      long sum = samples.get(way).values().stream().mapToLong(Long::longValue).sum();
      total.append(String.format(" %.1f |", sum * perConn * 1000 / connections.get(way)));
    }
    System.out.println(total);
  }
}
