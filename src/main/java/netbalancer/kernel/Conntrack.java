package netbalancer.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.system.CommandRunner;

/**
 * Deletes exactly the conntrack entries that a failure made useless: those pinned to one uplink
 * (by our mark bits) or those NATed to an address that is gone. Never a full flush.
 */
public final class Conntrack {
  private static final Pattern DELETED = Pattern.compile("(\\d+) flow entries have been deleted");
  private static final Pattern MARK = Pattern.compile(" mark=(\\d+)");
  private static final Path PROC_CONNTRACK = Path.of("/proc/net/nf_conntrack");
  private final CommandRunner runner;
  private final Path proc;

  public Conntrack(CommandRunner runner) {
    this(runner, PROC_CONNTRACK);
  }

  /** @param proc this namespace's connection table as text ({@code /proc/net/nf_conntrack}) */
  public Conntrack(CommandRunner runner, Path proc) {
    this.runner = runner;
    this.proc = proc;
  }

  /** Entries whose ct mark, under {@code mask}, is {@code mark}. Returns how many were deleted. */
  public int deleteMarked(long mark, long mask) {
    return deleted(runner.run(List.of("conntrack", "-D", "-m", hex(mark) + "/" + hex(mask)), null));
  }

  /** Entries whose replies go to {@code address}: connections NATed to an address now gone. */
  public int deleteReplyDestination(String address) {
    return deleted(runner.run(List.of("conntrack", "-D", "--reply-dst", address), null));
  }

  /**
   * Entries per value of our mark bits (0 = not pinned), from one listing: read line by line from
   * /proc/net/nf_conntrack (250 000 entries are 60 MB of text: never one string in a 64 MB heap),
   * or from {@code conntrack -L} where the kernel has no such file. It walks the whole table:
   * for {@code status} and now and then for metrics, never on a timer tick.
   */
  public Map<Long, Integer> countByMark(long mask) {
    if (Files.isReadable(proc)) {
      Map<Long, Integer> counts = new TreeMap<>();
      try (BufferedReader in = Files.newBufferedReader(proc, StandardCharsets.US_ASCII)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          int at = line.indexOf(" mark=");
          if (at >= 0) {
            int from = at + 6;
            int to = from;
            while (to < line.length() && Character.isDigit(line.charAt(to))) {
              to++;
            }
            if (to > from) {
              counts.merge(Long.parseLong(line, from, to, 10) & mask, 1, Integer::sum);
            }
          }
        }
        return counts;
      } catch (IOException | UncheckedIOException e) {
        // unreadable after all: ask conntrack
      }
    }
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
