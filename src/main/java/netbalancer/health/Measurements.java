package netbalancer.health;

import java.time.Duration;

/**
 * Per-uplink probe statistics for status and metrics: RTT (last and smoothed), loss over the
 * last {@link #WINDOW} probes, and counts by outcome. Not thread-safe: the owning state is.
 */
final class Measurements {
  /** Loss is judged on recent probes only, so an old outage stops showing once it is over. */
  static final int WINDOW = 20;
  /** The EWMA gain of TCP's SRTT (RFC 6298): smooth enough to ignore one slow answer. */
  static final double ALPHA = 1.0 / 8;

  private final boolean[] lost = new boolean[WINDOW];
  private int samples;
  private int next;
  private int lostInWindow;
  private long successes;
  private long failures;
  private long timeouts;
  private Duration rttLast;
  private double rttSmoothedNanos = Double.NaN;

  void record(ProbeResult r) {
    switch (r.outcome()) {
      case SUCCESS -> successes++;
      case FAILURE -> failures++;
      case TIMEOUT -> timeouts++;
    }
    if (samples == WINDOW && lost[next]) {
      lostInWindow--;
    }
    lost[next] = !r.ok();
    if (lost[next]) {
      lostInWindow++;
    }
    next = (next + 1) % WINDOW;
    samples = Math.min(WINDOW, samples + 1);
    if (r.ok()) {
      long sample = r.rtt().toNanos();
      rttLast = r.rtt();
      rttSmoothedNanos = Double.isNaN(rttSmoothedNanos) ? sample
          : rttSmoothedNanos + ALPHA * (sample - rttSmoothedNanos);
    }
  }

  /** Lost share of the last {@link #samples()} probes; 0 before any probe. */
  double loss() {
    return samples == 0 ? 0 : (double) lostInWindow / samples;
  }

  int samples() {
    return samples;
  }

  long successes() {
    return successes;
  }

  long failures() {
    return failures;
  }

  long timeouts() {
    return timeouts;
  }

  /** Null until a probe has succeeded. */
  Duration rttLast() {
    return rttLast;
  }

  /** Null until a probe has succeeded. */
  Duration rttSmoothed() {
    return Double.isNaN(rttSmoothedNanos) ? null : Duration.ofNanos(Math.round(rttSmoothedNanos));
  }
}
