package netbalancer.metrics;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import netbalancer.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsFileTest {
  private static final int UPDATES = 500;

  @TempDir
  Path tmp;

  private Metrics enabled(Path file) {
    return new Metrics(Config.of(Map.of("METRICS_ENABLED", "true", "METRICS_FILE", file.toString())));
  }

  /** Update i has 1 + i % 3 uplinks and reconciles_total = i: a mix of two writes is caught. */
  private static MetricsInput update(int i) {
    List<UplinkMetrics> ups = new ArrayList<>();
    for (int k = 0; k <= i % 3; k++) {
      ups.add(new UplinkMetrics("wan" + k, i % 2 == 0 ? "up" : "down", 1 + k, 1, i % 2 == 0, 0.01 * (k + 1),
          0.1, i, 0, 0, i, 10L * i, 1_000_000L * i, 3_000_000L * i));
    }
    return new MetricsInput(ups, i / 2, 0.001, 1_700_000_000 + i, i, 0);
  }

  @Test
  void aDirectoryAnotherUserOwnsOrCanWriteIsRefusedAndNothingIsWrittenThrough() throws Exception {
    Path victim = tmp.resolve("victim");
    Files.writeString(victim, "secret");
    Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
    Path theirs = Files.createDirectory(tmp.resolve("theirs"));
    Files.setAttribute(theirs, "unix:uid", 65534);
    Path open = Files.createDirectory(tmp.resolve("open"));
    Files.setAttribute(open, "unix:mode", 01777); // sticky, as /tmp: still refused for the file itself
    for (Path dir : List.of(theirs, open)) {
      Path file = dir.resolve("m.prom");
      Files.createSymbolicLink(file, victim); // what the other user plants at the target name
      try (Metrics m = enabled(file)) {
        m.update(update(1));
      }
      assertTrue(Files.isSymbolicLink(file), "neither replaced nor removed: " + file);
      assertEquals("secret", Files.readString(victim));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
      try (Stream<Path> s = Files.list(dir)) {
        assertEquals(1, s.count(), "no temp file created in " + dir);
      }
    }
  }

  @Test
  void theFileIsNeverSeenHalfWritten() throws Exception {
    Path file = tmp.resolve("load_balancer_metrics.prom");
    List<String> bad = new CopyOnWriteArrayList<>();
    List<String> sampled = new CopyOnWriteArrayList<>();
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    try (Metrics m = enabled(file)) {
      m.update(update(0));
      Thread reader = new Thread(() -> {
        while (!done.get()) {
          String text;
          try {
            text = Files.readString(file);
          } catch (NoSuchFileException e) {
            bad.add("file missing between updates");
            continue;
          } catch (Exception e) {
            bad.add(e.toString());
            continue;
          }
          int n = reads.incrementAndGet();
          String problem = problem(text);
          if (problem != null) {
            bad.add(problem + ":\n" + text);
          } else if (n % 50 == 1 && sampled.size() < 3) {
            sampled.add(text);
          }
        }
      }, "metrics-file-reader");
      reader.start();
      for (int i = 1; i <= UPDATES; i++) {
        m.update(update(i));
      }
      done.set(true);
      reader.join();
    }
    assertEquals(List.of(), bad.size() > 3 ? bad.subList(0, 3) : bad);
    assertTrue(reads.get() >= 10, "the reader ran concurrently: " + reads.get() + " reads");
    assertFalse(sampled.isEmpty());
    sampled.forEach(PromTool::check);
  }

  /** Why the text is not one complete write, or null. */
  private static String problem(String text) {
    if (!text.endsWith("\n")) {
      return "no final newline";
    }
    Map<String, Double> s;
    try {
      s = Samples.parse(text);
    } catch (RuntimeException e) {
      return e.getMessage();
    }
    Double reconciles = s.get("load_balancer_reconciles_total");
    if (reconciles == null || !s.containsKey("load_balancer_log_messages_total")) {
      return "families missing";
    }
    int uplinks = 1 + (int) (reconciles % 3);
    if (Samples.seriesOf(s, "load_balancer_uplink_weight").size() != uplinks
        || Samples.seriesOf(s, "load_balancer_uplink_receive_bytes_total").size() != uplinks) {
      return "series of another update";
    }
    return null;
  }

  @Test
  void theFileIsReadableByOthersLeavesNoTempFilesAndGoesOnClose() throws Exception {
    Path file = tmp.resolve("run/load_balancer_metrics.prom");
    Metrics m = enabled(file);
    m.update(update(1));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (Stream<Path> s = Files.list(file.getParent())) {
      assertEquals(List.of(file), s.toList());
    }
    PromTool.check(Files.readString(file));
    m.close();
    assertFalse(Files.exists(file), "a stopped daemon's numbers must not look current");
  }

  @Test
  void startRemovesTempFilesACrashLeftBehind() throws Exception {
    Path file = tmp.resolve("m.prom");
    Path leftover = tmp.resolve(".m.prom.12345.tmp");
    Path unrelated = tmp.resolve("other.prom");
    Files.writeString(leftover, "half");
    Files.writeString(unrelated, "x 1\n");
    try (Metrics m = new Metrics(Config.of(Map.of("METRICS_ENABLED", "true", "METRICS_FILE", file.toString(),
        "METRICS_PORT", String.valueOf(MetricsHttpTest.freePort()))))) {
      m.start();
      assertFalse(Files.exists(leftover));
      assertTrue(Files.exists(unrelated));
    }
  }

  @Test
  void anUnwritableFileIsLoggedNotThrown() throws Exception {
    Path notADir = Files.writeString(tmp.resolve("plain"), "");
    try (Metrics m = enabled(notADir.resolve("m.prom"))) {
      assertDoesNotThrow(() -> m.update(update(1)));
      assertDoesNotThrow(() -> m.update(update(2)));
      assertTrue(m.scrapeText().contains("wan0"));
    }
  }
}
