package netbalancer.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import netbalancer.lab.Lab;
import netbalancer.system.CommandRunner.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package for real, on this machine (where systemd is not PID 1): scripts/build-deb.sh
 * builds it, lintian finds no error and no warning that is not overridden with a reason, dpkg
 * installs it, the files, the unit, its enablement, the conffile, the man pages and completion are
 * in place and the installed net-balancer runs; a lab router balanced by the installed program
 * is left exactly as before by `dpkg -r` (its prerm runs cleanup), which keeps the configuration;
 * `dpkg --purge` leaves nothing. The host's files and network end as they began: the package is
 * purged even when an assertion fails, and dpkg's maintainer scripts run inside the lab router's
 * namespace, so the cleanup they run never sees the host's network.
 */
@ExtendWith(HostFilesLock.class)
class DebPackageIT {
  private static final Path REPO = Path.of("").toAbsolutePath();
  private static final String PKG = "net-balancer";
  private static final Path CONF = Path.of("/etc/net-balancer/net-balancer.conf");

  /** What the package (or a mistake in it) could leave on the host; compared before and after. */
  private static final List<String> HOST_PATHS = List.of("/etc/net-balancer", "/usr/share/net-balancer",
      "/usr/bin/net-balancer", "/usr/bin/net_autobalance.sh", "/usr/bin/universal_load_balancer.sh",
      "/usr/bin/test_harness.sh", "/lib/systemd/system/net_balancer.service", "/etc/systemd/system",
      "/var/lib/systemd/deb-systemd-helper-enabled", "/var/lib/systemd/deb-systemd-helper-masked",
      "/usr/share/doc/net-balancer", "/usr/share/bash-completion/completions/net-balancer",
      "/usr/share/zsh/vendor-completions/_net-balancer", "/usr/share/lintian/overrides/net-balancer",
      "/run/net-balancer", "/var/run/load_balancer_metrics.prom");

  @TempDir
  Path tmp;

  @Test
  void buildLintInstallRemovePurge() throws Exception {
    assertFalse(installed(), "net-balancer is installed on this host: the test will not touch a real install");
    assertFalse(Files.exists(CONF.getParent()), "/etc/net-balancer exists on this host: the test will not touch it");
    String hostFilesBefore = hostFiles();
    String hostNetBefore = hostNetwork();

    Path deb = build();
    lint(deb);
    try (Lab lab = Lab.create(2)) {
      String routerBefore = routerState(lab);
      try {
        dpkg(lab, "-i", deb.toString());
        checkInstalled();

        // The admin's edit: this lab's private state directory and probe target.
        StringBuilder edit = new StringBuilder(Files.readString(CONF)).append("\n# the test's lab\n");
        Lab.balancerSettings(lab.stateDir()).forEach((k, v) -> edit.append(k).append('=').append(v).append('\n'));
        Files.writeString(CONF, edit.toString());
        // An upgrade (here: the same version again; dpkg runs the same scripts) keeps the edited
        // conffile without asking, and the unit enabled.
        dpkg(lab, "-i", deb.toString());
        assertEquals(edit.toString(), Files.readString(CONF), "an upgrade keeps the admin's configuration");
        assertTrue(Files.isSymbolicLink(Path.of("/etc/systemd/system/multi-user.target.wants/net_balancer.service")));
        Result apply = lab.exec(lab.routerNs(), List.of("/usr/bin/universal_load_balancer.sh"), null, Duration.ofSeconds(60));
        assertEquals(0, apply.exitCode(), "apply with the installed files:\n" + apply.stdout() + apply.stderr());
        assertNotEquals(routerBefore, routerState(lab), "apply changed nothing in the lab router");

        dpkg(lab, "-r", PKG);
        assertEquals("deinstall ok config-files", status(), "remove keeps the configuration");
        assertEquals(edit.toString(), Files.readString(CONF), "remove keeps the admin's configuration as it was");
        assertFalse(Files.exists(Path.of("/usr/share/net-balancer")), "remove deletes the program");
        assertEquals(routerBefore, routerState(lab), "remove (prerm's cleanup) leaves the lab router as before");

        dpkg(lab, "--purge", PKG);
        assertFalse(installed(), "purge forgets the package: " + status());
        Result list = run(List.of("dpkg", "-L", PKG));
        assertNotEquals(0, list.exitCode(), "dpkg -L after purge:\n" + list.stdout());
        assertEquals("", list.stdout(), "dpkg -L lists nothing after purge");
        assertFalse(Files.exists(CONF.getParent()), "purge removes /etc/net-balancer");
      } finally {
        if (installed()) { // a failed assertion above: never leave the package on the host
          lab.exec(lab.routerNs(), List.of("dpkg", "--purge", PKG), null, Duration.ofMinutes(2));
        }
      }
    }
    assertEquals(hostFilesBefore, hostFiles(), "the package left something on the host");
    assertEquals(hostNetBefore, hostNetwork(), "the host's network changed");
  }

