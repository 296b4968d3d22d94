package netbalancer.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;

/**
 * Section 4: what net-balancer's rules cost the packets, beside what the peers' rules cost them.
 * Identical labs, routed five ways:
 * <ul>
 *   <li>plain: the main table's default routes and one masquerade rule, as a router without a
 *       balancer has;
 *   <li>nb: {@code net-balancer apply} with default settings (policy rules, multipath, marks,
 *       SNAT per uplink);
 *   <li>policy routing on: plain, plus one rule that looks up main as the kernel's own rule does.
 *       Any rule switches the kernel from its one merged local+main lookup to walking the rules
 *       and looking up local and main apart; this way shows what that alone costs, the part of
 *       nb's cost no balancer built on ip rules avoids;
 *   <li>the peers' rulesets, mwan3's and VyOS's, rebuilt by {@link PeerWays} for the same uplinks;
 *   <li>IPv6: net-balancer with IPv6 traffic (NAT66, its default) in a dual-stack lab, paired with
 *       a twin dual-stack lab routed plainly for IPv6 (main's IPv6 default routes and one
 *       masquerade rule, NAT66) and measured the same way, to and from the servers' IPv6 address.
 *       The IPv4 ways keep their IPv4-only labs, so their numbers compare with earlier runs.
 * </ul>
 * TCP throughput is one iperf3 stream from the LAN host to the internet host; the connection rate
 * is short connections (connect, read a line, reset) from the LAN host, 4 at a time, from one
 * warm client per lab, for a fixed time.
 *
 * <p>On a shared VM one lab measured alone drifts by ±10 % from one sample to the next (0.5 s
 * iperf3 intervals swing from 8 to 13 Gbit/s on an idle machine), far more than the few per cent
 * to measure, and alternating the ways does not cancel it: the swings are faster than a sample.
 * So two labs are measured at the same time, under the same conditions: each lab's sending side
 * pinned to one CPU and its receiving side to another (where there are two), so each gets the
 * same share of each CPU and the ratio of what they achieve is the ratio of what a packet costs.
 * Every round pairs plain with each of the other ways in turn (the order rotates by round); each
 * pair gives one ratio; the result is the median of the pairs' ratios with a bootstrap 95 %
 * interval. Which lab starts first alternates. Labs differ by about 1 % even when
 * identical, so the rounds are split into blocks, each with fresh labs created in a rotating
 * order. Each block starts with a warm-up round, measured and thrown away. An A/A run
 * ({@link #CALIBRATION_ENV}) shows how close to 1 the method reads two identical labs: about
 * ±1 % for the connection rate, ±2 % for throughput on this kind of machine.
 */
final class DataPlaneSection {
  private static final int PARALLEL = 4;
  private static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(120);
  private static final List<Integer> CPUS = Affinity.allowedCpus();
  /** Pinned only where there are two CPUs to pin to: the first two this process may use. */
  static final boolean PIN = CPUS.size() >= 2;
  private static final int SENDER_CPU = PIN ? CPUS.get(0) : -1;
  private static final int RECEIVER_CPU = PIN ? CPUS.get(1) : -1;
  /** Rounds are split into blocks, each with fresh labs. */
  private static final int BLOCKS = 4;
  /**
   * Set to 1 for an A/A run: both labs routed plainly, so the ratios show what the method itself
   * reads when there is nothing to find (its noise and any bias between the twin labs).
   */
  static final String CALIBRATION_ENV = "NET_BALANCER_BENCH_CALIBRATE";
  /**
   * For ablations: a shell command run in the nb lab's router namespace after {@code apply}
   * (say, deleting net-balancer's policy rules) to learn what each part costs.
   */
  static final String AFTER_APPLY_ENV = "NET_BALANCER_BENCH_AFTER_APPLY";

  record Mode(String name, List<Double> throughputGbps, List<Double> connectionsPerSecond, double throughputMedian,
      double connectionsMedian) {
  }

  /**
   * One way measured against plain routing in pairs: {@code throughputRatios},
   * {@code connectionRateRatios} are each pair's way / plain; {@code …Ci95} a bootstrap 95 %
   * interval of their median.
   */
  record Comparison(Mode way, List<Double> throughputRatios, List<Double> connectionRateRatios,
      double throughputRatio, double connectionRateRatio, List<Double> throughputRatioCi95,
      List<Double> connectionRateRatioCi95) {

    static Comparison of(Mode way, Series plain) {
      List<Double> tp = ratios(way.throughputGbps(), plain.gbps());
      List<Double> cr = ratios(way.connectionsPerSecond(), plain.rate());
      return new Comparison(way, tp, cr, Stats.median(tp), Stats.median(cr), Stats.medianInterval95(tp),
          Stats.medianInterval95(cr));
    }
  }

