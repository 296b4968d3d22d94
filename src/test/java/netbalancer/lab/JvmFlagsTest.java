package netbalancer.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JvmFlagsTest {
  @Test
  void theFlagsAreTheLaunchersOwn() {
    Path jar = Path.of("target", "net-balancer.jar"); // the launcher is looked for beside target/
    JvmFlags flags = JvmFlags.of(jar);
    assumeTrue(System.getenv("NET_BALANCER_JAVA_OPTS") == null, "the environment overrides the launcher");
    if (Files.isRegularFile(Path.of("net-balancer"))) {
      assertEquals(Path.of("net-balancer").toAbsolutePath().toString(), flags.source());
    }
    assertEquals(JvmFlags.FALLBACK, flags.flags(), "keep JvmFlags.FALLBACK in step with ./net-balancer");
  }

  @Test
  void theEnvironmentIsTheLaunchersOwn() {
    JvmFlags flags = JvmFlags.of(Path.of("target", "net-balancer.jar"));
    assertEquals(JvmFlags.FALLBACK_ENVIRONMENT, flags.environment(),
        "keep JvmFlags.FALLBACK_ENVIRONMENT in step with ./net-balancer");
  }
}
