package netbalancer.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Man pages in troff (the man(7) macros), one per command and subcommand, rendered from the same
 * picocli model that prints --help, so the two cannot drift; plus one page per seed script,
 * which says which command it runs and repeats that command's options. Written by hand rather
 * than through picocli-codegen's AsciiDoc, which would need asciidoctor (Ruby) to become troff.
 */
final class ManPages {
  static final String SECTION = "8";

  /** The seed's script names and the command each runs (see the scripts themselves). */
  static final Map<String, List<String>> SEED_SCRIPTS = seedScripts();

  private final String version;
  private final String date;

  /**
   * @param version shown in the page footer, e.g. "net-balancer 0.1.0"
   * @param date    the footer date, YYYY-MM-DD (the build's date, for reproducible pages)
   */
  ManPages(String version, String date) {
    this.version = Objects.requireNonNull(version, "version");
    this.date = Objects.requireNonNull(date, "date");
    if (!date.matches("\\d{4}-\\d{2}-\\d{2}")) {
      throw new IllegalArgumentException("date must be YYYY-MM-DD, not '" + date + "'");
    }
  }

  private static Map<String, List<String>> seedScripts() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("net_autobalance.sh", List.of("run"));
    m.put("universal_load_balancer.sh", List.of("apply"));
    m.put("test_harness.sh", List.of("test"));
    return m;
  }

  /** File name (e.g. "net-balancer-apply.8") to page text, for the command tree and the scripts. */
  Map<String, String> render(CommandLine root) {
    Map<String, String> pages = new LinkedHashMap<>();
    for (CommandLine cl : visible(root)) {
      pages.put(pageName(cl.getCommandSpec()) + "." + SECTION, command(cl.getCommandSpec()));
    }
    SEED_SCRIPTS.forEach((script, path) -> {
      CommandLine target = root;
      for (String name : path) {
        target = Objects.requireNonNull(target.getSubcommands().get(name), () -> script + " runs unknown command " + path);
      }
      pages.put(script + "." + SECTION, script(script, target.getCommandSpec()));
    });
    return pages;
  }

  /** The command and every subcommand that --help lists (hidden ones are left out). */
  static List<CommandLine> visible(CommandLine root) {
    List<CommandLine> all = new ArrayList<>();
    all.add(root);
    for (CommandLine sub : new java.util.LinkedHashSet<>(root.getSubcommands().values())) {
      if (!sub.getCommandSpec().usageMessage().hidden()) {
        all.addAll(visible(sub));
      }
    }
    return all;
  }

  /** "net-balancer test down-up" becomes "net-balancer-test-down-up". */
  static String pageName(CommandSpec spec) {
    return spec.qualifiedName().replace(' ', '-');
  }

  private String command(CommandSpec spec) {
    StringBuilder t = new StringBuilder();
    header(t, pageName(spec), roman(pageName(spec)) + " \\- " + text(summary(spec)));
    t.append(".SH SYNOPSIS\n");
    synopsis(t, spec.qualifiedName(), spec);
    t.append(".SH DESCRIPTION\n");
    for (String para : spec.usageMessage().description()) {
      t.append(text(para)).append("\n.PP\n");
    }
    if (spec.parent() != null) {
      t.append("A command of \\fBnet\\-balancer\\fR(").append(SECTION).append(").\n");
    }
    options(t, spec);
    List<CommandLine> subs = subcommands(spec);
    if (!subs.isEmpty()) {
      t.append(".SH COMMANDS\n");
      for (CommandLine sub : subs) {
        CommandSpec s = sub.getCommandSpec();
        t.append(".TP\n.B ").append(roman(s.name())).append('\n')
            .append(text(oneLine(first(s.usageMessage().description())))).append(" See \\fB")
            .append(roman(pageName(s))).append("\\fR(").append(SECTION).append(").\n");
      }
    }
    exitStatus(t);
    files(t);
    seeAlso(t, spec);
    return t.toString();
  }

  private String script(String script, CommandSpec target) {
    StringBuilder t = new StringBuilder();
    String cmd = target.qualifiedName();
    header(t, script, roman(script) + " \\- runs \\fB" + roman(cmd) + "\\fR");
    t.append(".SH SYNOPSIS\n");
    synopsis(t, script, target);
    t.append(".SH DESCRIPTION\n")
        .append("The seed's name for \\fB").append(roman(cmd)).append("\\fR: it runs \\fB").append(roman(cmd))
        .append("\\fR with the arguments given, and does nothing else. See \\fB").append(roman(pageName(target)))
        .append("\\fR(").append(SECTION).append(").\n.PP\n")
        .append(text(oneLine(first(target.usageMessage().description())))).append('\n');
    options(t, target);
    List<CommandLine> subs = subcommands(target);
    if (!subs.isEmpty()) {
      t.append(".SH COMMANDS\n");
      for (CommandLine sub : subs) {
        t.append(".TP\n.B ").append(roman(sub.getCommandName())).append('\n')
            .append(text(oneLine(first(sub.getCommandSpec().usageMessage().description())))).append('\n');
      }
    }
    exitStatus(t);
    t.append(".SH SEE ALSO\n\\fB").append(roman(pageName(target))).append("\\fR(").append(SECTION)
        .append("), \\fBnet\\-balancer\\fR(").append(SECTION).append(")\n");
    return t.toString();
  }

  private void header(StringBuilder t, String page, String nameLine) {
    t.append(".\\\" Generated from the picocli model of net-balancer by netbalancer.cli.ManPages; do not edit.\n")
        .append(".TH \"").append(page.toUpperCase(java.util.Locale.ROOT).replace("-", "\\-")).append("\" ")
        .append(SECTION).append(" \"").append(date).append("\" \"").append(roman(version))
        .append("\" \"net\\-balancer\"\n")
        .append(".SH NAME\n").append(nameLine).append('\n');
  }

  private static void synopsis(StringBuilder t, String name, CommandSpec spec) {
    t.append(".SY \"").append(roman(name)).append("\"\n");
    for (OptionSpec o : options(spec)) {
      t.append("[\\fB").append(roman(o.longestName())).append("\\fR");
      if (takesValue(o)) {
        t.append(" \\fI").append(roman(o.paramLabel())).append("\\fR");
      }
      t.append("]\n");
    }
    for (PositionalParamSpec p : positionals(spec)) {
      boolean optional = p.arity().min() == 0;
      t.append(optional ? "[\\fI" : "\\fI").append(roman(p.paramLabel())).append(optional ? "\\fR]\n" : "\\fR\n");
    }
    if (!subcommands(spec).isEmpty()) {
      t.append("\\fICOMMAND\\fR [\\fIARGS\\fR]\n");
    }
    t.append(".YS\n");
  }

  private static void options(StringBuilder t, CommandSpec spec) {
    List<PositionalParamSpec> params = positionals(spec);
    if (!params.isEmpty()) {
      t.append(".SH ARGUMENTS\n");
      for (PositionalParamSpec p : params) {
        t.append(".TP\n.I ").append(roman(p.paramLabel())).append('\n')
            .append(text(String.join(" ", p.description())))
            .append(defaultText(p.defaultValue(), p.description())).append('\n');
      }
    }
    t.append(".SH OPTIONS\n");
    for (OptionSpec o : options(spec)) {
      t.append(".TP\n");
      List<String> names = new ArrayList<>();
      for (String n : o.names()) {
        names.add("\\fB" + roman(n) + "\\fR" + (takesValue(o) ? " \\fI" + roman(o.paramLabel()) + "\\fR" : ""));
      }
      t.append(String.join(", ", names)).append('\n')
          .append(text(String.join(" ", o.description()))).append(defaultText(o.defaultValue(), o.description())).append('\n');
    }
  }

  private static void exitStatus(StringBuilder t) {
    t.append(".SH EXIT STATUS\n")
        .append(".TP\n.B 0\nsuccess\n")
        .append(".TP\n.B 1\na failure: the kernel refused part of a change, or a runtime error\n")
        .append(".TP\n.B 2\nbad configuration or usage: nothing was changed\n");
  }

  private static void files(StringBuilder t) {
    t.append(".SH FILES\n")
        .append(".TP\n.I /etc/net\\-balancer/net\\-balancer.conf\n")
        .append("the configuration (KEY=VALUE); every key is documented in the installed file\n")
        .append(".TP\n.I /etc/net\\-balancer/hooks.d/\nprograms run on state changes\n")
        .append(".TP\n.I /run/net\\-balancer/\nruntime state, the control socket and the event history"
            + " (\\fBnet\\-balancer events\\fR)\n");
  }

  private static void seeAlso(StringBuilder t, CommandSpec spec) {
    List<String> refs = new ArrayList<>();
    if (spec.parent() != null) {
      refs.add("\\fB" + roman(pageName(spec.parent())) + "\\fR(" + SECTION + ")");
    }
    for (CommandLine sub : subcommands(spec)) {
      refs.add("\\fB" + roman(pageName(sub.getCommandSpec())) + "\\fR(" + SECTION + ")");
    }
    refs.add("\\fBip\\fR(8)");
    refs.add("\\fBnft\\fR(8)");
    refs.add("\\fBconntrack\\fR(8)");
    t.append(".SH SEE ALSO\n").append(String.join(",\n", refs)).append('\n');
  }

  static List<OptionSpec> options(CommandSpec spec) {
    return spec.options().stream().filter(o -> !o.hidden()).toList();
  }

  static List<PositionalParamSpec> positionals(CommandSpec spec) {
    return spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
  }

  static List<CommandLine> subcommands(CommandSpec spec) {
    return new java.util.LinkedHashSet<>(spec.subcommands().values()).stream()
        .filter(c -> !c.getCommandSpec().usageMessage().hidden()).toList();
  }

  static boolean takesValue(OptionSpec o) {
    return !o.usageHelp() && !o.versionHelp() && o.arity().max() > 0 && !o.type().equals(boolean.class)
        && !o.type().equals(Boolean.class);
  }

  /** "(default: X)", unless the description already says it (picocli's ${DEFAULT-VALUE}). */
  private static String defaultText(String defaultValue, String[] description) {
    boolean said = String.join(" ", description).contains("default");
    return defaultValue == null || defaultValue.isEmpty() || said ? "" : " (default: " + text(defaultValue) + ")";
  }

  private static String first(String[] lines) {
    return lines.length == 0 ? "" : lines[0];
  }

  /** The first sentence of the description, for the NAME line (whatis and apropos show it). */
  private static String summary(CommandSpec spec) {
    String s = oneLine(first(spec.usageMessage().description()));
    int end = s.indexOf("; ");
    int stop = s.indexOf(". ");
    if (stop >= 0 && (end < 0 || stop < end)) {
      end = stop;
    }
    return end > 0 ? s.substring(0, end) : s.replaceAll("\\.$", "");
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }

  /** Text for a word in a macro or font escape: backslashes and minus signs escaped. */
  static String roman(String s) {
    return s.replace("\\", "\\e").replace("-", "\\-");
  }

  /**
   * Running text: backslashes escaped, and a line never starts with a control character (. or ')
   * that troff would take for a request. picocli's own %n is a line break here.
   */
  static String text(String s) {
    StringBuilder out = new StringBuilder();
    for (String line : s.replace("\\", "\\e").replace("%n", "\n").split("\n", -1)) {
      if (out.length() > 0) {
        out.append("\n.br\n");
      }
      out.append(line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line);
    }
    return out.toString();
  }
}
