package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.lab.HeldConnections;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;
import netbalancer.system.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Health per family in the dual-stack lab (wan1 link-local gateway, wan2 global gateway): an
 * ISP that drops IPv6 only takes its uplink out of LB_TABLE's IPv6 route while IPv4 keeps using
 * it, and brings it back the same way; a carrier loss takes both out at once. Both routes are
 * sampled continuously and the detection times printed.
 */
@ExtendWith(HostGuard.class)
class DualStackHealthIT {

  /** HealthIT's fast checks, probing one target of each family, and a short hold-down. */
  private static Map<String, String> settings() {
    Map<String, String> env = HealthIT.fast();
    env.put("HEALTH_PROBE_TARGETS", Lab.SERVER_ADDRESS + " " + Lab.SERVER_ADDRESS6);
    env.put("FAILOVER_HOLD_DOWN", "3");
    return env;
  }

  @Test
  void anIpv6OnlyBlackholeTakesOutOnlyTheIpv6SideAndACarrierLossBoth() throws Exception {
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build(); LabProcess servers = lab.startServers();
        LabProcess daemon = Nb.daemon(lab, settings())) {
      Await.until(Duration.ofSeconds(20), "both uplinks in both routes",
          () -> devs(lab, "-4").equals(Set.of("wan1", "wan2")) && devs(lab, "-6").equals(Set.of("wan1", "wan2")));
      try (Sampler lb = Sampler.start(lab)) {
        lab.blackholeIpv6(2, true);
        long t0 = System.nanoTime();
        // interval + threshold x (fast interval + timeout), + 1 s for the reconcile and the sampler
        long out = lb.await("-6", "wan2", false, t0, Duration.ofMillis(5_000 + 2 * (1_000 + 1_000) + 1_000));
        // IPv4 still goes out through wan2 (and gets answers) while its IPv6 is out
        LoadReport v4 = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 200);
        assertEquals(0, v4.failed(), v4.toJson());
        assertTrue(v4.from(lab.ispPublicAddress(2)) > 20, "IPv4 over wan2: " + v4.toJson());
        LoadReport v6 = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 100);
        assertEquals(0, v6.failed(), v6.toJson());
        assertEquals(Set.of(lab.uplinkAddress6(1)), v6.bySource().keySet(), "new IPv6 connections via wan1 only");
        JsonNode wan2 = HealthIT.status(lab, "wan2");
        assertEquals("up", wan2.path("state").asText(), wan2.toString());
        // hold-down, or down once its 3 s are over and no round has passed yet
        assertTrue(Set.of("hold-down", "down").contains(wan2.path("ipv6").path("state").asText()), wan2.toString());
        assertFalse(wan2.path("ipv6").path("balanced").asBoolean(), wan2.toString());
        assertTrue(wan2.path("balanced").asBoolean(), wan2.toString());

        lab.blackholeIpv6(2, false);
        long t1 = System.nanoTime();
        // the 3 s hold-down, then at most an interval (5 s) until a passing round, + 2 s
        long back = lb.await("-6", "wan2", true, t1, Duration.ofSeconds(10));
        System.out.printf("DualStackHealthIT IPv6-only blackhole on wan2 (interval 5, fast 1, timeout 1, threshold 2,"
            + " hold-down 3): out of the IPv6 route after %d ms, back %d ms after the repair%n", out, back);
        assertEquals(Set.of(), lb.everOut("-4", "wan2", t0), "IPv4 kept balancing over wan2 throughout");
        assertEquals(Set.of(), lb.everOut("-6", "wan1", t0), "wan1's IPv6 never left");

