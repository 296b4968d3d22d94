package netbalancer.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.config.InterfaceNames;

/**
 * Names of lab namespaces and who owns them. A namespace is {@code nblab-PID-XXXX-ROLE}: the PID
 * of the creating JVM is in the name, so a sweep can tell a crashed run's leftovers from a live
 * lab without any state outside the namespaces; a marker in each namespace's loopback alias
 * adds the owner's start time, so a recycled PID does not keep a stale lab alive. The start time is
 * the kernel's, in clock ticks since boot ({@code /proc/PID/stat}): the JDK's start instant adds
 * the boot time in whole seconds as the wall clock sees it now, which moves by a second when the
 * clock is slewed across a second's edge, and a sweep then took two running soaks' labs as stale
 * and removed them (2026-12-07).
 */
final class LabNames {

  static final String PREFIX = "nblab-";
  private static final Pattern NAME = Pattern.compile("nblab-(\\d{1,10})-([0-9a-f]{4})-([a-z0-9]+)");
  private static final Pattern MARKER = Pattern.compile("nblab owner=(\\d+) start=(\\d+)");
  /** The marker of earlier builds: the JDK's start instant in epoch milliseconds. */
  private static final Pattern MARKER_BEFORE = Pattern.compile("nblab owner=(\\d+) started=(\\d+)");
  /** How far an earlier build's start instant may be off (the boot time's second moving under it). */
  private static final long BEFORE_SLACK_MS = 2_000;
  /** Names the lab's namespaces already use for themselves. */
  private static final Set<String> RESERVED_IFNAMES = Set.of("lo", Lab.LAN_INTERFACE);

  private LabNames() {}

  /** The PID in a lab namespace's name, or empty if the name is not one of ours. */
  static Optional<Long> ownerPid(String namespace) {
    Matcher m = NAME.matcher(namespace);
    return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
  }

  /** The marker of a lab left up on purpose ({@code lab --keep}): only {@code lab --remove} takes it. */
  static final String KEPT = "nblab kept";

  /** @param startTicks the process's start in clock ticks since boot ({@link #startTicks}) */
  static String marker(long pid, long startTicks) {
    return "nblab owner=" + pid + " start=" + startTicks;
  }

  /** Field 22 of {@code /proc/PID/stat}: when the process started, in clock ticks since boot. */
  static OptionalLong startTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // after the command's closing parenthesis (the command may hold spaces and parentheses)
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return OptionalLong.of(Long.parseLong(fields[19]));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty(); // gone, or not Linux's procfs
    }
  }

  /**
   * Whether the process that made a namespace still runs: its PID exists and, if the namespace
   * carries a marker, that process started when the marker says.
   */
  static boolean ownerAlive(String namespace, String markerOrNull) {
    Optional<Long> pid = ownerPid(namespace);
    if (pid.isEmpty()) {
      return false;
    }
    Optional<ProcessHandle> p = ProcessHandle.of(pid.get());
    if (p.isEmpty() || !p.get().isAlive()) {
      return false;
    }
    if (markerOrNull == null) {
      return true; // a namespace made a moment ago may not carry its marker yet
    }
    Matcher m = MARKER.matcher(markerOrNull);
    if (m.matches()) {
      OptionalLong ticks = startTicks(pid.get());
      return Long.parseLong(m.group(1)) == pid.get()
          && (ticks.isEmpty() || ticks.getAsLong() == Long.parseLong(m.group(2)));
    }
    Matcher before = MARKER_BEFORE.matcher(markerOrNull);
    if (!before.matches() || Long.parseLong(before.group(1)) != pid.get()) {
      return false;
    }
    Optional<Instant> started = p.get().info().startInstant();
    return started.isEmpty()
        || Math.abs(started.get().toEpochMilli() - Long.parseLong(before.group(2))) <= BEFORE_SLACK_MS;
  }

  /** The balancer's one rule ({@link InterfaceNames}), minus the names the lab uses itself. */
  static void checkInterfaceName(String name) {
    if (!InterfaceNames.isValid(name) || RESERVED_IFNAMES.contains(name)) {
      throw new IllegalArgumentException("bad uplink interface name '" + name + "': " + InterfaceNames.RULES
          + "; not " + RESERVED_IFNAMES + " (the lab's own)");
    }
  }
}
