package netbalancer.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs programs for real. Output is drained on a separate thread so a full pipe never blocks.
 * Every program runs with {@code LC_ALL=C}: output that is parsed (ping's summary, ip's errors)
 * must not be translated.
 */
public final class ProcessRunner implements CommandRunner {

  // Blocking pipe readers need their own threads: the common pool has one thread on 2 cores.
  private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "process-output");
    t.setDaemon(true);
    return t;
  });

  @Override
  public Result run(List<String> argv, String stdin, Duration timeout) {
    Process p;
    try {
      ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(stdin == null
          ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
          : ProcessBuilder.Redirect.PIPE);
      pb.environment().put("LC_ALL", "C");
      p = pb.start();
    } catch (IOException e) {
      return new Result(127, "", argv.get(0) + ": " + e.getMessage());
    }
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), READERS);
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), READERS);
    try {
      if (stdin != null) {
        try (OutputStream in = p.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          // the program exited early; its exit code and stderr tell why
        }
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(124, "", "timed out after " + timeout.toMillis() + " ms");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Result(130, "", "interrupted");
    }
  }

  @Override
  public <T> T stream(List<String> argv, Duration timeout, Function<InputStream, T> reader) {
    Process p;
    try {
      ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().put("LC_ALL", "C");
      p = pb.start();
    } catch (IOException e) {
      throw new CommandException(argv, new Result(127, "", argv.get(0) + ": " + e.getMessage()));
    }
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), READERS);
    CompletableFuture<Void> watchdog = CompletableFuture.runAsync(p::destroyForcibly,
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS, READERS));
    try (InputStream in = p.getInputStream()) {
      T value = reader.apply(in);
      if (in.read() >= 0) {
        p.destroy(); // the reader has what it needs: the rest of the dump is never made
        p.waitFor();
        return value;
      }
      int code = p.waitFor();
      if (code != 0) {
        throw new CommandException(argv, new Result(code, "", err.join()));
      }
      return value;
    } catch (IOException e) {
      p.destroyForcibly();
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CommandException(argv, new Result(130, "", "interrupted"));
    } catch (RuntimeException e) { // unreadable output: the program must not outlive its reader
      p.destroyForcibly();
      throw e;
    } finally {
      watchdog.cancel(false);
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
