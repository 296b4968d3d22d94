package netbalancer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import netbalancer.lab.Lab;

/**
 * Runs the sections one after another, each in labs of its own that it always removes, and
 * writes what they found. A section that fails is recorded as failed and the others still run:
 * a broken detection harness must not cost the apply numbers.
 */
public final class BenchRunner {
  /** A section that could not finish, and why. */
  record Failed(String error) {
  }

  private final BenchPlan plan;
  private final List<Section> sections;
  private final Path out;
  private final String command;

  public BenchRunner(BenchPlan plan, List<Section> sections, Path out, String command) {
    this.plan = plan;
    this.sections = List.copyOf(sections);
    this.out = out;
    this.command = command;
  }

  /** Returns whether every section finished. */
  public boolean run() throws IOException {
    requireRoot();
    try (BenchEnv env = BenchEnv.forPlan(plan)) {
      return run(env);
    }
  }

  private boolean run(BenchEnv env) throws IOException {
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long t0 = System.nanoTime();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("mode", plan.quick() ? "quick" : "full");
    doc.put("command", command);
    doc.put("started", started.toString());
    doc.put("machine", MachineInfo.collect());
    doc.put("jvmFlags", env.flags());
    Map<String, Double> took = new LinkedHashMap<>();
    doc.put("sectionSeconds", took);
    // Other work on the machine shows here: a bench on a busy machine measures the machine.
    Map<String, List<Double>> load = new LinkedHashMap<>();
    doc.put("loadAverage1m", load);
    boolean ok = true;
    for (Section s : sections) {
      System.err.printf("bench: %s ...%n", s.key());
      long s0 = System.nanoTime();
      double loadBefore = loadAverage();
      try {
        doc.put(s.key(), s.run(env));
      } catch (Exception | AssertionError e) {
        doc.put(s.key(), new Failed(e.toString()));
        ok = false;
      }
      took.put(s.key(), Stats.round((System.nanoTime() - s0) / 1e9));
      load.put(s.key(), List.of(loadBefore, loadAverage()));
      System.err.printf("bench: %s done in %.0f s%s%n", s.key(), took.get(s.key()),
          doc.get(s.key()) instanceof Failed f ? " (FAILED: " + f.error() + ")" : "");
    }
    doc.put("durationSeconds", Stats.round((System.nanoTime() - t0) / 1e9));
    String markdown = MarkdownReport.render(doc);
    Files.createDirectories(out);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("results.json").toFile(), doc);
    Files.writeString(out.resolve("results.md"), markdown);
    System.out.print(markdown);
    checkNothingLeft();
    return ok;
  }

  /** The 1-minute load average, or -1 where there is none. */
  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static void requireRoot() throws IOException {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
      boolean root = lines.anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
      if (!root) {
        throw new IllegalStateException("bench needs root: it builds network namespaces (sudo net-balancer bench)");
      }
    }
  }

  /** Every lab closes itself; say so loudly if one of ours did not. */
  private static void checkNothingLeft() {
    String mine = Lab.PREFIX + ProcessHandle.current().pid() + "-";
    List<String> left = Lab.listNamespaces().stream().filter(n -> n.startsWith(mine)).toList();
    if (!left.isEmpty()) {
      throw new IllegalStateException("lab namespaces left behind: " + left);
    }
  }
}
