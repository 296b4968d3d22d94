package netbalancer.config;

import java.util.List;

/**
 * The rules of the policies file in file order (first match wins), and the warnings reading it
 * gave (shadowed rules). {@link #NONE} when there is no file: the product behaves as without
 * the feature.
 *
 * @param source   where the rules were read from, for messages ("" for none)
 * @param rules    in file order
 * @param warnings one self-contained message each
 */
public record Policies(String source, List<Policy> rules, List<String> warnings) {
  public static final Policies NONE = new Policies("", List.of(), List.of());

  public Policies {
    rules = List.copyOf(rules);
    warnings = List.copyOf(warnings);
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** The rule called {@code name}, or null. */
  public Policy byName(String name) {
    return rules.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
  }
}
