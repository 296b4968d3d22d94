package netbalancer.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
  void theEnvironmentIsTheLaunchersOwn() throws Exception {
    String launcher = Files.readString(Path.of("net-balancer"));
    for (String pair : JvmFlags.ENVIRONMENT) {
      String name = pair.substring(0, pair.indexOf('='));
      String value = pair.substring(pair.indexOf('=') + 1);
      assertTrue(launcher.contains(name + "=${" + name + ":-" + value + "}\nexport " + name + "\n"),
          "keep JvmFlags.ENVIRONMENT in step with ./net-balancer: " + pair);
    }
  }
}
