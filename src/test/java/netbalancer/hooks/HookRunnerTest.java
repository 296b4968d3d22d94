package netbalancer.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.system.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookRunnerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path tmp;

  private Path hooksDir() throws IOException {
    return Files.createDirectories(tmp.resolve("hooks.d"));
  }

  private HookRunner runner(Path dir, String timeout) {
    return new HookRunner(Config.of(Map.of("HOOKS_DIR", dir.toString(), "HOOK_TIMEOUT", timeout)), Ticker.system());
  }

  private static Path script(Path dir, String name, String body, boolean executable) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
    return p;
  }

  /** A hook that appends its name and the event to {@code log}. */
  private static void logging(Path dir, String name, Path log) throws IOException {
    script(dir, name, "echo \"" + name + " $NB_INTERFACE $NB_STATE\" >> '" + log + "'", true);
  }

  @Test
  void theSixVariablesReachTheHook() throws Exception {
    Path dir = hooksDir();
    Path out = tmp.resolve("env.txt");
    script(dir, "50-env", "printf '%s|%s|%s|%s|%s|%s\\n' \"$NB_INTERFACE\" \"$NB_STATE\" \"$NB_PREVIOUS_STATE\" "
        + "\"$NB_REASON\" \"$NB_TIER\" \"$NB_BALANCED\" > '" + out + "'\necho \"PATH=$PATH\" >> '" + out + "'", true);
    try (HookRunner r = runner(dir, "5")) {
      r.fire("wan0", "down", "up", "3 probe rounds failed (timeout)", 1, List.of("lte0", "lte1"));
      assertTrue(r.awaitIdle(WAIT));
    }
    List<String> lines = Files.readAllLines(out);
    assertEquals("wan0|down|up|3 probe rounds failed (timeout)|1|lte0 lte1", lines.get(0));
    assertEquals("PATH=" + System.getenv("PATH"), lines.get(1), "the daemon's environment is kept");
  }

  @Test
  void theFamilyReachesTheHook() throws Exception {
    Path dir = hooksDir();
    Path out = tmp.resolve("family.txt");
    script(dir, "50-env", "echo \"$NB_INTERFACE $NB_FAMILY $NB_STATE [$NB_BALANCED]\" >> '" + out + "'", true);
    try (HookRunner r = runner(dir, "5")) {
      r.fire("wan0", "hold-down", "up", "2 probe rounds failed", 1, List.of("wan1"), "ipv6");
      r.fire("wan0", "down", "up", "carrier lost", 1, List.of("wan1"));
      assertTrue(r.awaitIdle(WAIT));
    }
    assertEquals(List.of("wan0 ipv6 hold-down [wan1]", "wan0 ipv4 down [wan1]"), Files.readAllLines(out));
  }

  @Test
  void aNewUplinkHasAnEmptyPreviousState() throws Exception {
    Path dir = hooksDir();
    Path out = tmp.resolve("env.txt");
    script(dir, "50-env", "echo \"[$NB_PREVIOUS_STATE]\" > '" + out + "'", true);
    try (HookRunner r = runner(dir, "5")) {
      r.fire("wan0", "up", null, "found", 1, List.of("wan1"));
      assertTrue(r.awaitIdle(WAIT));
    }
    assertEquals("[]", Files.readString(out).strip());
  }

  @Test
  void hooksRunInNameOrderAndEventsInTheOrderFired() throws Exception {
    Path dir = hooksDir();
    Path log = tmp.resolve("order.txt");
    logging(dir, "20-b", log);
    logging(dir, "05-c", log);
    logging(dir, "10-a", log);
    try (HookRunner r = runner(dir, "5")) {
      r.fire("wan0", "down", "up", "carrier lost", 1, List.of("wan1"));
      r.fire("wan1", "up", "down", "recovered", 1, List.of("wan1"));
      assertTrue(r.awaitIdle(WAIT));
    }
    assertEquals(List.of("05-c wan0 down", "10-a wan0 down", "20-b wan0 down",
        "05-c wan1 up", "10-a wan1 up", "20-b wan1 up"), Files.readAllLines(log));
  }

  @Test
  void onlyExecutableRegularFilesWithOrdinaryNamesRun() throws Exception {
    Path dir = hooksDir();
    Path log = tmp.resolve("ran.txt");
    logging(dir, "10-runs", log);
    script(dir, "20-not-executable", "echo 20-not-executable >> '" + log + "'", false);
    logging(dir, ".hidden", log);
    logging(dir, "30-backup~", log);
    logging(dir, "40-hook.dpkg-old", log);
    logging(dir, "50-hook.dpkg-dist", log);
    Files.createDirectories(dir.resolve("60-a-directory"));
    Files.createSymbolicLink(dir.resolve("70-link"), dir.resolve("10-runs"));
    try (HookRunner r = runner(dir, "5")) {
      r.fire("wan0", "up", "down", "ok", 1, List.of("wan1"));
      assertTrue(r.awaitIdle(WAIT));
    }
    assertEquals(List.of("10-runs wan0 up", "10-runs wan0 up"), Files.readAllLines(log),
        "10-runs, then 70-link which points at it");
  }

  @Test
  void aHookThatSleepsForeverIsKilledAtItsTimeoutWithoutDelayingTheCaller() throws Exception {
    Path dir = hooksDir();
    Path pids = tmp.resolve("pids.txt");
    Path after = tmp.resolve("after.txt");
    // the shell and its sleeping child: both must go
    script(dir, "10-stuck", "echo $$ > '" + pids + "'\nsleep 100000 &\necho $! >> '" + pids + "'\nwait", true);
    script(dir, "20-after", "date +%s%N > '" + after + "'", true);
    try (HookRunner r = runner(dir, "0.3")) {
      long t0 = System.nanoTime();
      r.fire("wan0", "down", "up", "timeout", 1, List.of("wan1"));
      long fireMillis = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(fireMillis < 50, "fire() took " + fireMillis + " ms");

      // the next event is only queued behind it, and fire() still returns at once
      long t1 = System.nanoTime();
      r.fire("wan1", "up", "down", "recovered", 1, List.of("wan1"));
      assertTrue((System.nanoTime() - t1) / 1_000_000 < 50);

      assertTrue(r.awaitIdle(WAIT));
      long elapsed = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(Files.exists(after), "the next hook ran");
      assertTrue(elapsed >= 300, "killed at the timeout, not before: " + elapsed + " ms");
      assertTrue(elapsed < 5000, "killed at the timeout, not much after: " + elapsed + " ms");
    }
    List<String> lines = Files.readAllLines(pids);
    assertEquals(2, lines.size(), "the hook wrote its pid and its child's");
    for (String pid : lines) {
      assertTrue(dead(Long.parseLong(pid.strip())), "pid " + pid + " still runs");
    }
  }

  @Test
  void anOrphanedGrandchildDiesWithItsHookAtTheTimeout() throws Exception {
    Path dir = hooksDir();
    Path pids = tmp.resolve("orphan.txt");
    // the subshell exits at once: its sleep is re-parented to init, no longer the hook's descendant
    script(dir, "10-orphan", "(sleep 100000 & echo $! > '" + pids + "')\nsleep 100000", true);
    try (HookRunner r = runner(dir, "0.5")) {
      r.fire("wan0", "down", "up", "timeout", 1, List.of("wan1"));
      assertTrue(r.awaitIdle(WAIT));
    }
    long orphan = Long.parseLong(Files.readString(pids).strip());
    assertTrue(dead(orphan), "the orphaned grandchild " + orphan + " was killed with the hook's process group");
  }

  @Test
  void hooksOthersCouldHaveWrittenAreRefusedAndEachIsLoggedOnce() throws Exception {
    Path dir = hooksDir();
    Path ran = tmp.resolve("ran.txt");
    logging(dir, "10-good", ran);
    logging(dir, "20-world-writable", ran);
    Files.setPosixFilePermissions(dir.resolve("20-world-writable"), PosixFilePermissions.fromString("rwxrwxrwx"));
    logging(dir, "30-group-writable", ran);
    Files.setPosixFilePermissions(dir.resolve("30-group-writable"), PosixFilePermissions.fromString("rwxrwxr-x"));
    logging(dir, "40-not-roots", ran);
    Files.setAttribute(dir.resolve("40-not-roots"), "unix:uid", 65534);
    Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
    logging(outside, "evil", ran);
    Files.createSymbolicLink(dir.resolve("50-link-out"), outside.resolve("evil"));
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    netbalancer.log.Log.setOutput(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
    try (HookRunner r = runner(dir, "5")) {
      r.fire("wan0", "up", "down", "ok", 1, List.of("wan1"));
      r.fire("wan0", "down", "up", "ok", 1, List.of("wan1"));
      assertTrue(r.awaitIdle(WAIT));
    } finally {
      netbalancer.log.Log.setOutput(System.err);
    }
    assertEquals(List.of("10-good wan0 up", "10-good wan0 down"), Files.readAllLines(ran), "only the good one ran");
    String text = log.toString(java.nio.charset.StandardCharsets.UTF_8);
    for (String why : List.of("refusing 20-world-writable: " + dir.resolve("20-world-writable")
        + " is writable by everyone (mode 0777)", "refusing 30-group-writable: " + dir.resolve("30-group-writable")
        + " is writable by its group", "refusing 40-not-roots: " + dir.resolve("40-not-roots") + " is owned by uid 65534",
        "refusing 50-link-out: a symlink to " + outside.toRealPath().resolve("evil") + ", outside the hooks directory")) {
      assertEquals(1, text.split(java.util.regex.Pattern.quote(why), -1).length - 1, "once: " + why + "\n" + text);
    }
  }

  @Test
  void aHooksDirectoryOthersCanWriteRefusesEveryHookInIt() throws Exception {
    Path dir = hooksDir();
    Path ran = tmp.resolve("ran.txt");
    logging(dir, "10-good", ran);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    netbalancer.log.Log.setOutput(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
    try (HookRunner r = runner(dir, "5")) {
      r.fire("wan0", "up", "down", "ok", 1, List.of("wan1"));
      assertTrue(r.awaitIdle(WAIT));
    } finally {
      netbalancer.log.Log.setOutput(System.err);
    }
    assertTrue(!Files.exists(ran), "nothing ran");
    String text = log.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(text.contains("hooks: refusing every hook in " + dir + ": " + dir + " is writable by everyone"), text);
  }

  /**
   * Whether the process is gone or a zombie (killed, waiting for its parent, or for init when
   * orphaned, to reap it: slow in some containers). Waits a little for SIGKILL to land.
   */
  private static boolean dead(long pid) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      String stat;
      try {
        stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      } catch (IOException e) {
        return true;
      }
      if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  @Test
  void aFailingHookDoesNotStopTheOthers() throws Exception {
    Path dir = hooksDir();
    Path log = tmp.resolve("ran.txt");
    script(dir, "10-fails", "exit 3", true);
    Files.writeString(dir.resolve("15-no-interpreter"), "no shebang, not runnable\n");
    Files.setPosixFilePermissions(dir.resolve("15-no-interpreter"), PosixFilePermissions.fromString("rwxr-xr-x"));
    logging(dir, "20-runs", log);
    try (HookRunner r = runner(dir, "5")) {
      r.fire("wan0", "down", "up", "x", 1, List.of("wan1"));
      assertTrue(r.awaitIdle(WAIT));
    }
    assertEquals(List.of("20-runs wan0 down"), Files.readAllLines(log));
  }

  @Test
  void aMissingDirectoryMeansNoHooks() throws Exception {
    try (HookRunner r = runner(tmp.resolve("absent"), "5")) {
      r.fire("wan0", "down", "up", "x", 1, List.of("wan1"));
      assertTrue(r.awaitIdle(WAIT));
    }
  }

  @Test
  void aFullQueueDropsEventsInsteadOfBlocking() throws Exception {
    Path dir = hooksDir();
    Path log = tmp.resolve("ran.txt");
    script(dir, "10-slow", "echo \"$NB_INTERFACE\" >> '" + log + "'\nsleep 0.2", true);
    try (HookRunner r = new HookRunner(dir, Duration.ofSeconds(5), 2, Ticker.system())) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        r.fire("wan" + i, "down", "up", "x", 1, List.of("wan1"));
      }
      assertTrue((System.nanoTime() - t0) / 1_000_000 < 200, "fire() never waits for room");
      assertTrue(r.awaitIdle(WAIT));
    }
    List<String> ran = Files.readAllLines(log);
    assertTrue(ran.size() >= 1 && ran.size() <= 4, "one running, two queued, the rest dropped: " + ran);
    assertEquals("wan0", ran.get(0));
  }

  @Test
  void closeKillsTheRunningHook() throws Exception {
    Path dir = hooksDir();
    Path pids = tmp.resolve("pids.txt");
    script(dir, "10-stuck", "echo $$ > '" + pids + "'\nexec sleep 100000", true);
    HookRunner r = runner(dir, "60");
    r.fire("wan0", "down", "up", "x", 1, List.of("wan1"));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while ((!Files.exists(pids) || Files.readString(pids).isBlank()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    long pid = Long.parseLong(Files.readString(pids).strip());
    long t0 = System.nanoTime();
    r.close();
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 3000);
    assertTrue(dead(pid), "killed on close");
  }
}
