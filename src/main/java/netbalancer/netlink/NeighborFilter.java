package netbalancer.netlink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The classic-BPF socket filter of the device monitor (links, addresses, neighbors, rules): the
 * kernel runs it on each message before queueing it, so the LAN's hosts, whose entries change
 * state all day (a few thousand hosts: hundreds of events a second), and a container host's veths,
 * which come and go with each container, never wake the daemon. It passes link, address and
 * neighbor messages of the given links (by ifindex, at the same offset in ifinfomsg, ifaddrmsg and
 * ndmsg) and anything else (rules, errors); with {@code allLinks}, every link message (a device
 * UPLINKS names may appear under any index). A program for no links passes none of theirs.
 * Fields in host order, loads big-endian: see {@link RouteFilter}.
 */
public final class NeighborFilter {
  static final int RTM_NEWNEIGH = 28;
  static final int RTM_DELNEIGH = 29;
  /** nlmsghdr (16 bytes) then ifinfomsg/ifaddrmsg/ndmsg, whose index is at the same offset. */
  static final int NDM_IFINDEX = 16 + 4;
  /** Jump offsets are 8 bits: the longest jump (first compare to accept) must fit. */
  public static final int MAX_LINKS = 200;
  private static final int ACCEPT = -1;
  private static final int[] BY_INDEX = {RTM_NEWNEIGH, RTM_DELNEIGH, DeviceMessage.RTM_NEWADDR, DeviceMessage.RTM_DELADDR};

  private NeighborFilter() {
  }

  /** Link, address and neighbor messages of {@code ifindexes} (all link messages with {@code allLinks}), and the rest. */
  public static List<Bpf> program(Collection<Integer> ifindexes, boolean allLinks) {
    if (ifindexes.size() > MAX_LINKS) {
      throw new IllegalArgumentException("at most " + MAX_LINKS + " links, got " + ifindexes.size());
    }
    List<Integer> links = List.copyOf(ifindexes);
    int n = links.size();
    List<Bpf> out = new ArrayList<>();
    int[] linkTypes = {DeviceMessage.RTM_NEWLINK, DeviceMessage.RTM_DELLINK};
    // A = type; each filtered type jumps to CHECK (or, for a link with allLinks, to ACCEPT); any other to ACCEPT
    int compares = BY_INDEX.length + linkTypes.length;
    int check = 1 + compares + 1; // after the compares and the jump to ACCEPT
    int accept = check + 1 + n + 1;
    out.add(new Bpf(Bpf.LD_H_ABS, 0, 0, RouteFilter.NLMSG_TYPE));
    for (int t : BY_INDEX) {
      out.add(new Bpf(Bpf.JEQ_K, check - out.size() - 1, 0, RouteFilter.h(t)));
    }
    for (int t : linkTypes) {
      int to = allLinks ? accept : check;
      out.add(new Bpf(Bpf.JEQ_K, to - out.size() - 1, 0, RouteFilter.h(t)));
    }
    out.add(new Bpf(Bpf.JA, 0, 0, accept - out.size() - 1));
    // CHECK: A = ifindex; one of ours? to ACCEPT; else drop
    out.add(new Bpf(Bpf.LD_W_ABS, 0, 0, NDM_IFINDEX));
    for (int i = 0; i < n; i++) {
      out.add(new Bpf(Bpf.JEQ_K, n - i, 0, RouteFilter.w(links.get(i))));
    }
    out.add(new Bpf(Bpf.RET_K, 0, 0, 0));
    out.add(new Bpf(Bpf.RET_K, 0, 0, ACCEPT));
    return out;
  }
}
