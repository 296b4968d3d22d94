package netbalancer.config;

import java.util.List;

/** Renders the commented default config file from the key table, so docs and code cannot drift. */
final class DefaultConfigText {
  private DefaultConfigText() {
  }

  static String render(List<ConfigKey> keys) {
    StringBuilder sb = new StringBuilder();
    sb.append("# net-balancer configuration: ").append(ConfigLoader.DEFAULT_PATH).append('\n')
        .append("#\n")
        .append("# systemd EnvironmentFile syntax: KEY=VALUE, one per line; quote values with spaces.\n")
        .append("# Each setting below is commented out and shows its default; uncomment it to change it.\n")
        .append("# An environment variable of the same name overrides this file.\n");
    String section = null;
    for (ConfigKey key : keys) {
      if (!key.section().equals(section)) {
        section = key.section();
        sb.append("\n### ").append(section).append("\n");
      }
      sb.append('\n')
          .append("# ").append(key.description()).append('\n')
          .append("# Allowed: ").append(key.allowed()).append('\n')
          .append('#').append(key.name()).append('=').append(quote(key.defaultValue())).append('\n');
    }
    return sb.toString();
  }

  /** Double-quotes a value that is empty or holds blanks or characters a shell would expand. */
  private static String quote(String value) {
    boolean plain = !value.isEmpty()
        && value.chars().allMatch(c -> Character.isLetterOrDigit(c) || "._-/:".indexOf(c) >= 0);
    return plain ? value : '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