  private Path build() throws Exception {
    Result r = run(List.of("bash", REPO.resolve("scripts/build-deb.sh").toString()));
    assertEquals(0, r.exitCode(), "scripts/build-deb.sh:\n" + r.stdout() + r.stderr());
    Path deb = REPO.resolve(r.stdout().strip().lines().reduce((a, b) -> b).orElseThrow());
    assertTrue(Files.isRegularFile(deb) && deb.getFileName().toString().matches("net-balancer_[^_]+_all\\.deb"), deb.toString());
    Result info = run(List.of("dpkg-deb", "--field", deb.toString(), "Architecture", "Depends"));
    assertEquals("Architecture: all\nDepends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, iproute2,"
        + " nftables, conntrack\n", info.stdout(), info.stderr());
    return deb;
  }

  /** lintian: no error and no warning (overridden tags, with their reasons, are fine). */
  private void lint(Path deb) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/lintian"))) {
      fail("lintian is not installed: scripts/install-deps.sh installs it (Debian package lintian)");
    }
    Result r = run(List.of("lintian", "--fail-on", "error,warning", deb.toString()));
    String tags = r.stdout().lines().filter(l -> l.matches("[EW]: .*")).collect(Collectors.joining("\n"));
    assertEquals("", tags, "lintian:\n" + r.stdout() + r.stderr());
    assertEquals(0, r.exitCode(), "lintian:\n" + r.stdout() + r.stderr());
  }

  private void checkInstalled() throws Exception {
    assertEquals("install ok installed", status());
    List<String> files = run(List.of("dpkg", "-L", PKG)).stdout().lines().toList();
    for (String f : List.of("/usr/bin/net-balancer", "/usr/bin/net_autobalance.sh", "/usr/bin/universal_load_balancer.sh",
        "/usr/bin/test_harness.sh", "/usr/share/net-balancer/net-balancer.jar", "/usr/share/net-balancer/net-balancer",
        "/lib/systemd/system/net_balancer.service", "/etc/net-balancer/net-balancer.conf",
        "/usr/share/man/man8/net-balancer.8.gz", "/usr/share/man/man8/net-balancer-drain.8.gz",
        "/usr/share/man/man8/net_autobalance.sh.8.gz", "/usr/share/bash-completion/completions/net-balancer",
        "/usr/share/zsh/vendor-completions/_net-balancer", "/usr/share/doc/net-balancer/copyright",
        "/usr/share/doc/net-balancer/changelog.gz")) {
      assertTrue(files.contains(f), "dpkg -L lacks " + f);
      assertTrue(Files.exists(Path.of(f), LinkOption.NOFOLLOW_LINKS), f + " is not on disk");
    }
    for (String script : List.of("net_autobalance.sh", "universal_load_balancer.sh", "test_harness.sh")) {
      assertEquals(Files.readString(REPO.resolve(script)), Files.readString(Path.of("/usr/bin", script)), script);
      assertTrue(Files.isExecutable(Path.of("/usr/bin", script)), script);
    }

    // The unit: runs the installed programs, and is enabled the Debian way (deb-systemd-helper),
    // which works without a running systemd.
    String unit = Files.readString(Path.of("/lib/systemd/system/net_balancer.service"));
    assertTrue(unit.lines().anyMatch("ExecStart=/usr/bin/net_autobalance.sh"::equals), unit);
    assertTrue(unit.contains("exec /usr/bin/net-balancer cleanup"), unit);
    assertFalse(unit.contains("/usr/local"), unit);
    Path wants = Path.of("/etc/systemd/system/multi-user.target.wants/net_balancer.service");
    assertTrue(Files.isSymbolicLink(wants), "not enabled: " + wants);
    assertEquals(Path.of("/lib/systemd/system/net_balancer.service"), Files.readSymbolicLink(wants));
    Result verify = run(List.of("systemd-analyze", "verify", "/lib/systemd/system/net_balancer.service"));
    assertEquals(0, verify.exitCode(), verify.stdout() + verify.stderr());
    assertEquals("", verify.stdout() + verify.stderr(), "systemd-analyze verify must have nothing to say");

    Result conffiles = run(List.of("dpkg-query", "-W", "-f=${Conffiles}", PKG));
    assertTrue(conffiles.stdout().strip().startsWith("/etc/net-balancer/net-balancer.conf "), conffiles.stdout());

    Result man = run(List.of("bash", "-c", "MANWIDTH=80 man --warnings net-balancer-drain 2>&1 >/dev/null; man -w net-balancer"));
    assertEquals("/usr/share/man/man8/net-balancer.8.gz\n", man.stdout(), "man finds the page, without warnings");
    Result completion = run(List.of("bash", "--norc", "-c", "source /usr/share/bash-completion/completions/net-balancer"
        + " && complete -p net-balancer && COMP_WORDS=(net-balancer d) COMP_CWORD=1 && _net_balancer"
        + " && echo \"${COMPREPLY[*]}\""));
    assertEquals("complete -F _net_balancer net-balancer\ndrain\n", completion.stdout(), completion.stderr());

    Result version = run(List.of("/usr/bin/net-balancer", "--version"));
    assertEquals(0, version.exitCode(), version.stderr());
    assertTrue(version.stdout().matches("(?s)net-balancer \\d+\\.\\d+\\.\\d+\\S* \\(commit [0-9a-f]{7,}(-dirty)?\\)\n.*"),
        version.stdout());
    Result help = run(List.of("/usr/bin/net_autobalance.sh", "--help"));
    assertTrue(help.stdout().startsWith("Usage: net-balancer run"), help.stdout() + help.stderr());
  }

  /** dpkg inside the lab router's namespace: the maintainer scripts' cleanup acts there. */
  private static void dpkg(Lab lab, String... args) {
    List<String> argv = new ArrayList<>(List.of("env", "DEBIAN_FRONTEND=noninteractive", "dpkg"));
    argv.addAll(List.of(args));
    Result r = lab.exec(lab.routerNs(), argv, null, Duration.ofMinutes(2));
    assertEquals(0, r.exitCode(), String.join(" ", argv) + ":\n" + r.stdout() + r.stderr());
  }

  private String status() throws Exception {
    return run(List.of("dpkg-query", "-W", "-f=${Status}", PKG)).stdout().strip();
  }

  private boolean installed() throws Exception {
    return run(List.of("dpkg-query", "-W", "-f=${Status}", PKG)).exitCode() == 0;
  }

  /** The router's rules, routes, nftables and IP sysctls: what apply changes and cleanup must restore. */
  private static String routerState(Lab lab) {
    StringBuilder sb = new StringBuilder();
    for (List<String> argv : List.of(List.of("ip", "rule"), List.of("ip", "-6", "rule"),
        List.of("ip", "route", "show", "table", "all"), List.of("ip", "-6", "route", "show", "table", "all"),
        List.of("nft", "list", "ruleset"), List.of("sysctl", "net.ipv4.fib_multipath_hash_policy",
            "net.ipv4.fib_multipath_use_neigh", "net.ipv4.conf.all.rp_filter", "net.ipv4.ip_forward",
            "net.ipv6.conf.all.forwarding"))) {
      Result r = lab.exec(lab.routerNs(), argv, null, Duration.ofSeconds(30));
      sb.append("## ").append(String.join(" ", argv)).append('\n').append(r.stdout()).append(r.stderr());
    }
    return sb.toString();
  }

  /** Names (and link targets) under HOST_PATHS, and dpkg's view of the package. */
  private String hostFiles() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (String p : HOST_PATHS) {
      Path path = Path.of(p);
      if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        sb.append(p).append(" absent\n");
        continue;
      }
      try (Stream<Path> s = Files.walk(path)) {
        for (Path f : s.sorted().toList()) {
          sb.append(f).append(Files.isSymbolicLink(f) ? " -> " + Files.readSymbolicLink(f) : "").append('\n');
        }
      }
    }
    sb.append("dpkg: ").append(run(List.of("dpkg-query", "-W", "-f=${Status}", PKG)).stdout()).append('\n');
    return sb.toString();
  }

  /** The host namespace's network, read only. */
  private String hostNetwork() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (List<String> argv : List.of(List.of("ip", "-br", "link"), List.of("ip", "rule"), List.of("ip", "-6", "rule"),
        List.of("ip", "route", "show", "table", "all"), List.of("ip", "-6", "route", "show", "table", "all"),
        List.of("nft", "list", "ruleset"))) {
      sb.append("## ").append(String.join(" ", argv)).append('\n').append(run(argv).stdout());
    }
    return sb.toString();
  }

  private Result run(List<String> cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile());
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail(cmd + " did not finish within 5 minutes");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }
}
