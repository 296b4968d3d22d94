package netbalancer.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import netbalancer.system.Ticker;

/** A prober whose answers the test sets per source address or target; records every call. */
final class ScriptedProber implements Prober {
  record Call(long at, String source, String target, int port, Duration timeout) {
  }

  private final Ticker ticker;
  private final List<Call> calls = new ArrayList<>();
  private final Set<String> dead = new HashSet<>();
  private RuntimeException toThrow;

  ScriptedProber(Ticker ticker) {
    this.ticker = ticker;
  }

  /** Probes from this source address, or to this target, time out until {@link #revive}. */
  synchronized void kill(String sourceOrTarget) {
    dead.add(sourceOrTarget);
  }

  synchronized void revive(String sourceOrTarget) {
    dead.remove(sourceOrTarget);
  }

  synchronized void throwOnProbe(RuntimeException e) {
    toThrow = e;
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  synchronized List<Call> callsFrom(String source) {
    return calls.stream().filter(c -> c.source().equals(source)).toList();
  }

  @Override
  public synchronized ProbeResult probe(String source, String target, int port, Duration timeout) {
    calls.add(new Call(ticker.read(), source, target, port, timeout));
    if (toThrow != null) {
      throw toThrow;
    }
    return dead.contains(source) || dead.contains(target) ? ProbeResult.timeout("no answer")
        : ProbeResult.success(Duration.ofMillis(15), "connected");
  }
}
