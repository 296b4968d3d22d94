package netbalancer.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.config.Config;
import netbalancer.daemon.DaemonClient;
import netbalancer.daemon.EventLog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code events [--since DURATION] [--json]}: the uplinks' recent state changes with their
 * reasons, from the running daemon, else from the history it left in STATE_DIR.
 */
@Command(name = "events", mixinStandardHelpOptions = true,
    description = "Show the uplinks' recent state changes (old -> new state, reason, tier), oldest first.")
final class EventsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  @Mixin
  ConfigOption configOption;

  @Option(names = "--since", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "only the changes of the last DURATION, e.g. 90s, 15m, 2h, 1d or 1h30m")
  Duration since;

  @Option(names = "--json", description = "print JSON for scripts")
  boolean json;

  Clock clock = Clock.systemDefaultZone();

  @Override
  public Integer call() {
    Config config = configOption.load();
    List<EventLog.Event> events = load(config);
    if (since != null) {
      Instant from = clock.instant().minus(since);
      events = events.stream().filter(e -> !e.instant().isBefore(from)).toList();
    }
    System.out.print(json ? jsonOf(events) : table(events, clock.getZone()));
    return ExitCodes.OK;
  }

  /** From the daemon when one answers (an older one does not know the request), else from the file. */
  static List<EventLog.Event> load(Config config) {
    String answer = DaemonClient.request(config.controlSocket(), "events");
    if (answer != null && answer.startsWith("{")) {
      return EventLog.parse(answer);
    }
    return EventLog.read(EventLog.fileIn(config.stateDir()));
  }

  /**
   * The last {@code n} changes for {@code status}, or a line saying why there are none to show;
   * a history that cannot be read never stops status.
   */
  static String recent(Config config, int n) {
    try {
      List<EventLog.Event> all = load(config);
      List<EventLog.Event> last = all.subList(Math.max(0, all.size() - n), all.size());
      return last.isEmpty() ? "" : "\nrecent changes (all: net-balancer events):\n" + table(last, ZoneId.systemDefault());
    } catch (RuntimeException e) {
      return "\nrecent changes: not available (" + e.getMessage() + ")\n";
    }
  }

  static String jsonOf(List<EventLog.Event> events) {
    return EventLog.toJson(events);
  }

  static String table(List<EventLog.Event> events, ZoneId zone) {
    if (events.isEmpty()) {
      return "no state changes recorded\n";
    }
    StringBuilder sb = new StringBuilder(String.format("%-19s  %-15s  %-24s  %4s  %s%n", "TIME", "UPLINK", "CHANGE", "TIER", "REASON"));
    for (EventLog.Event e : events) {
      String change = (e.from().isEmpty() ? "new" : e.from()) + " -> " + e.to();
      sb.append(String.format("%-19s  %-15s  %-24s  %4d  %s%n", TIME.format(e.instant().atZone(zone)), e.uplink(), change,
          e.tier(), e.reason()));
    }
    return sb.toString();
  }

  /** 90s, 15m, 2h, 1d, 1h30m (units s, m, h, d), or ISO-8601 (PT15M). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})([smhd])");

    @Override
    public Duration convert(String value) {
      Duration d = parse(value);
      if (d == null) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration: expected a number with s, m, h or d (90s, 15m, 2h, 1d, 1h30m) or ISO-8601 (PT15M)");
      }
      return d;
    }

    static Duration parse(String value) {
      String v = value.strip().toLowerCase(Locale.ROOT);
      if (v.startsWith("p")) {
        try {
          Duration d = Duration.parse(v.toUpperCase(Locale.ROOT));
          return d.isNegative() ? null : d;
        } catch (java.time.format.DateTimeParseException e) {
          return null;
        }
      }
      Matcher m = PART.matcher(v);
      Duration total = Duration.ZERO;
      int end = 0;
      while (m.find() && m.start() == end) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
        end = m.end();
      }
      return end == 0 || end != v.length() ? null : total;
    }
  }
}
