package netbalancer.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import netbalancer.config.ConfigLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * install.sh and uninstall.sh for real, staged into a temporary DESTDIR: the seed's file layout,
 * a unit that systemd-analyze accepts, updates that keep the admin's config, and an uninstall
 * that leaves nothing behind. Never installs into /, never starts a service, never touches the
 * network (DESTDIR mode does neither, and {@link #hostIsUntouched} checks it).
 */
@ExtendWith(HostFilesLock.class)
class InstallIT {
  private static final Path REPO = Path.of("").toAbsolutePath();
  private static final Path JAR = REPO.resolve("target/net-balancer.jar");

  /** Every file a default install creates, relative to DESTDIR (directories aside). */
  private static final Set<String> INSTALLED = Set.of(
      "usr/local/bin/net-balancer",
      "usr/local/bin/net_autobalance.sh",
      "usr/local/bin/universal_load_balancer.sh",
      "usr/local/bin/test_harness.sh",
      "usr/local/lib/net-balancer/net-balancer",
      "usr/local/lib/net-balancer/net-balancer.jar",
      "usr/local/lib/net-balancer/net-balancer.conf.default",
      "usr/local/share/bash-completion/completions/net-balancer",
      "usr/local/share/zsh/site-functions/_net-balancer",
      "etc/systemd/system/net_balancer.service",
      "etc/net-balancer/net-balancer.conf");

  /** Where a mistake that ignored DESTDIR or --prefix would write on this host. */
  private static final List<Path> HOST_PATHS = Stream.of(
      "/usr/local/bin/net-balancer", "/usr/local/bin/net_autobalance.sh",
      "/usr/local/bin/universal_load_balancer.sh", "/usr/local/bin/test_harness.sh", "/usr/local/lib/net-balancer",
      "/etc/systemd/system/net_balancer.service", "/etc/net-balancer", "/opt/nb",
      "/usr/local/share/man/man8/net-balancer.8", "/usr/local/share/bash-completion/completions/net-balancer",
      "/usr/local/share/zsh/site-functions/_net-balancer",
      "/var/run/load_balancer_metrics.prom").map(Path::of).toList();
  private static final Map<Path, String> hostBefore = new LinkedHashMap<>();

  @TempDir
  Path tmp;

  private record Result(int exit, String out, String err) {
    String both() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  @BeforeAll
  static void recordHost() throws IOException {
    assertTrue(Files.isRegularFile(REPO.resolve("install.sh")), "run from the repository root, not " + REPO);
    assertTrue(Files.isRegularFile(JAR), "mvn package first: " + JAR + " is missing");
    for (Path p : HOST_PATHS) {
      hostBefore.put(p, describe(p));
    }
  }

  @AfterAll
  static void hostIsUntouched() throws IOException {
    for (Path p : HOST_PATHS) {
      assertEquals(hostBefore.get(p), describe(p), "the tests changed the host's " + p);
    }
  }

  private static String describe(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return "absent";
    }
    FileTime t = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
    return "present, modified " + t;
  }

  // ---- tests -----------------------------------------------------------------------------------

  @Test
  void freshInstallPutsEveryFileWhereTheSeedSays() throws Exception {
    Path root = newRoot();
    Result r = install(root);
    assertEquals(0, r.exit(), r.both());
    assertTrue(r.out().contains("installing net-balancer"), r.both());
    assertFalse(r.out().contains("updating"), r.both());

    assertEquals(new TreeSet<>(INSTALLED), files(root), "exactly these files, no strays");
    Set<String> pages = manPages(root, "usr/local");
    assertTrue(pages.containsAll(Set.of("net-balancer.8", "net-balancer-apply.8", "net-balancer-drain.8",
        "net_autobalance.sh.8", "universal_load_balancer.sh.8", "test_harness.sh.8")), pages.toString());
    assertTrue(Files.isDirectory(root.resolve("etc/net-balancer/hooks.d")), "hooks.d");

    for (String script : List.of("net_autobalance.sh", "universal_load_balancer.sh", "test_harness.sh")) {
      Path installed = root.resolve("usr/local/bin/" + script);
      assertTrue(Files.isRegularFile(installed, LinkOption.NOFOLLOW_LINKS), script);
      assertTrue(Files.isExecutable(installed), script + " must be executable");
      assertEquals(Files.readString(REPO.resolve(script)), Files.readString(installed), script);
    }
    Path launcher = root.resolve("usr/local/bin/net-balancer");
    assertTrue(Files.isExecutable(launcher), "net-balancer must be executable");
    assertEquals(Files.readString(REPO.resolve("net-balancer")), Files.readString(launcher));

    try (JarFile jar = new JarFile(root.resolve("usr/local/lib/net-balancer/net-balancer.jar").toFile())) {
      assertEquals("netbalancer.cli.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
    }

    String unit = Files.readString(root.resolve("etc/systemd/system/net_balancer.service"));
    for (String line : List.of("ExecStart=/usr/local/bin/net_autobalance.sh", "Restart=on-failure",
        "ExecReload=/bin/kill -HUP $MAINPID", "After=network-online.target", "Wants=network-online.target",
        "WantedBy=multi-user.target")) {
      assertTrue(unit.lines().anyMatch(line::equals), "unit lacks " + line + ":\n" + unit);
    }
    assertTrue(unit.contains("exec /usr/local/bin/net-balancer cleanup"), "cleanup on stop:\n" + unit);
    // The daemon exits 0 after its own cleanup; 143 means SIGTERM hit before it could clean up.
    assertFalse(unit.contains("SuccessExitStatus=143"), "a 143 exit must trigger ExecStopPost's cleanup");
    // The config file as EnvironmentFile (optional: a missing file is no error); the daemon's
    // reload ignores variables that only repeat the file's start-time values.
    assertTrue(unit.lines().anyMatch("EnvironmentFile=-/etc/net-balancer/net-balancer.conf"::equals), unit);
    assertFalse(unit.lines().anyMatch(l -> l.startsWith("ProtectKernelTunables=")
        || l.startsWith("MemoryDenyWriteExecute=")), "the daemon writes /proc/sys/net; the JIT needs W+X");

    // The packaged default config is the one the code renders: it cannot drift from Keys.
    assertEquals(ConfigLoader.defaultConfigFileText(),
        Files.readString(root.resolve("etc/net-balancer/net-balancer.conf")),
        "packaging/net-balancer.conf is stale: regenerate it from ConfigLoader.defaultConfigFileText()");
  }

  @Test
  void installedUnitPassesSystemdAnalyzeVerify() throws Exception {
    Path root = newRoot();
    Result r = install(root);
    assertEquals(0, r.exit(), r.both());
    verifyUnit(root, "/usr/local");
  }

  @Test
  void installedCommandsRunFromTheInstalledJar() throws Exception {
    Path root = newRoot();
    assertEquals(0, install(root).exit());
    Path bin = root.resolve("usr/local/bin");

    Result help = run(List.of(bin.resolve("net-balancer").toString(), "--help"), Map.of());
    assertEquals(0, help.exit(), help.both());
    assertTrue(help.out().startsWith("Usage: net-balancer"), help.both());
    for (String command : List.of("apply", "cleanup", "status", "run", "drain", "undrain")) {
      assertTrue(help.out().lines().anyMatch(l -> l.strip().startsWith(command + " ")), command + "\n" + help.out());
    }
    Result daemon = run(List.of(bin.resolve("net_autobalance.sh").toString(), "--help"), Map.of());
    assertEquals(0, daemon.exit(), daemon.both());
    assertTrue(daemon.out().startsWith("Usage: net-balancer run"), daemon.both());
    Result once = run(List.of(bin.resolve("universal_load_balancer.sh").toString(), "--help"), Map.of());
    assertEquals(0, once.exit(), once.both());
    assertTrue(once.out().startsWith("Usage: net-balancer apply"), once.both());
    Result harness = run(List.of(bin.resolve("test_harness.sh").toString(), "--help"), Map.of());
    assertEquals(0, harness.exit(), harness.both());
    assertTrue(harness.out().startsWith("Usage: net-balancer test"), harness.both());

    // It was the installed jar that ran, not the repository's: without it the launcher gives up
    // (its last fallback, /usr/local/lib/net-balancer, is absent on this host: see HOST_PATHS).
    if (hostBefore.get(Path.of("/usr/local/lib/net-balancer")).equals("absent")) {
      Files.delete(root.resolve("usr/local/lib/net-balancer/net-balancer.jar"));
      Result none = run(List.of(bin.resolve("net-balancer").toString(), "--help"), Map.of());
      assertNotEquals(0, none.exit(), none.both());
      assertTrue(none.err().contains("jar not found"), none.both());
    }
  }

  @Test
  void secondInstallIsAnUpdateAndKeepsTheAdminsConfigAndHooks() throws Exception {
    Path root = newRoot();
    assertEquals(0, install(root).exit());
    Path conf = root.resolve("etc/net-balancer/net-balancer.conf");
    String mine = "# the admin's own\nLOG_LEVEL=debug\nUPLINKS=\"wan1 wan2\"\n";
    Files.writeString(conf, mine);
    Path hook = root.resolve("etc/net-balancer/hooks.d/50-notify");
    Files.writeString(hook, "#!/bin/sh\nexit 0\n");
    Path script = root.resolve("usr/local/bin/net_autobalance.sh");
    Files.writeString(script, "#!/bin/sh\n# an older version\n");

    Result r = install(root);
    assertEquals(0, r.exit(), r.both());
    assertTrue(r.out().contains("updating"), "an update must say so:\n" + r.both());
    assertTrue(r.out().contains(conf + " (kept"), "must say the config was kept:\n" + r.both());
    assertEquals(mine, Files.readString(conf), "the admin's config must be untouched");
    assertEquals("#!/bin/sh\nexit 0\n", Files.readString(hook), "hooks must be untouched");
    assertEquals(Files.readString(REPO.resolve("net_autobalance.sh")), Files.readString(script),
        "an update replaces the programs");
    assertTrue(Files.isExecutable(script));
    Set<String> expected = new TreeSet<>(INSTALLED);
    expected.add("etc/net-balancer/hooks.d/50-notify");
    assertEquals(expected, files(root), "no strays after an update (temporary files included)");
  }

  @Test
  void uninstallLeavesNothingButTheConfig() throws Exception {
    Path root = newRoot();
    assertEquals(0, install(root).exit());
    Path conf = root.resolve("etc/net-balancer/net-balancer.conf");
    Files.writeString(conf, "LOG_LEVEL=warn\n");
    // What a daemon that ran would have left: the seed's metrics file and the runtime state.
    Files.createDirectories(root.resolve("var/run"));
    Files.writeString(root.resolve("var/run/load_balancer_metrics.prom"), "load_balancer_active_interfaces 2\n");
    Files.writeString(root.resolve("var/run/.load_balancer_metrics.prom.4711.tmp"), "");
    Files.createDirectories(root.resolve("run/net-balancer"));
    Files.writeString(root.resolve("run/net-balancer/sysctl-originals-4026531840.json"), "{}\n");
    Files.writeString(root.resolve("run/net-balancer/events-4026531840.json"), "{\"events\":[]}\n");

    Result r = uninstall(root);
    assertEquals(0, r.exit(), r.both());
    assertTrue(r.out().contains("nothing left behind"), r.both());
    assertTrue(r.out().contains("kept: " + conf), "must say the config was kept:\n" + r.both());
    assertEquals(Set.of("etc/net-balancer/net-balancer.conf"), files(root));
    assertEquals(Set.of("etc", "etc/net-balancer"), directories(root), "empty directories are removed too");
    assertEquals("LOG_LEVEL=warn\n", Files.readString(conf));
  }

  @Test
  void uninstallPurgeLeavesNothingAtAll() throws Exception {
    Path root = newRoot();
    assertEquals(0, install(root).exit());
    Files.writeString(root.resolve("etc/net-balancer/hooks.d/50-notify"), "#!/bin/sh\n");

    Result r = uninstall(root, "--purge");
    assertEquals(0, r.exit(), r.both());
    assertTrue(r.out().contains("nothing left behind"), r.both());
    try (Stream<Path> left = Files.list(root)) {
      assertEquals(List.of(), left.toList(), "DESTDIR must be empty after --purge");
    }
  }

  @Test
  void anotherPrefixIsUsedThroughout() throws Exception {
    Path root = newRoot();
    Result r = install(root, "--prefix", "/opt/nb");
    assertEquals(0, r.exit(), r.both());
    Set<String> expected = INSTALLED.stream().map(f -> f.replace("usr/local/", "opt/nb/"))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(expected, files(root));
    String unit = Files.readString(root.resolve("etc/systemd/system/net_balancer.service"));
    assertTrue(unit.lines().anyMatch("ExecStart=/opt/nb/bin/net_autobalance.sh"::equals), unit);
    assertTrue(unit.contains("exec /opt/nb/bin/net-balancer cleanup"), unit);
    assertFalse(unit.contains("/usr/local"), "no /usr/local left in the unit:\n" + unit);
    verifyUnit(root, "/opt/nb");

    Result help = run(List.of(root.resolve("opt/nb/bin/net-balancer").toString(), "--version"), Map.of());
    assertEquals(0, help.exit(), help.both());
    assertTrue(help.out().startsWith("net-balancer "), help.both());

    Result u = uninstall(root, "--prefix", "/opt/nb", "--purge");
    assertEquals(0, u.exit(), u.both());
    assertEquals(Set.of(), files(root));
    assertEquals(Set.of(), directories(root));
  }

  @Test
  void unknownOptionsAreRefusedBeforeAnythingIsWritten() throws Exception {
    Path root = newRoot();
    Result r = install(root, "--frobnicate");
    assertNotEquals(0, r.exit(), r.both());
    assertTrue(r.err().contains("unknown option"), r.both());
    Result p = install(root, "--prefix", "relative/dir");
    assertNotEquals(0, p.exit(), p.both());
    assertEquals(Set.of(), files(root));
    assertEquals(Set.of(), directories(root));
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private Path newRoot() throws IOException {
    return Files.createDirectories(tmp.resolve("root"));
  }

  private Result install(Path destdir, String... args) throws Exception {
    return script("install.sh", destdir, args);
  }

  private Result uninstall(Path destdir, String... args) throws Exception {
    return script("uninstall.sh", destdir, args);
  }

  /** Runs a script from the repository root, always staged: never without a DESTDIR. */
  private Result script(String name, Path destdir, String... args) throws Exception {
    assertTrue(destdir.isAbsolute() && destdir.startsWith(tmp), "DESTDIR must be a temporary directory");
    List<String> cmd = new ArrayList<>(List.of("bash", REPO.resolve(name).toString()));
    cmd.addAll(List.of(args));
    if (name.equals("install.sh")) {
      cmd.add("--no-start"); // staged installs never start anything; this makes sure twice
    }
    return run(cmd, Map.of("DESTDIR", destdir.toString()));
  }

  /**
   * systemd-analyze verify on the installed unit, with its PREFIX/bin paths pointed into DESTDIR:
   * verify checks that every Exec*= program exists and is executable, and the host has none.
   * Any output fails too: verify reports misspelt or unknown settings as warnings with exit 0.
   */
  private void verifyUnit(Path root, String prefix) throws Exception {
    String analyze = onPath("systemd-analyze");
    if (analyze == null) {
      fail("systemd-analyze is not installed: it comes with the Debian package 'systemd', which test.sh installs");
    }
    String unit = Files.readString(root.resolve("etc/systemd/system/net_balancer.service"));
    Path dir = Files.createDirectories(tmp.resolve("verify" + prefix.replace('/', '-')));
    Path copy = dir.resolve("net_balancer.service");
    Files.writeString(copy, unit.replace(prefix + "/bin/", root + prefix + "/bin/"));
    Result v = run(List.of(analyze, "verify", copy.toString()), Map.of());
    assertEquals(0, v.exit(), "systemd-analyze verify:\n" + v.both());
    assertEquals("", v.out() + v.err(), "systemd-analyze verify must have nothing to say:\n" + v.both());
  }

  private static String onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin:/bin";
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private Result run(List<String> cmd, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile());
    pb.environment().remove("NET_BALANCER_JAR");
    pb.environment().remove("DESTDIR");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail(cmd + " did not finish within 3 minutes");
    }
    Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  /** Regular files and links under root, relative, sorted; the generated man pages aside. */
  private static Set<String> files(Path root) throws IOException {
    Set<String> all = walk(root, p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
    all.removeIf(f -> f.matches("(usr/local|opt/nb)/share/man/man8/[^/]+\\.8"));
    return all;
  }

  /** The man pages installed under PREFIX/share/man/man8 (generated: one per command). */
  private static Set<String> manPages(Path root, String prefix) throws IOException {
    Path dir = root.resolve(prefix + "/share/man/man8");
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static Set<String> directories(Path root) throws IOException {
    return walk(root, p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
  }

  private static Set<String> walk(Path root, java.util.function.Predicate<Path> which) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root)).filter(which)
          .map(p -> root.relativize(p).toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
