package netbalancer.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Bash and zsh completion scripts rendered from the picocli model that prints --help (so a new
 * command or option completes without anyone editing a script). Not picocli's AutoComplete: its
 * script completes only static candidates, and an IFACE argument should offer this host's
 * uplinks, read when Tab is pressed. zsh loads the same functions through its bashcompinit.
 */
final class Completion {
  private final CommandLine root;
  private final String fn;

  Completion(CommandLine root) {
    this.root = root;
    this.fn = "_" + root.getCommandName().replaceAll("[^A-Za-z0-9]", "_");
  }

  String bash() {
    StringBuilder b = new StringBuilder();
    b.append("# bash completion for ").append(root.getCommandName())
        .append(": generated from its picocli model by netbalancer.cli.Completion; do not edit.\n\n");
    functions(b);
    b.append("complete -F ").append(fn).append(' ').append(root.getCommandName()).append('\n');
    return b.toString();
  }

  /**
   * zsh: an autoloaded #compdef function that defines the bash functions once, through bashcompinit,
   * and answers the first Tab too (later ones go straight to the bash function).
   */
  String zsh() {
    StringBuilder z = new StringBuilder();
    z.append("#compdef ").append(root.getCommandName()).append('\n')
        .append("# zsh completion for ").append(root.getCommandName())
        .append(": generated from its picocli model by netbalancer.cli.Completion; do not edit.\n")
        .append("autoload -U +X bashcompinit && bashcompinit\n\n");
    functions(z);
    z.append("complete -F ").append(fn).append(' ').append(root.getCommandName()).append('\n')
        .append("_bash_complete -F ").append(fn).append(" \"$@\"\n");
    return z.toString();
  }

