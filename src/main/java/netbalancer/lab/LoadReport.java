package netbalancer.lab;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link LoadClient} prints, one JSON line: of {@code total} connections, {@code failed}
 * did not work; {@code bySource} counts the working ones by the source address the server saw
 * (so by uplink). In hold mode's {@code check}, {@code failedBySource} counts connections that
 * worked once and have died since, by the source they had.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LoadReport(int total, int failed, Map<String, Integer> bySource,
    Map<String, Integer> failedBySource) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public LoadReport {
    bySource = bySource == null ? Map.of() : new TreeMap<>(bySource);
    failedBySource = failedBySource == null ? Map.of() : new TreeMap<>(failedBySource);
  }

  public int succeeded() {
    return total - failed;
  }

  /** Working connections the server saw coming from {@code source}. */
  public int from(String source) {
    return bySource.getOrDefault(source, 0);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static LoadReport parse(String json) {
    try {
      return JSON.readValue(json, LoadReport.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a load report: " + json.strip(), e);
    }
  }
}
