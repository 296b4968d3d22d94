package netbalancer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import org.junit.jupiter.api.Test;

/**
 * The man pages and completion scripts that GenerateDocs writes: every page renders without a
 * warning at 80 columns, each page lists exactly the options that --help lists, and bash
 * completes commands, options and uplink names.
 */
class DocsTest {
  /** An option line: a little indented, starting with a dash (descriptions are indented further). */
  private static final Pattern OPTION_LINE = Pattern.compile("^\\s{1,8}(-\\S.*?)(?:\\s{2,}.*)?$");
  private static final Pattern OPTION_NAME = Pattern.compile("(?<![A-Za-z0-9])(--?[A-Za-z][-A-Za-z0-9]*)");

  private static Path docs;

  private static Path generated() throws IOException {
    if (docs == null) {
      docs = Files.createTempDirectory("nb-docs");
      GenerateDocs.write(docs, "2026-01-02");
      docs.toFile().deleteOnExit();
    }
    return docs;
  }

  private record Run(int exit, String out, String err) {
  }

  private static Run run(Map<String, String> env, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Path out = Files.createTempFile("nb-out", ".txt");
    Path err = Files.createTempFile("nb-err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " hangs");
    Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  /** Every page man renders, by file name. */
  private static Map<String, String> rendered() throws Exception {
    Map<String, String> pages = new TreeMap<>();
    try (var files = Files.list(generated().resolve("man8"))) {
      for (Path page : files.sorted().toList()) {
        Run r = run(Map.of("MANWIDTH", "80", "LC_ALL", "C.UTF-8"), "man", "--warnings", "-l", page.toString());
        assertEquals(0, r.exit(), page + ": " + r.err());
        assertEquals("", r.err(), "man --warnings on " + page.getFileName() + " must say nothing");
        pages.put(page.getFileName().toString(), r.out());
      }
    }
    return pages;
  }

  @Test
  void onePagePerCommandAndSeedScriptEachRenderingWithoutWarnings() throws Exception {
    Map<String, String> pages = rendered();
    Set<String> expected = new TreeSet<>();
    for (CommandLine cl : ManPages.visible(Main.commandLine())) {
      expected.add(ManPages.pageName(cl.getCommandSpec()) + ".8");
    }
    ManPages.SEED_SCRIPTS.keySet().forEach(s -> expected.add(s + ".8"));
    assertEquals(expected, pages.keySet());
    assertTrue(expected.containsAll(Set.of("net-balancer.8", "net-balancer-drain.8", "net-balancer-test-down-up.8",
        "net_autobalance.sh.8", "universal_load_balancer.sh.8", "test_harness.sh.8")), expected.toString());
    assertTrue(pages.get("net_autobalance.sh.8").contains("runs net-balancer run"), pages.get("net_autobalance.sh.8"));
    assertTrue(pages.get("universal_load_balancer.sh.8").contains("runs net-balancer apply"));
    for (String text : pages.values()) {
      assertFalse(text.contains("\\"), "a troff escape leaked into the text:\n" + text);
    }
  }

  @Test
  void theOptionsInEachPageAreTheOptionsInHelp() throws Exception {
    Map<String, String> pages = rendered();
    Map<String, CommandLine> byPage = new TreeMap<>();
    for (CommandLine cl : ManPages.visible(Main.commandLine())) {
      byPage.put(ManPages.pageName(cl.getCommandSpec()) + ".8", cl);
    }
    CommandLine root = Main.commandLine();
    ManPages.SEED_SCRIPTS.forEach((script, path) -> byPage.put(script + ".8", root.getSubcommands().get(path.get(0))));
    int compared = 0;
    for (Map.Entry<String, CommandLine> e : byPage.entrySet()) {
      String help = e.getValue().getUsageMessage(Ansi.OFF);
      Set<String> inHelp = optionNames(help, null);
      Set<String> inMan = optionNames(pages.get(e.getKey()), "OPTIONS");
      assertFalse(inHelp.isEmpty(), e.getKey() + ": no options found in --help:\n" + help);
      assertEquals(inHelp, inMan, e.getKey() + ": options differ between --help and the man page\n" + help);
      compared++;
    }
    assertEquals(pages.size(), compared);
  }

  /** Option names at the start of the option lines, in the whole text or in one man section. */
  private static Set<String> optionNames(String text, String section) {
    Set<String> names = new TreeSet<>();
    boolean in = section == null;
    for (String line : text.split("\n")) {
      if (section != null && !line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
        in = line.strip().equals(section);
        continue;
      }
      Matcher m = OPTION_LINE.matcher(line);
      if (in && m.matches()) {
        Matcher n = OPTION_NAME.matcher(m.group(1));
        while (n.find()) {
          names.add(n.group(1));
        }
      }
    }
    return names;
  }

  // ---- completion ------------------------------------------------------------------------------

  /** Completes the words (the last is the one being completed) with bash and the given PATH. */
  private static List<String> complete(Path fakeBin, String... words) throws Exception {
    StringBuilder script = new StringBuilder("set -u; source \"$1\"; complete -p net-balancer >&2; COMP_WORDS=(");
    for (String w : words) {
      script.append(" '").append(w).append('\'');
    }
    script.append("); COMP_CWORD=").append(words.length - 1).append("; _net_balancer; printf '%s\\n' \"${COMPREPLY[@]}\"");
    Path completion = generated().resolve("bash-completion/net-balancer");
    String path = fakeBin == null ? System.getenv("PATH") : fakeBin + ":" + System.getenv("PATH");
    Run r = run(Map.of("PATH", path), "bash", "--norc", "-c", script.toString(), "bash", completion.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("complete -F _net_balancer net-balancer\n", r.err(), "complete -p net-balancer after sourcing");
    List<String> out = new ArrayList<>(r.out().lines().filter(l -> !l.isEmpty()).toList());
    return out;
  }

  @Test
  void bashCompletesCommandsAndOptions() throws Exception {
    assertEquals(List.of("drain"), complete(null, "net-balancer", "d"));
    assertEquals(List.of("down-up"), complete(null, "net-balancer", "test", "do"));
    assertEquals(List.of("--json"), complete(null, "net-balancer", "status", "--j"));
    assertTrue(complete(null, "net-balancer", "").containsAll(List.of("apply", "cleanup", "status", "run", "drain",
        "undrain", "test", "lab", "bench")));
  }

  /**
   * A PATH directory with a stand-in ip(8) (two uplinks holding default routes, lte0 over IPv6
   * only) and a net-balancer that does nothing (zsh completes only commands it can find).
   */
  private static Path standInBin(Path tmp) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path ip = bin.resolve("ip");
    Files.writeString(ip, """
        #!/bin/sh
        case "$*" in
          "-o -4 route show default") echo "default via 198.18.1.1 dev wan1 proto dhcp metric 100" ;;
          "-o -6 route show default") echo "default via 2001:db8::1 dev lte0 proto ra metric 1024 pref medium" ;;
        esac
        """, StandardCharsets.UTF_8);
    Path nb = bin.resolve("net-balancer");
    Files.writeString(nb, "#!/bin/sh\nexit 0\n", StandardCharsets.UTF_8);
    for (Path p : List.of(ip, nb)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return bin;
  }

  @Test
  void interfaceArgumentsCompleteToTheHostsUplinks(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path bin = standInBin(tmp);
    assertEquals(List.of("lte0", "wan1"), complete(bin, "net-balancer", "drain", ""));
    assertEquals(List.of("wan1"), complete(bin, "net-balancer", "undrain", "w"));
    assertEquals(List.of("lte0", "wan1"), complete(bin, "net-balancer", "test", "down-up", ""));
    assertEquals(List.of("lte0"), complete(bin, "net-balancer", "test", "health-block", "--iface", "l"));
    assertEquals(List.of(), complete(bin, "net-balancer", "test", "down-up", "wan1", ""), "SECONDS: no guess");
  }

  @Test
  void zshGetsTheSameFunctionsThroughBashcompinit() throws Exception {
    String zsh = Files.readString(generated().resolve("zsh/_net-balancer"));
    String bash = Files.readString(generated().resolve("bash-completion/net-balancer"));
    assertTrue(zsh.startsWith("#compdef net-balancer\n"), zsh);
    assertTrue(zsh.contains("bashcompinit"), zsh);
    String functions = bash.substring(bash.indexOf("_net_balancer_uplinks() {"), bash.indexOf("complete -F"));
    assertTrue(zsh.contains(functions), "zsh must carry the bash functions unchanged");
    assertTrue(Run.class != null && run(Map.of(), "bash", "-n", generated().resolve("zsh/_net-balancer").toString()).exit() == 0,
        "the zsh file is also valid bash syntax (what bashcompinit runs)");
  }

  /**
   * A real zsh, driven through a pseudo-terminal (zsh's own zpty module) as a person types: the
   * completion is autoloaded from fpath by compinit, Tab is pressed, and the edited line is read
   * back. Checks what the bash-syntax test above cannot: that zsh actually runs it.
   */
  @Test
  void zshCompletesCommandsAndUplinksWhenTabIsPressed(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path bin = standInBin(tmp);
    String drain = zshTab(tmp, bin, "net-balancer d", "net-balancer drain ");
    assertTrue(drain.contains("net-balancer drain "), "Tab after 'd' gives drain: " + drain);
    String uplink = zshTab(tmp, bin, "net-balancer undrain w", "net-balancer undrain wan1 ");
    assertTrue(uplink.contains("net-balancer undrain wan1 "), "Tab completes an uplink: " + uplink);
  }

  /**
   * Types {@code typed} and Tab, and returns what the terminal showed once it shows {@code expected}
   * (or after 20 s). Waits for what it needs instead of sleeping: a cold machine's first compinit
   * took longer than the fixed second this used to give it.
   */
  private static String zshTab(Path tmp, Path bin, String typed, String expected) throws Exception {
    Path driver = tmp.resolve("drive.zsh");
    Files.writeString(driver, String.join("\n",
        "zmodload zsh/zpty",
        "out=''",
        "await() { local end=$((SECONDS + 20)); while (( SECONDS < end )); do"
            + " if zpty -r -t z chunk; then out+=$chunk; [[ $out == *\"$1\"* ]] && return 0; else sleep 0.05; fi;"
            + " done; return 1 }",
        "zpty z 'env -i HOME=" + tmp + " PATH=" + bin + ":/usr/bin:/bin TERM=dumb zsh -f -i'",
        "zpty -w z \"unsetopt zle_bracketed_paste 2>/dev/null; PS1='> '; fpath=(" + generated().resolve("zsh")
            + " \\$fpath); autoload -U compinit && compinit -u -D; print RE''ADY\"",
        "await READY || { print -r -- \"zsh never became ready: $out\"; exit 3 }",
        "out=''",
        "zpty -w -n z $'" + typed + "\\t'",
        "await '" + expected + "'",
        "print -r -- \"$out\"",
        "zpty -w z $'\\x15'",
        "zpty -d z", ""), StandardCharsets.UTF_8);
    Run r = run(Map.of(), "zsh", "-f", driver.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    return r.out();
  }

  @Test
  void footerDateFollowsSourceDateEpoch() {
    assertEquals("2023-11-14", GenerateDocs.date("1700000000"));
    assertTrue(GenerateDocs.date(null).matches("\\d{4}-\\d{2}-\\d{2}"));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> GenerateDocs.date("yesterday"));
    assertTrue(e.getMessage().contains("SOURCE_DATE_EPOCH") && e.getMessage().contains("yesterday"), e.getMessage());
  }
}
