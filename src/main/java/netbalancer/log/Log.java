package netbalancer.log;

import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small logger for a daemon that runs under systemd: on the journal it prefixes each line with
 * its syslog priority ({@code <3>} error … {@code <7>} debug) and leaves timestamps to journald;
 * on a terminal it prints plain timestamped lines. Counts messages for the seed's
 * {@code load_balancer_log_messages_total}.
 */
public final class Log {
  public enum Level {
    DEBUG(7), INFO(6), WARN(4), ERROR(3);

    final int priority;

    Level(int priority) {
      this.priority = priority;
    }

    public static Level parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  private static final AtomicLong MESSAGES = new AtomicLong();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
  private static volatile Level threshold = Level.INFO;
  // -Dnetbalancer.log=stdout lets a test read the daemon's log on its standard output.
  private static volatile PrintStream out =
      "stdout".equals(System.getProperty("netbalancer.log")) ? System.out : System.err;
  private static final boolean JOURNAL = System.getenv("JOURNAL_STREAM") != null;

  private Log() {
  }

  public static void setLevel(Level level) {
    threshold = level;
  }

  public static void setOutput(PrintStream stream) {
    out = stream;
  }

  public static long messageCount() {
    return MESSAGES.get();
  }

  public static boolean enabled(Level level) {
    return level.compareTo(threshold) >= 0;
  }

  public static void debug(String fmt, Object... args) {
    log(Level.DEBUG, fmt, args);
  }

  public static void info(String fmt, Object... args) {
    log(Level.INFO, fmt, args);
  }

  public static void warn(String fmt, Object... args) {
    log(Level.WARN, fmt, args);
  }

  public static void error(String fmt, Object... args) {
    log(Level.ERROR, fmt, args);
  }

  public static void log(Level level, String fmt, Object... args) {
    if (!enabled(level)) {
      return;
    }
    MESSAGES.incrementAndGet();
    String msg = args.length == 0 ? fmt : String.format(Locale.ROOT, fmt, args);
    String line = JOURNAL
        ? "<" + level.priority + ">" + msg
        : LocalDateTime.now().format(TIME) + " " + level + " " + msg;
    synchronized (Log.class) {
      out.println(line);
    }
  }
}