        lab.carrierDown(2);
        long t2 = System.nanoTime();
        long out4 = lb.await("-4", "wan2", false, t2, Duration.ofSeconds(2));
        long out6 = lb.await("-6", "wan2", false, t2, Duration.ofSeconds(2));
        System.out.printf("DualStackHealthIT carrier loss on wan2: out of the IPv4 route after %d ms, of the IPv6"
            + " route after %d ms%n", out4, out6);
        assertTrue(Math.abs(out4 - out6) <= 500, "both families at once: " + out4 + " / " + out6 + " ms");
        lab.carrierUp(2);
        long t3 = System.nanoTime();
        long in4 = lb.await("-4", "wan2", true, t3, Duration.ofSeconds(10));
        long in6 = lb.await("-6", "wan2", true, t3, Duration.ofSeconds(10));
        System.out.printf("DualStackHealthIT carrier back on wan2 (DEBOUNCE_TIME 1): IPv4 back after %d ms, IPv6 after"
            + " %d ms%n", in4, in6);
      }
    }
  }

  /**
   * Passive evidence for IPv6, at the seed's defaults (30 s interval, 3 s timeout, threshold 2;
   * the only setting given is an IPv6 probe target beside the IPv4 one, which the IPv6 side needs
   * to be judged on its own): LAN traffic to three IPv6 servers keeps opening connections (1 s
   * connect timeout, one client process per server), and
   * ISP 2 starts dropping IPv6. Without the evidence the probes alone would take up to 30 s +
   * 2 x 3 s; the bound is HealthIT's for an IPv4 blackhole under traffic (10 s). IPv4 traffic over
   * the same uplink runs throughout, and none of it fails.
   */
  @Test
  void anIpv6BlackholeUnderIpv6TrafficWithDefaultsTakesOutOnlyTheIpv6SideOnPassiveEvidence() throws Exception {
    Map<String, String> env = Map.of("HEALTH_PROBE_TARGETS", Lab.SERVER_ADDRESS + " " + Lab.SERVER_ADDRESS6);
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build(); LabProcess servers = lab.startServers();
        LabProcess daemon = Nb.daemon(lab, env); HealthIT.LogTail log = new HealthIT.LogTail(daemon)) {
      Await.until(Duration.ofSeconds(20), "both uplinks in both routes",
          () -> devs(lab, "-4").equals(Set.of("wan1", "wan2")) && devs(lab, "-6").equals(Set.of("wan1", "wan2")));
      try (HealthIT.Traffic v4 = HealthIT.Traffic.start(lab, 2_000, "203.0.113.20");
          // one client JVM per server for the whole test: a JVM start per batch on a loaded machine
          // leaves seconds without a new connection, which the product cannot be asked to see
          HealthIT.Traffic v6 = HealthIT.Traffic.steady(lab, "2001:db8:ffff::20", "2001:db8:ffff::21",
              "2001:db8:ffff::22");
          Sampler lb = Sampler.start(lab)) {
        v6.awaitBatches(3);
        v4.awaitBatches(2);
        Thread.sleep(ThreadLocalRandom.current().nextLong(0, 1_000)); // any phase of the traffic and the watcher
        lab.blackholeIpv6(2, true);
        long t0 = System.nanoTime();
        long out = lb.await("-6", "wan2", false, t0, Duration.ofSeconds(12));
        int v4Before = v4.batches();
        v4.awaitBatches(v4Before + 2); // IPv4 batches that ran with wan2's IPv6 out
        v4.close();
        v6.close();
        System.out.printf("DualStackHealthIT IPv6 blackhole under IPv6 traffic (seed defaults: interval 30, timeout 3,"
            + " threshold 2): wan2 out of the IPv6 route after %d ms%n", out);
        log.print();
        assertTrue(out <= 10_000, "out of the IPv6 route after " + out + " ms, more than 10 s");
        assertTrue(log.contains("traffic ipv6: wan2:"), "IPv6 passive evidence raised it");
        assertFalse(log.contains("traffic: wan2:", "counts"), "no counted IPv4 suspicion of wan2");
        assertFalse(log.contains("traffic ipv6: wan1:", "counts"), "no counted suspicion of wan1's IPv6");
        assertEquals(Set.of(), lb.everOut("-4", "wan2", t0), "IPv4 kept balancing over wan2 throughout");
        assertEquals(Set.of(), lb.everOut("-4", "wan1", t0), "wan1's IPv4 never left");
        assertEquals(Set.of(), lb.everOut("-6", "wan1", t0), "wan1's IPv6 never left");
        List<LoadReport> reports = v4.reports();
        assertEquals(0, reports.stream().mapToInt(LoadReport::failed).sum(), "IPv4 traffic: " + reports);
        assertTrue(reports.subList(reports.size() - 2, reports.size()).stream()
            .mapToInt(r -> r.from(lab.ispPublicAddress(2))).sum() > 0, "IPv4 over wan2 while its IPv6 is out: " + reports);
        JsonNode wan2 = HealthIT.status(lab, "wan2");
        assertEquals("up", wan2.path("state").asText(), wan2.toString());
        assertTrue(wan2.path("balanced").asBoolean(), wan2.toString());
        assertFalse(wan2.path("ipv6").path("balanced").asBoolean(), wan2.toString());
        // the evidence is in the reason: confirmed by one failed round, or counted beside the rounds
        // when a round it brought forward failed first
        assertTrue(wan2.path("ipv6").path("reason").asText().contains("traffic: "), wan2.toString());
      }
    }
  }

  /**
   * The daemon with an IPv6-only uplink (wan2: no IPv4 address, route or ISP side) beside a
   * dual-stack one. Held IPv6 connections spread over both; wan2's carrier loss takes it out of
   * the IPv6 route at once, every held connection through wan1 keeps answering, and new IPv6
   * connections all succeed at once through wan1; it returns with its carrier. IPv4 never had it.
   */
  @Test
  void anIpv6OnlyUplinksCarrierLossKeepsTheOtherUplinksConnectionsAndSendsNewOnesThere() throws Exception {
    try (Lab lab = Lab.builder().uplinks(2).ipv6Only(2).build(); LabProcess servers = lab.startServers();
        LabProcess daemon = Nb.daemon(lab, settings())) {
      Await.until(Duration.ofSeconds(20), "wan1 in both routes, wan2 in the IPv6 one",
          () -> devs(lab, "-4").equals(Set.of("wan1")) && devs(lab, "-6").equals(Set.of("wan1", "wan2")));
      try (HeldConnections held = lab.hold(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 100);
          Sampler lb = Sampler.start(lab)) {
        LoadReport opened = held.opened();
        assertEquals(100, opened.succeeded(), opened.toJson());
        int viaWan1 = opened.from(lab.uplinkAddress6(1));
        assertTrue(viaWan1 >= 20 && opened.from(lab.uplinkAddress6(2)) >= 20, "spread over both: " + opened.toJson());
        lab.carrierDown(2);
        long t0 = System.nanoTime();
        long out = lb.await("-6", "wan2", false, t0, Duration.ofSeconds(2));
        LoadReport fresh = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 100);
        LoadReport after = held.check();
        lab.carrierUp(2);
        long t1 = System.nanoTime();
        long back = lb.await("-6", "wan2", true, t1, Duration.ofSeconds(15));
        System.out.printf("DualStackHealthIT IPv6-only wan2 carrier loss: out of the IPv6 route after %d ms; held via"
            + " wan1 %d of %d answering; new IPv6 %s; back %d ms after the carrier%n", out,
            after.from(lab.uplinkAddress6(1)), viaWan1, fresh.bySource(), back);
        assertEquals(0, fresh.failed(), fresh.toJson());
        assertEquals(Map.of(lab.uplinkAddress6(1), 100), fresh.bySource(), "new IPv6 connections via wan1");
        assertEquals(viaWan1, after.from(lab.uplinkAddress6(1)), "every held connection via wan1: " + after.toJson());
        assertEquals(Set.of(), lb.everOut("-6", "wan1", t0), "wan1's IPv6 never left");
        assertEquals(Set.of(), lb.everOut("-4", "wan1", t0), "wan1's IPv4 never left");
        assertFalse(devs(lab, "-4").contains("wan2"), "an IPv6-only uplink has no IPv4 route");
      }
    }
  }

  /**
   * NDP: ISP 1 stops answering neighbor solicitations (its advertisements dropped, and its own
   * solicitations, which would teach the router its address again) and the router forgets its
   * entries on wan1, so the IPv6 gateway (fe80::1) goes INCOMPLETE, then FAILED,
   * while the IPv4 gateway still answers ARP: wan1 leaves the IPv6 route only.
   */
  @Test
  void aFailedIpv6GatewayNeighborTakesOutOnlyTheIpv6SideWithinTwoSeconds() throws Exception {
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build(); LabProcess servers = lab.startServers();
        LabProcess daemon = Nb.daemon(lab, settings())) {
      Await.until(Duration.ofSeconds(20), "both uplinks in both routes",
          () -> devs(lab, "-4").equals(Set.of("wan1", "wan2")) && devs(lab, "-6").equals(Set.of("wan1", "wan2")));
      String gateway = lab.gatewayAddress6(1);
      CommandRunner router = lab.runnerIn(lab.routerNs());
      try (Sampler lb = Sampler.start(lab)) {
        lab.execCheck(lab.ispNs(1), "nft", "add table ip6 nbndp; add chain ip6 nbndp out { type filter hook output"
            + " priority 0; }; add rule ip6 nbndp out icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } drop");
        lab.execCheck(lab.routerNs(), "ip", "-6", "neigh", "flush", "dev", "wan1");
        long t0 = System.nanoTime();
        // a packet for the gateway now (the probes would send one within their interval)
        router.run(List.of("ping", "-6", "-n", "-c", "1", "-W", "1", "-I", lab.uplinkAddress6(1), Lab.SERVER_ADDRESS6),
            null, Duration.ofSeconds(5));
        Await.until(Duration.ofSeconds(10), "the router's entry for " + gateway + " FAILED",
            () -> router.run(List.of("ip", "-6", "neigh", "show", "dev", "wan1", gateway), null, Duration.ofSeconds(5))
                .stdout().contains("FAILED"));
        long failed = (System.nanoTime() - t0) / 1_000_000;
        long out = lb.await("-6", "wan1", false, t0, Duration.ofSeconds(10));
        System.out.printf("DualStackHealthIT IPv6 gateway neighbor lost on wan1: entry FAILED after %d ms, wan1 out of"
            + " the IPv6 route after %d ms (INCOMPLETE counts after 1 s)%n", failed, out);
        assertTrue(out <= failed + 2_000, "out " + out + " ms, FAILED at " + failed + " ms");
        JsonNode wan1 = HealthIT.status(lab, "wan1");
        assertEquals("up", wan1.path("state").asText(), wan1.toString());
        assertFalse(wan1.path("ipv6").path("balanced").asBoolean(), wan1.toString());
        assertTrue(wan1.path("ipv6").path("reason").asText().contains("neighbor"), wan1.toString());

        lab.execCheck(lab.ispNs(1), "nft", "delete table ip6 nbndp");
        long t1 = System.nanoTime();
        long back = lb.await("-6", "wan1", true, t1, Duration.ofSeconds(15));
        System.out.printf("DualStackHealthIT IPv6 gateway neighbor answers again: wan1 back after %d ms%n", back);
        assertEquals(Set.of(), lb.everOut("-4", "wan1", t0), "IPv4 kept balancing over wan1 throughout");
      }
    }
  }

  /** The devices of LB_TABLE's default route of one family ({@code -4}/{@code -6}) in the router. */
  static Set<String> devs(Lab lab, String family) {
    CommandRunner.Result r = lab.runnerIn(lab.routerNs()).run(List.of("ip", family, "route", "show", "table", "200",
        "default"), null, Duration.ofSeconds(5));
    if (r.exitCode() != 0) {
      throw new IllegalStateException("ip " + family + " route: " + r.stderr());
    }
    Set<String> out = new LinkedHashSet<>();
    Matcher m = Pattern.compile("\\bdev (\\S+)").matcher(r.stdout());
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** Samples both families' LB_TABLE routes about every 20 ms. */
  static final class Sampler implements AutoCloseable {
    record Sample(long at, Set<String> v4, Set<String> v6) {
      Set<String> of(String family) {
        return family.equals("-6") ? v6 : v4;
      }
    }

    private final Lab lab;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    private Sampler(Lab lab) {
      this.lab = lab;
      this.thread = new Thread(this::run, "lb-sampler-dual");
      thread.setDaemon(true);
    }

    static Sampler start(Lab lab) {
      Sampler s = new Sampler(lab);
      s.thread.start();
      return s;
    }

    private void run() {
      while (!stop.get()) {
        try {
          Set<String> v4 = devs(lab, "-4");
          Set<String> v6 = devs(lab, "-6");
          samples.add(new Sample(System.nanoTime(), v4, v6));
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          if (!stop.get()) {
            System.err.println("sampler: " + e);
          }
        }
      }
    }

    /** Milliseconds from {@code t0} to the first sample with {@code dev} in (or out of) the route. */
    long await(String family, String dev, boolean in, long t0, Duration limit) throws InterruptedException {
      long deadline = t0 + limit.toNanos();
      while (true) {
        for (Sample s : samples) {
          if (s.at() >= t0 && s.of(family).contains(dev) == in) {
            return (s.at() - t0) / 1_000_000;
          }
        }
        if (System.nanoTime() > deadline + 200_000_000L) {
          throw new AssertionError(dev + (in ? " not back in" : " still in") + " LB_TABLE (" + family + ") after "
              + limit.toMillis() + " ms");
        }
        Thread.sleep(20);
      }
    }

    /** The devices among {@code devs} that some sample since {@code t0} lacked. */
    Set<String> everOut(String family, String dev, long t0) {
      Set<String> out = new LinkedHashSet<>();
      for (Sample s : new ArrayList<>(samples)) {
        if (s.at() >= t0 && !s.of(family).contains(dev)) {
          out.add(dev);
        }
      }
      return out;
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(2_000);
    }
  }
}
