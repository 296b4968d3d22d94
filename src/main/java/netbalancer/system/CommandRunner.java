package netbalancer.system;

import java.time.Duration;
import java.util.List;

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

  /** What a program left behind: its exit code and both output streams. */
  record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }
}
