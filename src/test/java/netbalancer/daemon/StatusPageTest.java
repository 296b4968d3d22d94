package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import netbalancer.plan.UplinkState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusPageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** A clock the test moves. */
  private static final class Manual extends Clock {
    final AtomicLong millis = new AtomicLong(Instant.parse("2026-12-06T03:00:00Z").toEpochMilli());

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  private static String status(long tx, long rx, Double rtt) {
    return "{\"uplinks\":[{\"name\":\"wan1\",\"state\":\"up\",\"rttMillis\":" + rtt + ",\"loss\":0.25,\"txBytes\":" + tx
        + ",\"rxBytes\":" + rx + "}]}";
  }

  @Test
  void samplesBecomeRatesAndAreBoundedAndEventsAreIncluded() throws Exception {
    Manual clock = new Manual();
    EventLog events = new EventLog(dir.resolve("events.json"), clock);
    Files.createDirectories(dir);
    events.record(List.of(new Transition("wan1", UplinkState.UP, UplinkState.DOWN, "carrier lost")), u -> 1, List.of());
    StatusPage page = new StatusPage(clock, () -> status(0, 0, null), events);

    JsonNode before = JSON.readTree(page.json());
    assertEquals("up", before.at("/status/uplinks/0/state").asText(), "no sample yet: the supplier's document");

    page.sample(status(1000, 500, 2.0));
    clock.millis.addAndGet(5000);
    page.sample(status(6000, 3000, 3.0));
    JsonNode doc = JSON.readTree(page.json());
    JsonNode h = doc.at("/history/wan1");
    assertEquals(2, h.size());
    assertTrue(h.get(0).get("tx").isNull(), "no rate from a single sample");
    assertEquals(1000.0, h.get(1).get("tx").asDouble(), 1e-9, "5000 bytes in 5 s");
    assertEquals(500.0, h.get(1).get("rx").asDouble(), 1e-9);
    assertEquals(3.0, h.get(1).get("rtt").asDouble(), 1e-9);
    assertEquals(0.25, h.get(1).get("loss").asDouble(), 1e-9);
    assertEquals("carrier lost", doc.at("/events/0/reason").asText());

    page.sample(status(0, 0, 1.0)); // counters reset (a re-apply): no negative rate
    assertTrue(JSON.readTree(page.json()).at("/history/wan1/2/tx").isNull());

    for (int i = 0; i < StatusPage.SAMPLES + 10; i++) {
      clock.millis.addAndGet(5000);
      page.sample(status(i, i, 1.0));
    }
    assertEquals(StatusPage.SAMPLES, JSON.readTree(page.json()).at("/history/wan1").size());

    page.sample("{\"uplinks\":[]}");
    assertTrue(JSON.readTree(page.json()).at("/history").isEmpty(), "an uplink gone from the status leaves the history");
  }

  @Test
  void thePageIsOneSelfContainedDocument() throws Exception {
    String html;
    try (var in = StatusPage.class.getResourceAsStream("/netbalancer/status.html")) {
      html = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    assertTrue(!java.util.regex.Pattern.compile("(src|href)\\s*=\\s*\"(https?:)?//|@import|url\\(",
        java.util.regex.Pattern.CASE_INSENSITIVE).matcher(html).find(), "nothing loaded from elsewhere");
    assertTrue(!html.contains("innerHTML"), "data (interface names, reasons) goes in as text, never as markup");
  }
}
