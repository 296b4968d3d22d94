package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleTest {
  @Test
  void partsStopInReverseOrderEachOneEvenIfAnotherFails() {
    List<String> stopped = new ArrayList<>();
    Lifecycle l = new Lifecycle();
    l.started("health", () -> stopped.add("health"));
    l.started("control socket", () -> {
      stopped.add("control socket");
      throw new IllegalStateException("will not close");
    });
    l.started("kernel monitor", () -> stopped.add("kernel monitor"));
    assertEquals(1, l.stopAll(), "one failed");
    assertEquals(List.of("kernel monitor", "control socket", "health"), stopped);
    assertEquals(0, l.stopAll(), "each part is stopped once");
    assertEquals(3, stopped.size());
  }

  @Test
  void aPartThatStartsAfterTheStopBeganIsStoppedAtOnce() {
    List<String> stopped = new ArrayList<>();
    Lifecycle l = new Lifecycle();
    l.stopAll();
    l.started("late", () -> stopped.add("late"));
    assertEquals(List.of("late"), stopped);
  }
}
