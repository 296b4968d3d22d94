package netbalancer.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import netbalancer.log.Log;
import netbalancer.system.FileTrust;

/**
 * The last {@link #CAPACITY} uplink state changes (uplink, old and new state, reason, time, the
 * uplink's tier and what LB_TABLE balanced over afterwards), so "what happened at 3 a.m.?" has an
 * answer without the journal. Kept in memory and in STATE_DIR/events-NETNS.json, one file per
 * network namespace (STATE_DIR is shared by all of them), rewritten atomically (a temp file
 * created O_EXCL, renamed over it) after each reconcile that changed a state, so a restart or a
 * kill -9 keeps the history. The file is bounded (CAPACITY events, each field cut to a length),
 * and read back only when root (or we) own it and its directory, like the sysctl state.
 */
public final class EventLog {
  /** Events kept; the oldest go first. Enough for a day of a flapping uplink's damped changes. */
  static final int CAPACITY = 500;
  /** Longer fields are cut: a reason comes from probe output and kernel text. */
  static final int MAX_FIELD = 300;
  private static final long MAX_FILE = 1 << 20;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * One change. {@code from} is empty for an uplink just found, {@code to} is "gone" for one that
   * disappeared; {@code time} in milliseconds since 1970.
   */
  public record Event(long time, String uplink, String from, String to, String reason, int tier, List<String> balanced) {
    public Event {
      uplink = cut(uplink);
      from = cut(from);
      to = cut(to);
      reason = cut(reason);
      balanced = balanced.stream().map(EventLog::cut).limit(64).toList();
    }

    public Instant instant() {
      return Instant.ofEpochMilli(time);
    }
  }

  private final Path file;
  private final Clock clock;
  private final ArrayDeque<Event> events = new ArrayDeque<>();

  EventLog(Path file, Clock clock) {
    this.file = file.toAbsolutePath();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The history of this network namespace in {@code stateDir}, with what the file already holds. */
  static EventLog open(Path stateDir, Clock clock) {
    EventLog log = new EventLog(fileIn(stateDir), clock);
    try {
      log.events.addAll(read(log.file));
    } catch (RuntimeException e) {
      // A history is worth less than a start: begin a new one, and say why.
      Log.warn("event history %s not read (%s): starting a new one", log.file, e.getMessage());
    }
    while (log.events.size() > CAPACITY) {
      log.events.removeFirst();
    }
    return log;
  }

  /** Where the daemon of this network namespace keeps its history. */
  public static Path fileIn(Path stateDir) {
    return stateDir.toAbsolutePath().resolve("events-" + netnsId() + ".json");
  }

  /** Appends the changes of one reconcile and writes the file; a write failure is logged, not fatal. */
  synchronized void record(List<Transition> transitions, java.util.function.ToIntFunction<String> tierOf,
      List<String> balanced) {
    if (transitions.isEmpty()) {
      return;
    }
    long now = clock.millis();
    for (Transition t : transitions) {
      events.addLast(new Event(now, t.uplink(), t.from() == null ? "" : t.from().wireName(),
          t.to() == null ? "gone" : t.to().wireName(), t.reason(), tierOf.applyAsInt(t.uplink()), balanced));
      if (events.size() > CAPACITY) {
        events.removeFirst();
      }
    }
    try {
      write();
    } catch (IOException | RuntimeException e) {
      Log.warn("event history %s not written: %s", file, e.getMessage());
    }
  }

  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** The control socket's answer to {@code events}: {"events":[...]}, oldest first. */
  synchronized String json() {
    return toJson(events);
  }

  /** {"events":[...]}: the control socket's answer and the file's text. */
  public static String toJson(java.util.Collection<Event> events) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode list = root.putArray("events");
    for (Event e : events) {
      ObjectNode n = list.addObject();
      n.put("time", e.instant().toString());
      n.put("uplink", e.uplink());
      n.put("from", e.from());
      n.put("to", e.to());
      n.put("reason", e.reason());
      n.put("tier", e.tier());
      ArrayNode b = n.putArray("balanced");
      e.balanced().forEach(b::add);
    }
    return root.toString() + "\n";
  }

  /** Events from {@link #toJson} text (the control socket's answer, or the file). */
  public static List<Event> parse(String json) {
    try {
      return parse(MAPPER.readTree(json));
    } catch (IOException e) {
      throw new IllegalArgumentException("not an event history: " + e.getMessage(), e);
    }
  }

  private static List<Event> parse(JsonNode root) {
    if (root == null || !root.path("events").isArray()) {
      throw new IllegalArgumentException("not an event history: no \"events\" array");
    }
    List<Event> out = new ArrayList<>();
    for (JsonNode n : root.get("events")) {
      long time;
      try {
        time = Instant.parse(n.path("time").asText()).toEpochMilli();
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("event time '" + n.path("time").asText() + "' is not an ISO-8601 instant", e);
      }
      List<String> balanced = new ArrayList<>();
      n.path("balanced").forEach(b -> balanced.add(b.asText()));
      out.add(new Event(time, n.path("uplink").asText(), n.path("from").asText(), n.path("to").asText(),
          n.path("reason").asText(), n.path("tier").asInt(), balanced));
    }
    return out;
  }

  /**
   * The history in {@code file}: empty when there is none; refused (with the reason) when the file
   * or its directory could have been written by someone other than root, or is too large.
   */
  public static List<Event> read(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    String dirProblem = FileTrust.untrustedDirectory(dir);
    if (dirProblem != null) {
      throw new IllegalStateException("STATE_DIR not trusted: " + dirProblem);
    }
    try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
      String problem = FileTrust.untrustedFile(file);
      if (problem != null) {
        throw new IllegalStateException(file + " not trusted: " + problem);
      }
      if (ch.size() > MAX_FILE) {
        throw new IllegalStateException(file + " is larger than " + MAX_FILE + " bytes");
      }
      try (InputStream in = Channels.newInputStream(ch)) {
        return parse(MAPPER.readTree(in));
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private void write() throws IOException {
    Path dir = file.getParent();
    if (!Files.isDirectory(dir)) {
      return; // STATE_DIR is made by the first apply; nothing to keep before it
    }
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
    try {
      Files.writeString(tmp, toJson(events), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String cut(String s) {
    String v = s == null ? "" : s.replace('\0', ' ');
    return v.length() > MAX_FIELD ? v.substring(0, MAX_FIELD) : v;
  }

  /** The inode of our network namespace (as the sysctl state file names it). */
  private static String netnsId() {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString().replaceAll("[^0-9]", "");
    } catch (IOException | UnsupportedOperationException e) {
      return "default";
    }
  }
}
