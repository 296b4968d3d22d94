package netbalancer.daemon;

import java.time.Duration;
import java.util.List;
import netbalancer.observe.KernelObserver;
import netbalancer.observe.NetlinkReads;
import netbalancer.system.ProcessRunner;

/**
 * Started by {@code run} before anything else (picocli, the configuration: ~400 ms of a fresh
 * JVM before the daemon's first pass), on a daemon thread: loads JNA and the netlink readers
 * (~70-100 ms cold, which the first read otherwise waits for; {@link NetlinkReads#warmUp}), then
 * makes the JVM's first process spawn, the read of our nft table the first pass makes too (a
 * spawn is ~15-20 ms cold, ~2 ms warm): a fresh JVM's first read was ~20 ms slower than the next
 * (lab: 21-26 ms against 7-10 ms), so the first pass's reads and its apply's nft and ip processes
 * start warm. No whole observer read: its deferred dump of main's connected routes and a sweep
 * walk all of main (~0.1 s at 1 000 000 routes), beside a JVM start on perhaps two cores. Reads
 * only; any failure is left for the real use to report.
 */
public final class EarlyWarmUp {
  private EarlyWarmUp() {
  }

  public static void begin() {
    Thread t = new Thread(EarlyWarmUp::run, "early-warm-up");
    t.setDaemon(true);
    t.start();
  }

  private static void run() {
    try {
      if (!"ip".equals(System.getProperty(KernelReadsChoice.PROPERTY))) {
        NetlinkReads.warmUp();
      }
      new ProcessRunner().run(List.of("nft", "-j", "list", "table", KernelObserver.NFT_FAMILY, KernelObserver.NFT_TABLE),
          null, Duration.ofSeconds(2));
    } catch (RuntimeException | LinkageError e) {
      // the daemon's own reads say what fails
    }
  }
}
