package netbalancer.config;

import java.nio.charset.StandardCharsets;

/** Linux interface-name rules (the kernel's dev_valid_name), plus what is unsafe in an nft ruleset. */
final class InterfaceNames {
  /** IFNAMSIZ is 16 including the terminating NUL. */
  static final int MAX_BYTES = 15;

  static final String RULES = "1-15 bytes; no '/', ':', whitespace, quotes, backslashes or '*'; not '.' or '..'";

  private InterfaceNames() {
  }

  static boolean isValid(String name) {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > MAX_BYTES || name.equals(".") || name.equals("..")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      // '/', ':' and whitespace are the kernel's rules. Quotes, backslashes, control characters
      // and '*' (an nft wildcard) are legal to the kernel but names end up inside nft ruleset text.
      if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)
          || c == '"' || c == '\'' || c == '\\' || c == '*') {
        return false;
      }
    }
    return true;
  }
}
