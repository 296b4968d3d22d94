package netbalancer.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The samples of a text-format exposition, series as printed → value; throws on a malformed line. */
final class Samples {
  private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)");

  private Samples() {
  }

  static Map<String, Double> parse(String text) {
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("does not end in a newline");
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("malformed line: " + line);
      }
      if (out.put(m.group(1), Double.parseDouble(m.group(2))) != null) {
        throw new IllegalArgumentException("duplicate series: " + m.group(1));
      }
    }
    return out;
  }

  static List<String> seriesOf(Map<String, Double> samples, String name) {
    return samples.keySet().stream().filter(s -> s.equals(name) || s.startsWith(name + "{")).toList();
  }
}
