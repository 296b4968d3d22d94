package netbalancer.lab;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM flags and environment the {@code ./net-balancer} launcher gives the daemon, read from
 * the launcher itself so that footprint and apply cost are measured the way users run it. The
 * launcher lets NET_BALANCER_JAVA_OPTS replace the flags; so does the bench. The environment is
 * the launcher's {@code NAME=${NAME:-VALUE}} / {@code export NAME} pairs, as {@code NAME=VALUE}.
 */
public record JvmFlags(List<String> flags, List<String> environment, String source) {
  /** The launcher's defaults when no launcher is found (keep in step with ./net-balancer). */
  static final List<String> FALLBACK = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx64m",
      "-XX:MaxMetaspaceSize=64m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
      "-XX:CompileThresholdScaling=10", "-XX:ReservedCodeCacheSize=5m", "-XX:MinHeapFreeRatio=20",
      "-XX:MaxHeapFreeRatio=40", "-XX:-UsePerfData", "-Xshare:auto", "-XX:+ExitOnOutOfMemoryError");
  /** The launcher's environment when no launcher is found (keep in step with ./net-balancer). */
  static final List<String> FALLBACK_ENVIRONMENT = List.of("MALLOC_ARENA_MAX=2");
  private static final Pattern DEFAULTS = Pattern.compile("NET_BALANCER_JAVA_OPTS:-([^}]*)}");
  private static final Pattern EXPORTED = Pattern.compile("(?m)^(\\w+)=\\$\\{\\1:-([^}]*)}\\nexport \\1$");

  public JvmFlags {
    flags = List.copyOf(flags);
    environment = List.copyOf(environment);
  }

  public static JvmFlags of(Path jar) {
    for (Path launcher : candidates(jar)) {
      try {
        String text = Files.readString(launcher);
        Matcher m = DEFAULTS.matcher(text);
        if (m.find()) {
          List<String> environment = EXPORTED.matcher(text).results()
              .map(e -> e.group(1) + "=" + e.group(2)).toList();
          return unlessOverridden(split(m.group(1)), environment, launcher.toString());
        }
      } catch (IOException e) {
        // not there or unreadable: try the next place
      }
    }
    return unlessOverridden(FALLBACK, FALLBACK_ENVIRONMENT, "built-in copy of the launcher's defaults");
  }

  /** NET_BALANCER_JAVA_OPTS replaces the flags, as in the launcher; its environment stays. */
  private static JvmFlags unlessOverridden(List<String> flags, List<String> environment, String source) {
    String opts = System.getenv("NET_BALANCER_JAVA_OPTS");
    return opts == null || opts.isBlank() ? new JvmFlags(flags, environment, source)
        : new JvmFlags(split(opts), environment, "NET_BALANCER_JAVA_OPTS");
  }

  /** Where the launcher lives beside a built jar (target/..) or an installed one. */
  private static List<Path> candidates(Path jar) {
    List<Path> out = new ArrayList<>();
    Path dir = jar.toAbsolutePath().getParent();
    if (dir != null) {
      out.add(dir.resolve("net-balancer"));
      if (dir.getParent() != null) {
        out.add(dir.getParent().resolve("net-balancer"));
      }
    }
    out.add(Path.of("/usr/local/bin/net-balancer"));
    out.add(Path.of("/usr/local/sbin/net-balancer"));
    return out;
  }

  private static List<String> split(String s) {
    return List.of(s.trim().split("\\s+"));
  }

  /** The jar this code runs from (the bench starts copies of itself in lab namespaces). */
  public static Path ownJar() {
    try {
      return Path.of(JvmFlags.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | SecurityException e) {
      throw new IllegalStateException("cannot tell which jar is running", e);
    }
  }

  /** {@code java FLAGS -jar JAR} with the java of this JVM. */
  public List<String> javaJar(Path jar, String... systemProperties) {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.addAll(flags);
    argv.addAll(List.of(systemProperties));
    argv.addAll(List.of("-jar", jar.toString()));
    return argv;
  }
}
