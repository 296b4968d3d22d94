package netbalancer.system;

import java.util.List;

/** A program that was expected to succeed exited non-zero. */
public final class CommandException extends RuntimeException {
  private final transient CommandRunner.Result result;

  public CommandException(List<String> argv, CommandRunner.Result result) {
    super(String.join(" ", argv) + " exited " + result.exitCode() + ": " + result.stderr().strip());
    this.result = result;
  }

  public CommandRunner.Result result() {
    return result;
  }
}
