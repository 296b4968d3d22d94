package netbalancer.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import netbalancer.log.Log;
import netbalancer.netlink.NativeHeap;
import netbalancer.system.Ticker;

/**
 * Gives the C heap's free memory back on a beat (docs/design.md, "Native memory over days"):
 * without it the daemon's RSS crept up by what glibc kept after the JIT's and the GC's peaks. Where
 * there is no trim (musl, JNA not loadable) it says so once and does nothing after.
 */
final class NativeHeapTrimmer implements Runnable {
  /**
   * As often as the JDK's own TrimNativeHeapInterval is usually set. One trim took 0.5-8 ms in a
   * lab daemon under load and returned 0.3-1.4 MB: on the reconcile thread, it delays a pass that
   * comes in that window (once a minute) by at most that.
   */
  static final Duration EVERY = Duration.ofMinutes(1);

  private final BooleanSupplier trim;
  private final LongSupplier rssKb;
  private final Ticker ticker;
  private boolean unavailable;
  private long returnedKb;

  NativeHeapTrimmer(BooleanSupplier trim, LongSupplier rssKb, Ticker ticker) {
    this.trim = trim;
    this.rssKb = rssKb;
    this.ticker = ticker;
  }

  static NativeHeapTrimmer forThisProcess(Ticker ticker) {
    return new NativeHeapTrimmer(NativeHeap::trim, NativeHeapTrimmer::rssKb, ticker);
  }

  @Override
  public void run() {
    if (unavailable) {
      return;
    }
    long before = rssKb.getAsLong();
    long t0 = ticker.read();
    boolean returned;
    try {
      returned = trim.getAsBoolean();
    } catch (LinkageError e) {
      unavailable = true;
      Log.info("native heap: no malloc_trim here (%s); memory the C heap freed stays with the process", e);
      return;
    }
    long micros = TimeUnit.NANOSECONDS.toMicros(ticker.read() - t0);
    long after = rssKb.getAsLong();
    if (returned && before > 0 && after > 0) {
      returnedKb += Math.max(0, before - after);
    }
    Log.debug("native heap trimmed in %d us: RSS %d -> %d kB (%d kB returned since the start)", micros, before,
        after, returnedKb);
  }

  boolean unavailable() {
    return unavailable;
  }

  /** RSS given back by trims that returned memory, in kB, as seen around each (other threads allocate meanwhile). */
  long returnedKb() {
    return returnedKb;
  }

  /** VmRSS of /proc/self/status, in kB; -1 if it cannot be read (only the debug line uses it). */
  static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux's procfs: the number is only for the log
    }
    return -1;
  }
}
