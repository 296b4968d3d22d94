package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An Error anywhere in the daemon's threads ends it with EXIT_STATUS; other exceptions stay the tasks' own. */
class FatalErrorsTest {
  private final BlockingQueue<Integer> halts = new ArrayBlockingQueue<>(4);

  @Test
  void anErrorInAScheduledTaskHaltsInsteadOfSilentlyStoppingTheTask() throws Exception {
    ScheduledThreadPoolExecutor s = FatalErrors.scheduler("test-loop", halts::add);
    try {
      s.scheduleWithFixedDelay(() -> {
        throw new OutOfMemoryError("Java heap space");
      }, 0, 10, TimeUnit.MILLISECONDS);
      assertEquals(FatalErrors.EXIT_STATUS, halts.poll(5, TimeUnit.SECONDS));
      s.execute(() -> {
        throw new StackOverflowError();
      });
      assertEquals(FatalErrors.EXIT_STATUS, halts.poll(5, TimeUnit.SECONDS));
    } finally {
      s.shutdownNow();
    }
  }

  @Test
  void aRuntimeExceptionIsTheTasksOwnBusiness() throws Exception {
    ScheduledThreadPoolExecutor s = FatalErrors.scheduler("test-loop", halts::add);
    try {
      s.submit(() -> {
        throw new IllegalStateException("a failed pass");
      });
      s.submit(() -> { }).get(5, TimeUnit.SECONDS);
      assertTrue(halts.isEmpty());
    } finally {
      s.shutdownNow();
    }
  }

  @Test
  void anUncaughtThrowableInAnyThreadHalts() throws Exception {
    Thread t = new Thread(() -> {
      throw new IllegalStateException("a monitor thread died");
    }, "ip-monitor");
    t.setUncaughtExceptionHandler(FatalErrors.handler(halts::add));
    t.start();
    t.join(5000);
    assertEquals(FatalErrors.EXIT_STATUS, halts.poll(5, TimeUnit.SECONDS));
  }
}
