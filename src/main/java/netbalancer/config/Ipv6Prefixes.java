package netbalancer.config;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IPv6 prefixes as ADDRESS/LENGTH, with no bit set past LENGTH (a prefix, not an address in it). */
public final class Ipv6Prefixes {
  /** Longer prefixes would leave too little of the address to map: SLAAC needs a /64. */
  static final int MAX_LENGTH = 64;
  private static final Pattern FORM = Pattern.compile("([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)/([0-9]{1,3})");

  private Ipv6Prefixes() {
  }

  /** What is accepted, for error messages. */
  static String allowed() {
    return "an IPv6 prefix ADDRESS/LENGTH with LENGTH 1.." + MAX_LENGTH + " and no address bit set past it,"
        + " e.g. 2001:db8:ff00::/64";
  }

  /** The prefix in canonical form (compressed, lower case), or null when {@code text} is none. */
  static String canonical(String text) {
    var m = FORM.matcher(text);
    if (!m.matches()) {
      return null;
    }
    int length = Integer.parseInt(m.group(2));
    if (length < 1 || length > MAX_LENGTH) {
      return null;
    }
    byte[] bytes;
    try {
      InetAddress a = InetAddress.getByName(m.group(1)); // IPv6 characters only: never a DNS lookup
      if (!(a instanceof Inet6Address)) {
        return null;
      }
      bytes = a.getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
    BigInteger value = new BigInteger(1, bytes);
    if (!value.equals(value.shiftRight(128 - length).shiftLeft(128 - length))) {
      return null;
    }
    return compress(bytes) + "/" + length;
  }

  /** The length of a prefix that {@link #canonical} accepted. */
  public static int length(String prefix) {
    return Integer.parseInt(prefix.substring(prefix.indexOf('/') + 1));
  }

  /** RFC 5952 text: lower case, the longest run of two or more zero groups as "::". */
  private static String compress(byte[] b) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
