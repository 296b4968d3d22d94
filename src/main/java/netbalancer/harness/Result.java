package netbalancer.harness;

import java.util.List;

/** How one scenario went: a verdict, the measured times in one line, and what went wrong. */
public record Result(String title, Outcome outcome, String summary, List<String> problems) {
  public enum Outcome { PASS, FAIL, SKIP }

  public Result {
    problems = List.copyOf(problems);
  }

  static Result of(String title, String summary, List<String> problems) {
    return new Result(title, problems.isEmpty() ? Outcome.PASS : Outcome.FAIL, summary, problems);
  }

  static Result skip(String title, String why) {
    return new Result(title, Outcome.SKIP, why, List.of());
  }

  static Result fail(String title, String why) {
    return new Result(title, Outcome.FAIL, why, List.of(why));
  }

  /** "PASS  down-up wan2 3          summary", then one indented line per problem. */
  String render() {
    StringBuilder sb = new StringBuilder(String.format("%-4s  %-28s %s%n", outcome, title, summary));
    if (outcome == Outcome.FAIL) {
      problems.stream().filter(p -> !p.equals(summary)).forEach(p -> sb.append("        - ").append(p).append('\n'));
    }
    return sb.toString();
  }
}
