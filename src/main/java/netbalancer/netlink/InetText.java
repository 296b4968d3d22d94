package netbalancer.netlink;

import java.nio.ByteBuffer;

/**
 * An address as iproute2 prints it (glibc's inet_ntop): IPv4 dotted; IPv6 in lower-case hex with
 * the first longest run of two or more zero groups as "::", and the IPv4-compatible (::a.b.c.d)
 * and IPv4-mapped (::ffff:a.b.c.d) forms dotted at the end. The observer compares these strings
 * with what the planner renders and what ip printed before, so the form must be exactly ip's.
 */
final class InetText {
  private InetText() {
  }

  static String of(ByteBuffer b, int at, int bytes) {
    if (bytes == 4) {
      return (b.get(at) & 0xff) + "." + (b.get(at + 1) & 0xff) + "." + (b.get(at + 2) & 0xff) + "." + (b.get(at + 3) & 0xff);
    }
    if (bytes != 16) {
      throw new IllegalArgumentException("an address of " + bytes + " bytes");
    }
    int[] w = new int[8];
    for (int i = 0; i < 8; i++) {
      w[i] = ((b.get(at + 2 * i) & 0xff) << 8) | (b.get(at + 2 * i + 1) & 0xff);
    }
    int bestBase = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (w[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && w[j] == 0) {
        j++;
      }
      if (j - i > bestLen) { // strictly longer: the first of equal runs wins
        bestBase = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestBase = -1;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
        if (i == bestBase) {
          sb.append(':');
        }
        continue;
      }
      if (i != 0) {
        sb.append(':');
      }
      if (i == 6 && bestBase == 0 && (bestLen == 6 || bestLen == 5 && w[5] == 0xffff)) {
        sb.append(of(b, at + 12, 4));
        return sb.toString();
      }
      sb.append(Integer.toHexString(w[i]));
    }
    if (bestBase >= 0 && bestBase + bestLen == 8) {
      sb.append(':');
    }
    return sb.toString();
  }
}
