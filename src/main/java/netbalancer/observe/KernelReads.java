package netbalancer.observe;

import java.util.List;
import netbalancer.system.CommandRunner;

/**
 * The kernel reads a pass is made of, each answered as {@code ip -j -d -N} answers it and
 * {@link IpJson} reads that (the same records, strings and numbers): by {@code ip} processes
 * ({@link #ip}), or in-process over rtnetlink (netbalancer.netlink.NetlinkReads, the daemon's).
 * Each call may run on any thread, several at once.
 */
public interface KernelReads {
  /** What {@code ip -4|-6 -batch} of address show, rule show and neigh show dev D… found. */
  record FamilyRead(List<Link> links, List<Rule> rules, List<Neighbor> neighbors) {
    public FamilyRead {
      links = List.copyOf(links);
      rules = List.copyOf(rules);
      neighbors = List.copyOf(neighbors);
    }
  }

  /**
   * The links that have an address of {@code family} with those addresses (as {@code ip -4
   * address show} lists them: a link without one is left out), the rules of the family, and the
   * neighbors of the family on each of {@code neighborDevices}.
   *
   * @throws DeviceGone one of {@code neighborDevices} does not exist (any more)
   */
  FamilyRead family(Family family, List<String> neighborDevices);

  /**
   * The routes of protocol {@code rtProto} in {@code table} (null: in every table), unicast and
   * the unreachable and blackhole last resorts; none when the table does not exist.
   */
  List<Route> ours(Family family, Integer table, int rtProto);

  /** The unicast default routes of the main table. */
  List<Route> mainDefaults(Family family);

  /** The unicast {@code proto kernel} routes of the main table. */
  List<Route> mainConnected(Family family);

  /**
   * Our nft table's summary (see {@link NftTable}), {@link NftTable#ABSENT} when there is none:
   * whatever the sticky maps and sets in it hold, neither the time nor the memory grows with them.
   */
  NftTable nftTable();

  /** The reads by {@code ip} processes. */
  static KernelReads ip(CommandRunner runner) {
    return new IpReads(runner);
  }

  /** A device asked for vanished between two reads; its routes are gone too by now. */
  final class DeviceGone extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeviceGone(String message) {
      super(message, null, false, false);
    }
  }
}