  /**
   * A ratio of two ways' ratios to plain, {@code of} ÷ {@code to} (net-balancer ÷ another way):
   * the ratio of their medians, with a bootstrap 95 % interval (both series resampled).
   */
  record Relative(String of, String to, double throughputRatio, double connectionRateRatio,
      List<Double> throughputRatioCi95, List<Double> connectionRateRatioCi95) {

    static Relative of(Comparison a, Comparison b, String aName, String bName) {
      return new Relative(aName, bName, Stats.round(a.throughputRatio() / b.throughputRatio()),
          Stats.round(a.connectionRateRatio() / b.connectionRateRatio()),
          Stats.ratioOfMediansInterval95(a.throughputRatios(), b.throughputRatios()),
          Stats.ratioOfMediansInterval95(a.connectionRateRatios(), b.connectionRateRatios()));
    }
  }

  /**
   * {@code balancer}: net-balancer against plain routing. {@code policyRouting}: plain routing with
   * policy routing switched on (one rule, the same lookup as the kernel's own main rule) against
   * plain routing: what any balancer built on ip rules pays before its first rule of its own.
   * {@code peers}: the peers' rulesets ({@link PeerWays}) against plain routing, in
   * {@link PeerWays.Peer} order. Every way is paired with plain in every round. {@code versus}:
   * net-balancer ÷ policy routing alone, then ÷ each peer. {@code pinned}: whether the labs were
   * pinned to two CPUs. {@code plain6}, {@code balancer6}: IPv6 traffic, plain IPv6 routing with
   * NAT66 and net-balancer against it, in dual-stack labs.
   */
  record Result(int rounds, int blocks, int iperfSeconds, int connRateMillis, boolean pinned, Mode plain,
      Comparison balancer, Comparison policyRouting, List<Comparison> peers, List<Relative> versus, Mode plain6,
      Comparison balancer6) {
    double throughputRatio() {
      return balancer.throughputRatio();
    }

    double connectionRateRatio() {
      return balancer.connectionRateRatio();
    }
  }

  private DataPlaneSection() {
  }

  /** A lab, one way routed, and its warm connection-rate client; {@code server}: where both measure to. */
  record Way(Lab lab, LabProcess rateClient, String server) {
  }

  /** One way's samples within one comparison, in round order. */
  record Series(List<Double> gbps, List<Double> rate) {
    Series() {
      this(new ArrayList<>(), new ArrayList<>());
    }
  }

  /**
   * The labs, by index: plain, then the ways measured beside plain (net-balancer, policy routing
   * alone, the peers), then net-balancer with IPv6 traffic, measured beside {@link #PLAIN6}.
   */
  private static final int NB = 1;
  private static final int POLICY = 2;
  private static final int FIRST_PEER = 3;
  private static final int NB6 = FIRST_PEER + PeerWays.Peer.values().length;
  private static final int WAYS = NB6 + 1;
  private static final int PLAIN6 = WAYS;
  private static final int LABS = PLAIN6 + 1;

  /** The lab way {@code w} is paired with: plain IPv6 for net-balancer's IPv6, plain for the others. */
  private static int baseOf(int w) {
    return w == NB6 ? PLAIN6 : 0;
  }

  /** Plain is measured beside each way in turn: {@code plainBeside[w]} pairs with {@code way[w]}. */
  private record Samples(Series[] plainBeside, Series[] way) {
    Samples() {
      this(fresh(), fresh());
    }

    private static Series[] fresh() {
      Series[] s = new Series[WAYS];
      for (int w = 1; w < WAYS; w++) {
        s[w] = new Series();
      }
      return s;
    }

    Comparison comparison(int w, Mode mode) {
      return Comparison.of(mode, plainBeside[w]);
    }
  }

