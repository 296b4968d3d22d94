package netbalancer.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.kernel.Conntrack;
import netbalancer.observe.KernelObserver;
import netbalancer.observe.NftTable;
import netbalancer.plan.Uplink;
import netbalancer.system.Ticker;

/**
 * Traffic per uplink for status and metrics: connections from one walk of the connection table
 * (by our mark bits), new connections from our nft counters, bytes from the interface's own
 * statistics in /sys, cached for a second so a busy scraper cannot turn them into load. The walk
 * costs in proportion to the table (about a second of CPU at 250 000 flows): {@code status} asks
 * for it on demand; the metrics beat takes counts up to {@link #CONNECTIONS_MAX_AGE_NANOS} old.
 */
final class UplinkStats {
  /** One uplink's numbers; the nft counter restarts when the ruleset is replaced. */
  record Stats(long connections, long txBytes, long rxBytes, long newConnections) {
    static final Stats NONE = new Stats(0, 0, 0, 0);
  }

  private static final long MAX_AGE_NANOS = 1_000_000_000L;
  static final long CONNECTIONS_MAX_AGE_NANOS = 300_000_000_000L;
  private final Config config;
  private final Conntrack conntrack;
  private final KernelObserver observer;
  private final Ticker ticker;
  private Map<String, Stats> cached = Map.of();
  private long cachedAt = Long.MIN_VALUE;
  private Map<Long, Integer> connections = Map.of();
  private Map<String, Long> counters = Map.of();
  private long connectionsAt = Long.MIN_VALUE;

  UplinkStats(Config config, Conntrack conntrack, KernelObserver observer, Ticker ticker) {
    this.config = config;
    this.ticker = ticker;
    this.conntrack = conntrack;
    this.observer = observer;
  }

  /** For status: everything at most a second old. */
  synchronized Map<String, Stats> collect(List<Uplink> uplinks) {
    return collect(uplinks, MAX_AGE_NANOS, MAX_AGE_NANOS);
  }

  /** For the metrics beat: counters fresh, connection counts up to five minutes old. */
  synchronized Map<String, Stats> forMetrics(List<Uplink> uplinks) {
    return collect(uplinks, MAX_AGE_NANOS, CONNECTIONS_MAX_AGE_NANOS);
  }

  /**
   * What was collected last, however old, if it covers every uplink; else a fresh collection. An
   * uplink missing from the numbers would read as counters back at zero.
   */
  synchronized Map<String, Stats> recent(List<Uplink> uplinks) {
    return collect(uplinks, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  private Map<String, Stats> collect(List<Uplink> uplinks, long maxAgeNanos, long connectionsMaxAgeNanos) {
    long now = ticker.read();
    if (cachedAt != Long.MIN_VALUE && now - cachedAt < maxAgeNanos
        && cached.keySet().containsAll(uplinks.stream().map(Uplink::name).toList())) {
      return cached;
    }
    if (connectionsAt == Long.MIN_VALUE || now - connectionsAt >= connectionsMaxAgeNanos) {
      connections = conntrack.countByMark(config.lbMarkMask());
      connectionsAt = now;
    }
    Map<Long, Integer> byMark = connections;
    NftTable table = observer.nftTable();
    counters = table.counterPackets();
    Map<String, Stats> out = new LinkedHashMap<>();
    for (Uplink u : uplinks) {
      out.put(u.name(), new Stats(byMark.getOrDefault(config.markFor(u.index()), 0),
          interfaceBytes(u.name(), "tx_bytes"), interfaceBytes(u.name(), "rx_bytes"),
          table.counterPackets().getOrDefault("new_" + u.index(), 0L)));
    }
    cached = out;
    cachedAt = now;
    return out;
  }

  /**
   * Our nft counters (packets, by name) as the last collection read them: the policies' new
   * connections come from the same read as the uplinks', so status and metrics cost no more.
   */
  synchronized Map<String, Long> counters() {
    return counters;
  }

  private static long interfaceBytes(String iface, String counter) {
    try {
      return Long.parseLong(Files.readString(Path.of("/sys/class/net", iface, "statistics", counter)).strip());
    } catch (IOException | NumberFormatException e) {
      return 0; // the interface went away between the kernel read and this one
    }
  }
}
