import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import netbalancer.bench.FeedRoutes;
import netbalancer.bench.ProcessCpu;
import netbalancer.lab.HeldConnections;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;
import netbalancer.lab.LabDaemon;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;

/**
 * A busy router's day in MINUTES minutes: the daemon in one lab, with ROUTES routes in the router's
 * main table, a route feed (50 changes a second), new flows from the LAN (700 a second: tens of
 * thousands tracked), 30 held connections, health checks every 3 s, hysteresis on (hold-down 20 s,
 * backoff 10 s to 60 s), and an operator's cycle, faults on wan3 only, until the time is up: a 15 s
 * blackhole under traffic, a SIGHUP (alternately of an unchanged and of a re-weighted file), the
 * read-only CLI commands, a 0.5 s carrier blip, an 8 s carrier loss, 1 s flaps for 10 s, then a
 * wait until the damped wan3 is back in LB_TABLE. Not part of CI; run as root from the repository after
 * {@code mvn -B -DskipTests package}:
 *
 * <pre>java -cp target/net-balancer.jar bench/tools/Soak.java MINUTES [ROUTES]</pre>
 *
 * Routes are /28s of 240.0.0.0/4 (routes only: no packet is sent to them), as the bench's
 * route-scale section loads them. Every 30 s a sample of the daemon: RSS (and of it the JIT's
 * code cache), threads, open fds, CPU (children included) and the router's conntrack count.
 * Checks, PASS/FAIL each, exit 1 on any FAIL: no held connection on wan1/wan2 ever breaks, new
 * connections work in each cycle, every blackhole of wan3 in service takes it out of LB_TABLE
 * within 15 s, it is back after each cycle (150 s at most), every SIGHUP is logged as a reload,
 * every CLI command exits 0, no ERROR / Exception / Error line and no warning of the JVM's in the
 * daemon's log (WARN lines are listed), no growth of threads, fds or RSS after warm-up, a peak
 * RSS of at most 80 MB, and after the daemon stops no rule, route or nft table of ours is left
 * while main keeps its ROUTES routes.
 * The daemon's whole log is kept in a temporary file, named at the end.
 */
