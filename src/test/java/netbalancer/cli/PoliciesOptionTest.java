package netbalancer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A bad policies file stops apply with exit 2 and the line's message, before the kernel is even read. */
class PoliciesOptionTest {
  @Test
  void aBadPoliciesFileExitsTwoNamingTheLine(@TempDir Path dir) throws IOException {
    Path policies = dir.resolve("policies.conf");
    Files.writeString(policies, "voip proto udp dport 5060 -> wan1 > wan2\nguests src 192.0.2.128/24 -> wan3\n");
    Path conf = dir.resolve("nb.conf");
    Files.writeString(conf, "POLICIES_FILE=" + policies + "\n");
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute("apply", "--dry-run", "--config", conf.toString());
    assertEquals(ExitCodes.BAD_CONFIG, code, err.toString());
    assertTrue(err.toString().contains(policies + ":2: src '192.0.2.128/24' has host bits set (did you mean"
        + " 192.0.2.0/24?)"), err.toString());
  }

  /** SIGHUP: a reload whose policies file went bad throws, so the daemon keeps what runs (Daemon.reloadConfig). */
  @Test
  void aReloadRefusesABadPoliciesFile(@TempDir Path dir) throws IOException {
    Path policies = dir.resolve("policies.conf");
    Files.writeString(policies, "voip proto udp dport 5060 -> wan1 > wan2\n");
    Config config = Config.of(Map.of("POLICIES_FILE", policies.toString()));
    assertEquals(1, ConfigOption.policies(config).rules().size());
    Files.writeString(policies, "voip proto udp dport 5060 -> wan1 > wan2\nguests src 192.0.2.0/33 -> wan3\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigOption.policies(config));
    assertTrue(e.getMessage().contains(policies + ":2: src '192.0.2.0/33' has prefix length '33'"), e.getMessage());
  }
}
