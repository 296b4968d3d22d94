package netbalancer.metrics;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns counters that may restart from zero into ones that never go back: each reading adds its
 * increase over the previous one, or all of itself when it is lower (the source restarted).
 * An increase that happens between a restart and the next reading is counted; one that happened
 * just before the restart and was never read is lost, as with any sampled counter.
 * Not thread-safe: {@link Metrics} serializes updates.
 */
final class MonotonicCounters {
  private record Key(String scope, String counter) {
  }

  /** {last reading, exported total} */
  private final Map<Key, long[]> entries = new HashMap<>();

  /** The exported total of {@code counter} in {@code scope} after reading {@code raw}. */
  long advance(String scope, String counter, long raw) {
    long reading = Math.max(0, raw);
    long[] e = entries.get(new Key(scope, counter));
    if (e == null) {
      entries.put(new Key(scope, counter), new long[] {reading, reading});
      return reading;
    }
    e[1] += reading >= e[0] ? reading - e[0] : reading;
    e[0] = reading;
    return e[1];
  }

  /** Forgets every scope not in {@code live}: a vanished uplink's series go, and start afresh if it returns. */
  void retainScopes(Set<String> live) {
    entries.keySet().removeIf(k -> !live.contains(k.scope()));
  }
}
