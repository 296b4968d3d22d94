package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import netbalancer.system.ProcessRunner;
import netbalancer.lab.JvmFlags;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test harness and the lab demo as users run them: the real jar, real signals. Host-mode
 * scenarios run inside a lab's router namespace that the test owns, so "the host" here is a
 * throw-away namespace; --lab runs and the demo build their own labs, and the test proves they
 * removed them and every process in them.
 */
@ExtendWith(HostGuard.class)
class HarnessIT {
  private static final Pattern LAB_PREFIX = Pattern.compile("(nblab-\\d+-[0-9a-f]{4}-)");

  /** The daemon's and the harness's settings in a test-owned lab: fast checks, short hold-down. */
  private static Map<String, String> fast() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEBOUNCE_TIME", "1");
    env.put("HEALTH_CHECK_INTERVAL", "1");
    env.put("HEALTH_CHECK_FAST_INTERVAL", "1");
    env.put("HEALTH_CHECK_TIMEOUT", "1");
    env.put("FAILOVER_HOLD_DOWN", "2");
    env.put("FAILOVER_BACKOFF_BASE", "1");
    env.put("FAILOVER_BACKOFF_MAX", "4");
    env.put("RESYNC_INTERVAL", "5");
    env.put("HOOKS_DIR", "/nonexistent/net-balancer-hooks");
    return env;
  }

  @Test
  void comprehensiveInTheLabPassesWellUnderTwoMinutesAndLeavesNothing() throws Exception {
    long t0 = System.nanoTime();
    try (Cli cli = Cli.start("test", "comprehensive", "--lab")) {
      LabTrace lab = LabTrace.of(cli.awaitLine("lab: nblab-", Duration.ofSeconds(60)));
      assertEquals(0, cli.waitFor(Duration.ofSeconds(150)), cli.output());
      double seconds = (System.nanoTime() - t0) / 1e9;
      String out = cli.output();
      for (String s : List.of("status", "down-up wan2", "flap wan2", "neighbor-fail wan3", "health-block")) {
        assertTrue(out.contains("PASS  " + s), "no PASS line for " + s + ":\n" + out);
      }
      assertFalse(out.contains("FAIL "), out);
      assertTrue(out.contains("6 passed, 0 failed, 0 skipped"), out);
      assertTrue(seconds < 120, "comprehensive --lab took " + seconds + " s");
      lab.assertGone();
      System.out.printf("comprehensive --lab: %.1f s%n%s", seconds, out.substring(out.indexOf("== report")));
    }
  }

  @Test
  void ctrlCDuringALabDownUpRemovesTheLabAndEveryProcessInIt() throws Exception {
    try (Cli cli = Cli.start("test", "down-up", "wan2", "30", "--lab")) {
      LabTrace lab = LabTrace.of(cli.awaitLine("lab: nblab-", Duration.ofSeconds(60)));
      cli.awaitLine("fault: wan2", Duration.ofSeconds(60));
      cli.interrupt();
      assertEquals(cli.interruptExitCode(), cli.waitFor(Duration.ofSeconds(20)), cli.output());
      lab.assertGone();
    }
  }

  @Test
  void ctrlCDuringDownUpOnAHostPutsTheInterfaceItsRoutesAndTheBalanceBack() {
    try (Lab lab = Lab.create(3); LabProcess daemon = Nb.daemon(lab, fast())) {
      String ns = lab.routerNs();
      Await.until(Duration.ofSeconds(10), "all balanced", () -> Nb.balanced(lab).size() == 3);
      String mainBefore = lab.exec(ns, "ip", "route", "show", "table", "main").stdout();
      LabProcess cli = lab.start(ns, Nb.argv(lab, fast(), "test", "down-up", "wan2", "30").toArray(String[]::new));
      Nb.waitForLog(cli, "fault: wan2 down", Duration.ofSeconds(30));
      Await.until(Duration.ofSeconds(5), "wan2 admin down", () -> !lab.linkFlags(ns, "wan2").contains("UP"));
      assertFalse(lab.exec(ns, "ip", "route", "show", "table", "main").stdout().contains("dev wan2"),
          "the kernel dropped wan2's routes with the link");

      boolean ignored = sigintIgnored(cli.pid());
      signal(cli.pid(), ignored ? "TERM" : "INT");
      assertEquals(ignored ? 143 : 130, cli.waitFor(Duration.ofSeconds(20)), "the CLI exits as interrupted");
      assertTrue(lab.linkFlags(ns, "wan2").contains("UP"), "wan2 is up again");
      assertEquals(mainBefore, lab.exec(ns, "ip", "route", "show", "table", "main").stdout(),
          "wan2's default route (metric 102) and connected route are back");
      assertFalse(lab.exec(ns, "nft", "list", "tables").stdout().contains("net_balancer_harness"));
      Await.until(Duration.ofSeconds(10), "wan2 balanced again", () -> Nb.balanced(lab).contains("wan2"));
      stop(daemon);
    }
  }

  /**
   * neighbor-fail --ipv6 on a host with dual-stack uplinks, for both kinds of IPv6 gateway: wan1's
   * is link-local (fe80::1), wan2's global (2001:db8:2::1). Each run passes only if that uplink's
   * IPv6 side left LB_TABLE's IPv6 route while its IPv4 side and the other uplink stayed, and
   * came back; afterwards the router is as before and no harness table is left.
   */
  @Test
  void neighborFailIpv6OnAHostTakesOutOnlyTheIpv6SideForALinkLocalAndAGlobalGateway() {
    Map<String, String> env = fast();
    env.put("HEALTH_PROBE_TARGETS", Lab.SERVER_ADDRESS + " " + Lab.SERVER_ADDRESS6);
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build(); LabProcess servers = lab.startServers();
        LabProcess daemon = Nb.daemon(lab, env)) {
      String ns = lab.routerNs();
      Await.until(Duration.ofSeconds(20), "both uplinks in both routes",
          () -> DualStackHealthIT.devs(lab, "-4").size() == 2 && DualStackHealthIT.devs(lab, "-6").size() == 2);
      String before = Nb.kernelDump(lab);
      for (int i = 1; i <= 2; i++) {
        String uplink = lab.uplinkName(i);
        var r = lab.exec(ns, Nb.argv(lab, env, "test", "neighbor-fail", uplink, "3", "--ipv6"), null,
            Duration.ofSeconds(90));
        String out = r.stdout();
        System.out.println(out);
        assertEquals(0, r.exitCode(), out + r.stderr());
        assertTrue(out.contains("PASS  neighbor-fail " + uplink + " 3 --ipv6"), out);
        assertTrue(out.contains("NDP from IPv6 gateway " + lab.gatewayAddress6(i) + " on " + uplink), out);
        assertTrue(out.contains("LB_TABLE IPv6: " + lab.uplinkName(3 - i)), "only the other one left: " + out);
      }
      assertFalse(lab.exec(ns, "nft", "list", "tables").stdout().contains("net_balancer_harness"));
      try {
        Await.until(Duration.ofSeconds(10), "the state from before",
            () -> sorted(Nb.kernelDump(lab)).equals(sorted(before)));
      } catch (AssertionError e) {
        assertEquals(sorted(before), sorted(Nb.kernelDump(lab)), "the router as it was before the scenarios");
      }
      stop(daemon);
    }
  }

  @Test
  void comprehensiveOnAHostRestoresEverythingItTouched() {
    try (Lab lab = Lab.create(3); LabProcess daemon = Nb.daemon(lab, fast())) {
      String ns = lab.routerNs();
      Await.until(Duration.ofSeconds(10), "all balanced", () -> Nb.balanced(lab).size() == 3);
      String before = Nb.kernelDump(lab);
      var r = lab.exec(ns, Nb.argv(lab, fast(), "test", "comprehensive"), null, Duration.ofSeconds(150));
      String out = r.stdout();
      System.out.println(out);
      assertEquals(0, r.exitCode(), out + r.stderr());
      assertTrue(out.contains("connections not measured"), "a host run says it measured no connections");
      for (String s : List.of("down-up", "flap", "neighbor-fail", "health-block")) {
        assertTrue(out.contains("PASS  " + s), "no PASS line for " + s + ":\n" + out);
      }
      // Re-created rules and routes may come back in another order: compare each section as a set.
      try {
        Await.until(Duration.ofSeconds(10), "the state from before",
            () -> sorted(Nb.kernelDump(lab)).equals(sorted(before)));
      } catch (AssertionError e) {
        assertEquals(sorted(before), sorted(Nb.kernelDump(lab)), "the router as it was before the scenarios");
      }
      assertFalse(lab.exec(ns, "nft", "list", "tables").stdout().contains("net_balancer_harness"));
      stop(daemon);
    }
  }

  @Test
  void theLastWorkingUplinkAndNonUplinksAreRefusedWithoutForce() {
    try (Lab lab = Lab.create(1); LabProcess daemon = Nb.daemon(lab, fast())) {
      String ns = lab.routerNs();
      String before = Nb.kernelDump(lab);
      for (String[] args : new String[][] {{"down-up", "wan1", "5"}, {"flap", "lan0", "2"},
          {"neighbor-fail", "wan1"}, {"health-block", "5", "--iface", "wan1"}}) {
        List<String> argv = new ArrayList<>(List.of("test"));
        argv.addAll(List.of(args));
        var r = lab.exec(ns, Nb.argv(lab, fast(), argv.toArray(String[]::new)), null, Duration.ofSeconds(60));
        assertEquals(3, r.exitCode(), String.join(" ", args) + ": " + r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("refused:") && r.stdout().contains("nothing was changed"), r.stdout());
      }
      assertTrue(lab.linkFlags(ns, "wan1").contains("UP"));
      assertEquals(before, Nb.kernelDump(lab));
      stop(daemon);
    }
  }

  @Test
  void theLabDemoRunsToTheEndInUnderAMinuteAndLeavesNothing() throws Exception {
    long t0 = System.nanoTime();
    try (Cli cli = Cli.start("lab")) {
      LabTrace lab = LabTrace.of(cli.awaitLine("namespaces nblab-", Duration.ofSeconds(60)));
      assertEquals(0, cli.waitFor(Duration.ofSeconds(90)), cli.output());
      double seconds = (System.nanoTime() - t0) / 1e9;
      String out = cli.output();
      for (String step : List.of("== 1.", "== 2.", "== 3. Pulling wan2", "== 4. Blackholing", "== 5.", "== 6.")) {
        assertTrue(out.contains(step), "no step " + step + ":\n" + out);
      }
      assertTrue(out.contains("wan2 left LB_TABLE") && out.contains("wan3 left LB_TABLE"), out);
      assertTrue(out.contains("balanced again"), out);
      assertTrue(out.contains("no namespace and no process left behind"), out);
      assertTrue(seconds < 60, "lab took " + seconds + " s");
      lab.assertGone();
      System.out.printf("lab demo: %.1f s%n", seconds);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A kernel dump with the lines of each "## command" section sorted. */
  private static String sorted(String dump) {
    StringBuilder out = new StringBuilder();
    for (String section : dump.split("(?m)^(?=## )")) {
      List<String> lines = new ArrayList<>(section.lines().toList());
      if (!lines.isEmpty()) {
        out.append(lines.remove(0)).append('\n');
      }
      lines.stream().sorted().forEach(l -> out.append(l).append('\n'));
    }
    return out.toString();
  }

  private static boolean signal(long pid, String sig) {
    return new ProcessRunner().run("kill", "-" + sig, Long.toString(pid)).ok();
  }

  /**
   * Whether {@code pid} was started with SIGINT ignored (a runner under nohup, or a background job
   * of a non-interactive shell): the JVM then cannot catch it, and SIGTERM, which runs the same
   * restore path, stands in.
   */
  private static boolean sigintIgnored(long pid) {
    try {
      Optional<String> ign = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
          .filter(l -> l.startsWith("SigIgn:")).findFirst();
      return ign.isPresent() && (Long.parseLong(ign.get().substring(7).trim(), 16) & 2) != 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static void stop(LabProcess daemon) {
    signal(daemon.pid(), "TERM");
    assertEquals(0, daemon.waitFor(Duration.ofSeconds(15)), "daemon exits cleanly on SIGTERM");
  }

  /** The namespaces of a lab the CLI built, seen while they exist, so their removal can be proved. */
  private record LabTrace(String prefix, Set<String> inodes) {
    static LabTrace of(String line) {
      Matcher m = LAB_PREFIX.matcher(line);
      assertTrue(m.find(), "no lab prefix in: " + line);
      String prefix = m.group(1);
      Set<String> inodes = new HashSet<>();
      for (String ns : Lab.listNamespaces()) {
        if (ns.startsWith(prefix)) {
          try {
            inodes.add(Files.getAttribute(Path.of("/run/netns", ns), "unix:ino").toString());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
      assertEquals(6, inodes.size(), "the lab's 6 namespaces exist while it runs");
      return new LabTrace(prefix, inodes);
    }

    /** No namespace of the lab, no process in any of them, no state directory. */
    void assertGone() throws IOException {
      assertTrue(Lab.listNamespaces().stream().noneMatch(ns -> ns.startsWith(prefix)), Lab.listNamespaces().toString());
      List<String> inside = new ArrayList<>();
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        procs.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
          try {
            String link = Files.readSymbolicLink(p.resolve("ns/net")).toString(); // net:[4026532246]
            if (inodes.contains(link.replaceAll("\\D", ""))) {
              inside.add(p.getFileName().toString());
            }
          } catch (IOException | SecurityException e) {
            // the process exited meanwhile
          }
        });
      }
      assertEquals(List.of(), inside, "processes left in the lab's namespaces");
      assertFalse(Files.exists(Path.of("/tmp", prefix + "state")), "state directory left behind");
    }
  }

  /** The CLI run from the host namespace, its output read line by line as it comes. */
  private static final class Cli implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer all = new StringBuffer();

    private final Thread reader = new Thread(this::pump, "cli-out");

    private Cli(Process process) {
      this.process = process;
      reader.setDaemon(true);
      reader.start();
    }

    static Cli start(String... args) throws IOException {
      List<String> argv = new ArrayList<>(JvmFlags.of(Lab.jarPath()).javaJar(Lab.jarPath())); // as the launcher runs it
      argv.addAll(List.of(args));
      return new Cli(new ProcessBuilder(argv).redirectErrorStream(true).start());
    }

    private void pump() {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          System.out.println("  | " + line);
          all.append(line).append('\n');
          lines.add(line);
        }
      } catch (IOException e) {
        // ended
      }
    }

    String awaitLine(String contains, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (true) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line == null && (System.nanoTime() > deadline || !reader.isAlive() && lines.isEmpty())) {
          throw new AssertionError("no line with '" + contains + "' within " + limit.toSeconds() + " s"
              + (process.isAlive() ? "" : " (it exited)") + ":\n" + all);
        }
        if (line != null && line.contains(contains)) {
          return line;
        }
      }
    }

    /** SIGINT, as Ctrl-C sends it (see {@link #sigintIgnored}). */
    void interrupt() {
      signal(process.pid(), sigintIgnored(process.pid()) ? "TERM" : "INT");
    }

    int interruptExitCode() {
      return sigintIgnored(process.pid()) ? 143 : 130;
    }

    int waitFor(Duration limit) throws InterruptedException {
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("still running after " + limit.toSeconds() + " s:\n" + all);
      }
      reader.join(5000); // the last lines
      return process.exitValue();
    }

    String output() {
      return all.toString();
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroy(); // SIGTERM: the CLI removes its lab in its shutdown hooks
        try {
          process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
      }
    }
  }
}
