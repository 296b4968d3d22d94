package netbalancer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code net-balancer --version}: the version and git commit written into the jar at build time
 * (netbalancer/build.properties, by the pom's antrun step). A build without git or without .git
 * (a source tarball) says commit "unknown"; so does a jar that lacks the file.
 */
final class BuildVersion implements CommandLine.IVersionProvider {
  static final String RESOURCE = "/netbalancer/build.properties";
  static final String UNKNOWN = "unknown";

  private final Properties props;

  BuildVersion() {
    this(load());
  }

  BuildVersion(Properties props) {
    this.props = props;
  }

  String version() {
    return value("version");
  }

  /** The abbreviated commit, with "-dirty" when the build's tracked files differed from it. */
  String commit() {
    String commit = value("commit");
    return !commit.equals(UNKNOWN) && "true".equals(props.getProperty("dirty")) ? commit + "-dirty" : commit;
  }

  @Override
  public String[] getVersion() {
    return new String[] {
        "net-balancer " + version() + " (commit " + commit() + ")",
        "Java " + System.getProperty("java.version", UNKNOWN) + " (" + System.getProperty("java.vm.name", "") + ")"};
  }

  private String value(String key) {
    String v = props.getProperty(key, "").strip();
    // An unfiltered placeholder or an empty value means the build could not tell.
    return v.isEmpty() || v.contains("${") ? UNKNOWN : v;
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE + " from the jar", e);
    }
    return p;
  }
}
