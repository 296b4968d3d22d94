package netbalancer.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadReportTest {

  @Test
  void roundTripsThroughJsonWithSortedSources() {
    LoadReport r = new LoadReport(5, 1, Map.of("198.19.2.1", 1, "198.19.1.1", 3), null);
    assertEquals("{\"total\":5,\"failed\":1,\"bySource\":{\"198.19.1.1\":3,\"198.19.2.1\":1},"
        + "\"failedBySource\":{}}", r.toJson());
    assertEquals(r, LoadReport.parse(r.toJson()));
    assertEquals(4, r.succeeded());
    assertEquals(3, r.from("198.19.1.1"));
    assertEquals(0, r.from("198.19.9.1"));
  }

  @Test
  void toleratesMissingAndUnknownFields() {
    LoadReport r = LoadReport.parse("{\"total\":2,\"failed\":2,\"extra\":true}");
    assertEquals(Map.of(), r.bySource());
    assertEquals(Map.of(), r.failedBySource());
    assertThrows(IllegalArgumentException.class, () -> LoadReport.parse("not json"));
  }
}
