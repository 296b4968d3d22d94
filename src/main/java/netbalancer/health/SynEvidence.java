package netbalancer.health;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Passive evidence from real traffic: connections whose SYN got no answer (conntrack SYN_SENT
 * [UNREPLIED]), turned into suspicions of the uplinks they are pinned to. Pure: the caller lists
 * conntrack and passes the time, every {@code ~500 ms}.
 *
 * <p>Two levels, per uplink:
 * <ul>
 *   <li>2 connections unanswered for {@link #PROBE_AFTER} (several round trips on any terrestrial
 *       path): probe now ({@code counts=false}). Cheap and often wrong (a dead server), so it only
 *       brings the next probe round forward.
 *   <li>2 connections unanswered for {@link #COUNT_AFTER} (past the kernel's first SYN
 *       retransmission at 1 s), to 2 different servers (one dead server is not a dead uplink),
 *       all sent after the last late answer seen on that uplink (under random loss, retransmitted
 *       SYNs do get answered; behind a blackhole nothing comes back): the suspicion also counts
 *       as the first failed observation ({@code counts=true}).
 * </ul>
 * Each connection is evidence once per level, only while it is younger than {@link #FORGET_AFTER}
 * and only while its uplink is eligible; each level speaks at most once per {@link #QUIET} per
 * uplink.
 *
 * <p>Why it tracks entries itself: conntrack shows only the remaining timeout, in whole seconds,
 * and every retransmitted SYN resets it, so {@code timeout - remaining} is the time since the
 * last SYN, rounded up. The age of an entry is therefore estimated once, when it is first seen
 * (bounded above by the time since the previous listing), and then follows the clock.
 */
public final class SynEvidence {
  static final long PROBE_AFTER = TimeUnit.MILLISECONDS.toNanos(500);
  static final long COUNT_AFTER = TimeUnit.MILLISECONDS.toNanos(1500);
  static final long FORGET_AFTER = TimeUnit.SECONDS.toNanos(10);
  static final long QUIET = TimeUnit.SECONDS.toNanos(5);
  static final int CONNECTIONS = 2;
  static final int SERVERS = 2;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final long NONE = Long.MIN_VALUE;

  /**
   * One SYN_SENT [UNREPLIED] entry pinned to {@code uplink}: its original direction, and the
   * seconds since its last SYN as conntrack shows them (timeout minus remaining).
   */
  public record Syn(String uplink, String source, int sourcePort, String destination, int destinationPort,
      long silentSeconds, long remainingSeconds) {
    String key() {
      return source + ":" + sourcePort + ">" + destination + ":" + destinationPort;
    }
  }

  /** What to tell the health monitor about one uplink. */
  public record Suspicion(String uplink, boolean counts, String reason) {
  }

  private static final class Tracked {
    final String uplink;
    final String destination;
    final long sentAt;
    long remainingSeconds;
    boolean probed;
    boolean counted;

    Tracked(String uplink, String destination, long sentAt) {
      this.uplink = uplink;
      this.destination = destination;
      this.sentAt = sentAt;
    }
  }

  private Map<String, Tracked> tracked = new HashMap<>();
  private final Map<String, Long> lastAnswer = new HashMap<>();
  private final Map<String, Long> lastProbe = new HashMap<>();
  private final Map<String, Long> lastCount = new HashMap<>();
  private long lastListing = NONE;

  /** One listing: what to suspect now. {@code eligible}: uplinks in service as health sees them. */
  public List<Suspicion> update(long now, List<Syn> listing, Set<String> eligible) {
    Map<String, Tracked> next = new HashMap<>();
    for (Syn s : listing) {
      Tracked t = tracked.remove(s.key());
      if (t == null || !t.uplink.equals(s.uplink())) {
        t = new Tracked(s.uplink(), s.destination(), now - firstAge(now, s.silentSeconds()));
      }
      t.remainingSeconds = s.remainingSeconds();
      next.put(s.key(), t);
    }
    // Gone from SYN_SENT before it expired: a reply came (or a reset), so the uplink carried it.
    for (Tracked gone : tracked.values()) {
      if (gone.remainingSeconds > 2 && lastListing != NONE) {
        lastAnswer.merge(gone.uplink, lastListing, Math::max);
      }
    }
    tracked = next;
    lastListing = now;
    List<Suspicion> out = new ArrayList<>();
    Map<String, List<Tracked>> byUplink = new HashMap<>();
    for (Tracked t : next.values()) {
      if (!eligible.contains(t.uplink)) {
        t.probed = true; // what happened while it was out of service is history when it returns
        t.counted = true;
      } else if (now - t.sentAt <= FORGET_AFTER) {
        byUplink.computeIfAbsent(t.uplink, u -> new ArrayList<>()).add(t);
      }
    }
    byUplink.forEach((uplink, syns) -> {
      Suspicion s = judge(uplink, syns, now);
      if (s != null) {
        out.add(s);
      }
    });
    return out;
  }

  /** Whether some SYN is still awaited: the next listing must look again even if nothing new came. */
  public boolean waiting() {
    return !tracked.isEmpty();
  }

  /** What the last listing holds, per uplink: "wan2 6 (oldest 1.25 s)"; for a debug log. */
  public String summary(long now) {
    Map<String, long[]> by = new java.util.TreeMap<>();
    for (Tracked t : tracked.values()) {
      long[] c = by.computeIfAbsent(t.uplink, u -> new long[2]);
      c[0]++;
      c[1] = Math.max(c[1], now - t.sentAt);
    }
    List<String> out = new ArrayList<>();
    by.forEach((u, c) -> out.add(u + " " + c[0] + " (oldest " + seconds(c[1] / 10_000_000 * 10_000_000) + " s)"));
    return String.join(", ", out);
  }

  /** Forgets everything (checks paused): entries seen after a pause get their age estimated anew. */
  public void reset() {
    tracked = new HashMap<>();
    lastListing = NONE;
  }

  private Suspicion judge(String uplink, List<Tracked> syns, long now) {
    long answered = lastAnswer.getOrDefault(uplink, NONE);
    List<Tracked> strong = syns.stream()
        .filter(t -> !t.counted && now - t.sentAt >= COUNT_AFTER && t.sentAt > answered).toList();
    Set<String> servers = new TreeSet<>();
    strong.forEach(t -> servers.add(t.destination));
    if (strong.size() >= CONNECTIONS && servers.size() >= SERVERS && quiet(lastCount, uplink, now)) {
      lastCount.put(uplink, now);
      lastProbe.put(uplink, now);
      syns.stream().filter(t -> now - t.sentAt >= PROBE_AFTER).forEach(t -> t.probed = true);
      strong.forEach(t -> t.counted = true);
      return new Suspicion(uplink, true, strong.size() + " connection(s) to " + servers.size()
          + " servers unanswered for " + seconds(COUNT_AFTER) + " s or more");
    }
    List<Tracked> weak = syns.stream().filter(t -> !t.probed && now - t.sentAt >= PROBE_AFTER).toList();
    if (weak.size() >= CONNECTIONS && quiet(lastProbe, uplink, now)) {
      lastProbe.put(uplink, now);
      weak.forEach(t -> t.probed = true);
      Set<String> to = new HashSet<>();
      weak.forEach(t -> to.add(t.destination));
      return new Suspicion(uplink, false, weak.size() + " connection(s) to " + to.size()
          + " server(s) unanswered for " + seconds(PROBE_AFTER) + " s or more");
    }
    return null;
  }

  /**
   * The age of an entry seen for the first time: conntrack's whole seconds since its last SYN
   * mean somewhere in (s - 1, s]; if a listing ran meanwhile, it was younger than that listing.
   * The middle of what is possible.
   */
  private long firstAge(long now, long silentSeconds) {
    long low = Math.max(0, silentSeconds - 1) * SECOND;
    long high = Math.max(0, silentSeconds) * SECOND;
    if (lastListing != NONE) {
      high = Math.min(high, now - lastListing);
    }
    return Math.max(0, Math.min(high, (low + high) / 2));
  }

  private static boolean quiet(Map<String, Long> last, String uplink, long now) {
    Long at = last.get(uplink);
    return at == null || now - at >= QUIET;
  }

  private static String seconds(long nanos) {
    return java.math.BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
  }
}
