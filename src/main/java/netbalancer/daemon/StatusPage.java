package netbalancer.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import netbalancer.log.Log;

/**
 * The status page on the metrics endpoint: {@code GET /} is one self-contained HTML page (its
 * script and style inline; no font, CDN or other host: routers are often offline) that refreshes
 * itself from {@code GET /status.json}: the daemon's status document, the last minutes of each
 * uplink's RTT, loss and traffic rates (sampled on the daemon's 5 s metrics beat) and the event
 * history. Read-only: anything but GET or HEAD is refused (405). It is served by the metrics
 * endpoint's server, so it listens exactly where METRICS_BIND and METRICS_PORT say.
 */
final class StatusPage implements HttpHandler {
  /** 10 minutes at the 5 s beat. */
  static final int SAMPLES = 120;
  static final int EVENTS = 50;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
      + " connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /** One sample of one uplink: time (ms since 1970), RTT (ms, null unknown), loss 0..1, rates in bytes/s. */
  record Sample(long time, Double rttMillis, Double loss, Double txRate, Double rxRate) {
  }

  private final Clock clock;
  private final Supplier<String> status;
  private final EventLog events;
  private final byte[] html;
  private final Map<String, ArrayDeque<Sample>> history = new LinkedHashMap<>();
  private final Map<String, long[]> lastBytes = new LinkedHashMap<>();
  /** The last sampled status document: served as is, so a request never lists conntrack. */
  private String lastStatus;

  /** @param status the daemon's status document now (what `status --json` prints) */
  StatusPage(Clock clock, Supplier<String> status, EventLog events) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.status = Objects.requireNonNull(status, "status");
    this.events = Objects.requireNonNull(events, "events");
    this.html = resource("/netbalancer/status.html");
  }

  private static byte[] resource(String name) {
    try (InputStream in = StatusPage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds one sample per uplink from a status document; uplinks gone from it are forgotten. */
  synchronized void sample(String statusJson) {
    JsonNode doc;
    try {
      doc = JSON.readTree(statusJson);
    } catch (IOException e) {
      Log.warn("status page: unreadable status document: %s", e.getMessage());
      return;
    }
    lastStatus = statusJson;
    long now = clock.millis();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (JsonNode u : doc.path("uplinks")) {
      String name = u.path("name").asText();
      seen.add(name);
      long tx = u.path("txBytes").asLong(-1);
      long rx = u.path("rxBytes").asLong(-1);
      long[] prev = lastBytes.put(name, new long[] {now, tx, rx});
      Double txRate = null;
      Double rxRate = null;
      if (prev != null && now > prev[0] && tx >= prev[1] && rx >= prev[2] && prev[1] >= 0) {
        double seconds = (now - prev[0]) / 1000.0;
        txRate = (tx - prev[1]) / seconds;
        rxRate = (rx - prev[2]) / seconds;
      }
      ArrayDeque<Sample> h = history.computeIfAbsent(name, k -> new ArrayDeque<>());
      h.addLast(new Sample(now, number(u.path("rttMillis")), number(u.path("loss")), txRate, rxRate));
      while (h.size() > SAMPLES) {
        h.removeFirst();
      }
    }
    history.keySet().retainAll(seen);
    lastBytes.keySet().retainAll(seen);
  }

  private static Double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : null;
  }

  /** The document the page renders: {"time", "status", "history": {uplink: [...]}, "events": [...]}. */
  String json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("time", java.time.Instant.ofEpochMilli(clock.millis()).toString());
    String current;
    synchronized (this) {
      current = lastStatus;
    }
    try {
      root.set("status", JSON.readTree(current != null ? current : status.get()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectNode hist = root.putObject("history");
    synchronized (this) {
      history.forEach((name, samples) -> {
        ArrayNode list = hist.putArray(name);
        for (Sample s : samples) {
          ObjectNode n = list.addObject();
          n.put("t", s.time());
          n.put("rtt", s.rttMillis());
          n.put("loss", s.loss());
          n.put("tx", s.txRate());
          n.put("rx", s.rxRate());
        }
      });
    }
    List<EventLog.Event> all = events.events();
    try {
      root.set("events", JSON.readTree(EventLog.toJson(all.subList(Math.max(0, all.size() - EVENTS), all.size())))
          .get("events"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return root.toString();
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      var headers = exchange.getResponseHeaders();
      headers.set("Cache-Control", "no-store");
      headers.set("X-Content-Type-Options", "nosniff");
      if (!method.equals("GET") && !method.equals("HEAD")) {
        headers.set("Allow", "GET, HEAD");
        send(exchange, 405, "text/plain; charset=utf-8", "read-only: GET or HEAD\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      switch (path) {
        case "/", "/index.html" -> {
          headers.set("Content-Security-Policy", CSP);
          headers.set("Referrer-Policy", "no-referrer");
          send(exchange, 200, "text/html; charset=utf-8", html);
        }
        case "/status.json" -> send(exchange, 200, "application/json", json().getBytes(StandardCharsets.UTF_8));
        default -> send(exchange, 404, "text/plain; charset=utf-8",
            "not found: the status page is /, its data /status.json, the metrics /metrics\n".getBytes(StandardCharsets.UTF_8));
      }
    } catch (RuntimeException e) {
      Log.warn("status page: %s", e.toString());
    }
  }

  private static void send(HttpExchange exchange, int code, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(code, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
