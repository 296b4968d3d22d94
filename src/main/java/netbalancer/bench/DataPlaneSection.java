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
 * Section 4: what net-balancer's rules cost the packets. Two identical labs side by side, routed
 * two ways, measured in turns (plain, nb, nb, plain, …):
 * <ul>
 *   <li>plain: the main table's default routes and one masquerade rule, as a router without a
 *       balancer has;
 *   <li>nb: {@code net-balancer apply} with default settings (policy rules, multipath, marks,
 *       SNAT per uplink).
 * </ul>
 * TCP throughput is one iperf3 stream from the LAN host to the internet host; the connection rate
 * is short connections (connect, read a line, reset) from the LAN host, 4 at a time, from one
 * warm client per lab.
 *
 * <p>On a shared VM one way's results drift by ±15 % within a run, far more than the few per cent
 * to measure. Hence: two labs, so that switching costs nothing and samples can be short and many;
 * each round's own ratio (nb over the plain sample next to it), so what both share cancels; and
 * the median of those ratios. A warm-up round is measured and thrown away. An A/A run
 * ({@link #CALIBRATION_ENV}) shows how close to 1 the method reads two identical labs.
 */
final class DataPlaneSection {
  private static final int IPERF_PORT = 5201;
  private static final int PARALLEL = 4;
  private static final String PLAIN_TABLE = "bench_plain";
  private static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(120);
  /**
   * Set to 1 for an A/A run: both labs routed plainly, so the ratios show what the method itself
   * reads when there is nothing to find (its noise and any bias between the twin labs).
   */
  static final String CALIBRATION_ENV = "NET_BALANCER_BENCH_CALIBRATE";

  record Mode(String name, List<Double> throughputGbps, List<Double> connectionsPerSecond, double throughputMedian,
      double connectionsMedian) {
  }

  /** {@code throughputRatios}, {@code connectionRateRatios}: each round's nb / plain. */
  record Result(int rounds, int iperfSeconds, int connectionsPerRound, Mode plain, Mode balancer,
      List<Double> throughputRatios, List<Double> connectionRateRatios, double throughputRatio,
      double connectionRateRatio) {
  }

  private DataPlaneSection() {
  }

  static Result run(BenchEnv env) throws Exception {
    BenchPlan plan = env.plan();
    boolean calibration = "1".equals(System.getenv(CALIBRATION_ENV));
    List<List<Double>> tp = List.of(new ArrayList<>(), new ArrayList<>());
    List<List<Double>> cr = List.of(new ArrayList<>(), new ArrayList<>());
    try (Lab plainLab = Lab.create(3); Lab nbLab = Lab.create(3)) {
      Lab[] labs = {plainLab, nbLab};
      try (LabProcess s0 = plainLab.startServers(); LabProcess s1 = nbLab.startServers();
          LabProcess i0 = startIperf(plainLab); LabProcess i1 = startIperf(nbLab);
          LabProcess c0 = startRateClient(plainLab); LabProcess c1 = startRateClient(nbLab)) {
        LabProcess[] clients = {c0, c1};
        routePlain(plainLab);
        if (calibration) {
          routePlain(nbLab);
        } else {
          LabDaemon.oneShot(nbLab, env, Map.of(), "apply"); // throws if it fails
        }
        for (int round = -1; round < plan.dataPlaneRounds(); round++) {
          for (int k = 0; k < 2; k++) {
            int mode = (Math.max(round, 0) + k) % 2; // 0 plain, 1 nb; the order alternates per round
            double gbps = throughputGbps(labs[mode], plan.iperfSeconds());
            double rate = connectionRate(labs[mode], clients[mode], plan.connRateConnections());
            if (round >= 0) { // round -1 warms both labs' servers and clients up
              tp.get(mode).add(gbps);
              cr.get(mode).add(rate);
            }
          }
        }
        LabDaemon.oneShot(nbLab, env, Map.of(), "cleanup");
      }
    }
    Mode plain = mode("plain routing + masquerade", tp.get(0), cr.get(0));
    Mode nb = mode(calibration ? "plain again (A/A calibration, " + CALIBRATION_ENV + "=1)" : "net-balancer",
        tp.get(1), cr.get(1));
    List<Double> tpRatios = ratios(tp.get(1), tp.get(0));
    List<Double> crRatios = ratios(cr.get(1), cr.get(0));
    return new Result(plan.dataPlaneRounds(), plan.iperfSeconds(), plan.connRateConnections(), plain, nb,
        tpRatios, crRatios, Stats.median(tpRatios), Stats.median(crRatios));
  }

  /** Round by round: {@code nb[i] / plain[i]}. */
  static List<Double> ratios(List<Double> nb, List<Double> plain) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(nb.size(), plain.size()); i++) {
      out.add(Stats.round(nb.get(i) / plain.get(i)));
    }
    return out;
  }

  private static Mode mode(String name, List<Double> tp, List<Double> cr) {
    return new Mode(name, tp, cr, Stats.median(tp), Stats.median(cr));
  }

  /** The lab's router the way it is without a balancer: its default routes and masquerade. */
  private static void routePlain(Lab lab) {
    check(lab.exec(lab.routerNs(), List.of("nft", "-f", "-"), "table ip " + PLAIN_TABLE + " {\n chain postrouting {\n"
        + "  type nat hook postrouting priority srcnat; policy accept;\n"
        + "  oifname != \"" + Lab.LAN_INTERFACE + "\" masquerade\n }\n}\n", Duration.ofSeconds(10)), "nft");
  }

  private static LabProcess startIperf(Lab lab) {
    // --forceflush: into a pipe, iperf3 would hold its "listening" line in a buffer
    LabProcess p = lab.start(lab.inetNs(), "iperf3", "-s", "-p", Integer.toString(IPERF_PORT), "--forceflush");
    for (String l = p.readLine(Duration.ofSeconds(10)); !l.contains("listening"); l = p.readLine(Duration.ofSeconds(10))) {
      // the banner comes first
    }
    return p;
  }

  private static LabProcess startRateClient(Lab lab) {
    return lab.startJava(lab.clientNs(), BenchClient.class.getName(), "rates", Lab.SERVER_ADDRESS,
        Integer.toString(Lab.SERVER_PORT), Integer.toString(PARALLEL));
  }

  private static double throughputGbps(Lab lab, int seconds) throws IOException {
    lab.exec(lab.routerNs(), "conntrack", "-F"); // best effort: both ways start from an empty table
    CommandRunner.Result r = lab.exec(lab.clientNs(), List.of("iperf3", "-c", Lab.SERVER_ADDRESS, "-p",
        Integer.toString(IPERF_PORT), "-t", Integer.toString(seconds), "-J"), null,
        Duration.ofSeconds(seconds + 30L));
    check(r, "iperf3");
    JsonNode bps = new ObjectMapper().readTree(r.stdout()).path("end").path("sum_received").path("bits_per_second");
    if (!bps.isNumber()) {
      throw new IllegalStateException("iperf3 gave no throughput: " + r.stdout().strip());
    }
    return Stats.round(bps.asDouble() / 1e9);
  }

  private static double connectionRate(Lab lab, LabProcess client, int n) {
    lab.exec(lab.routerNs(), "conntrack", "-F");
    client.writeLine(Integer.toString(n));
    String[] w = client.readLine(SAMPLE_TIMEOUT).split(" ");
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
