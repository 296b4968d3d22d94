package netbalancer.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import netbalancer.config.Config;
import netbalancer.config.ConfigException;
import netbalancer.config.ConfigLoader;
import netbalancer.config.Policies;
import netbalancer.config.PolicyLoader;
import netbalancer.log.Log;
import netbalancer.plan.PolicyPlanner;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by every command that needs the configuration. */
final class ConfigOption {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "configuration file (default: /etc/net-balancer/net-balancer.conf if present)")
  Path file;

  /**
   * Loads and validates. A ConfigException, thrown before anything is touched, reaches Main,
   * which prints every error and exits 2.
   */
  Config load() {
    return load(System.getenv());
  }

  /**
   * A loader for SIGHUP. Environment variables that merely repeat what the file said when the
   * daemon started were put there by the unit's EnvironmentFile=; they are not overrides, or an
   * edited file could never take effect on reload.
   */
  Supplier<Config> reloader() {
    Map<String, String> atStart = new ConfigLoader().fileValues(file);
    return () -> {
      Map<String, String> env = new HashMap<>(System.getenv());
      atStart.forEach((key, value) -> env.remove(key, value));
      return load(env);
    };
  }

  /**
   * STATE_DIR as the environment or the file says when the configuration as a whole does not
   * load (cleanup must still find what apply recorded); the default when that value is bad too.
   */
  Path stateDirDespiteErrors() {
    String text = System.getenv("STATE_DIR");
    if (text == null) {
      text = new ConfigLoader().fileValues(file).get("STATE_DIR");
    }
    if (text != null) {
      try {
        return ConfigLoader.fromMap(Map.of("STATE_DIR", text)).stateDir();
      } catch (ConfigException e) {
        // the default, below
      }
    }
    return Config.defaults().stateDir();
  }

  /**
   * POLICIES_FILE, read and validated, LB_MARK_MASK's room for its marks included. A bad file
   * throws a ConfigException (Main exits 2; a SIGHUP keeps the running policies) before anything
   * is touched; a shadowed rule is a warning only.
   */
  static Policies policies(Config config) {
    Policies policies = PolicyLoader.load(config);
    PolicyPlanner.plan(config, policies, List.of(), Set.of()); // throws when the mask has no room
    policies.warnings().forEach(w -> Log.warn("%s", w));
    if (!policies.isEmpty()) {
      Log.info("%d polic%s read from %s", policies.rules().size(), policies.rules().size() == 1 ? "y" : "ies",
          policies.source());
    }
    return policies;
  }

  private Config load(Map<String, String> env) {
    Config config = new ConfigLoader().load(file, env);
    Log.setLevel(Log.Level.parse(config.logLevel().name()));
    return config;
  }
}
