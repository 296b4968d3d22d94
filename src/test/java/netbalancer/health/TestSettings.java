package netbalancer.health;

import java.time.Duration;
import java.util.List;
import netbalancer.config.ProbeMethod;

/** A builder over the seed defaults, so each test states only what it cares about. */
final class TestSettings {
  boolean enabled = true;
  Duration interval = Duration.ofSeconds(30);
  Duration fast = Duration.ofSeconds(1);
  Duration timeout = Duration.ofSeconds(3);
  int failureThreshold = 2;
  int recoveryThreshold = 1;
  // Names, not addresses: only fake probers ever see them.
  List<String> targets = List.of("t1");
  int quorum = 1;
  boolean hysteresis = true;
  Duration backoffBase = Duration.ofSeconds(30);
  Duration backoffMax = Duration.ofSeconds(300);
  Duration holdDown = Duration.ofSeconds(60);
  boolean neighbor = true;

  static TestSettings defaults() {
    return new TestSettings();
  }

  TestSettings enabled(boolean v) {
    enabled = v;
    return this;
  }

  TestSettings interval(int seconds) {
    interval = Duration.ofSeconds(seconds);
    return this;
  }

  TestSettings fast(Duration d) {
    fast = d;
    return this;
  }

  TestSettings thresholds(int failure, int recovery) {
    failureThreshold = failure;
    recoveryThreshold = recovery;
    return this;
  }

  TestSettings targets(int quorum, String... names) {
    this.targets = List.of(names);
    this.quorum = quorum;
    return this;
  }

  TestSettings hysteresis(boolean v) {
    hysteresis = v;
    return this;
  }

  TestSettings backoff(int holdDownSeconds, int baseSeconds, int maxSeconds) {
    holdDown = Duration.ofSeconds(holdDownSeconds);
    backoffBase = Duration.ofSeconds(baseSeconds);
    backoffMax = Duration.ofSeconds(maxSeconds);
    return this;
  }

  TestSettings neighbor(boolean v) {
    neighbor = v;
    return this;
  }

  HealthSettings build() {
    return new HealthSettings(enabled, interval, fast, timeout, failureThreshold, recoveryThreshold, targets, quorum,
        53, ProbeMethod.TCP, hysteresis, backoffBase, backoffMax, holdDown, neighbor);
  }
}