  private void functions(StringBuilder b) {
    List<CommandLine> all = ManPages.visible(root);
    b.append("# The host's uplinks: interfaces that hold a default route, else every interface but lo.\n")
        .append(fn).append("_uplinks() {\n")
        .append("  local devs\n")
        .append("  devs=$({ ip -o -4 route show default; ip -o -6 route show default; } 2>/dev/null \\\n")
        .append("    | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p' | sort -u)\n")
        .append("  if [ -z \"$devs\" ] && [ -d /sys/class/net ]; then\n")
        .append("    devs=$(ls /sys/class/net | grep -vx lo)\n")
        .append("  fi\n")
        .append("  printf '%s\\n' $devs\n")
        .append("}\n\n");

    b.append("# Subcommands of a command path (\"\" is the top).\n").append(fn).append("_subs() {\n  case $1 in\n");
    for (CommandLine cl : all) {
      List<String> subs = ManPages.subcommands(cl.getCommandSpec()).stream().map(CommandLine::getCommandName).toList();
      if (!subs.isEmpty()) {
        b.append("    ").append(quote(path(cl))).append(") echo ").append(quote(String.join(" ", subs))).append(" ;;\n");
      }
    }
    b.append("  esac\n}\n\n");

    b.append("# Options of a command path.\n").append(fn).append("_opts() {\n  case $1 in\n");
    for (CommandLine cl : all) {
      List<String> names = new ArrayList<>();
      ManPages.options(cl.getCommandSpec()).forEach(o -> names.addAll(List.of(o.names())));
      b.append("    ").append(quote(path(cl))).append(") echo ").append(quote(String.join(" ", names))).append(" ;;\n");
    }
    b.append("  esac\n}\n\n");

    b.append("# What the value of an option takes: \"PATH|OPTION\" -> kind (nothing: no value).\n")
        .append(fn).append("_optarg() {\n  case $1 in\n");
    for (CommandLine cl : all) {
      for (OptionSpec o : ManPages.options(cl.getCommandSpec())) {
        if (ManPages.takesValue(o)) {
          List<String> keys = new ArrayList<>();
          for (String n : o.names()) {
            keys.add(quote(path(cl) + "|" + n));
          }
          b.append("    ").append(String.join(" | ", keys)).append(") echo ").append(quote(kind(o))).append(" ;;\n");
        }
      }
    }
    b.append("  esac\n}\n\n");

    b.append("# What a positional argument takes: \"PATH|INDEX\" -> kind.\n")
        .append(fn).append("_posarg() {\n  case $1 in\n");
    for (CommandLine cl : all) {
      List<PositionalParamSpec> params = ManPages.positionals(cl.getCommandSpec());
      for (int i = 0; i < params.size(); i++) {
        b.append("    ").append(quote(path(cl) + "|" + i)).append(") echo ").append(quote(kind(params.get(i))))
            .append(" ;;\n");
      }
    }
    b.append("  esac\n}\n\n");

    b.append(fn).append("_values() {\n")
        .append("  case $1 in\n")
        .append("    IFACE) COMPREPLY=($(compgen -W \"$(").append(fn).append("_uplinks)\" -- \"$2\")) ;;\n")
        .append("    FILE) COMPREPLY=($(compgen -f -- \"$2\")) ;;\n")
        .append("    DIR) COMPREPLY=($(compgen -d -- \"$2\")) ;;\n")
        .append("    COMMAND) COMPREPLY=($(compgen -W \"$(").append(fn).append("_subs '')\" -- \"$2\")) ;;\n")
        .append("    WORDS:*) COMPREPLY=($(compgen -W \"${1#WORDS:}\" -- \"$2\")) ;;\n")
        .append("    *) COMPREPLY=() ;;\n")
        .append("  esac\n}\n\n");

    b.append(fn).append("() {\n")
        // cmdpath, not path: zsh ties $path to $PATH, and bashcompinit runs this in zsh.
        .append("  local cur=${COMP_WORDS[COMP_CWORD]} cmdpath='' npos=0 value='' i w\n")
        .append("  # Walk the words before the cursor: subcommands extend the path, options that take a\n")
        .append("  # value consume the next word, anything else is a positional argument.\n")
        .append("  for ((i = 1; i < COMP_CWORD; i++)); do\n")
        .append("    w=${COMP_WORDS[i]}\n")
        .append("    if [ -n \"$value\" ]; then value=''; continue; fi\n")
        .append("    case $w in\n")
        .append("      -*=*) continue ;;\n")
        .append("      -*) value=$(").append(fn).append("_optarg \"$cmdpath|$w\"); continue ;;\n")
        .append("    esac\n")
        .append("    if ((npos == 0)) && [[ \" $(").append(fn).append("_subs \"$cmdpath\") \" == *\" $w \"* ]]; then\n")
        .append("      cmdpath=${cmdpath:+$cmdpath }$w\n")
        .append("    else\n")
        .append("      npos=$((npos + 1))\n")
        .append("    fi\n")
        .append("  done\n")
        .append("  if [ -n \"$value\" ]; then ").append(fn).append("_values \"$value\" \"$cur\"; return 0; fi\n")
        .append("  if [[ $cur == -* ]]; then\n")
        .append("    COMPREPLY=($(compgen -W \"$(").append(fn).append("_opts \"$cmdpath\")\" -- \"$cur\"))\n")
        .append("    return 0\n")
        .append("  fi\n")
        .append("  local subs\n")
        .append("  subs=$(").append(fn).append("_subs \"$cmdpath\")\n")
        .append("  if [ -n \"$subs\" ] && ((npos == 0)); then\n")
        .append("    COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n")
        .append("    return 0\n")
        .append("  fi\n")
        .append("  ").append(fn).append("_values \"$(").append(fn).append("_posarg \"$cmdpath|$npos\")\" \"$cur\"\n")
        .append("}\n\n");
  }

  /** The command path below the root: "" for the root, "test down-up" for a nested one. */
  private String path(CommandLine cl) {
    List<String> names = new ArrayList<>();
    for (CommandSpec s = cl.getCommandSpec(); s.parent() != null; s = s.parent()) {
      names.add(0, s.name());
    }
    return String.join(" ", names);
  }

  /** IFACE, FILE or DIR by label or type, a fixed word list, or the label (completes nothing). */
  private static String kind(ArgSpec arg) {
    String label = arg.paramLabel().replaceAll("[<>]", "");
    List<String> words = new ArrayList<>();
    if (arg.completionCandidates() != null) {
      arg.completionCandidates().forEach(words::add);
    }
    if (!words.isEmpty()) {
      return "WORDS:" + String.join(" ", words);
    }
    if (arg.type().equals(java.nio.file.Path.class) || arg.type().equals(java.io.File.class)) {
      return label.equals("DIR") ? "DIR" : "FILE";
    }
    return label;
  }

  /** A single-quoted shell word (the model's names hold no quote, but be safe). */
  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
