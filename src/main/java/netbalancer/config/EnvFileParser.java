package netbalancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads systemd EnvironmentFile syntax, following systemd's own parser (env-file.c) so that the
 * file means the same whether the unit loads it into the environment or the daemon reads it:
 * {@code #}/{@code ;} start a comment only at the start of a line, an unquoted value runs to the
 * end of the line (trailing blanks dropped, so "200 # note" is the value "200 # note"),
 * single quotes are literal, double quotes honour {@code \" \\ \` \$}, and a backslash before a
 * newline continues the line. Unlike systemd, which skips bad lines silently, a line without
 * '=', an invalid name or an unterminated quote is reported. An {@code export } prefix is allowed
 * so that a file written for a shell also works.
 */
final class EnvFileParser {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern EXPORT = Pattern.compile("export[ \\t]+");

  /** One KEY=VALUE, with the line its key starts on. */
  record Entry(String key, String value, int line) {
  }

  record Result(List<Entry> entries, List<String> errors) {
  }

  private enum State { PRE_KEY, KEY, PRE_VALUE, VALUE, VALUE_ESCAPE, SINGLE_QUOTE, DOUBLE_QUOTE, DOUBLE_QUOTE_ESCAPE,
    COMMENT, COMMENT_ESCAPE }

  private final String source;
  private final List<Entry> entries = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final StringBuilder key = new StringBuilder();
  private final StringBuilder value = new StringBuilder();
  private int valueKeep;   // length of the value without trailing unquoted blanks
  private int line = 1;
  private int keyLine;
  private int quoteLine;

  private EnvFileParser(String source) {
    this.source = source;
  }

  /** Parses {@code text}; {@code source} (a path) prefixes error messages. */
  static Result parse(String text, String source) {
    EnvFileParser p = new EnvFileParser(source);
    p.run(text);
    return new Result(List.copyOf(p.entries), List.copyOf(p.errors));
  }

  private void run(String text) {
    State s = State.PRE_KEY;
    for (int i = 0; i < text.length(); i++) {
      s = step(s, text.charAt(i));
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    switch (s) {
      case KEY -> missingEquals();
      case SINGLE_QUOTE, DOUBLE_QUOTE, DOUBLE_QUOTE_ESCAPE ->
          errors.add(source + ":" + quoteLine + ": unterminated quote in the value of " + key.toString().strip());
      case PRE_VALUE, VALUE, VALUE_ESCAPE -> push();
      default -> { }
    }
  }

  private State step(State s, char c) {
    boolean newline = c == '\n' || c == '\r';
    switch (s) {
      case PRE_KEY:
        if (c == '#' || c == ';') {
          return State.COMMENT;
        }
        if (Character.isWhitespace(c)) {
          return s;
        }
        key.setLength(0);
        key.append(c);
        keyLine = line;
        return State.KEY;
      case KEY:
        if (newline) {
          missingEquals();
          return State.PRE_KEY;
        }
        if (c == '=') {
          value.setLength(0);
          valueKeep = 0;
          return State.PRE_VALUE;
        }
        key.append(c);
        return s;
      case PRE_VALUE:
        if (newline) {
          push();
          return State.PRE_KEY;
        }
        quoteLine = line;
        if (c == '\'') {
          return State.SINGLE_QUOTE;
        }
        if (c == '"') {
          return State.DOUBLE_QUOTE;
        }
        if (c == '\\') {
          return State.VALUE_ESCAPE;
        }
        return Character.isWhitespace(c) ? s : unquoted(c);
      case VALUE:
        if (newline) {
          push();
          return State.PRE_KEY;
        }
        return c == '\\' ? State.VALUE_ESCAPE : unquoted(c);
      case VALUE_ESCAPE:
        if (!newline) {
          quoted(c);
        }
        return State.VALUE;
      case SINGLE_QUOTE:
        if (c == '\'') {
          return State.PRE_VALUE;
        }
        quoted(c);
        return s;
      case DOUBLE_QUOTE:
        if (c == '"') {
          return State.PRE_VALUE;
        }
        if (c == '\\') {
          return State.DOUBLE_QUOTE_ESCAPE;
        }
        quoted(c);
        return s;
      case DOUBLE_QUOTE_ESCAPE:
        if ("\"\\`$".indexOf(c) >= 0) {
          quoted(c);
        } else if (c != '\n') {
          quoted('\\');
          quoted(c);
        }
        return State.DOUBLE_QUOTE;
      case COMMENT:
        if (c == '\\') {
          return State.COMMENT_ESCAPE;
        }
        return newline ? State.PRE_KEY : s;
      case COMMENT_ESCAPE:
        return State.COMMENT;
      default:
        throw new IllegalStateException(s.name());
    }
  }

  private State unquoted(char c) {
    value.append(c);
    if (!Character.isWhitespace(c)) {
      valueKeep = value.length();
    }
    return State.VALUE;
  }

  private void quoted(char c) {
    value.append(c);
    valueKeep = value.length();
  }

  private void push() {
    String name = EXPORT.matcher(key.toString().strip()).replaceFirst("");
    if (!NAME.matcher(name).matches()) {
      errors.add(source + ":" + keyLine + ": \"" + name + "\" is not a valid variable name");
      return;
    }
    entries.add(new Entry(name, value.substring(0, valueKeep), keyLine));
  }

  private void missingEquals() {
    errors.add(source + ":" + keyLine + ": expected KEY=VALUE, got \"" + key.toString().strip() + "\"");
  }
}
