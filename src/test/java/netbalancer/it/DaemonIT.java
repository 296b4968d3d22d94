package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.lab.HeldConnections;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;
import netbalancer.system.CommandRunner.Result;
import netbalancer.system.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The daemon on the real kernel: failover without collateral damage, repair, lifecycle. */
@ExtendWith(HostGuard.class)
class DaemonIT {
  private static final Duration REACT = Duration.ofSeconds(2);

  @TempDir
  Path tmp;

  private static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEBOUNCE_TIME", "1");
    env.put("HEALTH_CHECK_ENABLED", "false");
    env.put("RESYNC_INTERVAL", "5");
    return env;
  }

  private static void signal(LabProcess p, String sig) {
    assertEquals(0, new ProcessRunner().run("kill", "-" + sig, Long.toString(p.pid())).exitCode());
  }

  private static void stop(LabProcess daemon) {
    signal(daemon, "TERM");
    assertEquals(0, daemon.waitFor(Duration.ofSeconds(15)), "daemon exits cleanly on SIGTERM");
    // A stop is not an error: nothing printed as one (once, a SIGTERM mid-start printed a refused task).
    assertEquals(List.of(), daemon.recentLines().stream().filter(l -> l.startsWith("net-balancer: ")).toList(),
        "no error printed on a stop");
  }

  private static long rssKb(LabProcess p) {
    String out = new ProcessRunner().run("ps", "-o", "rss=", "-p", Long.toString(p.pid())).stdout().strip();
    return Long.parseLong(out);
  }

  @Test
  void carrierLossKeepsEveryConnectionOnTheOtherUplinksAndRecoveryWaitsForDebounce() throws Exception {
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers(); LabProcess daemon = Nb.daemon(lab, env());
        HeldConnections held = lab.hold(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 200)) {
      LoadReport opened = held.opened();
      assertEquals(200, opened.succeeded());
      assertTrue(opened.from(lab.ispPublicAddress(2)) > 0, "some connections took uplink 2: " + opened);

      lab.carrierDown(2);
      long reactMs = Await.until(REACT, "wan2 leaves LB_TABLE", () -> Nb.balanced(lab).equals(Set.of("wan1", "wan3")));
      LoadReport fresh = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 100);
      assertEquals(0, fresh.failed(), "new connections succeed at once: " + fresh);
      assertEquals(0, fresh.from(lab.ispPublicAddress(2)));

      LoadReport after = held.check();
      for (int i : new int[] {1, 3}) {
        String isp = lab.ispPublicAddress(i);
        assertEquals(opened.from(isp), after.from(isp), "every connection on uplink " + i + " survives: " + after);
      }
      System.out.printf("carrier loss: LB_TABLE updated after %d ms (as seen by a poller)%n", reactMs);

      lab.carrierUp(2);
      long backMs = Await.until(Duration.ofSeconds(5), "wan2 back in LB_TABLE",
          () -> Nb.balanced(lab).equals(Set.of("wan1", "wan2", "wan3")));
      assertTrue(backMs >= 900, "recovery waited DEBOUNCE_TIME (1 s), took " + backMs + " ms");
      LoadReport again = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 300);
      assertTrue(again.from(lab.ispPublicAddress(2)) > 0, "uplink 2 takes new connections again: " + again);
      stop(daemon);
      assertTrue(lab.exec(lab.routerNs(), "ip", "rule").stdout().lines().noneMatch(l -> l.contains("proto 213")),
          "SIGTERM cleaned up");
    }
  }

  @Test
  void aBackupTierTakesOverWhenTheFirstTierIsGoneAndKeepsItsConnectionsWhenItComesBack() throws Exception {
    Map<String, String> env = env();
    env.put("UPLINK_TIERS", "wan3=2");
    Path hooks = Files.createDirectory(tmp.resolve("hooks.d"));
    Path events = tmp.resolve("events.txt");
    Path hook = hooks.resolve("50-notify");
    Files.writeString(hook, "#!/bin/sh\necho \"$NB_INTERFACE $NB_STATE tier $NB_TIER, now [$NB_BALANCED]\" >> '"
        + events + "'\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    env.put("HOOKS_DIR", hooks.toString());
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers(); LabProcess daemon = Nb.daemon(lab, env)) {
      String backup = lab.ispPublicAddress(3);
      assertEquals(Set.of("wan1", "wan2"), Nb.balanced(lab));
      LoadReport normal = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 100);
      assertEquals(0, normal.failed(), normal.toString());
      assertEquals(0, normal.from(backup), "the backup takes nothing while tier 1 works: " + normal);
      Result status = Nb.run(lab, "status");
      assertTrue(status.stdout().contains("failover tier 2"), status.stdout());

      lab.carrierDown(1);
      Await.until(REACT, "wan1 out, wan2 alone", () -> Nb.balanced(lab).equals(Set.of("wan2")));
      lab.carrierDown(2);
      long failoverMs = Await.until(REACT, "the backup alone", () -> Nb.balanced(lab).equals(Set.of("wan3")));
      Nb.waitForLog(daemon, "failover tier 1 -> 2: new connections go to wan3", REACT);
      try (HeldConnections onBackup = lab.hold(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 50)) {
        assertEquals(50, onBackup.opened().from(backup), onBackup.opened().toString());

        lab.carrierUp(1);
        long failbackMs = Await.until(Duration.ofSeconds(5), "wan1 back, the backup out",
            () -> Nb.balanced(lab).equals(Set.of("wan1")));
        LoadReport fresh = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 100);
        assertEquals(100, fresh.from(lab.ispPublicAddress(1)), "new connections go back to tier 1: " + fresh);
        assertEquals(50, onBackup.check().from(backup), "every connection on the backup survives the failback");
        Await.until(REACT, "hooks told", () -> Await.textOf(events).contains("wan1 up tier 1, now [wan1]"));
        String told = Await.textOf(events);
        assertTrue(told.contains("wan2 down tier 1, now [wan3]"), "a hook sees the backup take over: " + told);
        System.out.printf("tiers: tier 1 gone -> backup alone in LB_TABLE after %d ms; back after %d ms%n",
            failoverMs, failbackMs);
      }
    }
  }

  @Test
  void hundredFlapsEndInTheStateAFreshApplyMakesWithStableMemory() throws Exception {
    Map<String, String> env = env();
    // The flaps are damped (a hold-down from the third loss on); a short one that does not grow
    // lets the end state come within seconds. ReliabilityIT shows the damping with real numbers.
    env.put("FAILOVER_HOLD_DOWN", "1");
    env.put("FAILOVER_BACKOFF_BASE", "0");
    env.put("FAILOVER_BACKOFF_MAX", "1");
    try (Lab lab = Lab.create(3); LabProcess daemon = Nb.daemon(lab, env)) {
      long rssBefore = rssKb(daemon);
      long start = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        lab.carrierDown(2);
        Thread.sleep(25);
        lab.carrierUp(2);
        Thread.sleep(25);
      }
      // How long the test's own ip commands took is no property of the daemon (under CI load the
      // loop ran 12.8 s): printed, not asserted. What is asserted is the end state and memory.
      System.out.printf("100 flaps in %.1f s%n", (System.nanoTime() - start) / 1e9);
      Await.until(Duration.ofSeconds(5), "all three balanced", () -> Nb.balanced(lab).size() == 3);
      Thread.sleep(300);
      String daemonState = Nb.kernelDump(lab);
      long rssAfter = rssKb(daemon);
      assertTrue(rssAfter - rssBefore < 30_000, "RSS grew from " + rssBefore + " to " + rssAfter + " kB");
      stop(daemon);
      assertEquals(0, Nb.run(lab, env(), "apply").exitCode());
      assertEquals(daemonState, Nb.kernelDump(lab), "the daemon's state is what a fresh apply makes");
    }
  }

  @Test
  void killMinusNineThenRestartLosesNoConnectionAndAdoptsTheState() throws Exception {
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      LabProcess first = Nb.daemon(lab, env()); // killed below; the lab reaps it in any case
      try (HeldConnections conns = lab.hold(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 150)) {
        assertEquals(150, conns.opened().succeeded());
        String before = Nb.kernelDump(lab);
        signal(first, "KILL");
        first.waitFor(Duration.ofSeconds(5));
        assertEquals(before, Nb.kernelDump(lab), "kill -9 leaves the data plane standing");
        try (LabProcess second = Nb.daemon(lab, env())) {
          LoadReport after = conns.check();
          assertEquals(150, after.succeeded(), "no established connection lost: " + after);
          assertEquals(conns.opened().bySource(), after.bySource());
          String adopted = Nb.kernelDump(lab);
          assertEquals(before, adopted, "the new daemon adopted the state as it was");
          stop(second);
          assertEquals(0, Nb.run(lab, env(), "apply").exitCode());
          assertEquals(adopted, Nb.kernelDump(lab), "and it is what a fresh apply makes");
        }
      }
    }
  }

  @Test
  void aStopAfterHandoverLeavesTheDataPlaneToTheNextDaemonAndLosesNoConnection() throws Exception {
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      String pristine = Nb.kernelDump(lab);
      LabProcess first = Nb.daemon(lab, env());
      try (HeldConnections conns = lab.hold(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 150)) {
        assertEquals(150, conns.opened().succeeded());
        String before = Nb.kernelDump(lab);
        Result handover = Nb.run(lab, "handover");
        assertEquals(0, handover.exitCode(), handover.stderr());
        stop(first); // what a package upgrade's restart does: SIGTERM, exit 0
        assertEquals(before, Nb.kernelDump(lab), "a stop after handover leaves the data plane standing");
        try (LabProcess second = Nb.daemon(lab, env())) {
          LoadReport after = conns.check();
          assertEquals(150, after.succeeded(), "no established connection lost: " + after);
          assertEquals(conns.opened().bySource(), after.bySource());
          assertEquals(before, Nb.kernelDump(lab), "the new daemon adopted the state as it was");
          stop(second); // no handover asked of this one: it cleans up as always
          assertEquals(pristine, Nb.kernelDump(lab), "the next plain stop removes everything again");
        }
      }
    }
  }

  @Test
  void handoverWithoutADaemonFails() {
    try (Lab lab = Lab.create(2)) {
      assertEquals(1, Nb.run(lab, "handover").exitCode());
    }
  }

  @Test
  void ruleRouteAndNftTableDeletedBySomeoneElseAreRepaired() {
    try (Lab lab = Lab.create(2); LabProcess daemon = Nb.daemon(lab, env())) {
      String ns = lab.routerNs();
      String good = Nb.kernelDump(lab);
      lab.execCheck(ns, "ip", "rule", "del", "pref", "90");
      long ruleMs = Await.until(REACT, "rule 90 back", () -> Nb.kernelDump(lab).equals(good));
      lab.execCheck(ns, "ip", "route", "flush", "table", "101");
      long tableMs = Await.until(REACT, "table 101 back", () -> Nb.kernelDump(lab).equals(good));
      lab.execCheck(ns, "nft", "delete", "table", "inet", "net_balancer");
      long nftMs = Await.until(REACT, "nft table back", () -> Nb.kernelDump(lab).equals(good));
      System.out.printf("repair: rule %d ms, table %d ms, nft %d ms%n", ruleMs, tableMs, nftMs);
      stop(daemon);
    }
  }

  @Test
  void newUplinkJoinsAfterDebounceAndARenumberedOneKeepsWorking() throws Exception {
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      String ns = lab.routerNs();
      lab.execCheck(ns, "ip", "route", "del", "default", "dev", "wan3");
      try (LabProcess daemon = Nb.daemon(lab, env())) {
        assertEquals(Set.of("wan1", "wan2"), Nb.balanced(lab));
        lab.execCheck(ns, "ip", "route", "add", "default", "via", lab.gatewayAddress(3), "dev", "wan3", "metric", "103");
        long joinMs = Await.until(Duration.ofSeconds(5), "wan3 joins", () -> Nb.balanced(lab).contains("wan3"));
        assertTrue(joinMs >= 900, "a new uplink waits DEBOUNCE_TIME, joined after " + joinMs + " ms");
        LoadReport withThree = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 300);
        assertEquals(0, withThree.failed());
        assertTrue(withThree.from(lab.ispPublicAddress(3)) > 0, withThree.toString());

        // DHCP hands wan2 a new address: tables, rules and SNAT follow.
        lab.execCheck(ns, "ip", "addr", "del", lab.uplinkAddress(2) + "/24", "dev", "wan2");
        lab.execCheck(ns, "ip", "addr", "add", "198.18.2.5/24", "dev", "wan2");
        lab.execCheck(ns, "ip", "route", "add", "default", "via", lab.gatewayAddress(2), "dev", "wan2", "metric", "102");
        Await.until(Duration.ofSeconds(5), "rule for the new address",
            () -> lab.exec(ns, "ip", "rule").stdout().contains("from 198.18.2.5 lookup 102")
                && Nb.balanced(lab).contains("wan2"));
        LoadReport renumbered = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 300);
        assertEquals(0, renumbered.failed(), renumbered.toString());
        assertTrue(renumbered.from(lab.ispPublicAddress(2)) > 0, "the renumbered uplink carries traffic: " + renumbered);
        stop(daemon);
      }
    }
  }

  /** Before, a SIGHUP between the first apply and the handler was the JVM's default: exit. */
  @Test
  void aSighupWhileStartingIsAReloadAfterTheFirstApplyNotAnExit() throws Exception {
    try (Lab lab = Lab.create(2); LabProcess daemon = Nb.daemonUntil(lab, env(), "net-balancer starting")) {
      signal(daemon, "HUP");
      Nb.waitForLog(daemon, "first apply done", Duration.ofSeconds(30));
      Nb.waitForLog(daemon, "configuration reloaded", Duration.ofSeconds(10));
      assertTrue(daemon.isAlive(), "still running");
      assertEquals(Set.of("wan1", "wan2"), Nb.balanced(lab));
      stop(daemon);
    }
  }

  @Test
  void aSigtermWhileStartingStillCleansUpAndExitsZero() {
    try (Lab lab = Lab.create(2)) {
      String pristine = Nb.kernelDump(lab);
      try (LabProcess daemon = Nb.daemonUntil(lab, env(), "net-balancer starting")) {
        stop(daemon);
      }
      assertEquals(pristine, Nb.kernelDump(lab), "nothing of ours is left");
    }
  }

  /** Before, the shutdown hook's halt(0) turned a failed start into a success: no Restart=on-failure. */
  @Test
  void aStartThatFailsExitsNonZeroAndLeavesNothingOfOurs() throws Exception {
    Path notADirectory = Files.writeString(tmp.resolve("a-file"), "");
    try (Lab lab = Lab.create(2)) {
      String pristine = Nb.kernelDump(lab);
      Map<String, String> env = env();
      env.put("CONTROL_SOCKET", notADirectory.resolve("control.sock").toString());
      Result r = Nb.run(lab, env, "run");
      assertEquals(1, r.exitCode(), "a start that failed is a failure:\n" + r.stdout() + r.stderr());
      assertTrue(r.stderr().contains("CONTROL_SOCKET " + notADirectory.resolve("control.sock")),
          "the error names the setting and its value: " + r.stderr());
      assertEquals(pristine, Nb.kernelDump(lab), "the first apply was cleaned up");
    }
  }

  @Test
  void sighupWithABadConfigKeepsTheOldOneAndAGoodOneIsTaken() throws Exception {
    Path conf = Files.createTempFile("nb-daemon", ".conf");
    try (Lab lab = Lab.create(3)) {
      Files.writeString(conf, "UPLINK_WEIGHTS=\"wan1=3 wan2=1 wan3=1\"\nDEBOUNCE_TIME=1\nHEALTH_CHECK_ENABLED=false\n");
      // As under systemd's EnvironmentFile=: the environment repeats the file's start-time value.
      try (LabProcess daemon = Nb.daemon(lab, Map.of("UPLINK_WEIGHTS", "wan1=3 wan2=1 wan3=1"), "--config",
          conf.toString())) {
        assertEquals(3, weightOf(lab, "wan1"));
        Files.writeString(conf, "UPLINK_WEIGHTS=\"wan1=abc\"\n");
        signal(daemon, "HUP");
        String refused = Nb.waitForLog(daemon, "reload refused", Duration.ofSeconds(10));
        assertTrue(refused.contains("UPLINK_WEIGHTS"), refused);
        assertEquals(3, weightOf(lab, "wan1"), "the old configuration stays");
        Files.writeString(conf, "UPLINK_WEIGHTS=\"wan1=5 wan2=1 wan3=1\"\nDEBOUNCE_TIME=1\nHEALTH_CHECK_ENABLED=false\n");
        signal(daemon, "HUP");
        Nb.waitForLog(daemon, "configuration reloaded", Duration.ofSeconds(10));
        Await.until(REACT, "new weight applied", () -> weightOf(lab, "wan1") == 5);
        stop(daemon);
      }
    } finally {
      Files.deleteIfExists(conf);
    }
  }

  /**
   * Started under nohup, the JVM keeps SIGHUP ignored and installs no handler: a reload would be
   * lost without a word (the soak of 2026-12-07, started under nohup, found it). The daemon says so
   * at the start, and the signal neither reloads nor ends it.
   */
  @Test
  void aDaemonStartedWithSighupIgnoredSaysReloadWillNotWork() throws Exception {
    try (Lab lab = Lab.create(2)) {
      List<String> argv = new java.util.ArrayList<>(List.of("nohup"));
      argv.addAll(Nb.balancer(lab, env()).argv(List.of("-Dnetbalancer.log=stdout"), List.of("run")));
      try (LabProcess daemon = lab.start(lab.routerNs(), argv.toArray(String[]::new))) {
        String warning = Nb.waitForLog(daemon, "SIGHUP was ignored", Duration.ofSeconds(20));
        assertTrue(warning.contains("restart to apply"), warning);
        Nb.waitForLog(daemon, "first apply done", Duration.ofSeconds(20));
        signal(daemon, "HUP");
        Thread.sleep(1000);
        assertTrue(daemon.isAlive(), "an ignored SIGHUP does not end it");
        stop(daemon);
      }
    }
  }

  private static int weightOf(Lab lab, String dev) {
    for (var r : lab.ipJson(lab.routerNs(), "route", "show", "table", "200")) {
      for (var h : r.path("nexthops")) {
        if (h.path("dev").asText().equals(dev)) {
          return h.path("weight").asInt();
        }
      }
    }
    return -1;
  }
}
