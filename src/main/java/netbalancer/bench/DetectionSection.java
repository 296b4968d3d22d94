package netbalancer.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import netbalancer.config.ConfigLoader;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;
import netbalancer.lab.LabDaemon;
import netbalancer.lab.LabProcess;

/**
 * Section 3: faults a link event does not show. Uplink 2's ISP silently drops everything
 * (idle, and while the LAN makes 20 connections a second), or stops answering ARP for its
 * gateway. Detection time: the fault → LB_TABLE without wan2, from the route monitor's stamp.
 * Each sample starts a fresh daemon (so no hold-down or backoff of an earlier sample carries
 * over) and waits a random part of the probe interval first, so samples cover every phase of
 * the probe schedule.
 */
final class DetectionSection {
  static final int FAILING = 2;
  static final Map<String, String> DEFAULTS = Map.of();
  static final Map<String, String> FAST = orderedMap("HEALTH_CHECK_INTERVAL", "1", "HEALTH_CHECK_FAST_INTERVAL", "1",
      "HEALTH_CHECK_TIMEOUT", "1", "HEALTH_CHECK_FAILURE_THRESHOLD", "2");
  private static final double TRAFFIC_PER_SECOND = 20;
  /**
   * Where the traffic goes: ten servers of the lab's internet, as a LAN's traffic goes to many.
   * (To one server, passive evidence only brings probes forward by design: one dead server is
   * not a dead uplink.)
   */
  static final List<String> TRAFFIC_SERVERS = java.util.stream.IntStream.rangeClosed(20, 29)
      .mapToObj(i -> "203.0.113." + i).toList();

  enum Fault { BLACKHOLE, NEIGHBOR_LOSS }

  /** @param seconds detection times; {@code undetected}: samples with no detection within the limit */
  record Case(String fault, boolean underTraffic, String profile, int samples, List<Double> seconds,
      int undetected, double limitSeconds, Stats stats) {
  }

  record Result(List<Case> cases, Map<String, Map<String, String>> profiles, String note) {
  }

  private DetectionSection() {
  }

  static Result run(BenchEnv env) throws Exception {
    List<Case> cases = new ArrayList<>();
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers();
        IpMonitor monitor = IpMonitor.start(lab, lab.routerNs())) {
      for (String profile : List.of("defaults", "fast")) {
        int samples = profile.equals("fast") ? env.plan().detectionFastSamples() : env.plan().detectionDefaultSamples();
        if (samples == 0) {
          continue;
        }
        Map<String, String> settings = profile.equals("fast") ? FAST : DEFAULTS;
        cases.add(measure(lab, env, monitor, Fault.BLACKHOLE, false, profile, settings, samples));
        cases.add(measure(lab, env, monitor, Fault.BLACKHOLE, true, profile, settings, samples));
        cases.add(measure(lab, env, monitor, Fault.NEIGHBOR_LOSS, false, profile, settings, samples));
      }
    }
    Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
    profiles.put("defaults", DEFAULTS);
    profiles.put("fast", FAST);
    return new Result(cases, profiles, "Probe target: the lab's server (" + Lab.SERVER_ADDRESS + ":" + Lab.SERVER_PORT
        + "); every other setting at its default. Traffic: " + (int) TRAFFIC_PER_SECOND
        + " new LAN connections per second during the fault, to " + TRAFFIC_SERVERS.size() + " servers ("
        + TRAFFIC_SERVERS.get(0) + "-" + TRAFFIC_SERVERS.get(TRAFFIC_SERVERS.size() - 1).replaceAll(".*\\.", "")
        + ") in turn. Neighbor loss: the gateway stops answering ARP;"
        + " the router's own ARP entry is left to age as it would.");
  }

  private static Case measure(Lab lab, BenchEnv env, IpMonitor monitor, Fault fault, boolean traffic, String profile,
      Map<String, String> settings, int samples) throws Exception {
    Duration interval = ConfigLoader.fromMap(settings).healthCheckInterval();
    Duration limit = interval.multipliedBy(2).plusSeconds(30);
    String dev = lab.uplinkName(FAILING);
    List<Double> detected = new ArrayList<>();
    int undetected = 0;
    for (int i = 0; i < samples; i++) {
      LabBalancer nb = env.balancer(lab).with(settings);
      try (LabDaemon daemon = nb.start()) {
        Thread.sleep(1000 + ThreadLocalRandom.current().nextLong(interval.toMillis()));
        nb.awaitBalanced(lab.uplinkCount(), Duration.ofSeconds(10));
        LabProcess load = traffic ? startTraffic(lab) : null;
        try {
          monitor.drain();
          inject(lab, fault, true);
          long t0 = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
          IpMonitor.Event e = monitor.await(ev -> ev.isRouteIn(nb.lbTable()) && !ev.mentionsDev(dev), limit);
          if (e == null) {
            undetected++;
          } else {
            detected.add(Math.max(0, e.micros() - t0) / 1e6);
          }
        } finally {
          if (load != null) {
            load.closeStdin();
            load.close();
          }
        }
      } finally {
        inject(lab, fault, false);
      }
    }
    return new Case(fault.name().toLowerCase().replace('_', '-'), traffic, profile, samples, detected, undetected,
        limit.toSeconds(), Stats.of(detected));
  }

  /** The fault is in force once the command returns; the clock starts then. */
  private static void inject(Lab lab, Fault fault, boolean on) {
    switch (fault) {
      case BLACKHOLE -> lab.blackhole(FAILING, on);
      case NEIGHBOR_LOSS -> {
        if (on) {
          // Only the gateway's side changes, as when a modem dies: the router keeps its ARP
          // entry until it must check it again (Lab.gatewayNeighborLost would flush it too).
          lab.execCheck(lab.ispNs(FAILING), "ip", "link", "set", "dev", Lab.ISP_CUSTOMER_IF, "arp", "off");
          lab.execCheck(lab.ispNs(FAILING), "ip", "neigh", "flush", "dev", Lab.ISP_CUSTOMER_IF);
        } else {
          lab.gatewayNeighborLost(FAILING, false);
        }
      }
      default -> throw new IllegalArgumentException(fault.name());
    }
  }

  private static LabProcess startTraffic(Lab lab) throws InterruptedException {
    LabProcess p = lab.startJava(lab.clientNs(), BenchClient.class.getName(), "traffic",
        String.join(",", TRAFFIC_SERVERS),
        Integer.toString(Lab.SERVER_PORT), Double.toString(TRAFFIC_PER_SECOND));
    Thread.sleep(1000); // steady traffic before the fault
    return p;
  }

  private static Map<String, String> orderedMap(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