  static Result run(BenchEnv env) throws Exception {
    BenchPlan plan = env.plan();
    boolean calibration = "1".equals(System.getenv(CALIBRATION_ENV));
    Samples samples = new Samples();
    int blocks = Math.min(BLOCKS, plan.dataPlaneRounds());
    ExecutorService both = Executors.newFixedThreadPool(2);
    try {
      for (int block = 0; block < blocks; block++) {
        int rounds = plan.dataPlaneRounds() * (block + 1) / blocks - plan.dataPlaneRounds() * block / blocks;
        block(env, plan, block, rounds, calibration, both, samples);
      }
    } finally {
      both.shutdownNow();
    }
    String after = System.getenv(AFTER_APPLY_ENV);
    Mode plain = mode("plain routing + masquerade", samples.plainBeside()[NB]);
    Mode nb = mode(calibration ? "plain again (A/A calibration, " + CALIBRATION_ENV + "=1)"
        : after == null || after.isBlank() ? "net-balancer" : "net-balancer, then `" + after + "`",
        samples.way()[NB]);
    Mode plain6 = mode("plain IPv6 routing + NAT66 (masquerade)", samples.plainBeside()[NB6]);
    Mode nb6 = mode(calibration ? "plain IPv6 again (A/A calibration)" : "net-balancer, IPv6 (NAT66)",
        samples.way()[NB6]);
    Mode policy = mode("plain routing + masquerade, policy routing on (one rule: `ip rule add pref 32765 lookup main`)",
        samples.way()[POLICY]);
    Comparison nbC = samples.comparison(NB, nb);
    Comparison policyC = samples.comparison(POLICY, policy);
    List<Comparison> peers = new ArrayList<>();
    List<Relative> versus = new ArrayList<>(List.of(Relative.of(nbC, policyC, "net-balancer", "policy routing alone")));
    for (PeerWays.Peer p : PeerWays.Peer.values()) {
      Comparison c = samples.comparison(FIRST_PEER + p.ordinal(), mode(p.title(), samples.way()[FIRST_PEER + p.ordinal()]));
      peers.add(c);
      versus.add(Relative.of(nbC, c, "net-balancer", p.title()));
    }
    return new Result(plan.dataPlaneRounds(), blocks, plan.iperfSeconds(), plan.connRateMillis(), PIN, plain, nbC,
        policyC, peers, versus, plain6, samples.comparison(NB6, nb6));
  }

  /**
   * Fresh labs for the ways, created in an order that rotates by block, so that whatever makes one
   * lab a little faster than its twin (it varies by about 1 % from lab to lab) falls on each way in
   * turn; then a warm-up round and {@code rounds} measured ones. In each round plain is paired with
   * every other way, in an order that rotates by round.
   */
  private static void block(BenchEnv env, BenchPlan plan, int block, int rounds, boolean calibration,
      ExecutorService both, Samples samples) throws Exception {
    List<AutoCloseable> open = new ArrayList<>();
    try {
      Way[] ways = new Way[LABS];
      for (int k = 0; k < LABS; k++) {
        int way = (k + block) % LABS;
        boolean ipv6 = way == NB6 || way == PLAIN6;
        ways[way] = startWay(open, (way != NB && way != NB6) || calibration, ipv6);
      }
      Lab nbLab = ways[NB].lab();
      if (!calibration) {
        env.balancer(ways[NB6].lab()).runOrThrow("apply");
        env.balancer(nbLab).runOrThrow("apply");
        String variant = System.getenv(AFTER_APPLY_ENV);
        if (variant != null && !variant.isBlank()) {
          LabWays.check(nbLab.exec(nbLab.routerNs(), List.of("sh", "-c", variant), null, Duration.ofSeconds(30)),
              AFTER_APPLY_ENV);
        }
      }
      LabWays.policyRoutingOn(ways[POLICY].lab());
      for (PeerWays.Peer p : PeerWays.Peer.values()) {
        p.apply(ways[FIRST_PEER + p.ordinal()].lab());
      }
      for (int round = -1; round < rounds; round++) {
        boolean keep = round >= 0; // round -1 warms servers, clients and neighbour entries up
        int r = Math.max(round, 0);
        for (int k = 0; k < WAYS - 1; k++) {
          int w = 1 + (k + r) % (WAYS - 1);
          int first = (r + w) % 2; // which lab starts first alternates
          pair(both, plan, first, keep, ways[baseOf(w)], samples.plainBeside()[w], ways[w], samples.way()[w]);
        }
      }
      if (!calibration) {
        env.balancer(nbLab).runOrThrow("cleanup");
        env.balancer(ways[NB6].lab()).runOrThrow("cleanup");
      }
    } finally {
      closeAll(open);
    }
  }

