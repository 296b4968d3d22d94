package netbalancer.lab;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code net-balancer run} that {@link LabBalancer} started in a lab's router: its log (standard
 * output, read as it comes), its pid, and a stop that gives it time to clean up.
 */
public final class LabDaemon implements AutoCloseable {
  private static final Pattern FIRST_APPLY_MS = Pattern.compile(LabBalancer.FIRST_APPLY + " in (\\d+) ms");
  private static final Duration CLEANUP_LIMIT = Duration.ofSeconds(15);

  private final LabProcess process;
  private final long startedNanos;
  private volatile long firstApplyMs = -1;
  private volatile long startToFirstApplyMs = -1;

  LabDaemon(LabProcess process, long startedNanos) {
    this.process = process;
    this.startedNanos = startedNanos;
  }

  /** The process itself, for tests that signal it or read its output line by line. */
  public LabProcess process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Reads the log until a line contains {@code text} and returns it; throws with the last lines if none does. */
  public String awaitLine(String text, Duration limit) {
    String line = process.awaitLine(text, limit);
    Matcher m = FIRST_APPLY_MS.matcher(line);
    if (m.find() && firstApplyMs < 0) {
      firstApplyMs = Long.parseLong(m.group(1));
      startToFirstApplyMs = (System.nanoTime() - startedNanos) / 1_000_000;
    }
    return line;
  }

  /** The last lines it logged (up to 60), for a failure report. */
  public List<String> recentLines() {
    return process.recentLines();
  }

  /** What the daemon logged: from the start of its run() to the end of its first apply; -1 before. */
  public long firstApplyMs() {
    return firstApplyMs;
  }

  /** Seen from outside: from starting the JVM to reading that log line; -1 before. */
  public long startToFirstApplyMs() {
    return startToFirstApplyMs;
  }

  /** SIGTERM, and up to 15 s to clean up; killed only if it does not exit. */
  @Override
  public void close() {
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
    if (process.waitFor(CLEANUP_LIMIT) == -1) {
      process.close();
    }
  }
}
