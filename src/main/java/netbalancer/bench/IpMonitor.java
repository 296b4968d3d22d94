package netbalancer.bench;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;

/**
 * {@code ip -ts monitor link route} in a lab namespace: when a link lost carrier and when a route
 * changed, without polling. ip stamps each message when it reads it (CLOCK_REALTIME), so a stamp
 * may lag the kernel's change, never lead it. A message spans several lines (a multipath route
 * lists its nexthops below); only the first carries the stamp.
 */
final class IpMonitor implements AutoCloseable {
  private static final Pattern STAMP = Pattern.compile("^\\[(\\d{4}-\\d\\d-\\d\\dT[0-9:.]+)] ?(.*)$");
  /** How long a message's continuation lines may lag its first line. */
  private static final Duration CONTINUATION = Duration.ofMillis(30);

  /** One kernel message: when ip printed it (epoch microseconds) and its text, lines joined. */
  record Event(long micros, String text) {
    boolean isLinkOf(String dev) {
      return text.matches("(?s)^\\d+: " + Pattern.quote(dev) + "[@:].*");
    }

    boolean noCarrier() {
      return text.contains("NO-CARRIER");
    }

    /** A route added or replaced (not deleted) in {@code table}. */
    boolean isRouteIn(int table) {
      return !text.startsWith("Deleted") && text.contains(" table " + table + " ");
    }

    boolean mentionsDev(String dev) {
      return text.matches("(?s).*\\bdev " + Pattern.quote(dev) + "\\b.*");
    }
  }

  /** Where lines come from: the next one within a timeout, or null. */
  interface Lines {
    String poll(Duration timeout);
  }

  private final Lines lines;
  private final AutoCloseable process;
  private Event pending;

  IpMonitor(Lines lines, AutoCloseable process) {
    this.lines = lines;
    this.process = process;
  }

  static IpMonitor start(Lab lab, String ns) throws InterruptedException {
    return start(lab, ns, false);
  }

  /**
   * {@code ipv6}: {@code ip -6 -ts monitor link route}, so every route event is an IPv6 one (the
   * IPv4 and IPv6 default routes of LB_TABLE print alike, "default table N …").
   */
  static IpMonitor start(Lab lab, String ns, boolean ipv6) throws InterruptedException {
    LabProcess p = ipv6 ? lab.start(ns, "ip", "-6", "-ts", "monitor", "link", "route")
        : lab.start(ns, "ip", "-ts", "monitor", "link", "route");
    Thread.sleep(300); // ip has subscribed by then; nothing it could miss has happened yet
    return new IpMonitor(timeout -> {
      try {
        return p.readLine(timeout);
      } catch (IllegalStateException e) {
        return null; // nothing within the timeout
      }
    }, p);
  }

  /** The next event that matches, or null when none came within {@code timeout}. */
  Event await(Predicate<Event> wanted, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : poll(Duration.ofNanos(Math.min(left, CONTINUATION.toNanos())));
      if (line != null && pending != null && !line.isEmpty() && Character.isWhitespace(line.charAt(0))) {
        pending = new Event(pending.micros(), pending.text() + "\n" + line.strip());
        continue;
      }
      Event done = pending; // a new first line, or silence: the pending message is whole
      pending = line == null ? null : parse(line);
      if (done != null && wanted.test(done)) {
        return done;
      }
      if (line == null && left <= 0) {
        return null;
      }
    }
  }

  /** Forgets everything printed so far. */
  void drain() {
    while (poll(Duration.ofMillis(1)) != null) {
      // discard
    }
    pending = null;
  }

  private String poll(Duration timeout) {
    return lines.poll(timeout);
  }

  static Event parse(String line) {
    Matcher m = STAMP.matcher(line);
    if (!m.matches()) {
      return new Event(0, line);
    }
    long micros = ChronoUnit.MICROS.between(java.time.Instant.EPOCH,
        LocalDateTime.parse(m.group(1)).atZone(ZoneId.systemDefault()).toInstant());
    return new Event(micros, m.group(2));
  }

  @Override
  public void close() throws Exception {
    process.close();
  }
}
