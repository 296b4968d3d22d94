package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.it.HealthIT.Membership;
import netbalancer.it.HealthIT.Traffic;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Measurements behind README's health numbers, not tests: they print what they measure and take
 * minutes, so the name matches neither surefire's nor failsafe's pattern and CI never runs (or
 * skips) them. Run one by name: {@code mvn -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test='HealthMeasure#measureDetectionTimes' [-Dhealth.samples=20] [-Dhealth.idleSamples=3]}.
 */
@ExtendWith(HostGuard.class)
class HealthMeasure {
  /**
   * Detection times with the seed's defaults, minutes: {@code
   * [-Dhealth.samples=20] [-Dhealth.idleSamples=3]}.
   */
  @Test
  void measureDetectionTimes() throws Exception {
    int n = Integer.getInteger("health.samples", 20);
    int idle = Integer.getInteger("health.idleSamples", 3);
    List<Long> underTraffic = new ArrayList<>();
    List<Long> neighbor = new ArrayList<>();
    List<Long> idleDefaults = new ArrayList<>();
    Map<String, String> neighborEnv = HealthIT.env("FAILOVER_HOLD_DOWN", "1", "FAILOVER_BACKOFF_BASE", "0");
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      for (int i = 0; i < n; i++) {
        fresh(lab);
        try (LabProcess d = Nb.daemon(lab, Map.of()); Membership lb = Membership.start(lab);
            Traffic t = Traffic.start(lab, 500, "203.0.113.10", "203.0.113.11")) {
          t.awaitBatches(4);
          Thread.sleep(ThreadLocalRandom.current().nextLong(0, 1000));
          lab.blackhole(2, true);
          underTraffic.add(lb.awaitOut("wan2", System.nanoTime(), Duration.ofSeconds(40)));
        }
        fresh(lab);
        try (LabProcess d = Nb.daemon(lab, neighborEnv); Membership lb = Membership.start(lab)) {
          Thread.sleep(ThreadLocalRandom.current().nextLong(1500, 2500));
          lab.gatewayNeighborLost(1, true);
          neighbor.add(lb.awaitOut("wan1", System.nanoTime(), Duration.ofSeconds(40)));
        }
        System.out.printf("sample %d: under traffic %d ms, neighbor %d ms%n", i + 1, underTraffic.get(i),
            neighbor.get(i));
      }
      for (int i = 0; i < idle; i++) {
        fresh(lab);
        try (LabProcess d = Nb.daemon(lab, Map.of()); Membership lb = Membership.start(lab)) {
          Thread.sleep(ThreadLocalRandom.current().nextLong(2_000, 32_000)); // any phase of the 30 s cycle
          lab.blackhole(2, true);
          idleDefaults.add(lb.awaitOut("wan2", System.nanoTime(), Duration.ofSeconds(45)));
          System.out.printf("idle sample %d: %d ms%n", i + 1, idleDefaults.get(i));
        }
      }
    }
    System.out.printf("HealthMeasure (seed defaults): blackhole under traffic %s; gateway neighbor lost %s; "
        + "idle blackhole %s%n", percentiles(underTraffic), percentiles(neighbor), percentiles(idleDefaults));
  }

  /**
   * The timeline of a blackhole under the bench's traffic (section 3: 20 new connections a second
   * to ten servers) at the seed's defaults, from the daemon's debug log: when the SYNs went
   * unanswered, when evidence spoke, when the probe round started and ended, when LB_TABLE
   * changed. {@code [-Dhealth.samples=6]}, each after a random part of the 30 s probe interval.
   */
  @Test
  void traceBlackholeUnderBenchTraffic() throws Exception {
    int n = Integer.getInteger("health.samples", 6);
    java.time.format.DateTimeFormatter time = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    List<Long> out = new ArrayList<>();
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      for (int i = 0; i < n; i++) {
        fresh(lab);
        try (LabProcess d = Nb.daemon(lab, Map.of("LOG_LEVEL", "debug")); HealthIT.LogTail log = new HealthIT.LogTail(d);
            Membership lb = Membership.start(lab);
            LabProcess load = lab.startJava(lab.clientNs(), netbalancer.bench.BenchClient.class.getName(), "traffic",
                String.join(",", java.util.stream.IntStream.rangeClosed(20, 29).mapToObj(k -> "203.0.113." + k)
                    .toList()), Integer.toString(Lab.SERVER_PORT), "20")) {
          Thread.sleep(1000 + ThreadLocalRandom.current().nextLong(30_000));
          lab.blackhole(2, true);
          long t0 = System.nanoTime();
          String at = java.time.LocalTime.now().format(time);
          long ms = lb.awaitOut("wan2", t0, Duration.ofSeconds(40));
          out.add(ms);
          Thread.sleep(300);
          System.out.printf("trace sample %d: blackhole at %s, wan2 out of LB_TABLE after %d ms%n", i + 1, at, ms);
          log.linesAfter(java.time.LocalTime.parse(at).minusSeconds(2).format(time).substring(0, 8)).stream()
              .filter(l -> !l.contains("wan2 out") )
              .forEach(l -> System.out.println("  | " + l));
          load.closeStdin();
        } finally {
          lab.blackhole(2, false);
        }
      }
    }
    System.out.printf("HealthMeasure trace: blackhole under bench traffic %s%n", percentiles(out));
  }

  /**
   * Where the daemon's CPU goes while 1 000 new flows a second move the connection count (section
   * 8's load, without its prefill): per thread and for its children, over 20 s.
   */
  @Test
  void measureWatcherCpuUnderFlowChurn() throws Exception {
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers();
        LabProcess d = Nb.daemon(lab, Map.of())) {
      lab.execCheck(lab.routerNs(), "sysctl", "-qw", "net.netfilter.nf_conntrack_udp_timeout=600");
      try (LabProcess flows = lab.startJava(lab.clientNs(), netbalancer.bench.FlowMaker.class.getName(),
          Lab.SERVER_ADDRESS, "0", "1000")) {
        flows.readLine(Duration.ofMinutes(1));
        Thread.sleep(3000);
        Map<String, Long> a = threadTicks(d.pid());
        Thread.sleep(20_000);
        Map<String, Long> b = threadTicks(d.pid());
        b.forEach((k, v) -> {
          long delta = v - a.getOrDefault(k, 0L);
          if (delta > 0) {
            System.out.printf("cpu %-40s %.2f %% of a core%n", k, delta / 100.0 / 20 * 100);
          }
        });
      }
    }
  }

  /** utime+stime per thread ("tid name") and per child process ("child pid args"), in ticks. */
  private static Map<String, Long> threadTicks(long pid) throws java.io.IOException {
    Map<String, Long> out = new java.util.TreeMap<>();
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc", Long.toString(pid), "task"))) {
      for (var t : tasks.toList()) {
        try {
          String stat = java.nio.file.Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.put(t.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (java.io.IOException e) {
          // gone
        }
      }
    }
    for (ProcessHandle c : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of())) {
      try {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(c.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        out.put("child " + c.pid() + " " + c.info().commandLine().orElse("?"), Long.parseLong(f[11]) + Long.parseLong(f[12]));
      } catch (java.io.IOException e) {
        // gone
      }
    }
    return out;
  }

  /**
   * Probe packets per uplink and target at the most aggressive settings,
   * counted in the ISP, healthy and behind a blackhole (2 minutes).
   */
  @Test
  void measureProbeTraffic() throws Exception {
    Map<String, String> env = HealthIT.env("HEALTH_CHECK_INTERVAL", "0.1", "HEALTH_CHECK_FAST_INTERVAL", "0.1",
        "HEALTH_CHECK_TIMEOUT", "0.5", "FAILOVER_HOLD_DOWN", "0");
    try (Lab lab = Lab.create(2); LabProcess servers = lab.startServers(); LabProcess d = Nb.daemon(lab, env)) {
      String ns = lab.ispNs(1);
      String t = Lab.SERVER_ADDRESS;
      var r = lab.exec(ns, List.of("nft", "-f", "-"), "table ip hcount {\n chain count {\n"
          + "  type filter hook forward priority -10; policy accept;\n"
          + "  ip daddr " + t + " tcp dport 8080 tcp flags & (syn | ack) == syn counter\n"
          + "  ip daddr " + t + " tcp dport 8080 counter\n  ip saddr " + t + " tcp sport 8080 counter\n"
          + "  ip daddr " + t + " udp dport 9 counter\n }\n}\n", Duration.ofSeconds(10));
      assertEquals(0, r.exitCode(), r.stderr());
      for (String phase : new String[] {"healthy", "blackhole"}) {
        lab.blackhole(1, phase.equals("blackhole"));
        Thread.sleep(2_000);
        List<Long> before = counters(lab, ns);
        Thread.sleep(60_000);
        List<Long> c = counters(lab, ns);
        for (int i = 0; i < c.size(); i++) {
          c.set(i, c.get(i) - before.get(i));
        }
        System.out.printf("HealthMeasure probe traffic, interval 0.1 (1 round/s), timeout 0.5, %s, per uplink and target"
            + " in 60 s: %d SYNs, %d packets / %d bytes up, %d packets / %d bytes down, %d neighbor nudges%n",
            phase, c.get(0), c.get(2), c.get(3), c.get(4), c.get(5), c.get(6));
      }
    }
  }

  /** Packets and bytes of every counter in the ISP's hcount table, in rule order. */
  private static List<Long> counters(Lab lab, String ns) {
    List<Long> c = new ArrayList<>();
    Matcher m = Pattern.compile("packets (\\d+) bytes (\\d+)")
        .matcher(lab.exec(ns, "nft", "list", "table", "ip", "hcount").stdout());
    while (m.find()) {
      c.add(Long.parseLong(m.group(1)));
      c.add(Long.parseLong(m.group(2)));
    }
    return c;
  }

  /** A clean router: no faults, no conntrack entries left from the last sample. */
  private static void fresh(Lab lab) {
    lab.clearFaults();
    lab.exec(lab.routerNs(), "conntrack", "-F");
  }

  private static String percentiles(List<Long> ms) {
    if (ms.isEmpty()) {
      return "n/a";
    }
    List<Long> s = new ArrayList<>(ms);
    java.util.Collections.sort(s);
    return String.format("p50 %d ms, p95 %d ms, min %d, max %d (n=%d) %s", s.get((s.size() - 1) / 2),
        s.get((int) Math.ceil(0.95 * s.size()) - 1), s.get(0), s.get(s.size() - 1), s.size(), ms);
  }
}
