package netbalancer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import netbalancer.lab.JvmFlags;

/**
 * A bench run lasts minutes and loads classes as it goes; a build that rewrites target/ in the
 * meantime would pull them from under it. So {@code bench} copies its jar once and runs from the
 * copy, and so do the JVMs it starts in the lab.
 */
public final class PrivateJar {
  static final String COPY = "netbalancer.bench.jar";
  static final String ORIGIN = "netbalancer.bench.origin";

  private PrivateJar() {
  }

  /** True when this JVM already runs from a private copy (or not from a jar, as in tests). */
  public static boolean inCopy() {
    return System.getProperty(COPY) != null || !Files.isRegularFile(JvmFlags.ownJar());
  }

  /** The jar the user started (the launcher's flags are read beside it). */
  static Path origin() {
    String o = System.getProperty(ORIGIN);
    return o != null ? Path.of(o) : JvmFlags.ownJar();
  }

  /** Copies {@code jar} to a new temporary file. */
  static Path copyOf(Path jar) throws IOException {
    Path copy = Files.createTempFile("net-balancer-bench-", ".jar");
    Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
    return copy;
  }

  /**
   * Runs {@code net-balancer ARGS} (ARGS starting with "bench") again from a copy of this jar and
   * exits with its code: after minutes, this JVM may no longer load a class from its own jar.
   */
  public static void relaunchAndExit(List<String> args) throws IOException, InterruptedException {
    Path origin = JvmFlags.ownJar();
    Path copy = copyOf(origin);
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-D" + COPY + "=" + copy, "-D" + ORIGIN + "=" + origin, "-cp", copy.toString(), "netbalancer.cli.Main"));
    argv.addAll(args);
    Process p = new ProcessBuilder(argv).inheritIO().start();
    // Ctrl-C reaches both JVMs; the child closes its labs, then the copy goes.
    Thread cleanup = new Thread(() -> {
      try {
        p.waitFor(60, TimeUnit.SECONDS);
        Files.deleteIfExists(copy);
      } catch (IOException | InterruptedException e) {
        // a temporary file is all that is left
      }
    });
    Runtime.getRuntime().addShutdownHook(cleanup);
    int rc = p.waitFor();
    Files.deleteIfExists(copy);
    System.exit(rc);
  }
}
