package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import netbalancer.plan.UplinkState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T03:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path dir;

  private Path stateDir() throws Exception {
    Path d = dir.resolve("state");
    Files.createDirectories(d);
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    return d;
  }

  @Test
  void recordsEachTransitionWithReasonTierAndWhatIsBalanced() throws Exception {
    EventLog log = EventLog.open(stateDir(), CLOCK);
    log.record(List.of(new Transition("wan2", UplinkState.UP, UplinkState.DOWN, "carrier lost"),
        new Transition("lte0", null, UplinkState.UP, "found")), u -> u.equals("lte0") ? 2 : 1, List.of("wan1"));
    List<EventLog.Event> events = log.events();
    assertEquals(2, events.size());
    assertEquals(new EventLog.Event(CLOCK.millis(), "wan2", "up", "down", "carrier lost", 1, List.of("wan1")), events.get(0));
    assertEquals("", events.get(1).from(), "an uplink just found has no old state");
    assertEquals(2, events.get(1).tier());
    log.record(List.of(new Transition("wan2", UplinkState.DOWN, null, "interface gone")), u -> 1, List.of("wan1"));
    assertEquals("gone", log.events().get(2).to());
  }

  @Test
  void aRestartReadsTheHistoryBackAndTheFileIsReplacedAtomically() throws Exception {
    Path state = stateDir();
    EventLog first = EventLog.open(state, CLOCK);
    first.record(List.of(new Transition("wan1", UplinkState.UP, UplinkState.DOWN, "no carrier")), u -> 1, List.of());
    EventLog second = EventLog.open(state, CLOCK);
    assertEquals(first.events(), second.events());
    assertEquals(first.events(), EventLog.read(EventLog.fileIn(state)), "what the CLI reads without a daemon");
    try (Stream<Path> files = Files.list(state)) {
      assertEquals(List.of(EventLog.fileIn(state).getFileName().toString()),
          files.map(p -> p.getFileName().toString()).toList(), "no temp file left");
    }
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(EventLog.fileIn(state))));
  }

  @Test
  void boundedInCountAndFieldLength() throws Exception {
    EventLog log = EventLog.open(stateDir(), CLOCK);
    String longReason = "x".repeat(10_000);
    for (int i = 0; i < EventLog.CAPACITY + 25; i++) {
      log.record(List.of(new Transition("wan" + i, UplinkState.UP, UplinkState.DOWN, longReason)), u -> 1, List.of());
    }
    List<EventLog.Event> events = log.events();
    assertEquals(EventLog.CAPACITY, events.size());
    assertEquals("wan25", events.get(0).uplink(), "the oldest went first");
    assertEquals(EventLog.MAX_FIELD, events.get(0).reason().length());
    assertTrue(Files.size(EventLog.fileIn(dir.resolve("state"))) < 1 << 20, "the file stays under the read limit");
  }

  @Test
  void aDamagedHistoryIsSetAsideNotFatal() throws Exception {
    Path state = stateDir();
    Files.writeString(EventLog.fileIn(state), "{not json");
    EventLog log = EventLog.open(state, CLOCK);
    assertEquals(List.of(), log.events());
    log.record(List.of(new Transition("wan1", UplinkState.DOWN, UplinkState.UP, "recovered")), u -> 1, List.of("wan1"));
    assertEquals(1, EventLog.read(EventLog.fileIn(state)).size(), "a new history replaced it");
  }

  @Test
  void aFileOthersCanWriteIsRefused() throws Exception {
    Path state = stateDir();
    Path file = EventLog.fileIn(state);
    Files.writeString(file, "{\"events\":[]}");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> EventLog.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void jsonRoundTrip() {
    List<EventLog.Event> events = List.of(new EventLog.Event(1_700_000_000_123L, "wan1", "up", "degraded",
        "probe round failed (1/2)", 1, List.of("wan1", "wan2")));
    String json = EventLog.toJson(events);
    assertTrue(json.contains("\"time\":\"2023-11-14T22:13:20.123Z\""), json);
    assertEquals(events, EventLog.parse(json));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> EventLog.parse("{\"events\":[{\"time\":\"yesterday\"}]}"));
    assertTrue(bad.getMessage().contains("yesterday"), bad.getMessage());
  }
}
