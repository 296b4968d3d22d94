package netbalancer.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link LoadClient} in busy mode: N connections, each sending a request and reading its
 * response every period (100 ms by default), as interactive applications do; a connection that
 * is reset, closed or unanswered for 60 s is dead, and the time it died is recorded. Shows what a
 * carrier blip or an outage does to connections that are in use, not idle.
 */
public final class BusyConnections implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LabProcess process;
  private final LoadReport opened;

  private BusyConnections(LabProcess process) {
    this.process = process;
    this.opened = LoadReport.parse(process.readLine(Duration.ofSeconds(60)));
  }

  /** Opens {@code n} busy connections from {@code ns} to {@code host:port}. */
  public static BusyConnections start(Lab lab, String ns, String host, int port, int n, String... options) {
    List<String> args = new ArrayList<>(List.of("busy", host, Integer.toString(port), Integer.toString(n),
        "--parallel", "16"));
    args.addAll(List.of(options));
    LabProcess p = lab.startJava(ns, LoadClient.class.getName(), args.toArray(String[]::new));
    try {
      return new BusyConnections(p);
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** The connections opened, by the source address the server saw (so by uplink). */
  public LoadReport opened() {
    return opened;
  }

  /** Live connections by source in {@code bySource}, dead ones in {@code failedBySource}. */
  public LoadReport status() {
    process.writeLine("status");
    return LoadReport.parse(process.readLine(Duration.ofSeconds(10)));
  }

  /** When each dead connection died (epoch milliseconds), by the source it had. */
  public Map<String, List<Long>> deaths() {
    process.writeLine("deaths");
    String line = process.readLine(Duration.ofSeconds(10));
    try {
      return JSON.readValue(line, new TypeReference<Map<String, List<Long>>>() { });
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a deaths map: " + line, e);
    }
  }

  @Override
  public void close() {
    process.quit();
  }
}
