package netbalancer.kernel;

import netbalancer.system.CommandRunner;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deletes exactly the conntrack entries that a failure made useless: those pinned to one uplink
 * (by our mark bits) or those NATed to an address that is gone. Never a full flush.
 */
public final class Conntrack {
  private static final Pattern DELETED = Pattern.compile("(\\d+) flow entries have been deleted");
  private static final Pattern MARK = Pattern.compile(" mark=(\\d+)");
  private final CommandRunner runner;

  public Conntrack(CommandRunner runner) {
    this.runner = runner;
  }

  /** Entries whose ct mark, under {@code mask}, is {@code mark}. Returns how many were deleted. */
  public int deleteMarked(long mark, long mask) {
    return deleted(runner.run(List.of("conntrack", "-D", "-m", hex(mark) + "/" + hex(mask)), null));
  }

  /** Entries whose replies go to {@code address}: connections NATed to an address now gone. */
  public int deleteReplyDestination(String address) {
    return deleted(runner.run(List.of("conntrack", "-D", "--reply-dst", address), null));
  }

  /** Entries per value of our mark bits (0 = not pinned), from one listing. */
  public Map<Long, Integer> countByMark(long mask) {
    CommandRunner.Result r = runner.run(List.of("conntrack", "-L"), null);
    Map<Long, Integer> counts = new TreeMap<>();
    if (!r.ok()) {
      return counts;
    }
    Matcher m = MARK.matcher(r.stdout());
    while (m.find()) {
      counts.merge(Long.parseLong(m.group(1)) & mask, 1, Integer::sum);
    }
    return counts;
  }

  /** conntrack prints "… N flow entries have been deleted." on stderr, and exits 1 when N is 0. */
  private static int deleted(CommandRunner.Result r) {
    Matcher m = DELETED.matcher(r.stderr());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }
}