  /**
   * A lab with its servers and client started (and pinned), routed plainly if {@code plain}; with
   * {@code ipv6}, a dual-stack lab measured over IPv6.
   */
  static Way startWay(List<AutoCloseable> open, boolean plain, boolean ipv6) throws Exception {
    Lab lab = ipv6 ? Lab.builder().uplinks(3).dualStack().build() : Lab.create(3);
    String target = ipv6 ? Lab.SERVER_ADDRESS6 : Lab.SERVER_ADDRESS;
    open.add(0, lab);
    LabProcess server = lab.startServers();
    open.add(0, server);
    LabProcess iperf = LabWays.startIperfServer(lab);
    open.add(0, iperf);
    LabProcess client = startRateClient(lab, target);
    open.add(0, client);
    if (PIN) {
      Affinity.pin(server, RECEIVER_CPU);
      Affinity.pin(iperf, RECEIVER_CPU);
      Affinity.pin(client, SENDER_CPU);
    }
    if (plain) {
      LabWays.plain(lab);
      if (ipv6) {
        LabWays.plain6(lab);
      }
    }
    return new Way(lab, client, target);
  }

  /** Closes every one of them (processes before their labs), even when one fails to close. */
  static void closeAll(List<AutoCloseable> open) throws Exception {
    Exception first = null;
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Throughput, then connection rate, of ways a and b at once ({@code first}, 0 for a or 1 for b,
   * starts first); kept in their series if {@code keep}.
   */
  static void pair(ExecutorService both, BenchPlan plan, int first, boolean keep, Way a, Series aSeries,
      Way b, Series bSeries) throws InterruptedException, ExecutionException {
    Way[] ways = {a, b};
    double[] gbps = together(both, first,
        i -> () -> throughputGbps(ways[i].lab(), ways[i].server(), plan.iperfSeconds()));
    double[] rate = together(both, first,
        i -> () -> connectionRate(ways[i].lab(), ways[i].rateClient(), plan.connRateMillis()));
    if (keep) {
      for (int i = 0; i < 2; i++) {
        Series s = i == 0 ? aSeries : bSeries;
        s.gbps().add(gbps[i]);
        s.rate().add(rate[i]);
      }
    }
  }

  /** Measures ways 0 and 1 at once, {@code first} submitted first; results indexed by way. */
  private static double[] together(ExecutorService both, int first, IntFunction<Callable<Double>> sample)
      throws InterruptedException, ExecutionException {
    Future<Double> started = both.submit(sample.apply(first));
    Future<Double> second = both.submit(sample.apply(1 - first));
    double[] out = new double[2];
    out[first] = started.get();
    out[1 - first] = second.get();
    return out;
  }

  /** Round by round: {@code nb[i] / plain[i]}. */
  static List<Double> ratios(List<Double> nb, List<Double> plain) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(nb.size(), plain.size()); i++) {
      out.add(Stats.round(nb.get(i) / plain.get(i)));
    }
    return out;
  }

  static Mode mode(String name, Series s) {
    return new Mode(name, s.gbps(), s.rate(), Stats.median(s.gbps()), Stats.median(s.rate()));
  }

  private static LabProcess startRateClient(Lab lab, String server) {
    return lab.startJava(lab.clientNs(), BenchClient.class.getName(), "rates", server,
        Integer.toString(Lab.SERVER_PORT), Integer.toString(PARALLEL));
  }

  private static double throughputGbps(Lab lab, String server, int seconds) throws IOException {
    lab.exec(lab.routerNs(), "conntrack", "-F"); // best effort: both ways start from an empty table
    // -A client,server: iperf3 pins both ends for this test
    String cpus = PIN ? SENDER_CPU + "," + RECEIVER_CPU : null;
    return Stats.round(LabWays.iperf(lab, server, seconds, cpus).bitsPerSecond() / 1e9);
  }

  private static double connectionRate(Lab lab, LabProcess client, int millis) {
    lab.exec(lab.routerNs(), "conntrack", "-F");
    client.writeLine(Integer.toString(millis));
    String[] w = client.readLine(SAMPLE_TIMEOUT).split(" ");
    int made = Integer.parseInt(w[0]);
    int failed = Integer.parseInt(w[1]);
    if (failed > 0) {
      throw new IllegalStateException(failed + " of " + made + " connections failed");
    }
    return Stats.round(made / Double.parseDouble(w[2]));
  }
}
