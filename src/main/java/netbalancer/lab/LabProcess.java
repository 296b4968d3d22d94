package netbalancer.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A program running in one lab namespace, started by {@link Lab} and killed by it at the latest
 * when the lab closes. Its standard output is read line by line on a daemon thread (so it never
 * blocks on a full pipe); standard error goes to the test's own.
 */
public final class LabProcess implements AutoCloseable {

  private final String namespace;
  private final List<String> argv;
  private final Process process;
  private final Writer stdin;
  // Optional.empty() marks the end of output.
  private final BlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>();
  /** The last lines of output, read or not: what a failure report shows. */
  private final Deque<String> recent = new ArrayDeque<>();
  private static final int RECENT = 60;

  LabProcess(String namespace, List<String> argv) {
    this.namespace = namespace;
    this.argv = List.copyOf(argv);
    try {
      process = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + argv, e);
    }
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::pump, "lab-out-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  private void pump() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (recent) {
          if (recent.size() == RECENT) {
            recent.removeFirst();
          }
          recent.addLast(line);
        }
        lines.add(Optional.of(line));
      }
    } catch (IOException e) {
      // the process is gone; end of output below says so
    }
    lines.add(Optional.empty());
  }

  public String namespace() {
    return namespace;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The next line of output; throws if none comes within {@code timeout} or output ended. */
  public String readLine(Duration timeout) {
    Optional<String> line;
    try {
      line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + this, e);
    }
    if (line == null) {
      throw new IllegalStateException("no output within " + timeout.toMillis() + " ms from " + this);
    }
    if (line.isEmpty()) {
      lines.add(line); // later reads see the end too
      throw new IllegalStateException("output ended" + exitNote() + ": " + this);
    }
    return line.get();
  }

  /**
   * Reads lines until one contains {@code text} and returns it; throws, with the last lines of
   * output, if none does within {@code limit} or the output ends.
   */
  public String awaitLine(String text, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("no output within " + limit.toMillis() + " ms");
        }
        String line = readLine(Duration.ofNanos(left));
        if (line.contains(text)) {
          return line;
        }
      }
    } catch (IllegalStateException e) {
      throw new IllegalStateException("no line with '" + text + "' within " + limit.toMillis() + " ms from " + this
          + " (" + e.getMessage() + "); its last lines: " + String.join(" | ", recentLines()), e);
    }
  }

  /** The last lines of output (up to 60), whether read already or not. */
  public List<String> recentLines() {
    synchronized (recent) {
      return new ArrayList<>(recent);
    }
  }

  public void writeLine(String line) {
    try {
      stdin.write(line + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + this, e);
    }
  }

  public void closeStdin() {
    try {
      stdin.close();
    } catch (IOException e) {
      // it exited already
    }
  }

  /** Waits for the exit code; -1 if still running after {@code timeout}. */
  public int waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * For the lab's line-driven clients: sends {@code quit}, closes stdin, gives the client 5 s to
   * end by itself, then {@link #close()}s it.
   */
  public void quit() {
    try {
      writeLine("quit");
      closeStdin();
      waitFor(Duration.ofSeconds(5));
    } catch (UncheckedIOException e) {
      // it had exited: nothing to ask
    }
    close();
  }

  /** Asks politely (SIGTERM), then kills. Idempotent. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      if (waitFor(Duration.ofSeconds(2)) == -1) {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(5));
      }
    }
    closeStdin();
  }

  private String exitNote() {
    return process.isAlive() ? "" : " (exit " + process.exitValue() + ")";
  }

  @Override
  public String toString() {
    return "[" + namespace + "] " + String.join(" ", argv);
  }
}
