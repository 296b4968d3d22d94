package netbalancer.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import netbalancer.log.Log;

/**
 * Runs {@code ip monitor link address route neigh} and turns every line into a signal. The text
 * is never parsed for state (iproute2 6.1 prints monitor output as text even with -j); the
 * reconciler re-reads the kernel instead. Lines about our own routes are skipped: they echo our
 * own changes. Restarted a second after it dies.
 */
final class IpMonitor implements AutoCloseable {
  private final Runnable signal;
  private final String ownProto;
  private final Thread thread;
  private volatile Process process;
  private volatile boolean closed;

  IpMonitor(Runnable signal, int rtProto) {
    this.signal = signal;
    this.ownProto = "proto " + rtProto;
    this.thread = new Thread(this::loop, "ip-monitor");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void loop() {
    while (!closed) {
      try {
        process = new ProcessBuilder(List.of("ip", "-N", "monitor", "link", "address", "route", "neigh"))
            .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        // The monitor is running: anything that changed before it started is caught by one pass now.
        signal.run();
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (!line.contains(ownProto)) {
              signal.run();
            }
          }
        }
        if (!closed) {
          Log.warn("ip monitor exited (%d); restarting it", process.waitFor());
        }
      } catch (IOException e) {
        Log.error("ip monitor: %s", e.getMessage());
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
