package netbalancer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scripts in bench/tools are run by hand, with perf; this keeps them compiling against the code. */
class BenchToolsTest {
  @Test
  void everyToolCompilesAgainstTheCurrentClasses(@TempDir Path out) throws IOException {
    List<String> sources;
    try (Stream<Path> files = Files.list(Path.of("bench", "tools"))) {
      sources = files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).sorted().toList();
    }
    assertFalse(sources.isEmpty(), "no tools found in bench/tools");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "tests need a JDK, not a JRE");
    List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-cp", System.getProperty("java.class.path")));
    args.addAll(sources);
    int rc = javac.run(null, null, null, args.toArray(String[]::new));
    assertEquals(0, rc, "javac on " + sources + " failed (its errors are above)");
  }
}
