package netbalancer.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MeasurementsTest {

  private static ProbeResult ok(long millis) {
    return ProbeResult.success(Duration.ofMillis(millis), "ok");
  }

  @Test
  void lossIsOverTheLastTwentyProbesOnly() {
    Measurements m = new Measurements();
    assertEquals(0.0, m.loss());
    for (int i = 0; i < 5; i++) {
      m.record(ProbeResult.timeout("t"));
    }
    assertEquals(1.0, m.loss());
    assertEquals(5, m.samples());
    for (int i = 0; i < 15; i++) {
      m.record(ok(10));
    }
    assertEquals(5.0 / 20, m.loss(), 1e-12);
    for (int i = 0; i < 4; i++) {
      m.record(ok(10)); // pushes four of the five losses out of the window
    }
    assertEquals(1.0 / 20, m.loss(), 1e-12);
    m.record(ok(10));
    assertEquals(0.0, m.loss());
    assertEquals(20, m.samples());
  }

  @Test
  void countsEachOutcome() {
    Measurements m = new Measurements();
    m.record(ok(1));
    m.record(ProbeResult.failure("unreachable"));
    m.record(ProbeResult.timeout("t"));
    m.record(ProbeResult.timeout("t"));
    assertEquals(1, m.successes());
    assertEquals(1, m.failures());
    assertEquals(2, m.timeouts());
  }

  @Test
  void rttIsSmoothedWithGainOneEighth() {
    Measurements m = new Measurements();
    assertNull(m.rttLast());
    assertNull(m.rttSmoothed());
    m.record(ok(80));
    assertEquals(Duration.ofMillis(80), m.rttSmoothed()); // the first sample seeds it
    m.record(ok(160));
    assertEquals(Duration.ofMillis(160), m.rttLast());
    assertEquals(Duration.ofMillis(90), m.rttSmoothed()); // 80 + (160 - 80) / 8
    m.record(ProbeResult.timeout("t"));
    assertEquals(Duration.ofMillis(160), m.rttLast()); // losses do not move the RTT
    for (int i = 0; i < 200; i++) {
      m.record(ok(20));
    }
    assertEquals(20.0, m.rttSmoothed().toNanos() / 1e6, 0.001);
  }
}
