package netbalancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package floors, checked on the compiled classes: a package uses its own classes and those of
 * lower floors only — never a higher floor, never a neighbour on its own floor — so the layering
 * that follows the data flow stays a layering as the code grows. What a class uses is read from
 * its constant pool (every class it names: calls, fields, casts, signatures, lambdas), not from
 * its imports, so a fully qualified name or a {@code var} cannot slip past.
 */
class ArchitectureTest {
  /**
   * Lowest first. hooks and metrics sit beside health: they read the configuration (metrics also
   * the plan) and are used by the daemon alone. lab, harness and bench are the tools that drive
   * the product from outside; only cli, the top, reaches them, and only in the commands that
   * expose them ({@link #TOOL_COMMANDS}).
   */
  static final List<List<String>> FLOORS = List.of(
      List.of("system", "log", "netlink"), // running programs, the clock, logging; the rtnetlink socket
      List.of("config", "observe"), // validated settings; reading the kernel
      List.of("plan"), // pure: uplinks and the plan from config and one kernel read
      List.of("kernel"), // applying a plan's difference
      List.of("health", "hooks", "metrics"), // probes and states; hook scripts; the metrics endpoint
      List.of("daemon"), // the loop
      List.of("lab"), // tools: the namespace lab
      List.of("harness", "bench"), // tools: scenarios, benchmarks
      List.of("cli")); // the commands
  static final Set<String> TOOLS = Set.of("lab", "harness", "bench");
  /** The cli commands that are the tools' entry points: net-balancer lab, test, bench. */
  static final Set<String> TOOL_COMMANDS = Set.of("netbalancer.cli.LabCommand", "netbalancer.cli.TestCommand",
      "netbalancer.cli.BenchCommand");

  private static final Pattern NAMED = Pattern.compile("netbalancer/([a-z0-9_]+)/([A-Za-z0-9_$]+)");

  @Test
  void noPackageUsesAHigherFloorOrANeighbour() throws IOException {
    Map<String, Set<String>> uses = uses(classesDir());
    List<String> violations = new ArrayList<>();
    uses.forEach((user, used) -> {
      String from = packageOf(user);
      for (String target : used) {
        String to = packageOf(target);
        if (to.equals(from)) {
          continue;
        }
        if (TOOLS.contains(to) && from.equals("cli") && !TOOL_COMMANDS.contains(outerClass(user))) {
          violations.add(user + " (cli) uses the tool " + target + ": only " + TOOL_COMMANDS + " may");
        } else if (floor(to) >= floor(from)) {
          violations.add(user + " (floor " + floor(from) + ": " + FLOORS.get(floor(from)) + ") uses " + target
              + " (floor " + floor(to) + ": " + FLOORS.get(floor(to)) + ")");
        }
      }
    });
    assertEquals(List.of(), violations, "package floors, lowest first: " + FLOORS);
  }

  @Test
  void everyPackageHasAFloor() throws IOException {
    Set<String> packages = new TreeSet<>();
    uses(classesDir()).keySet().forEach(c -> packages.add(packageOf(c)));
    Set<String> placed = new HashSet<>();
    FLOORS.forEach(placed::addAll);
    Set<String> unplaced = new TreeSet<>(packages);
    unplaced.removeAll(placed);
    assertEquals(Set.of(), unplaced, "put a new package on a floor in ArchitectureTest.FLOORS");
    assertTrue(packages.containsAll(Set.of("system", "config", "plan", "daemon", "cli", "lab")),
        "the classes were read: " + packages);
  }

  @Test
  void theConstantPoolReaderSeesFieldsAndSignatures() throws IOException {
    Map<String, Set<String>> uses = uses(classesDir());
    // Reconciler holds a Ticker in a field and returns Uplinks in a generic List (a signature only).
    assertTrue(uses.get("netbalancer.daemon.Reconciler").contains("netbalancer.system.Ticker"));
    assertTrue(uses.get("netbalancer.daemon.Reconciler").contains("netbalancer.plan.Uplink"));
  }

  private static int floor(String pkg) {
    for (int i = 0; i < FLOORS.size(); i++) {
      if (FLOORS.get(i).contains(pkg)) {
        return i;
      }
    }
    throw new AssertionError("package netbalancer." + pkg + " has no floor in ArchitectureTest.FLOORS");
  }

  private static String packageOf(String className) {
    String rest = className.substring("netbalancer.".length());
    int dot = rest.indexOf('.');
    return dot < 0 ? "" : rest.substring(0, dot);
  }

  private static String outerClass(String className) {
    int dollar = className.indexOf('$');
    return dollar < 0 ? className : className.substring(0, dollar);
  }

  /** target/classes: where the main code (not the tests) was compiled to. */
  private static Path classesDir() {
    try {
      return Path.of(netbalancer.system.Ticker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Each main class (nested ones apart) to the netbalancer classes it names. */
  static Map<String, Set<String>> uses(Path root) throws IOException {
    Map<String, Set<String>> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root.resolve("netbalancer"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        try (InputStream in = Files.newInputStream(f)) {
          out.computeIfAbsent(name, k -> new TreeSet<>()).addAll(namedClasses(in));
        }
      }
    }
    return out;
  }

  /**
   * The netbalancer classes a class file's constant pool names (JVMS 4.4): class entries and the
   * descriptors and signatures of fields, methods and lambdas. UTF-8 entries used only as string
   * literals are skipped: text is not a dependency.
   */
  static Set<String> namedClasses(InputStream classFile) throws IOException {
    DataInputStream in = new DataInputStream(classFile);
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort(); // minor
    in.readUnsignedShort(); // major
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    Set<Integer> literals = new HashSet<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 3, 4 -> in.readInt();
        case 5, 6 -> {
          in.readLong();
          i++; // 8-byte constants take two slots
        }
        case 7, 16, 19, 20 -> in.readUnsignedShort();
        case 8 -> literals.add(in.readUnsignedShort());
        case 9, 10, 11, 12, 17, 18 -> in.readInt();
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
      }
    }
    Set<String> out = new TreeSet<>();
    for (int i = 1; i < count; i++) {
      if (utf8[i] != null && !literals.contains(i)) {
        Matcher m = NAMED.matcher(utf8[i]);
        while (m.find()) {
          out.add("netbalancer." + m.group(1) + "." + m.group(2));
        }
      }
    }
    return out;
  }
}
