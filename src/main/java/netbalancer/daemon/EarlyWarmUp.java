package netbalancer.daemon;

import java.time.Duration;
import java.util.List;
import netbalancer.observe.Address;
import netbalancer.observe.Family;
import netbalancer.observe.KernelObserver;
import netbalancer.observe.KernelReads;
import netbalancer.observe.Link;
import netbalancer.observe.NetlinkReads;
import netbalancer.observe.NftTable;
import netbalancer.observe.Nexthop;
import netbalancer.observe.Route;
import netbalancer.system.ProcessRunner;

/**
 * Started with {@link WarmUp#startEarly} by {@code run} before anything else (picocli, the
 * configuration: ~400 ms of a fresh JVM before the daemon's first pass), on a daemon thread of its
 * own: loads JNA and the netlink readers
 * (~70-100 ms cold, which the first read otherwise waits for; {@link NetlinkReads#warmUp}), then
 * makes the JVM's first process spawn, the read of our nft table the first pass makes too (a
 * spawn is ~15-20 ms cold, ~2 ms warm): a fresh JVM's first read was ~20 ms slower than the next
 * (lab: 21-26 ms against 7-10 ms), so the first pass's reads and its apply's nft and ip processes
 * start warm. Last, one whole observer read of a made-up kernel ({@link #MADE_UP}, documentation
 * addresses, no nft table): the observer's own first run (its read pool's threads, the connected
 * routes' derivation, its lambdas) was most of what was left (lab: a fresh JVM's first read
 * 23-37 ms with the readers warm, the next 5-10 ms). Not a real one: its deferred dump of main's
 * connected routes and a sweep walk all of main (~0.1 s at 1 000 000 routes), beside a JVM start
 * on perhaps two cores. Reads only; any failure is left for the real use to report.
 */
final class EarlyWarmUp {
  /** One uplink with a default route through its gateway: enough for every step of a read. */
  private static final KernelReads MADE_UP = new KernelReads() {
    @Override
    public FamilyRead family(Family family, List<String> neighborDevices) {
      return new FamilyRead(family == Family.INET6 ? List.of() : List.of(new Link("warm0", 2, true, true, false, "",
          List.of(new Address(Family.INET, "192.0.2.2", 24, null, "0")))), List.of(), List.of());
    }

    @Override
    public List<Route> ours(Family family, Integer table, int rtProto) {
      return List.of();
    }

    @Override
    public List<Route> mainDefaults(Family family) {
      return family == Family.INET6 ? List.of() : List.of(new Route(Family.INET, KernelObserver.MAIN_TABLE, "default",
          List.of(new Nexthop("192.0.2.1", "warm0", 1)), 4, 0, null, 100, false));
    }

    @Override
    public List<Route> mainConnected(Family family) {
      return List.of();
    }

    @Override
    public NftTable nftTable() {
      return NftTable.ABSENT;
    }
  };

  private EarlyWarmUp() {
  }

  static void begin() {
    Thread t = new Thread(EarlyWarmUp::run, "early-warm-up");
    t.setDaemon(true);
    t.start();
  }

  private static void run() {
    try {
      if (!"ip".equals(System.getProperty(KernelReadsChoice.PROPERTY))) {
        NetlinkReads.warmUp();
      }
      // One set, not the table: listing the table makes nft fetch every sticky map's elements first.
      new ProcessRunner().run(List.of("nft", "-j", "list", "set", KernelObserver.NFT_FAMILY, KernelObserver.NFT_TABLE,
          NftTable.FINGERPRINT_SET), null, Duration.ofSeconds(2));
      KernelObserver.keepingMain(MADE_UP, 213, List.of(200, 101)).observe();
    } catch (RuntimeException | LinkageError e) {
      // the daemon's own reads say what fails
    }
  }
}
