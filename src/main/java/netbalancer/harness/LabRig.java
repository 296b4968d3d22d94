package netbalancer.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;
import netbalancer.lab.LabDaemon;
import netbalancer.lab.LabProcess;
import netbalancer.lab.WhoAmIServer;

/**
 * A lab with the balancer running in its router: 3 simulated ISPs, servers behind them, and the
 * daemon started with fast health settings so that scenarios take seconds, not minutes. The
 * daemon is the lab's own {@link LabBalancer} (an empty environment but for its settings) with a
 * config file of its own, so nothing of the host's configuration (file, variables, hooks,
 * metrics) reaches it.
 */
final class LabRig implements AutoCloseable {
  /** Health probes go here; held and counted connections to {@link #TRAFFIC_ADDRESS}: blocked probes spare them. */
  static final String PROBE_ADDRESS = Lab.SERVER_ADDRESS;
  static final String TRAFFIC_ADDRESS = "203.0.113.20";
  static final int PORT = Lab.SERVER_PORT;
  static final List<String> UPLINKS = List.of("wan1", "wan2", "wan3");

  private final Lab lab;
  private final Config config;
  private final LabDaemon daemon;

  private LabRig(Lab lab, Config config, LabDaemon daemon) {
    this.lab = lab;
    this.config = config;
    this.daemon = daemon;
  }

  /** The lab's daemon settings: fast checks, short hold-down, private state; {@code extra} on top. */
  static Map<String, String> settings(Path stateDir, Map<String, String> extra) {
    Map<String, String> s = new LinkedHashMap<>(Lab.balancerSettings(stateDir)); // probes: PROBE_ADDRESS
    s.put("HOOKS_DIR", stateDir.resolve("hooks.d").toString());
    s.put("METRICS_ENABLED", "false");
    s.put("HEALTH_CHECK_INTERVAL", "1");
    s.put("HEALTH_CHECK_FAST_INTERVAL", "1");
    s.put("HEALTH_CHECK_TIMEOUT", "1");
    s.put("DEBOUNCE_TIME", "1");
    s.put("FAILOVER_HOLD_DOWN", "2");
    s.put("FAILOVER_BACKOFF_BASE", "1");
    s.put("FAILOVER_BACKOFF_MAX", "4");
    s.put("RESYNC_INTERVAL", "5");
    s.putAll(extra);
    return s;
  }

  /**
   * Builds the lab and starts servers and daemon.
   *
   * @param keepable servers that outlive this JVM (for {@code lab --keep}); else they exit with it
   */
  static LabRig start(Map<String, String> extraSettings, boolean keepable) {
    useRunningJar();
    Lab lab = Lab.create(3); // sweeps the namespaces and state of labs whose creator has exited
    try {
      Path stateDir = Files.createDirectories(lab.stateDir());
      Map<String, String> settings = settings(stateDir, extraSettings);
      Config config = Config.of(settings);
      Path file = stateDir.resolve("net-balancer.conf");
      StringBuilder text = new StringBuilder("# net-balancer lab: written by the harness\n");
      settings.forEach((k, v) -> text.append(k).append("=\"").append(v).append("\"\n"));
      Files.writeString(file, text);
      startServers(lab, keepable);
      LabDaemon daemon = LabBalancer.in(lab).with(settings).start("--config", file.toString());
      return new LabRig(lab, config, daemon);
    } catch (IOException | RuntimeException e) {
      lab.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  private static void startServers(Lab lab, boolean keepable) {
    if (!keepable) {
      lab.startServers();
      return;
    }
    LabProcess p = lab.startJava(lab.inetNs(), WhoAmIServer.class.getName(), Integer.toString(PORT));
    String line = p.readLine(Duration.ofSeconds(30));
    if (!line.startsWith("ready")) {
      throw new IllegalStateException("lab server said: " + line);
    }
  }

  /** The lab starts its helpers from a jar: the one this command runs from, unless one is set. */
  static void useRunningJar() {
    if (System.getProperty("netbalancer.jar") != null) {
      return;
    }
    try {
      Path self = Path.of(LabRig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(self) && self.toString().endsWith(".jar")) {
        System.setProperty("netbalancer.jar", self.toString());
      }
    } catch (URISyntaxException | SecurityException e) {
      // fall back to target/net-balancer.jar
    }
  }

  Lab lab() {
    return lab;
  }

  Config config() {
    return config;
  }

  LabDaemon daemon() {
    return daemon;
  }

  /** Uplink name (wan2) to the lab's index (2); 0 if there is none. */
  int index(String uplink) {
    for (int i = 1; i <= lab.uplinkCount(); i++) {
      if (lab.uplinkName(i).equals(uplink)) {
        return i;
      }
    }
    return 0;
  }

  /** Kills what runs in the lab, deletes its namespaces and the state directory. Idempotent. */
  @Override
  public void close() {
    lab.close();
  }
}
