package netbalancer.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A fake runner: records every call and answers from a function the test supplies. */
public final class RecordingRunner implements CommandRunner {
  /** One recorded call. */
  public record Call(List<String> argv, String stdin) {
    public String command() {
      return String.join(" ", argv);
    }
  }

  private final List<Call> calls = new ArrayList<>();
  private final Function<Call, Result> answers;

  public RecordingRunner(Function<Call, Result> answers) {
    this.answers = answers;
  }

  /** Answers every call with success and no output. */
  public RecordingRunner() {
    this(c -> new Result(0, "", ""));
  }

  @Override
  public synchronized Result run(List<String> argv, String stdin, Duration timeout) {
    Call call = new Call(List.copyOf(argv), stdin);
    calls.add(call);
    return answers.apply(call);
  }

  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  public synchronized void clear() {
    calls.clear();
  }
}
