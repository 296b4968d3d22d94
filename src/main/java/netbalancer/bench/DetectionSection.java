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
 *
 * <p>Then IPv6, in a dual-stack lab of its own: ISP 2 drops IPv6 only (its IPv4 and NDP still
 * work) while the LAN makes 20 IPv6 connections a second; detection: the fault → LB_TABLE's
 * IPv6 route without wan2 ({@code ip -6 -ts monitor}). The profiles' settings plus one probe
 * target of each family (the lab's server's two addresses, standing in for 1.1.1.1 and its
 * IPv6 twin): without an IPv6 target net-balancer does not probe IPv6 sides on their own.
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

  /** The IPv6 traffic's servers: ten addresses of the lab's IPv6 internet, in turn. */
  static final List<String> TRAFFIC_SERVERS6 = java.util.stream.IntStream.rangeClosed(20, 29)
      .mapToObj(i -> "2001:db8:ffff::" + i).toList();
  /** The IPv6 cases' probe targets, on top of a profile: one of each family. */
  static final Map<String, String> BOTH_FAMILIES = Map.of("HEALTH_PROBE_TARGETS",
      Lab.SERVER_ADDRESS + " " + Lab.SERVER_ADDRESS6);

  enum Fault { BLACKHOLE, NEIGHBOR_LOSS, IPV6_BLACKHOLE }

  /**
   * @param seconds detection times; {@code undetected}: samples with no detection within the limit
   * @param ipv4Kept for an IPv6 fault, the samples in which LB_TABLE's IPv4 route still held the
   *     failing uplink when its IPv6 side went out (all of them, if only IPv6 was taken out); else null
   */
  record Case(String fault, boolean underTraffic, String profile, int samples, List<Double> seconds,
      int undetected, double limitSeconds, Stats stats, Integer ipv4Kept) {
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
    try (Lab lab = Lab.builder().uplinks(3).dualStack().build(); LabProcess servers = lab.startServers();
        IpMonitor monitor = IpMonitor.start(lab, lab.routerNs(), true)) {
      for (String profile : List.of("defaults", "fast")) {
        int samples = profile.equals("fast") ? env.plan().detectionFastSamples() : env.plan().detectionDefaultSamples();
        if (samples > 0) {
          Map<String, String> settings = new LinkedHashMap<>(profile.equals("fast") ? FAST : DEFAULTS);
          settings.putAll(BOTH_FAMILIES);
          cases.add(measure(lab, env, monitor, Fault.IPV6_BLACKHOLE, true, profile, settings, samples));
        }
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
        + " the router's own ARP entry is left to age as it would. IPv6 blackhole: in a dual-stack lab, ISP 2 drops"
        + " IPv6 only, under " + (int) TRAFFIC_PER_SECOND + " new IPv6 LAN connections per second to "
        + TRAFFIC_SERVERS6.size() + " IPv6 servers, until LB_TABLE's IPv6 route is without wan2; probe targets "
        + BOTH_FAMILIES.get("HEALTH_PROBE_TARGETS") + " (one per family), the profile's settings otherwise.");
  }

  private static Case measure(Lab lab, BenchEnv env, IpMonitor monitor, Fault fault, boolean traffic, String profile,
      Map<String, String> settings, int samples) throws Exception {
    Duration interval = ConfigLoader.fromMap(settings).healthCheckInterval();
    Duration limit = interval.multipliedBy(2).plusSeconds(30);
    String dev = lab.uplinkName(FAILING);
    boolean ipv6 = fault == Fault.IPV6_BLACKHOLE;
    List<Double> detected = new ArrayList<>();
    int undetected = 0;
    int ipv4Kept = 0;
    for (int i = 0; i < samples; i++) {
      LabBalancer nb = env.balancer(lab).with(settings);
      try (LabDaemon daemon = nb.start()) {
        Thread.sleep(1000 + ThreadLocalRandom.current().nextLong(interval.toMillis()));
        nb.awaitBalanced(lab.uplinkCount(), Duration.ofSeconds(10));
        if (ipv6) {
          awaitBalanced6(lab, nb, Duration.ofSeconds(10));
        }
        LabProcess load = traffic ? startTraffic(lab, ipv6 ? TRAFFIC_SERVERS6 : TRAFFIC_SERVERS) : null;
        try {
          monitor.drain();
          inject(lab, fault, true);
          long t0 = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
          IpMonitor.Event e = monitor.await(ev -> ev.isRouteIn(nb.lbTable()) && !ev.mentionsDev(dev), limit);
          if (e == null) {
            undetected++;
          } else {
            detected.add(Math.max(0, e.micros() - t0) / 1e6);
            if (ipv6 && nb.balanced().contains(dev)) {
              ipv4Kept++;
            }
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
        limit.toSeconds(), Stats.of(detected), ipv6 ? ipv4Kept : null);
  }

  /** Waits until LB_TABLE's IPv6 route spans every uplink. */
  private static void awaitBalanced6(Lab lab, LabBalancer nb, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (devices6(lab, nb.lbTable()).size() < lab.uplinkCount()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("LB_TABLE's IPv6 route holds " + devices6(lab, nb.lbTable()) + ", not all "
            + lab.uplinkCount() + " uplinks");
      }
      Thread.sleep(50);
    }
  }

  /** The devices of {@code table}'s IPv6 default route in the router. */
  static java.util.Set<String> devices6(Lab lab, int table) {
    String out = lab.exec(lab.routerNs(), "ip", "-6", "route", "show", "table", Integer.toString(table), "default")
        .stdout();
    java.util.Set<String> devs = new java.util.TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\bdev (\\S+)").matcher(out);
    while (m.find()) {
      devs.add(m.group(1));
    }
    return devs;
  }

  /** The fault is in force once the command returns; the clock starts then. */
  private static void inject(Lab lab, Fault fault, boolean on) {
    switch (fault) {
      case BLACKHOLE -> lab.blackhole(FAILING, on);
      case IPV6_BLACKHOLE -> lab.blackholeIpv6(FAILING, on);
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

  private static LabProcess startTraffic(Lab lab, List<String> servers) throws InterruptedException {
    LabProcess p = lab.startJava(lab.clientNs(), BenchClient.class.getName(), "traffic",
        String.join(",", servers),
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
