package netbalancer.bench;

import netbalancer.system.CommandRunner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.system.CommandRunner.Result;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;

/**
 * net-balancer itself in a lab's router namespace, started as the launcher starts it (its JVM
 * flags) with settings in the environment, and stopped with SIGTERM so it cleans up after
 * itself. State and control socket live in the lab's own {@link Lab#stateDir}.
 */
final class LabDaemon implements AutoCloseable {
  private static final Pattern FIRST_APPLY = Pattern.compile("first apply done in (\\d+) ms");

  private final LabProcess process;
  private final long firstApplyMs;
  private final long startToFirstApplyMs;

  private LabDaemon(LabProcess process, long firstApplyMs, long startToFirstApplyMs) {
    this.process = process;
    this.firstApplyMs = firstApplyMs;
    this.startToFirstApplyMs = startToFirstApplyMs;
  }

  /** Settings every bench daemon needs: its own state, probes aimed at the lab's server. */
  static Map<String, String> baseEnv(Lab lab) {
    return new LinkedHashMap<>(Lab.balancerSettings(lab.stateDir()));
  }

  /** {@code env K=V… java FLAGS [props] -jar JAR ARGS…}, to run in a lab namespace. */
  static List<String> argv(Lab lab, BenchEnv bench, Map<String, String> settings, List<String> props,
      String... args) {
    List<String> argv = new ArrayList<>(List.of("env"));
    Map<String, String> all = new LinkedHashMap<>(baseEnv(lab));
    all.putAll(settings);
    all.forEach((k, v) -> argv.add(k + "=" + v));
    argv.addAll(bench.flags().javaJar(bench.jar(), props.toArray(String[]::new)));
    argv.addAll(List.of(args));
    return argv;
  }

  /** Runs a one-shot command ({@code apply}, {@code cleanup}) in the router namespace. */
  static Result oneShot(Lab lab, BenchEnv bench, Map<String, String> settings, String command) {
    Result r = lab.exec(lab.routerNs(), argv(lab, bench, settings, List.of(), command), null, Duration.ofSeconds(60));
    if (!r.ok()) {
      throw new IllegalStateException("net-balancer " + command + " failed: " + r.stderr().strip());
    }
    return r;
  }

  /** Starts {@code run} and returns once it logged its first apply. */
  static LabDaemon start(Lab lab, BenchEnv bench, Map<String, String> settings) {
    long t0 = System.nanoTime();
    LabProcess p = lab.start(lab.routerNs(), argv(lab, bench, settings, List.of("-Dnetbalancer.log=stdout"), "run")
        .toArray(String[]::new));
    try {
      long deadline = t0 + Duration.ofSeconds(60).toNanos();
      while (true) {
        String line = p.readLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        Matcher m = FIRST_APPLY.matcher(line);
        if (m.find()) {
          return new LabDaemon(p, Long.parseLong(m.group(1)), (System.nanoTime() - t0) / 1_000_000);
        }
      }
    } catch (RuntimeException e) {
      p.close();
      throw new IllegalStateException("net-balancer run did not report its first apply: " + e.getMessage(), e);
    }
  }

  /** What the daemon logged since the last call, for error messages. */
  String drainLog() {
    StringBuilder sb = new StringBuilder();
    try {
      while (true) {
        sb.append(process.readLine(Duration.ofMillis(50))).append('\n');
      }
    } catch (IllegalStateException e) {
      return sb.toString(); // no more for now
    }
  }

  long pid() {
    return process.pid();
  }

  /** What the daemon logged: from the start of its run() to the end of its first apply. */
  long firstApplyMs() {
    return firstApplyMs;
  }

  /** Seen from outside: from starting the JVM to reading that log line. */
  long startToFirstApplyMs() {
    return startToFirstApplyMs;
  }

  /** SIGTERM, and time to clean up; killed only if it does not exit. */
  @Override
  public void close() {
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
    if (process.waitFor(Duration.ofSeconds(15)) == -1) {
      process.close();
    }
  }
}
