package netbalancer.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP address literals only: the daemon must never depend on DNS to reach its probe targets. */
final class IpLiterals {
  private static final Pattern V4 = Pattern.compile(
      "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
  private static final Pattern V6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  private IpLiterals() {
  }

  static boolean isValid(String text) {
    if (V4.matcher(text).matches()) {
      return true;
    }
    // With a ':' present and only hex digits, ':' and '.', InetAddress parses the text as an
    // IPv6 literal and fails rather than resolving it as a host name.
    if (!text.contains(":") || !V6_CHARS.matcher(text).matches()) {
      return false;
    }
    try {
      InetAddress.getByName(text);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
