package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.system.CommandRunner.Result;
import netbalancer.system.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What net-balancer refuses on the real kernel: a second instance in one namespace, and a
 * cleanup that cannot know what is ours.
 */
@ExtendWith(HostGuard.class)
class TrustIT {

  static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEBOUNCE_TIME", "1");
    env.put("HEALTH_CHECK_ENABLED", "false");
    env.put("RESYNC_INTERVAL", "5");
    return env;
  }

  static void stop(LabProcess daemon) {
    assertEquals(0, new ProcessRunner().run("kill", "-TERM", Long.toString(daemon.pid())).exitCode());
    assertEquals(0, daemon.waitFor(Duration.ofSeconds(15)), "daemon exits cleanly on SIGTERM");
  }

  /** Every distinct text of LB_TABLE seen by a 50 ms poller while it runs. */
  static final class TableWatch implements AutoCloseable {
    final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    TableWatch(Lab lab) {
      thread = new Thread(() -> {
        while (!stop.get()) {
          seen.add(lab.exec(lab.routerNs(), "ip", "route", "show", "table", "200").stdout());
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "lb-table-watch");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join();
    }
  }

  @Test
  void aSecondRunAnApplyAndACleanupWhileADaemonRunsAreRefusedAndLbTableNeverChanges() throws Exception {
    try (Lab lab = Lab.create(2); LabProcess daemon = Nb.daemon(lab, env())) {
      String before = Nb.kernelDump(lab);
      Map<String, String> other = Map.of("UPLINK_WEIGHTS", "wan1=5 wan2=1"); // would change LB_TABLE
      try (TableWatch watch = new TableWatch(lab)) {
        Result second = Nb.run(lab, other, "run");
        Result apply = Nb.run(lab, other, "apply");
        Result cleanup = Nb.run(lab, other, "cleanup");
        for (Result r : List.of(second, apply, cleanup)) {
          assertNotEquals(0, r.exitCode(), r.stdout() + r.stderr());
          assertTrue(r.stderr().contains("another net-balancer runs in this network namespace (pid " + daemon.pid()),
              "names the holder: " + r.stderr());
        }
        assertEquals(before, Nb.kernelDump(lab), "nothing changed");
        Result status = Nb.run(lab, "status", "--json");
        assertEquals(0, status.exitCode(), status.stderr());
        assertTrue(status.stdout().contains("\"wan2\""), "the daemon still answers on its socket: " + status.stdout());
        watch.close();
        assertEquals(1, watch.seen.size(), "LB_TABLE never changed: " + watch.seen);
      }
      System.out.println("second run: " + Nb.run(lab, "run").stderr().strip());
      stop(daemon);
      Result apply = Nb.run(lab, "apply");
      assertEquals(0, apply.exitCode(), "once the daemon is gone apply works: " + apply.stderr());
      assertEquals(0, Nb.run(lab, "cleanup").exitCode());
    }
  }

  @Test
  void cleanupWithABrokenConfigRemovesEverythingOfOursEvenWithAnotherRouteProtocol() {
    try (Lab lab = Lab.create(3)) {
      String pristine = Nb.kernelDump(lab);
      Map<String, String> proto = Map.of("LB_RT_PROTO", "77");
      Result applied = Nb.run(lab, proto, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      String dump = Nb.kernelDump(lab);
      assertTrue(dump.contains("proto 77"), dump);

      Map<String, String> broken = new LinkedHashMap<>(proto);
      broken.put("HEALTH_CHECK_INTERVL", "5"); // not a setting: in the environment it is ignored, so a bad value
      broken.put("LB_TABLE", "abc");
      Result cleanup = Nb.run(lab, broken, "cleanup");
      assertTrue(cleanup.stderr().contains("LB_TABLE"), "the config error is still reported: " + cleanup.stderr());
      assertEquals(0, cleanup.exitCode(), cleanup.stdout() + cleanup.stderr());
      assertEquals(pristine, Nb.kernelDump(lab), "nothing of ours is left: routes, rules, nft table, sysctls");

      Result nothingRecorded = Nb.run(lab, broken, "cleanup");
      assertEquals(2, nothingRecorded.exitCode(), "no record left: cleanup refuses: " + nothingRecorded.stderr());
      assertTrue(nothingRecorded.stderr().contains("refused, nothing changed"), nothingRecorded.stderr());
      assertEquals(pristine, Nb.kernelDump(lab));
    }
  }

  @Test
  void aConfigFileThatIsNotARegularFileOrIsHugeIsRefused() throws Exception {
    try (Lab lab = Lab.create(1)) {
      String before = Nb.kernelDump(lab);
      java.nio.file.Path fifo = lab.stateDir().resolve("fifo.conf");
      java.nio.file.Files.createDirectories(lab.stateDir());
      assertEquals(0, new ProcessRunner().run("mkfifo", fifo.toString()).exitCode());
      for (String file : List.of("/dev/zero", fifo.toString())) {
        long t0 = System.nanoTime();
        Result r = Nb.run(lab, Map.of(), "apply", "--config", file);
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("not a regular file"), r.stderr());
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "no hang");
      }
      java.nio.file.Path huge = lab.stateDir().resolve("huge.conf");
      java.nio.file.Files.write(huge, new byte[2 << 20]);
      Result r = Nb.run(lab, Map.of(), "apply", "--config", huge.toString());
      assertEquals(2, r.exitCode(), r.stderr());
      assertTrue(r.stderr().contains("larger than"), r.stderr());
      assertEquals(before, Nb.kernelDump(lab));
    }
  }
}
