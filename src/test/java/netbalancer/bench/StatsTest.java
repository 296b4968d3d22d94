package netbalancer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void nearestRankPercentilesNeverInventAValue() {
    List<Double> xs = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      xs.add((double) i);
    }
    Collections.shuffle(xs);
    Stats s = Stats.of(xs);
    assertEquals(50, s.n());
    assertEquals(25, s.median());
    assertEquals(48, s.p95());
    assertEquals(50, s.p99(), "p99 of 50 samples is the largest");
    assertEquals(1, s.min());
    assertEquals(25.5, s.mean());
  }

  @Test
  void oneSampleAndNone() {
    assertEquals(3.25, Stats.of(List.of(3.25)).p99());
    assertEquals(0, Stats.of(List.of()).n());
  }
}
