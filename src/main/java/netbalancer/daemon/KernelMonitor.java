package netbalancer.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import netbalancer.log.Log;

/**
 * Runs a kernel event stream ({@code ip monitor …}, {@code nft monitor …}) and turns every line
 * into a signal. The text is never parsed for state (iproute2 6.1 prints monitor output as text
 * even with -j); the reconciler re-reads the kernel instead. Additions containing {@code ignore}
 * echo our own changes and are skipped; deletions never are (someone may have removed ours). Restarted a second after it dies.
 */
final class KernelMonitor implements AutoCloseable {
  private final List<String> argv;
  private final Runnable signal;
  private final String ignore;
  private final Predicate<NeighborEvent> neighborOfInterest;
  private final Thread thread;
  private volatile Process process;
  private volatile boolean closed;

  KernelMonitor(List<String> argv, String ignore, Predicate<NeighborEvent> neighborOfInterest, Runnable signal) {
    this.argv = List.copyOf(argv);
    this.signal = signal;
    this.ignore = ignore;
    this.neighborOfInterest = neighborOfInterest;
    this.thread = new Thread(this::loop, argv.get(0) + "-monitor");
    this.thread.setDaemon(true);
  }

  /**
   * Links, addresses, routes, rules and neighbors; our own routes' echoes skipped. Neighbor
   * events count only where {@code gateway} says they matter: every
   * LAN host's ARP entry, and a healthy gateway's, changes state all day.
   */
  static KernelMonitor ip(int rtProto, Predicate<NeighborEvent> gateway, Runnable signal) {
    return new KernelMonitor(List.of("ip", "-N", "monitor", "link", "address", "route", "rule", "neigh"),
        "proto " + rtProto, gateway, signal);
  }

  /** Tables added or deleted: notices our nft table deleted by someone else at once. */
  static KernelMonitor nftTables(Runnable signal) {
    return new KernelMonitor(List.of("nft", "monitor", "tables"), null, key -> true, signal);
  }

  /** Whether a line of monitor output should wake the reconciler. */
  boolean interesting(String line) {
    Optional<NeighborEvent> n = NeighborEvent.parse(line);
    if (n.isPresent()) {
      return neighborOfInterest.test(n.get());
    }
    return ignore == null || !line.contains(ignore) || line.startsWith("Deleted");
  }

  void start() {
    thread.start();
  }

  private void loop() {
    while (!closed) {
      try {
        process = new ProcessBuilder(argv)
            .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        // The monitor is running: anything that changed before it started is caught by one pass now.
        signal.run();
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (interesting(line)) {
              signal.run();
            }
          }
        }
        if (!closed) {
          Log.warn("%s exited (%d); restarting it", String.join(" ", argv), process.waitFor());
        }
      } catch (IOException e) {
        Log.error("%s: %s", argv.get(0), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      sleepQuietly(1000);
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    Process p = process;
    if (p != null) {
      p.destroy();
    }
    thread.interrupt();
  }
}
