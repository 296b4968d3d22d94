package netbalancer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void medianIntervalBracketsTheMedianAndNarrowsWithMoreSamples() {
    List<Double> few = new ArrayList<>();
    List<Double> many = new ArrayList<>();
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < 400; i++) {
      double x = 0.96 + 0.04 * r.nextGaussian();
      many.add(x);
      if (i < 25) {
        few.add(x);
      }
    }
    List<Double> wide = Stats.medianInterval95(few);
    List<Double> narrow = Stats.medianInterval95(many);
    assertTrue(wide.get(0) <= Stats.median(few) && Stats.median(few) <= wide.get(1), wide.toString());
    assertTrue(narrow.get(0) <= 0.96 && 0.96 <= narrow.get(1), "true median 0.96 inside " + narrow);
    assertTrue(narrow.get(1) - narrow.get(0) < (wide.get(1) - wide.get(0)) / 2, wide + " vs " + narrow);
    assertEquals(narrow, Stats.medianInterval95(many), "seeded: the same samples give the same interval");
    assertEquals(List.of(), Stats.medianInterval95(List.of()));
    assertEquals(List.of(0.5, 0.5), Stats.medianInterval95(List.of(0.5)));
  }

  @Test
  void ratioOfMediansIntervalBracketsTheTrueRatio() {
    List<Double> a = new ArrayList<>();
    List<Double> b = new ArrayList<>();
    java.util.Random r = new java.util.Random(11);
    for (int i = 0; i < 300; i++) {
      a.add(0.95 + 0.02 * r.nextGaussian());
      b.add(0.97 + 0.02 * r.nextGaussian());
    }
    List<Double> ci = Stats.ratioOfMediansInterval95(a, b);
    double truth = 0.95 / 0.97;
    assertTrue(ci.get(0) <= truth && truth <= ci.get(1), truth + " inside " + ci);
    assertTrue(ci.get(1) < 1, "0.95 against 0.97 is told apart with 300 pairs each: " + ci);
    assertEquals(List.of(), Stats.ratioOfMediansInterval95(a, List.of()));
    assertEquals(List.of(0.5, 0.5), Stats.ratioOfMediansInterval95(List.of(0.5), List.of(1.0)));
  }
}
