package netbalancer.config;

import java.util.Set;

/**
 * The one rule for the interface names the balancer uses, shared by validation (UPLINKS,
 * UPLINK_WEIGHTS, UPLINK_TIERS, drain), uplink discovery and the lab: a name that passes
 * validation is one discovery will use, and an interface whose name fails is left out of the
 * balancer (discovery says why, once).
 *
 * <p>Narrower than the kernel's dev_valid_name on purpose: names go into ip's argv, nft ruleset
 * text (quoted) and /proc/sys paths, so only the characters real interface names use (eth0,
 * enp0s31f6.100, br-1a2b, ppp0, wwan0, lte+) are accepted; quotes, backslashes, '*' (an nft
 * wildcard), ';', '$', non-ASCII and control characters never reach a parser.
 */
public final class InterfaceNames {
  /** IFNAMSIZ is 16 including the terminating NUL. */
  static final int MAX_CHARS = 15;
  /** The kernel refuses these (EINVAL): "all" and "default" are its sysctl directories. */
  private static final Set<String> RESERVED = Set.of(".", "..", "all", "default");

  public static final String RULES = "1-15 characters of A-Z a-z 0-9 . _ + -; not '.', '..', 'all' or 'default'";

  private InterfaceNames() {
  }

  public static boolean isValid(String name) {
    return problem(name) == null;
  }

  /** Why {@code name} is not an interface name the balancer uses, or null when it is. */
  public static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "empty";
    }
    if (name.length() > MAX_CHARS) {
      return name.length() + " characters, more than " + MAX_CHARS;
    }
    if (RESERVED.contains(name)) {
      return "'" + name + "' is reserved by the kernel";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '.' || c == '_' || c == '+' || c == '-';
      if (!ok) {
        return String.format("character U+%04X%s is not allowed", (int) c,
            Character.isISOControl(c) || Character.isWhitespace(c) ? "" : " '" + c + "'");
      }
    }
    return null;
  }
}
