package netbalancer.cli;

import java.nio.file.Path;
import netbalancer.config.Config;
import netbalancer.config.ConfigLoader;
import netbalancer.log.Log;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by every command that needs the configuration. */
final class ConfigOption {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "configuration file (default: /etc/net-balancer/net-balancer.conf if present)")
  Path file;

  /** Loads and validates; a ConfigException reaches the caller before anything is touched. */
  Config load() {
    Config config = new ConfigLoader().load(file, System.getenv());
    Log.setLevel(Log.Level.parse(config.logLevel().name()));
    return config;
  }
}
