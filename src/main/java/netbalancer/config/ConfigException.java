package netbalancer.config;

import java.util.List;

/** Every problem found in a configuration, reported together so the user can fix them in one pass. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> errors;

  public ConfigException(List<String> errors) {
    super(render(errors));
    this.errors = List.copyOf(errors);
  }

  /** One self-contained message per problem, in the order they were found. */
  public List<String> errors() {
    return errors;
  }

  private static String render(List<String> errors) {
    if (errors.size() == 1) {
      return "invalid configuration: " + errors.get(0);
    }
    return "invalid configuration (" + errors.size() + " errors):\n  " + String.join("\n  ", errors);
  }
}
