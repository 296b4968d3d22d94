package netbalancer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netbalancer.kernel.CommandRunner;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;

/**
 * Section 4: what net-balancer's rules cost the packets. One lab, two ways of routing it, taken
 * in turns (plain, nb, nb, plain, …) so that drift of the machine hits both alike:
 * <ul>
 *   <li>plain: the main table's default routes and one masquerade rule, as a router without a
 *       balancer has;
 *   <li>nb: {@code net-balancer apply} with default settings (policy rules, multipath, marks,
 *       SNAT per uplink).
 * </ul>
 * TCP throughput is one iperf3 stream from the LAN host to the internet host; the connection rate
 * is short connections (connect, read a line, reset) from the LAN host, 4 at a time.
 */
final class DataPlaneSection {
  private static final int IPERF_PORT = 5201;
  private static final int PARALLEL = 4;
  private static final String PLAIN_TABLE = "bench_plain";

  record Mode(String name, List<Double> throughputGbps, List<Double> connectionsPerSecond, double throughputMedian,
      double connectionsMedian) {
  }

  record Result(int rounds, int iperfSeconds, int connectionsPerRound, Mode plain, Mode balancer,
      double throughputRatio, double connectionRateRatio) {
  }

  private DataPlaneSection() {
  }

  static Result run(BenchEnv env) throws Exception {
    BenchPlan plan = env.plan();
    List<List<Double>> tp = List.of(new ArrayList<>(), new ArrayList<>());
    List<List<Double>> cr = List.of(new ArrayList<>(), new ArrayList<>());
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers(); LabProcess iperf = startIperf(lab)) {
      try {
        for (int round = 0; round < plan.dataPlaneRounds(); round++) {
          for (int k = 0; k < 2; k++) {
            int mode = (round + k) % 2; // 0 plain, 1 nb; the order alternates per round
            route(lab, env, mode == 1);
            tp.get(mode).add(throughputGbps(lab, plan.iperfSeconds()));
            cr.get(mode).add(connectionRate(lab, plan.connRateConnections()));
          }
        }
        LabDaemon.oneShot(lab, env, Map.of(), "cleanup");
      } finally {
        LabDaemon.removeStateDir(lab);
      }
    }
    Mode plain = mode("plain routing + masquerade", tp.get(0), cr.get(0));
    Mode nb = mode("net-balancer", tp.get(1), cr.get(1));
    return new Result(plan.dataPlaneRounds(), plan.iperfSeconds(), plan.connRateConnections(), plain, nb,
        Stats.round(nb.throughputMedian() / plain.throughputMedian()),
        Stats.round(nb.connectionsMedian() / plain.connectionsMedian()));
  }

  private static Mode mode(String name, List<Double> tp, List<Double> cr) {
    return new Mode(name, tp, cr, Stats.median(tp), Stats.median(cr));
  }

  /** Switches the router to plain routing or to net-balancer; conntrack starts empty either way. */
  private static void route(Lab lab, BenchEnv env, boolean balancer) {
    String ns = lab.routerNs();
    lab.exec(ns, List.of("nft", "-f", "-"), "add table ip " + PLAIN_TABLE + "\ndelete table ip " + PLAIN_TABLE + "\n",
        Duration.ofSeconds(10));
    if (balancer) {
      LabDaemon.oneShot(lab, env, Map.of(), "apply");
    } else {
      LabDaemon.oneShot(lab, env, Map.of(), "cleanup");
      check(lab.exec(ns, List.of("nft", "-f", "-"), "table ip " + PLAIN_TABLE + " {\n chain postrouting {\n"
          + "  type nat hook postrouting priority srcnat; policy accept;\n"
          + "  oifname != \"" + Lab.LAN_INTERFACE + "\" masquerade\n }\n}\n", Duration.ofSeconds(10)), "nft");
    }
    lab.exec(ns, "conntrack", "-F"); // best effort: stale entries of the other mode would only add noise
  }

  private static LabProcess startIperf(Lab lab) {
    // --forceflush: into a pipe, iperf3 would hold its "listening" line in a buffer
    LabProcess p = lab.start(lab.inetNs(), "iperf3", "-s", "-p", Integer.toString(IPERF_PORT), "--forceflush");
    for (String l = p.readLine(Duration.ofSeconds(10)); !l.contains("listening"); l = p.readLine(Duration.ofSeconds(10))) {
      // the banner comes first
    }
    return p;
  }

  private static double throughputGbps(Lab lab, int seconds) throws IOException {
    CommandRunner.Result r = lab.exec(lab.clientNs(), List.of("iperf3", "-c", Lab.SERVER_ADDRESS, "-p",
        Integer.toString(IPERF_PORT), "-t", Integer.toString(seconds), "-O", "1", "-J"), null,
        Duration.ofSeconds(seconds + 30L));
    check(r, "iperf3");
    JsonNode bps = new ObjectMapper().readTree(r.stdout()).path("end").path("sum_received").path("bits_per_second");
    if (!bps.isNumber()) {
      throw new IllegalStateException("iperf3 gave no throughput: " + r.stdout().strip());
    }
    return Stats.round(bps.asDouble() / 1e9);
  }

  private static double connectionRate(Lab lab, int n) {
    LabProcess p = lab.startJava(lab.clientNs(), BenchClient.class.getName(), "rate", Lab.SERVER_ADDRESS,
        Integer.toString(Lab.SERVER_PORT), Integer.toString(n), Integer.toString(PARALLEL));
    String[] w = p.readLine(Duration.ofSeconds(120)).split(" ");
    p.close();
    int failed = Integer.parseInt(w[1]);
    if (failed > 0) {
      throw new IllegalStateException(failed + " of " + n + " connections failed");
    }
    return Stats.round(n / Double.parseDouble(w[2]));
  }

  private static void check(CommandRunner.Result r, String what) {
    if (!r.ok()) {
      throw new IllegalStateException(what + " failed: " + r.stderr().strip());
    }
  }
}