public class Soak {
  private static final int FAULTY = 3;
  private static final int HELD = 30;
  private static final int FLOWS_PER_SECOND = 700;
  private static final int FEED_PER_SECOND = 50;
  private static final long START = System.nanoTime();
  private static final Map<String, String> CHECKS = new java.util.LinkedHashMap<>();
  private static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());
  private static final List<Sample> SAMPLES = Collections.synchronizedList(new ArrayList<>());
  private static volatile boolean running = true;

  private static Lab lab;
  private static LabBalancer nb;
  private static LabDaemon daemon;
  private static HeldConnections held;
  private static Path conf;
  private static String base;
  // worst count of held connections found dead on wan1/wan2; new connections failed; SIGHUPs sent and logged; CLI runs
  private static int broken, newFailed, hups, reloads, commands, commandsFailed;
  // blackholes of wan3 in service and those that took it out; cycles after which it did not return
  private static int blackholes, detected, stuck;
  private static long deadline;

  record Sample(long secs, long rssKb, long codeKb, long threads, long fds, long ticks, long tracked) {
  }

  interface Step {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int routes = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    say("soak %d min, %d routes; load average at start: %s", minutes, routes, Files.readString(Path.of("/proc/loadavg")).strip());
    Path dir = Files.createTempDirectory("nb-soak");
    Path hooks = Files.createDirectory(dir.resolve("hooks.d"));
    Files.writeString(hooks.resolve("10-record"), "#!/bin/sh\necho \"$NB_INTERFACE $NB_PREVIOUS_STATE->$NB_STATE\" >> "
        + dir.resolve("hook-events") + "\n");
    hooks.resolve("10-record").toFile().setExecutable(true);
    Files.writeString(dir.resolve("policies.conf"), "");
    conf = dir.resolve("net-balancer.conf");
    base = "HEALTH_CHECK_INTERVAL=3\nHEALTH_CHECK_TIMEOUT=2\nFAILOVER_HOLD_DOWN=20\nFAILOVER_BACKOFF_BASE=10\n"
        + "FAILOVER_BACKOFF_MAX=60\nMETRICS_ENABLED=true\nMETRICS_FILE=" + dir.resolve("metrics.prom") + "\nHOOKS_DIR=" + hooks
        + "\nPOLICIES_FILE=" + dir.resolve("policies.conf") + "\n";
    Files.writeString(conf, base);
    Path daemonLog = Files.createTempFile("soak-daemon", ".log");
    deadline = START + minutes * 60_000_000_000L;
    String prefix;
    List<Long> pids = new ArrayList<>();
    try (Lab created = Lab.create(3)) {
      lab = created;
      prefix = lab.prefix();
      say("%d routes loaded in %.1f s", routes, FeedRoutes.load(lab, routes));
      nb = LabBalancer.in(lab);
      try (LabProcess servers = lab.startServers(); LabDaemon started = nb.start("--config", conf.toString())) {
        daemon = started;
        Thread reader = readLog();
        nb.awaitBalanced(3, Duration.ofSeconds(30));
        lab.execCheck(lab.routerNs(), "sysctl", "-qw", "net.netfilter.nf_conntrack_udp_timeout=60");
        try (HeldConnections h = lab.hold(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, HELD);
            LabProcess flows = lab.startJava(lab.clientNs(), "netbalancer.bench.FlowMaker", Lab.SERVER_ADDRESS, "0",
                Integer.toString(FLOWS_PER_SECOND));
            LabProcess feed = lab.start(lab.routerNs(), "ip", "-force", "-batch", "-")) {
          held = h;
          LoadReport opened = held.opened();
          say("daemon pid %d; held %d connections: %s", daemon.pid(), HELD, byUplink(opened.bySource()));
          flows.readLine(Duration.ofSeconds(30));
          pids.addAll(List.of(daemon.pid(), held.pid(), flows.pid(), feed.pid(), servers.pid()));
          // The feed changes the loaded routes only: main must end with exactly ROUTES of them.
          Thread churn = new Thread(() -> feed(feed, routes), "feed");
          churn.setDaemon(true);
          if (routes > 0) {
            churn.start();
          }
          ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
          sampler.scheduleAtFixedRate(() -> SAMPLES.add(sample()), 0, 30, TimeUnit.SECONDS);
          int cycle = 0;
          while (System.nanoTime() < deadline && daemon.isAlive()) {
            cycle++;
            for (var op : cycle(cycle % 2 == 0)) {
              if (System.nanoTime() > deadline || !daemon.isAlive()) {
                break;
              }
              long t0 = System.nanoTime();
              say("cycle %d: %s", cycle, op.getKey());
              op.getValue().run();
              say("cycle %d: %s done in %.1f s; LB_TABLE %s", cycle, op.getKey(), (System.nanoTime() - t0) / 1e9, nb.balanced());
              Thread.sleep(4000);
            }
          }
          sampler.shutdown();
          sampler.awaitTermination(60, TimeUnit.SECONDS);
          SAMPLES.add(sample());
          LoadReport end = held.check();
          int endBroken = 0;
          for (int i = 1; i <= 2; i++) {
            endBroken += Math.max(opened.from(lab.ispPublicAddress(i)) - end.from(lab.ispPublicAddress(i)), 0);
          }
          check("held connections on wan1/wan2 all echo", broken == 0 && endBroken == 0, "opened "
              + byUplink(opened.bySource()) + ", alive at end " + byUplink(end.bySource()) + ", broken on wan1/wan2 "
              + endBroken + " (worst check during the run " + broken + ")");
          check("new connections in each cycle", newFailed == 0, newFailed + " failed over " + cycle + " cycles");
          check("blackholes of wan3 in service detected", blackholes > 0 && detected == blackholes, detected + " of "
              + blackholes + " within 15 s");
          check("wan3 back in LB_TABLE after each cycle", stuck == 0, stuck + " cycle(s) without it after 150 s");
          check("every SIGHUP reloaded", hups == reloads, reloads + " of " + hups + " logged a reload");
          check("every CLI command exits 0", commandsFailed == 0, commandsFailed + " of " + commands + " failed");
          check("daemon alive to the end", daemon.isAlive(), "pid " + daemon.pid());
          running = false;
          churn.join(2000);
          feed.closeStdin();
          feed.waitFor(Duration.ofSeconds(10));
          flows.closeStdin();
          Path events = dir.resolve("hook-events");
          say("%d cycles; hook events: %d", cycle, Files.exists(events) ? Files.readAllLines(events).size() : 0);
          say("ours while running: %s", ours());
          daemon.close();
          reader.join(20_000);
          say("daemon exit %d", daemon.process().waitFor(Duration.ZERO));
          String left = ours();
          check("nothing of ours left after stop", left.equals("rules 0, routes 0, LB_TABLE 0, nft tables 0"), left);
          String main = lab.exec(lab.routerNs(), "sh", "-c", "ip -4 route show table main proto bird | wc -l").stdout().strip();
          check("main keeps its routes", main.equals(Integer.toString(routes)), main + " of " + routes + " feed routes in main");
        }
      }
    }
    Files.write(daemonLog, List.copyOf(LOG));
    report();
    boolean gone = Lab.listNamespaces().stream().noneMatch(ns -> ns.startsWith(prefix));
    boolean dead = pids.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));
    check("no namespace or process left", gone && dead, "namespaces of " + prefix + " gone: " + gone + ", processes gone: " + dead);
    say("load average at end: %s; daemon log: %s", Files.readString(Path.of("/proc/loadavg")).strip(), daemonLog);
    System.out.println("\n== summary");
    CHECKS.forEach((k, v) -> System.out.printf("%-48s %s%n", k, v));
    System.exit(CHECKS.values().stream().anyMatch(v -> v.startsWith("FAIL")) ? 1 : 0);
  }

  /**
   * One cycle of the operator's day, every fault on wan3: the blackhole first, while wan3 is in
   * service (the cycle before ended with it back), then the carrier faults, which it is damped for.
   */
  private static List<Map.Entry<String, Step>> cycle(boolean reweigh) {
    return List.of(Map.entry("blackhole 15 s", Soak::blackhole),
        Map.entry(reweigh ? "SIGHUP, UPLINK_WEIGHTS wan1=2" : "SIGHUP, the file as at start", () -> hup(reweigh)),
        Map.entry("read-only CLI", Soak::commands), Map.entry("check held and new connections", Soak::connections),
        Map.entry("carrier blip 0.5 s", () -> carrierLoss(500)), Map.entry("carrier loss 8 s", () -> carrierLoss(8000)),
        Map.entry("flap 1 s down / 1 s up x5", () -> {
          for (int i = 0; i < 5; i++) {
            carrierLoss(1000);
            Thread.sleep(1000);
          }
        }),
        Map.entry("wait for wan3 back in LB_TABLE", Soak::awaitReturn));
  }

  private static void carrierLoss(long millis) throws InterruptedException {
    lab.carrierDown(FAULTY);
    Thread.sleep(millis);
    lab.carrierUp(FAULTY);
  }

  /** 15 s of blackhole, LB_TABLE polled; 30 new connections from the LAN 7 s in. */
  private static void blackhole() throws InterruptedException {
    String dev = lab.uplinkName(FAULTY);
    boolean inService = nb.balanced().contains(dev);
    lab.blackhole(FAULTY, true);
    long t0 = System.nanoTime();
    double out = -1;
    for (boolean loaded = false; System.nanoTime() - t0 < 15_000_000_000L; Thread.sleep(200)) {
      out = out < 0 && !nb.balanced().contains(dev) ? (System.nanoTime() - t0) / 1e9 : out;
      if (!loaded && System.nanoTime() - t0 > 7_000_000_000L) {
        LoadReport r = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 30, "--timeout-ms", "1000");
        say("  30 new connections in the blackhole: %d failed, %s", r.failed(), byUplink(r.bySource()));
        loaded = true;
      }
    }
    lab.blackhole(FAULTY, false);
    blackholes += inService ? 1 : 0;
    detected += inService && out >= 0 ? 1 : 0;
    say("  wan3 %s", !inService ? "was not in service" : out < 0 ? "still in LB_TABLE after 15 s"
        : String.format("out of LB_TABLE %.1f s after the blackhole began", out));
  }

  /** Until wan3 is back in LB_TABLE (its hold-down over), 150 s at most. */
  private static void awaitReturn() throws InterruptedException {
    long t0 = System.nanoTime();
    while (!nb.balanced().contains(lab.uplinkName(FAULTY)) && System.nanoTime() - t0 < 150_000_000_000L
        && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
    boolean back = nb.balanced().contains(lab.uplinkName(FAULTY));
    stuck += back || System.nanoTime() >= deadline ? 0 : 1;
    say("  wan3 %s after %.0f s", back ? "back" : "not back", (System.nanoTime() - t0) / 1e9);
  }

  private static void hup(boolean reweigh) throws Exception {
    Files.writeString(conf, base + (reweigh ? "UPLINK_WEIGHTS=\"wan1=2\"\n" : ""));
    int before = count("configuration reloaded");
    hups++;
    new ProcessBuilder("kill", "-HUP", Long.toString(daemon.pid())).inheritIO().start().waitFor();
    for (int i = 0; i < 100 && count("configuration reloaded") == before; i++) {
      Thread.sleep(100);
    }
    reloads += count("configuration reloaded") > before ? 1 : 0;
  }

  private static void commands() {
    for (String[] c : new String[][] {{"status"}, {"status", "--json"}, {"events", "--since", "5m"}, {"explain", "--src",
        Lab.CLIENT_ADDRESS, "--dst", Lab.SERVER_ADDRESS, "--proto", "tcp", "--dport", "8080"}, {"apply", "--dry-run"},
        {"test", "status"}}) {
      List<String> argv = new ArrayList<>(List.of(c));
      argv.addAll(List.of("--config", conf.toString()));
      long t0 = System.nanoTime();
      var r = nb.run(argv.toArray(String[]::new));
      commands++;
      commandsFailed += r.ok() ? 0 : 1;
      say("  %s: exit %d, %d lines, %.1f s%s", String.join(" ", c), r.exitCode(), r.stdout().lines().count(),
          (System.nanoTime() - t0) / 1e9, r.ok() ? "" : " " + r.stderr().strip());
    }
  }

  private static void connections() {
    LoadReport h = held.check();
    int onHealthy = h.failedBySource().getOrDefault(lab.ispPublicAddress(1), 0)
        + h.failedBySource().getOrDefault(lab.ispPublicAddress(2), 0);
    broken = Math.max(broken, onHealthy);
    LoadReport r = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 30, "--timeout-ms", "2000");
    newFailed += r.failed();
    say("  held alive %s, died %s (on wan1/wan2: %d); 30 new: %d failed, %s", byUplink(h.bySource()),
        byUplink(h.failedBySource()), onHealthy, r.failed(), byUplink(r.bySource()));
  }

  /** Growth after warm-up (the sample a third of the way in against the last) and the daemon log's warnings. */
  private static void report() {
    List<Sample> samples = List.copyOf(SAMPLES);
    Sample first = samples.get(0);
    Sample warm = samples.get(Math.max(1, samples.size() / 3));
    Sample last = samples.get(samples.size() - 1);
    System.out.printf("samples: first %s%n         warm  %s%n         last  %s%n", first, warm, last);
    System.out.printf("daemon CPU over the run (children included): %.1f %% of one core%n",
        100.0 * (last.ticks() - first.ticks()) / ProcessCpu.TICKS_PER_SECOND / Math.max(1.0, last.secs() - first.secs()));
    check("no thread growth after warm-up", last.threads() <= warm.threads() + 3, warm.threads() + " -> " + last.threads() + " (first " + first.threads() + ")");
    check("no fd growth after warm-up", last.fds() <= warm.fds() + 10, warm.fds() + " -> " + last.fds() + " (first " + first.fds() + ")");
    check("no RSS growth after warm-up (<= 20 % + 8 MB)", last.rssKb() <= warm.rssKb() * 1.2 + 8192,
        warm.rssKb() / 1024 + " -> " + last.rssKb() / 1024 + " MB (first " + first.rssKb() / 1024 + ")");
    System.out.printf("code cache (resident): first %.1f MB, warm %.1f, last %.1f%n", first.codeKb() / 1024.0,
        warm.codeKb() / 1024.0, last.codeKb() / 1024.0);
    long peakKb = samples.stream().mapToLong(Sample::rssKb).max().orElse(0);
    check("peak RSS <= 80 MB (the daemon's budget at scale)", peakKb <= 80 * 1024, peakKb / 1024 + " MB");
    Map<String, Integer> distinct = new TreeMap<>();
    int warn = 0;
    int bad = 0;
    int vm = 0;
    synchronized (LOG) {
      for (String l : LOG) {
        // the JVM's own warnings, through unified logging on stdout ("[warning][codecache] CodeCache is
        // full. ..."); their "VM warning" copies on stderr go to this tool's own output
        boolean jvm = l.contains("[warning]");
        vm += jvm ? 1 : 0;
        boolean w = l.contains(" WARN ") || jvm;
        boolean b = l.contains(" ERROR ") || l.contains("Exception") || l.contains("Error");
        if (w || b) {
          warn += w ? 1 : 0;
          bad += b ? 1 : 0;
          String key = l.replaceFirst("^[0-9-]+ [0-9:.]+ ", "").replaceAll("\\b\\d+(\\.\\d+)?\\b", "#");
          distinct.merge(key.length() > 220 ? key.substring(0, 220) + "…" : key, 1, Integer::sum);
        }
      }
    }
    System.out.printf("daemon log: %d lines, %d WARN, %d ERROR/Exception/Error; distinct:%n", LOG.size(), warn, bad);
    distinct.forEach((k, n) -> System.out.printf("  %5d x %s%n", n, k));
    check("no ERROR, Exception or Error in the daemon log", bad == 0, bad + " lines");
    check("no warning of the JVM's (a full code cache, …) in the daemon log", vm == 0, vm + " lines");
  }

  private static Sample sample() {
    List<Sample> before = List.copyOf(SAMPLES);
    try {
      Path proc = Path.of("/proc", Long.toString(daemon.pid()));
      long rss = 0;
      long threads = 0;
      for (String l : Files.readAllLines(proc.resolve("status"))) {
        rss = l.startsWith("VmRSS:") ? Long.parseLong(l.replaceAll("[^0-9]", "")) : rss;
        threads = l.startsWith("Threads:") ? Long.parseLong(l.replaceAll("[^0-9]", "")) : threads;
      }
      long fds;
      try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
        fds = s.count();
      }
      long[] cpuTicks = ProcessCpu.ticks(daemon.pid());
      long ticks = cpuTicks[0] + cpuTicks[1];
      var r = lab.exec(lab.routerNs(), "cat", "/proc/sys/net/netfilter/nf_conntrack_count");
      long code = codeCacheKb(proc);
      Sample s = new Sample(elapsed(), rss, code, threads, fds, ticks, r.ok() ? Long.parseLong(r.stdout().strip()) : -1);
      Sample p = before.isEmpty() ? null : before.get(before.size() - 1);
      double cpu = p == null ? 0
          : 100.0 * (s.ticks() - p.ticks()) / ProcessCpu.TICKS_PER_SECOND / Math.max(1, s.secs() - p.secs());
      say("sample: RSS %d MB (code cache %.1f), %d threads, %d fds, CPU %.1f %% since last (%d ticks in all), conntrack %d",
          rss / 1024, code / 1024.0, threads, fds, cpu, ticks, s.tracked());
      return s;
    } catch (Exception e) {
      say("sample failed: %s", e);
      return before.isEmpty() ? new Sample(elapsed(), 0, 0, 0, 0, 0, 0) : before.get(before.size() - 1);
    }
  }

  /**
   * The resident part of the JIT's code cache: the process's only writable and executable mapping
   * (smaps, read without stopping the JVM, unlike an attach).
   */
  private static long codeCacheKb(Path proc) throws java.io.IOException {
    long kb = 0;
    boolean rwx = false;
    for (String l : Files.readAllLines(proc.resolve("smaps"))) {
      if (l.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
        rwx = l.split(" ")[1].startsWith("rwx");
      } else if (rwx && l.startsWith("Rss:")) {
        kb += Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return kb;
  }

  /** Our kernel state in the router (LB_RT_PROTO 213, LB_TABLE 200, nft tables named net_balancer*). */
  private static String ours() {
    String n = lab.routerNs();
    long rules = Stream.of("-4", "-6").mapToLong(f -> lab.exec(n, "ip", f, "-d", "rule", "show").stdout().lines()
        .filter(l -> l.contains("proto 213")).count()).sum();
    long routes = Stream.of("-4", "-6").mapToLong(f -> lab.exec(n, "ip", f, "route", "show", "table", "all", "proto", "213")
        .stdout().lines().count()).sum();
    long table = lab.exec(n, "ip", "route", "show", "table", "200").stdout().lines().count();
    long nft = lab.exec(n, "nft", "list", "tables").stdout().lines().filter(l -> l.contains("net_balancer")).count();
    return "rules " + rules + ", routes " + routes + ", LB_TABLE " + table + ", nft tables " + nft;
  }

  /** Reads the daemon's log into LOG from its first apply on (what came before was read by start), echoing warnings. */
  private static Thread readLog() {
    List<String> before = daemon.recentLines();
    LOG.addAll(before.subList(0, before.indexOf(before.stream().filter(l -> l.contains(LabBalancer.FIRST_APPLY))
        .findFirst().orElseThrow()) + 1));
    Thread t = new Thread(() -> {
      while (true) {
        try {
          String line = daemon.process().readLine(Duration.ofSeconds(1));
          LOG.add(line);
          if (line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("Exception") || line.contains("Error")) {
            say("daemon: %s", line);
          }
        } catch (IllegalStateException e) {
          if (e.getMessage().startsWith("output ended")) {
            return;
          }
        }
      }
    }, "daemon-log");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** 50 route changes a second among the loaded prefixes, moving each to wan3 and back (as the bench's feed). */
  private static void feed(LabProcess feed, int prefixes) {
    long start = System.nanoTime();
    for (long i = 0; running; i++) {
      int up = (i / prefixes) % 2 == 0 ? 3 : 1;
      feed.writeLine("route replace " + FeedRoutes.prefix((int) (i % prefixes)) + " via " + lab.gatewayAddress(up) + " dev "
          + lab.uplinkName(up) + " proto bird");
      long wait = start + (i + 1) * 1_000_000_000L / FEED_PER_SECOND - System.nanoTime();
      try {
        Thread.sleep(Math.max(0, wait / 1_000_000));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static String byUplink(Map<String, Integer> bySource) {
    Map<String, Integer> m = new TreeMap<>();
    bySource.forEach((src, n) -> m.put("wan" + lab.uplinkOfPublicAddress(src), n));
    return m.toString();
  }

  private static int count(String text) {
    synchronized (LOG) {
      return (int) LOG.stream().filter(l -> l.contains(text)).count();
    }
  }

  private static void check(String name, boolean ok, String detail) {
    CHECKS.put(name, (ok ? "PASS " : "FAIL ") + detail);
    say("check %s: %s", name, CHECKS.get(name));
  }

  private static long elapsed() {
    return (System.nanoTime() - START) / 1_000_000_000L;
  }

  private static void say(String fmt, Object... args) {
    long s = elapsed();
    System.out.printf("[%02d:%02d %s] %s%n", s / 60, s % 60, LocalTime.now().truncatedTo(ChronoUnit.SECONDS), String.format(fmt, args));
  }
}
