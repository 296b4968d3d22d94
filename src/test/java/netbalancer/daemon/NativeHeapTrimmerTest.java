package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import netbalancer.netlink.NativeHeap;
import org.junit.jupiter.api.Test;

class NativeHeapTrimmerTest {

  @Test
  void countsWhatTrimsThatReturnedMemoryGaveBack() {
    ArrayDeque<Long> rss = new ArrayDeque<>(List.of(80_000L, 78_000L, 78_500L, 78_400L, 79_000L, 79_500L));
    ArrayDeque<Boolean> returned = new ArrayDeque<>(List.of(true, false, true));
    NativeHeapTrimmer t = new NativeHeapTrimmer(returned::poll, rss::poll, () -> 0);

    t.run(); // 80 000 -> 78 000: 2 000 returned
    t.run(); // nothing returned: the 100 kB fewer were someone else's
    t.run(); // grew meanwhile: counts as none, never negative

    assertEquals(2_000, t.returnedKb());
    assertFalse(t.unavailable());
  }

  @Test
  void withoutMallocTrimItStopsTryingAfterTheFirstFailure() {
    AtomicInteger calls = new AtomicInteger();
    NativeHeapTrimmer t = new NativeHeapTrimmer(() -> {
      calls.incrementAndGet();
      throw new UnsatisfiedLinkError("Error looking up function 'malloc_trim'");
    }, () -> 1, () -> 0);

    assertDoesNotThrow(t::run); // an Error out of a loop task would end the daemon (FatalErrors)
    t.run();

    assertTrue(t.unavailable());
    assertEquals(1, calls.get());
  }

  @Test
  void theRealTrimAndRssReadWorkHere() {
    assertDoesNotThrow(NativeHeap::trim); // glibc: the symbol binds (CI runs on Debian)
    assertTrue(NativeHeapTrimmer.rssKb() > 1_000, "VmRSS read from /proc/self/status");
  }
}
