package netbalancer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import netbalancer.daemon.EventLog;
import org.junit.jupiter.api.Test;

class EventsCommandTest {

  @Test
  void durations() {
    assertEquals(Duration.ofSeconds(90), EventsCommand.DurationConverter.parse("90s"));
    assertEquals(Duration.ofMinutes(15), EventsCommand.DurationConverter.parse("15m"));
    assertEquals(Duration.ofMinutes(90), EventsCommand.DurationConverter.parse("1h30m"));
    assertEquals(Duration.ofDays(1), EventsCommand.DurationConverter.parse("1d"));
    assertEquals(Duration.ofMinutes(15), EventsCommand.DurationConverter.parse("PT15M"));
    for (String bad : List.of("", "15", "m", "15x", "1h 30m", "-5m", "PT-5M", "yesterday")) {
      assertNull(EventsCommand.DurationConverter.parse(bad), bad);
    }
  }

  @Test
  void aBadSinceIsAUsageErrorNamingTheValue() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    var cl = Main.commandLine();
    cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    assertEquals(2, cl.execute("events", "--since", "yesterday"));
    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("--since") && text.contains("'yesterday' is not a duration"), text);
  }

  @Test
  void tableShowsChangeTierAndReason() {
    String t = EventsCommand.table(List.of(new EventLog.Event(0, "wan2", "up", "down", "carrier lost", 1, List.of()),
        new EventLog.Event(1000, "lte0", "", "up", "found", 2, List.of())), ZoneOffset.UTC);
    assertEquals("""
        TIME                 UPLINK           CHANGE                    TIER  REASON
        1970-01-01 00:00:00  wan2             up -> down                   1  carrier lost
        1970-01-01 00:00:01  lte0             new -> up                    2  found
        """, t);
    assertEquals("no state changes recorded\n", EventsCommand.table(List.of(), ZoneOffset.UTC));
  }
}
