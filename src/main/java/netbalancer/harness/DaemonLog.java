package netbalancer.harness;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import netbalancer.lab.LabProcess;

/** The lab daemon's log (its standard output): read on a thread, the last lines kept for a failure report. */
final class DaemonLog {
  private static final int KEEP = 60;

  private final LabProcess process;
  private final Deque<String> last = new ArrayDeque<>();

  DaemonLog(LabProcess process) {
    this.process = process;
  }

  /** Reads until a line contains {@code text}, then keeps reading in the background. */
  void awaitLine(String text, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("the lab daemon did not log '" + text + "' within " + limit.toSeconds()
            + " s; it said: " + String.join(" | ", lines()));
      }
      String line = process.readLine(Duration.ofNanos(left));
      keep(line);
      if (line.contains(text)) {
        break;
      }
    }
    Thread t = new Thread(this::drain, "lab-daemon-log");
    t.setDaemon(true);
    t.start();
  }

  private void drain() {
    try {
      while (true) {
        keep(process.readLine(Duration.ofDays(1)));
      }
    } catch (IllegalStateException e) {
      // output ended: the daemon stopped
    }
  }

  private synchronized void keep(String line) {
    if (last.size() == KEEP) {
      last.removeFirst();
    }
    last.addLast(line);
  }

  synchronized List<String> lines() {
    return new ArrayList<>(last);
  }
}
