package netbalancer.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UndoTest {
  private final List<String> log = new ArrayList<>();
  private final ByteArrayOutputStream text = new ByteArrayOutputStream();

  private Fault fault(String name) {
    return Fault.of(name, name + " back", () -> log.add("apply " + name), () -> log.add("revert " + name));
  }

  @Test
  void everythingInForceIsRevertedLastFirstThenTheFinalActionsRun() {
    Undo undo = new Undo("t", new PrintStream(text, true));
    undo.atEnd(() -> log.add("close lab"));
    undo.atEnd(() -> log.add("stop observer"));
    Fault a = fault("a");
    Fault b = fault("b");
    undo.apply(a);
    undo.apply(b);
    undo.close();
    undo.close();
    assertEquals(List.of("apply a", "apply b", "revert b", "revert a", "stop observer", "close lab"), log);
  }

  @Test
  void aRevertedFaultIsNotRevertedAgainAndAFailedRevertDoesNotStopTheOthers() {
    Undo undo = new Undo("t", new PrintStream(text, true));
    Fault a = fault("a");
    undo.apply(a);
    undo.revert(a);
    undo.apply(Fault.of("bad", "bad back", () -> { }, () -> {
      throw new IllegalStateException("gone");
    }));
    undo.apply(fault("c"));
    undo.undoAll(true);
    assertEquals(List.of("apply a", "revert a", "apply c", "revert c"), log);
    assertEquals(true, text.toString().contains("COULD NOT RESTORE bad back: gone"));
    undo.close();
  }

  @Test
  void afterASignalNoFaultIsAppliedAnyMore() {
    Undo undo = new Undo("t", new PrintStream(text, true));
    undo.undoAll(true);
    assertThrows(Undo.Stopped.class, () -> undo.apply(fault("late")));
    assertEquals(List.of(), log);
    undo.close();
  }

  @Test
  void aFaultThatFailsHalfWayIsStillReverted() {
    Undo undo = new Undo("t", new PrintStream(text, true));
    assertThrows(IllegalStateException.class, () -> undo.apply(Fault.of("half", "half back", () -> {
      log.add("apply half");
      throw new IllegalStateException("nft refused");
    }, () -> log.add("revert half"))));
    undo.close();
    assertEquals(List.of("apply half", "revert half"), log);
  }
}
