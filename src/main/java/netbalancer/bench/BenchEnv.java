package netbalancer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import netbalancer.lab.JvmFlags;
import netbalancer.lab.Lab;
import netbalancer.lab.LabBalancer;

/**
 * What every section needs: the plan, the jar to start in the lab (a private copy, see
 * {@link PrivateJar}), and the launcher's JVM flags.
 *
 * @param ownsJar the copy was made here and goes when the run ends
 */
record BenchEnv(BenchPlan plan, Path jar, JvmFlags flags, boolean ownsJar) implements AutoCloseable {

  static BenchEnv forPlan(BenchPlan plan) throws IOException {
    String copy = System.getProperty(PrivateJar.COPY);
    Path jar;
    Path origin;
    if (copy != null) {
      jar = Path.of(copy);
      origin = PrivateJar.origin();
    } else {
      origin = Files.isRegularFile(JvmFlags.ownJar()) ? JvmFlags.ownJar() : Lab.jarPath(); // tests run from classes/
      jar = PrivateJar.copyOf(origin);
    }
    // The lab starts its servers and clients from the jar too.
    System.setProperty("netbalancer.jar", jar.toString());
    return new BenchEnv(plan, jar, JvmFlags.of(origin), copy == null);
  }

  /** net-balancer in {@code lab}'s router, run from this bench's jar with the launcher's flags. */
  LabBalancer balancer(Lab lab) {
    return LabBalancer.in(lab).runningFrom(jar, flags);
  }

  @Override
  public void close() throws IOException {
    if (ownsJar) {
      Files.deleteIfExists(jar);
    }
  }
}
