package netbalancer.system;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Runs one external program with an argument array (never through a shell) and optional
 * standard input. The real implementation is {@link ProcessRunner}; unit tests use a
 * recording fake.
 */
public interface CommandRunner {

  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  Result run(List<String> argv, String stdin, Duration timeout);

  default Result run(List<String> argv, String stdin) {
    return run(argv, stdin, DEFAULT_TIMEOUT);
  }

  default Result run(String... argv) {
    return run(List.of(argv), null, DEFAULT_TIMEOUT);
  }

  /** Runs and throws {@link CommandException} unless the program exited 0. */
  default Result check(List<String> argv, String stdin) {
    Result r = run(argv, stdin, DEFAULT_TIMEOUT);
    if (r.exitCode() != 0) {
      throw new CommandException(argv, r);
    }
    return r;
  }

  default Result check(String... argv) {
    return check(List.of(argv), null);
  }

  /**
   * Runs {@code argv} (no input) and hands its standard output, as it comes, to {@code reader},
   * which may stop before the end: the program is then ended. A kernel dump is made only as fast
   * as it is read, so one that stops after the first routes costs the kernel those routes alone.
   * This default reads everything first (the fakes of tests).
   *
   * @return what {@code reader} returned
   * @throws CommandException when the program exited non-zero on its own
   */
  default <T> T stream(List<String> argv, Duration timeout, Function<InputStream, T> reader) {
    Result r = run(argv, null, timeout);
    if (!r.ok()) {
      throw new CommandException(argv, r);
    }
    return reader.apply(new ByteArrayInputStream(r.stdout().getBytes(StandardCharsets.UTF_8)));
  }

  /** What a program left behind: its exit code and both output streams. */
  record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }
}
