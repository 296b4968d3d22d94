package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import netbalancer.lab.BusyConnections;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;
import netbalancer.system.CommandRunner.Result;
import netbalancer.system.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operational paths around failover on the real kernel: a reload is a non-event, a carrier
 * blip breaks no connection while an outage still ends them, a flapping carrier is damped, and a
 * carrier outage costs DEBOUNCE_TIME whatever the probe timer's phase.
 */
@ExtendWith(HostGuard.class)
class ReliabilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FLAPS = 10;

  @TempDir
  Path tmp;

  private static void signal(LabProcess p, String sig) {
    assertEquals(0, new ProcessRunner().run("kill", "-" + sig, Long.toString(p.pid())).exitCode());
  }

  private static JsonNode uplink(Lab lab, String name) {
    Result r = Nb.run(lab, "status", "--json");
    assertEquals(0, r.exitCode(), r.stderr());
    try {
      for (JsonNode u : JSON.readTree(r.stdout()).path("uplinks")) {
        if (u.path("name").asText().equals(name)) {
          return u;
        }
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(r.stdout(), e);
    }
    throw new AssertionError("no " + name + " in " + r.stdout());
  }

  private Path recordingHook(Path events) throws Exception {
    Path hooks = Files.createDirectory(tmp.resolve("hooks.d"));
    Path hook = hooks.resolve("10-record");
    Files.writeString(hook, "#!/bin/sh\necho \"$NB_INTERFACE $NB_PREVIOUS_STATE->$NB_STATE\" >> '" + events + "'\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    return hooks;
  }

  /**
   * Before, a SIGHUP rebuilt health and reconciler: a held-down uplink went back into LB_TABLE for
   * ~1.6 s, its backoff level fell to 1, and every hook fired as for a new uplink.
   */
  @Test
  void aReloadOfAnUnchangedFileChangesNothingAndAWeightChangesOnlyThatWeight() throws Exception {
    Path events = tmp.resolve("events.txt");
    Path hooks = recordingHook(events);
    Path conf = tmp.resolve("net-balancer.conf");
    // 1 s probe timeout: wan3 is held down in about 4 s instead of 8 (two failed rounds)
    String base = "DEBOUNCE_TIME=1\nHEALTH_CHECK_INTERVAL=1\nHEALTH_CHECK_TIMEOUT=1\nHOOKS_DIR=" + hooks + "\n";
    Files.writeString(conf, base);
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers();
        LabProcess daemon = Nb.daemon(lab, Map.of(), "--config", conf.toString())) {
      lab.blackhole(3, true);
      Await.until(Duration.ofSeconds(20), "wan3 held down",
          () -> uplink(lab, "wan3").path("state").asText().equals("hold-down"));
      lab.blackhole(3, false); // healthy again: only its hold-down (60 s) keeps it out now
      Await.until(Duration.ofSeconds(10), "the hook told", () -> Await.textOf(events).contains("wan3 ")
          && Await.textOf(events).contains("->hold-down"));
      Thread.sleep(500); // let the hook queue settle
      String told = Await.textOf(events);
      JsonNode before = uplink(lab, "wan3");
      long beforeAt = System.nanoTime();
      String kernelBefore = Nb.kernelDump(lab);

      signal(daemon, "HUP");
      Nb.waitForLog(daemon, "configuration reloaded: nothing changed", Duration.ofSeconds(10));
      int samples = 0;
      while (System.nanoTime() - beforeAt < 10_000_000_000L) {
        Set<String> balanced = Nb.balanced(lab);
        assertEquals(Set.of("wan1", "wan2"), balanced, "sample " + samples + ": the held-down wan3 stays out");
        samples++;
        Thread.sleep(50);
      }
      JsonNode after = uplink(lab, "wan3");
      double elapsed = (System.nanoTime() - beforeAt) / 1e9;
      assertEquals("hold-down", after.path("state").asText());
      assertEquals(before.path("backoffLevel").asInt(), after.path("backoffLevel").asInt(), "same backoff level");
      double expected = before.path("holdDownSeconds").asDouble() - elapsed;
      assertEquals(expected, after.path("holdDownSeconds").asDouble(), 1.5,
          "the hold-down ran on: " + before + " then " + after);
      assertEquals(told, Await.textOf(events), "no hook ran");
      assertEquals(kernelBefore, Nb.kernelDump(lab), "nothing in the kernel changed");
      System.out.printf("reload while held down: %d LB_TABLE samples in 10 s, wan3 in none; hold-down %s -> %s s,"
          + " level %s -> %s%n", samples, before.path("holdDownSeconds"), after.path("holdDownSeconds"),
          before.path("backoffLevel"), after.path("backoffLevel"));

      Files.writeString(conf, base + "UPLINK_WEIGHTS=\"wan1=3\"\n");
      signal(daemon, "HUP");
      Nb.waitForLog(daemon, "configuration reloaded: UPLINK_WEIGHTS changed", Duration.ofSeconds(10));
      Await.until(Duration.ofSeconds(2), "the new weight", () -> Nb.kernelDump(lab).contains("weight 3"));
      Set<String> gone = new HashSet<>(kernelBefore.lines().toList());
      Set<String> added = new HashSet<>(Nb.kernelDump(lab).lines().toList());
      gone.removeAll(Nb.kernelDump(lab).lines().toList());
      added.removeAll(kernelBefore.lines().toList());
      assertTrue(gone.stream().allMatch(l -> l.contains("dev wan1 weight 1")), "only wan1's weight changed: " + gone);
      assertTrue(added.stream().allMatch(l -> l.contains("dev wan1 weight 3")), "only wan1's weight changed: " + added);
      assertEquals("hold-down", uplink(lab, "wan3").path("state").asText());
      assertEquals(told, Await.textOf(events), "still no hook");
    }
  }

  /**
   * Before, 0 of 23 busy connections survived a 0.5 s carrier loss: their conntrack entries were
   * deleted at once and their next packets left by another uplink with the wrong source.
   */
  @Test
  void aCarrierBlipKeepsEveryBusyConnectionAndAnOutageStillResetsThem() throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEBOUNCE_TIME", "1");
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers(); LabProcess daemon = Nb.daemon(lab, env);
        BusyConnections busy = BusyConnections.start(lab, lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT,
            100)) {
      LoadReport opened = busy.opened();
      assertEquals(100, opened.succeeded(), opened.toString());
      String isp2 = lab.ispPublicAddress(2);
      int on2 = opened.from(isp2);
      assertTrue(on2 > 0, "some connections on wan2: " + opened);
      Thread.sleep(500);

      lab.carrierDown(2);
      Thread.sleep(500);
      lab.carrierUp(2);
      Thread.sleep(4_000); // past the grace period: nothing was deleted late either
      LoadReport afterBlip = busy.status();
      assertEquals(100, afterBlip.succeeded(), "every busy connection survives a 0.5 s blip: " + afterBlip
          + " deaths " + busy.deaths());
      Nb.waitForLog(daemon, "carrier back after", Duration.ofSeconds(1));

      // An outage: out at once, and wan2's connections reset within the grace period + 1 s.
      // (Scaled: what matters is that the reset comes while the carrier is still gone.)
      Await.until(Duration.ofSeconds(5), "wan2 back", () -> Nb.balanced(lab).contains("wan2"));
      long down = System.currentTimeMillis();
      lab.carrierDown(2);
      Await.until(Duration.ofSeconds(6), "wan2's connections reset",
          () -> busy.status().failedBySource().getOrDefault(isp2, 0) == on2);
      Map<String, List<Long>> deaths = busy.deaths();
      assertEquals(Set.of(isp2), deaths.keySet(), "only wan2's connections end: " + deaths);
      long latest = deaths.get(isp2).stream().mapToLong(Long::longValue).max().orElseThrow() - down;
      long earliest = deaths.get(isp2).stream().mapToLong(Long::longValue).min().orElseThrow() - down;
      assertTrue(earliest >= 2_700, "none reset before the 2.8 s grace period ended: " + earliest + " ms");
      assertTrue(latest <= 3_800, "all reset within the grace period + 1 s: " + latest + " ms");
      LoadReport end = busy.status();
      for (int i : new int[] {1, 3}) {
        String isp = lab.ispPublicAddress(i);
        assertEquals(opened.from(isp), end.from(isp), "none on uplink " + i + " disturbed: " + end);
      }
      System.out.printf("carrier blip 0.5 s: %d/100 busy connections alive (%d on wan2); outage: wan2's %d reset"
          + " %d..%d ms after the loss (grace 2.8 s)%n", afterBlip.succeeded(), on2, on2, earliest, latest);
      lab.carrierUp(2);
    }
  }

  /**
   * Before, a carrier down 1 s / up 2 s was re-added to LB_TABLE after all 15 returns. The third
   * loss (6 s) fails it: level 1 holds it out 10 s, it returns once, and the next loss (~18 s)
   * starts level 2 (20 s), which the last flap (30 s) ends inside of. (Was 15 flaps with 15 s
   * hold-downs, the same shape at 45 s.)
   */
  @Test
  void aFlappingCarrierIsHeldDownWithAGrowingBackoff() throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEBOUNCE_TIME", "1");
    env.put("FAILOVER_HOLD_DOWN", "10");
    env.put("FAILOVER_BACKOFF_BASE", "10");
    try (Lab lab = Lab.create(2); LabProcess servers = lab.startServers(); LabProcess daemon = Nb.daemon(lab, env)) {
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger reAdds = new AtomicInteger();
      Thread sampler = new Thread(() -> {
        boolean in = true;
        while (running.get()) {
          boolean now = Nb.balanced(lab).contains("wan2");
          if (now && !in) {
            reAdds.incrementAndGet();
          }
          in = now;
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      sampler.start();
      try {
        for (int i = 0; i < FLAPS; i++) {
          lab.carrierDown(2);
          Thread.sleep(1_000);
          lab.carrierUp(2);
          Thread.sleep(2_000);
        }
      } finally {
        running.set(false);
        sampler.join();
      }
      JsonNode wan2 = uplink(lab, "wan2");
      assertTrue(reAdds.get() <= 3, reAdds.get() + " re-adds in " + FLAPS + " flaps");
      assertEquals("hold-down", wan2.path("state").asText(), wan2.toString());
      assertTrue(wan2.path("backoffLevel").asInt() >= 2, "held down again, at a higher level: " + wan2);
      Nb.waitForLog(daemon, "hold-down 10 s (level 1)", Duration.ofSeconds(1));
      Nb.waitForLog(daemon, "hold-down 20 s (level 2)", Duration.ofSeconds(1));
      System.out.printf("carrier flapping 1 s down / 2 s up x%d: %d re-adds to LB_TABLE, then hold-down level %d%n",
          FLAPS, reAdds.get(), wan2.path("backoffLevel").asInt());
    }
  }

  /**
   * Before, probes failed while the carrier was gone and earned a 60 s hold-down: an uplink down
   * at start came back 57 s after its carrier, a 6 s outage with HEALTH_CHECK_INTERVAL=5 cost 60 s.
   * Here a 1 s probe timeout and a 2 s interval: two failed rounds (timeout + fast interval +
   * timeout) fit in 4 s, and two intervals fall due in a 5 s outage.
   */
  @Test
  void anUplinkDownAtStartAndAFiveSecondOutageReturnAfterDebounce() throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HEALTH_CHECK_INTERVAL", "2"); // DEBOUNCE_TIME as the seed: 2 s
    env.put("HEALTH_CHECK_TIMEOUT", "1");
    try (Lab lab = Lab.create(2); LabProcess servers = lab.startServers()) {
      lab.carrierDown(2);
      try (LabProcess daemon = Nb.daemon(lab, env)) {
        assertEquals(Set.of("wan1"), Nb.balanced(lab));
        Thread.sleep(4_000); // probes of wan2 would have failed twice by now
        lab.carrierUp(2);
        long atStart = Await.until(Duration.ofSeconds(3), "wan2, down at start, joins",
            () -> Nb.balanced(lab).contains("wan2"));
        assertTrue(atStart >= 1_800, "it waited DEBOUNCE_TIME: " + atStart + " ms");

        Thread.sleep(1_000);
        lab.carrierDown(2);
        Await.until(Duration.ofSeconds(1), "wan2 out", () -> !Nb.balanced(lab).contains("wan2"));
        Thread.sleep(5_000); // two probe intervals fall due meanwhile
        lab.carrierUp(2);
        long afterOutage = Await.until(Duration.ofSeconds(3), "wan2 back after a 5 s outage",
            () -> Nb.balanced(lab).contains("wan2"));
        assertTrue(afterOutage >= 1_800, "it waited DEBOUNCE_TIME: " + afterOutage + " ms");
        assertEquals("up", uplink(lab, "wan2").path("state").asText());
        System.out.printf("carrier return: down at start back after %d ms, 5 s outage back after %d ms"
            + " (DEBOUNCE_TIME 2 s, HEALTH_CHECK_INTERVAL 2 s, HEALTH_CHECK_TIMEOUT 1 s)%n", atStart, afterOutage);
      }
    }
  }
}
