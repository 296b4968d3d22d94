package netbalancer.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.config.Config;
import netbalancer.observe.KernelObserver;
import netbalancer.system.CommandException;
import netbalancer.system.CommandRunner.Result;

/**
 * net-balancer itself in a lab's router namespace: the one way the integration tests, the harness,
 * the demo and the bench run its commands, start its daemon and read which uplinks LB_TABLE holds.
 *
 * <p>It runs as users run it: the launcher's JVM flags ({@link JvmFlags}), from the project's jar,
 * with its settings in an otherwise empty environment (nothing of the host's reaches it), its
 * state and control socket in the lab's own {@link Lab#stateDir} and its probes aimed at the lab's
 * server ({@link Lab#balancerSettings}). Immutable: {@link #with} gives a handle with more settings.
 */
public final class LabBalancer {
  /** What the daemon logs when its first apply is done: from then on the kernel is as it planned. */
  public static final String FIRST_APPLY = "first apply done";
  private static final Duration COMMAND_LIMIT = Duration.ofSeconds(60);
  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  private final Lab lab;
  private final Map<String, String> settings;
  private final Path jar;
  private final JvmFlags flags;

  private LabBalancer(Lab lab, Map<String, String> settings, Path jar, JvmFlags flags) {
    this.lab = lab;
    this.settings = Map.copyOf(settings);
    this.jar = jar;
    this.flags = flags;
  }

  /** The balancer of {@code lab}, from the project's jar ({@link Lab#jarPath}) with the launcher's flags. */
  public static LabBalancer in(Lab lab) {
    Path jar = Lab.jarPath();
    return new LabBalancer(lab, Lab.balancerSettings(lab.stateDir()), jar, JvmFlags.of(jar));
  }

  /** The same balancer with {@code more} settings (configuration keys) on top of these. */
  public LabBalancer with(Map<String, String> more) {
    Map<String, String> all = new LinkedHashMap<>(settings);
    all.putAll(more);
    return new LabBalancer(lab, all, jar, flags);
  }

  /** The same balancer run from another jar with other flags (the bench's private copy). */
  public LabBalancer runningFrom(Path otherJar, JvmFlags otherFlags) {
    return new LabBalancer(lab, settings, otherJar, otherFlags);
  }

  public Lab lab() {
    return lab;
  }

  /** The settings it is given, in its environment. */
  public Map<String, String> settings() {
    return settings;
  }

  /**
   * {@code env -i PATH=… LAUNCHER_ENV… KEY=VALUE… java FLAGS PROPS -jar JAR ARGS…}, to run in the
   * router namespace.
   */
  public List<String> argv(List<String> systemProperties, List<String> args) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin:/bin";
    List<String> argv = new ArrayList<>(List.of("env", "-i", "PATH=" + path));
    argv.addAll(flags.environment());
    new java.util.TreeMap<>(settings).forEach((k, v) -> argv.add(k + "=" + v));
    argv.addAll(flags.javaJar(jar, systemProperties.toArray(String[]::new)));
    argv.addAll(args);
    return argv;
  }

  public List<String> argv(String... args) {
    return argv(List.of(), List.of(args));
  }

  /** Runs a command ({@code apply}, {@code status}, {@code cleanup} …) to its end, 60 s at most. */
  public Result run(String... args) {
    return run(COMMAND_LIMIT, args);
  }

  public Result run(Duration limit, String... args) {
    return lab.exec(lab.routerNs(), argv(args), null, limit);
  }

  /** Like {@link #run(String...)}, but throws unless it exits 0. */
  public Result runOrThrow(String... args) {
    Result r = run(args);
    if (!r.ok()) {
      throw new CommandException(argv(args), r);
    }
    return r;
  }

  /** Starts {@code run ARGS…} and returns once it logged its first apply. */
  public LabDaemon start(String... args) {
    return startUntil(FIRST_APPLY, args);
  }

  /**
   * Starts {@code run ARGS…}, its log on standard output, and returns once a line contains
   * {@code text} ("net-balancer starting", say, to catch it before its first apply).
   */
  public LabDaemon startUntil(String text, String... args) {
    List<String> all = new ArrayList<>(List.of("run"));
    all.addAll(List.of(args));
    long t0 = System.nanoTime();
    LabProcess p = lab.start(lab.routerNs(), argv(List.of("-Dnetbalancer.log=stdout"), all).toArray(String[]::new));
    LabDaemon d = new LabDaemon(p, t0);
    try {
      d.awaitLine(text, START_LIMIT);
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
    return d;
  }

  /** LB_TABLE in these settings. */
  public int lbTable() {
    String t = settings.get("LB_TABLE");
    return t == null ? Config.defaults().lbTable() : Integer.parseInt(t.strip());
  }

  /** The uplinks LB_TABLE's default route spans in the router now, read as the daemon reads it. */
  public Set<String> balanced() {
    Set<String> devs = KernelObserver.defaultRouteDevices(lab.runnerIn(lab.routerNs()), lbTable());
    if (devs == null) {
      throw new IllegalStateException("cannot read table " + lbTable() + " in " + lab.routerNs());
    }
    return devs;
  }

  /** Waits until LB_TABLE holds {@code count} uplinks (a measurement starts from a whole balance). */
  public void awaitBalanced(int count, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (balanced().size() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("LB_TABLE holds " + balanced() + ", not all " + count + " uplinks");
      }
      Thread.sleep(50);
    }
  }
}
