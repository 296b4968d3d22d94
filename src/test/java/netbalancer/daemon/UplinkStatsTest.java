package netbalancer.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import netbalancer.config.Config;
import netbalancer.kernel.Conntrack;
import netbalancer.observe.Family;
import netbalancer.plan.Observers;
import netbalancer.plan.Uplink;
import netbalancer.system.CommandRunner;
import netbalancer.system.FakeTicker;
import netbalancer.system.RecordingRunner;
import org.junit.jupiter.api.Test;

/** The statistics cache keeps a busy scraper from turning into subprocesses, on the injected clock. */
class UplinkStatsTest {
  private static final List<Uplink> UPLINKS = List.of(
      new Uplink("nbtest-wan1", 1, Family.INET, "198.18.1.2", "198.18.1.1", List.of("198.18.1.0/24"), true));

  @Test
  void oneCollectionServesASecondThenTheNextOneReadsTheKernel() {
    RecordingRunner runner = new RecordingRunner(c -> c.argv().get(0).equals("conntrack")
        ? new CommandRunner.Result(0, "tcp 6 431999 ESTABLISHED src=192.0.2.10 dst=203.0.113.10 mark=256 use=1\n", "")
        : new CommandRunner.Result(1, "", "no such table"));
    FakeTicker ticker = new FakeTicker();
    UplinkStats stats = new UplinkStats(Config.defaults(), new Conntrack(runner, java.nio.file.Path.of("/nonexistent/nf_conntrack")), Observers.forConfig(runner, Config.defaults()), ticker);

    assertEquals(1, stats.collect(UPLINKS).get("nbtest-wan1").connections());
    ticker.advance(Duration.ofMillis(999));
    stats.collect(UPLINKS);
    assertEquals(2, runner.calls().size(), "conntrack and nft once: the cache is younger than a second");
    ticker.advance(Duration.ofMillis(1));
    stats.collect(UPLINKS);
    assertEquals(4, runner.calls().size(), "a second old: read again");
    ticker.advance(Duration.ofMinutes(10));
    stats.recent(UPLINKS);
    assertEquals(4, runner.calls().size(), "recent() takes what was collected, however old");
  }
}
