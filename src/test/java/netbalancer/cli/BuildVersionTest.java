package netbalancer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BuildVersionTest {

  private static BuildVersion of(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return new BuildVersion(p);
  }

  @Test
  void versionAndCommitFromTheBuild() {
    BuildVersion v = of("version", "1.2.3", "commit", "0123456789ab", "dirty", "false");
    assertEquals("net-balancer 1.2.3 (commit 0123456789ab)", v.getVersion()[0]);
    assertEquals("0123456789ab-dirty", of("version", "1.2.3", "commit", "0123456789ab", "dirty", "true").commit());
  }

  @Test
  void noGitMeansUnknownNotAFailure() {
    assertEquals("net-balancer 1.2.3 (commit unknown)", of("version", "1.2.3", "commit", "unknown", "dirty", "false").getVersion()[0]);
    assertEquals("unknown", of("version", "1.2.3", "commit", "unknown", "dirty", "true").commit(), "no -dirty on unknown");
    assertEquals("net-balancer unknown (commit unknown)", of().getVersion()[0], "a jar without build.properties");
    assertEquals("unknown", of("commit", "${git.commit}").commit(), "an unfiltered placeholder");
  }

  @Test
  void theOptionPrintsIt() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    assertEquals(0, cl.execute("--version"));
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("net-balancer " + new BuildVersion().version() + " (commit "), text);
  }

  /** The build wrote this checkout's HEAD (mvn runs the tests from the repository root). */
  @Test
  void theBuildRecordsThisCheckoutsCommit() throws Exception {
    BuildVersion built = new BuildVersion();
    assertTrue(built.version().matches("\\d+\\.\\d+\\.\\d+.*"), "version from the pom: " + built.version());
    if (!Files.exists(Path.of(".git"))) {
      assertEquals("unknown", built.commit(), "no .git: the commit is unknown");
      return;
    }
    Process git = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").redirectErrorStream(true).start();
    assertTrue(git.waitFor(30, TimeUnit.SECONDS));
    String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, git.exitValue(), head);
    assertEquals(head, built.commit().replace("-dirty", ""), "mvn package again: the jar is from another commit");
  }
}
