package netbalancer.config;

/** Shell-style patterns for interface names: {@code *}, {@code ?} and {@code [a-z]} / {@code [!0-9]}. */
final class Glob {
  private Glob() {
  }

  /** Null when the pattern is usable, else why not. */
  static String problem(String pattern) {
    if (pattern.isEmpty()) {
      return "empty pattern";
    }
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '/' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        return "a pattern cannot contain '" + c + "'";
      }
      if (c == '[') {
        int end = classEnd(pattern, i);
        if (end < 0) {
          return "unterminated '[' in " + pattern;
        }
        i = end;
      }
    }
    return null;
  }

  static boolean matches(String pattern, String name) {
    return matches(pattern, 0, name, 0);
  }

  private static boolean matches(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        for (int k = si; k <= s.length(); k++) {
          if (matches(p, pi + 1, s, k)) {
            return true;
          }
        }
        return false;
      }
      if (si >= s.length()) {
        return false;
      }
      int end = c == '[' ? classEnd(p, pi) : -1;
      if (end > 0) {
        if (!inClass(p, pi + 1, end, s.charAt(si))) {
          return false;
        }
        pi = end + 1;
      } else {
        if (c != '?' && c != s.charAt(si)) {
          return false;
        }
        pi++;
      }
      si++;
    }
    return si == s.length();
  }

  /** Index of the ']' closing the class opened at {@code open}, or -1; a ']' first in the class is literal. */
  private static int classEnd(String p, int open) {
    int i = open + 1;
    if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
      i++;
    }
    if (i < p.length() && p.charAt(i) == ']') {
      i++;
    }
    return p.indexOf(']', i);
  }

  private static boolean inClass(String p, int from, int end, char c) {
    boolean negate = p.charAt(from) == '!' || p.charAt(from) == '^';
    int i = negate ? from + 1 : from;
    boolean found = false;
    while (i < end) {
      char lo = p.charAt(i);
      if (i + 2 < end && p.charAt(i + 1) == '-') {
        found |= c >= lo && c <= p.charAt(i + 2);
        i += 3;
      } else {
        found |= c == lo;
        i++;
      }
    }
    return found != negate;
  }
}
