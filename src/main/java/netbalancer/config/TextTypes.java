package netbalancer.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Value types for textual settings: interface names, patterns, weights and tiers, addresses, paths. */
final class TextTypes {
  private static final Pattern SEPARATORS = Pattern.compile("[\\s,]+");
  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,3}");

  private TextTypes() {
  }

  /** Splits a list written with spaces and/or commas. */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    for (String item : SEPARATORS.split(text)) {
      if (!item.isEmpty()) {
        out.add(item);
      }
    }
    return out;
  }

  /** Distinct interface names, at most {@code max} of them. */
  static ValueType<List<String>> interfaceNames(int max) {
    String allowed = "space- or comma-separated interface names, at most " + max + " (" + InterfaceNames.RULES + ")";
    return list(allowed, InterfaceNames::isValid, "is not a valid interface name", max);
  }

  static ValueType<List<String>> globs() {
    return list("space- or comma-separated interface name patterns using *, ? and [...]",
        p -> Glob.problem(p) == null, "is not a valid pattern", Integer.MAX_VALUE);
  }

  static ValueType<List<String>> ipLiterals() {
    return list("space- or comma-separated IPv4 or IPv6 address literals (no host names)",
        IpLiterals::isValid, "is not an IP address literal", Integer.MAX_VALUE);
  }

  static ValueType<String> ipLiteral() {
    return new ValueType<>() {
      @Override
      public String parse(String text) throws InvalidValue {
        if (!IpLiterals.isValid(text)) {
          throw invalid();
        }
        return text;
      }

      @Override
      public String format(String value) {
        return value;
      }

      @Override
      public String allowed() {
        return "an IPv4 or IPv6 address literal (no host name)";
      }
    };
  }

  /** NAME=WEIGHT pairs; the weight is a nexthop weight, which the kernel limits to 1..256. */
  static ValueType<Map<String, Integer>> weights() {
    return numbersByName("WEIGHT", 256, "wan1=3 wan2=1");
  }

  /** NAME=TIER pairs: tier 1 is used first, then 2, and so on. */
  static ValueType<Map<String, Integer>> tiers() {
    return numbersByName("TIER", 9, "wan1=1 wan2=1 lte0=2");
  }

  /** NAME=WHAT pairs, WHAT an integer 1..max, each interface named at most once. */
  private static ValueType<Map<String, Integer>> numbersByName(String what, int max, String example) {
    return new ValueType<>() {
      @Override
      public Map<String, Integer> parse(String text) throws InvalidValue {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String pair : split(text)) {
          int eq = pair.indexOf('=');
          String name = eq < 0 ? pair : pair.substring(0, eq);
          String number = eq < 0 ? "" : pair.substring(eq + 1);
          if (!InterfaceNames.isValid(name) || !NUMBER.matcher(number).matches()
              || Integer.parseInt(number) < 1 || Integer.parseInt(number) > max) {
            throw new InvalidValue("\"" + pair + "\" is not NAME=" + what + "; expected " + allowed());
          }
          if (out.put(name, Integer.parseInt(number)) != null) {
            throw new InvalidValue(name + " is given twice; expected " + allowed());
          }
        }
        return Collections.unmodifiableMap(out);
      }

      @Override
      public String format(Map<String, Integer> value) {
        StringBuilder sb = new StringBuilder();
        value.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
      }

      @Override
      public String allowed() {
        return "space- or comma-separated NAME=" + what + " pairs, e.g. \"" + example + "\", with " + what + " 1.."
            + max + " and NAME an interface name (" + InterfaceNames.RULES + ")";
      }
    };
  }

  /** An IPv6 prefix (see {@link Ipv6Prefixes}), kept in canonical form; empty means none. */
  static ValueType<String> ipv6PrefixOrEmpty() {
    return new ValueType<>() {
      @Override
      public String parse(String text) throws InvalidValue {
        if (text.isEmpty()) {
          return "";
        }
        String prefix = Ipv6Prefixes.canonical(text);
        if (prefix == null) {
          throw new InvalidValue("\"" + text + "\" is not a prefix; expected " + allowed());
        }
        return prefix;
      }

      @Override
      public String format(String value) {
        return value;
      }

      @Override
      public String allowed() {
        return "empty (none) or " + Ipv6Prefixes.allowed();
      }
    };
  }

  /** NAME=PREFIX pairs: an IPv6 prefix per interface, each interface named at most once. */
  static ValueType<Map<String, String>> ipv6PrefixesByName() {
    return new ValueType<>() {
      @Override
      public Map<String, String> parse(String text) throws InvalidValue {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : split(text)) {
          int eq = pair.indexOf('=');
          String name = eq < 0 ? pair : pair.substring(0, eq);
          String prefix = eq < 0 ? null : Ipv6Prefixes.canonical(pair.substring(eq + 1));
          if (!InterfaceNames.isValid(name) || prefix == null) {
            throw new InvalidValue("\"" + pair + "\" is not NAME=PREFIX; expected " + allowed());
          }
          if (out.put(name, prefix) != null) {
            throw new InvalidValue(name + " is given twice; expected " + allowed());
          }
        }
        return Collections.unmodifiableMap(out);
      }

      @Override
      public String format(Map<String, String> value) {
        StringBuilder sb = new StringBuilder();
        value.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
      }

      @Override
      public String allowed() {
        return "space- or comma-separated NAME=PREFIX pairs, e.g. \"wan1=2001:db8:1:100::/64\", with NAME an"
            + " interface name and PREFIX " + Ipv6Prefixes.allowed();
      }
    };
  }

  /** An absolute path of at most {@code maxBytes} bytes (a unix socket path is limited to 107). */
  static ValueType<Path> absolutePath(int maxBytes) {
    String allowed = maxBytes == Integer.MAX_VALUE
        ? "an absolute path"
        : "an absolute path of at most " + maxBytes + " bytes";
    return new ValueType<>() {
      @Override
      public Path parse(String text) throws InvalidValue {
        if (!text.startsWith("/") || text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
          throw invalid();
        }
        try {
          return Path.of(text);
        } catch (InvalidPathException e) {
          throw invalid();
        }
      }

      @Override
      public String format(Path value) {
        return value.toString();
      }

      @Override
      public String allowed() {
        return allowed;
      }
    };
  }

  private static ValueType<List<String>> list(String allowed, Predicate<String> valid, String why, int max) {
    return new ListType(allowed, valid, why, max);
  }

  /** A list of distinct items, each accepted by {@code valid}. */
  private static final class ListType implements ValueType<List<String>> {
    private final String allowed;
    private final Predicate<String> valid;
    private final String why;
    private final int max;

    ListType(String allowed, Predicate<String> valid, String why, int max) {
      this.allowed = allowed;
      this.valid = valid;
      this.why = why;
      this.max = max;
    }

    @Override
    public List<String> parse(String text) throws InvalidValue {
      List<String> items = split(text);
      Set<String> seen = new HashSet<>();
      for (String item : items) {
        if (!valid.test(item)) {
          throw new InvalidValue("\"" + item + "\" " + why + "; expected " + allowed);
        }
        if (!seen.add(item)) {
          throw new InvalidValue(item + " is listed twice; expected " + allowed);
        }
      }
      if (items.size() > max) {
        throw new InvalidValue(items.size() + " items; expected " + allowed);
      }
      return List.copyOf(items);
    }

    @Override
    public String format(List<String> value) {
      return String.join(" ", value);
    }

    @Override
    public String allowed() {
      return allowed;
    }
  }
}
