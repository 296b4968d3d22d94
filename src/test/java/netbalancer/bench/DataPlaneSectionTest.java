package netbalancer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class DataPlaneSectionTest {
  @Test
  void ratiosArePairedRoundByRound() {
    // Drift: both ways get faster during the run; the paired ratios see the 2 % cost each round.
    List<Double> plain = List.of(10.0, 12.0, 14.0);
    List<Double> nb = List.of(9.8, 11.76, 13.72);
    assertEquals(List.of(0.98, 0.98, 0.98), DataPlaneSection.ratios(nb, plain));
    assertEquals(0.98, Stats.median(DataPlaneSection.ratios(nb, plain)));
  }
}
