package netbalancer.daemon;

import java.util.concurrent.TimeUnit;

/**
 * Whether this period's listing of the unanswered SYNs is worth its cost (an {@code nft} process;
 * before the nft set, a walk of the kernel's whole connection hash). The namespace's connection
 * count (/proc/sys/net/netfilter/nf_conntrack_count, read whole: see ProcSysFile) costs nothing to
 * read and changes whenever a connection is created, so the listing runs only when the count
 * moved, while a SYN is still awaited, and at least every {@link #FLOOR} in case a creation and an
 * expiry cancelled out. Under traffic the count moves every period, so a blackhole's SYNs are
 * seen within one period.
 */
final class ScanGate {
  static final long FLOOR = TimeUnit.SECONDS.toNanos(5);
  private long lastCount = -1;
  private long lastScan;
  private boolean scanned;

  /**
   * @param count   the namespace's connection count now, or -1 when it cannot be read (always list)
   * @param waiting whether the previous listing left SYNs awaiting an answer
   */
  boolean due(long now, long count, boolean waiting) {
    boolean due = count < 0 || count != lastCount || waiting || !scanned || now - lastScan >= FLOOR;
    lastCount = count;
    if (due) {
      lastScan = now;
      scanned = true;
    }
    return due;
  }

  /** Checks paused: the next period lists afresh. */
  void reset() {
    scanned = false;
  }
}
