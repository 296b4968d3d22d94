package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.log.Log;
import org.junit.jupiter.api.Test;

class ReloadTest {
  @Test
  void aChangedLbRtProtoIsRefusedWithARestartMessageAndTheRestTakesEffect() {
    Config running = Config.of(Map.of("LB_RT_PROTO", "213"));
    Config next = Config.of(Map.of("LB_RT_PROTO", "214", "UPLINK_WEIGHTS", "wan1=3", "RESYNC_INTERVAL", "7"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Config effective;
    try {
      Log.setOutput(new PrintStream(err, true, StandardCharsets.UTF_8));
      effective = Reload.effective(running, next);
    } finally {
      Log.setOutput(System.err);
    }
    assertEquals(213, effective.lbRtProto(), "the running tag stays");
    assertEquals(3, effective.weightOf("wan1"));
    assertEquals(List.of("UPLINK_WEIGHTS", "RESYNC_INTERVAL"), Reload.changed(running, effective));
    String said = err.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("LB_RT_PROTO changed 213 -> 214: needs a restart"), said);
  }

  @Test
  void anUnchangedConfigIsTheSameAndChangesNothing() {
    Config running = Config.of(Map.of("UPLINK_WEIGHTS", "wan1=3"));
    Config next = Config.of(Map.of("UPLINK_WEIGHTS", "wan1=3"));
    assertSame(next, Reload.effective(running, next));
    assertEquals(List.of(), Reload.changed(running, next));
  }
}
