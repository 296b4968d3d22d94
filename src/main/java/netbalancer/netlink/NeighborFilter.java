package netbalancer.netlink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The classic-BPF socket filter of the neighbor monitor: the kernel runs it on each neighbor
 * message before queueing it, so the LAN's hosts, whose entries change state all day (a few
 * thousand hosts: hundreds of events a second), never wake the daemon. It passes RTM_NEWNEIGH and
 * RTM_DELNEIGH of the given links (by ndm_ifindex) and anything that is not a neighbor message;
 * a program for no links passes no neighbor message at all. Fields in host order, loads
 * big-endian: see {@link RouteFilter}.
 */
public final class NeighborFilter {
  static final int RTM_NEWNEIGH = 28;
  static final int RTM_DELNEIGH = 29;
  /** nlmsghdr (16 bytes) then ndmsg: family, pad1, pad2 (u16), ifindex (s32), … */
  static final int NDM_IFINDEX = 16 + 4;
  /** Jump offsets are 8 bits: the longest jump (first compare to accept) must fit. */
  public static final int MAX_LINKS = 200;
  private static final int ACCEPT = -1;

  private NeighborFilter() {
  }

  public static List<Bpf> program(Collection<Integer> ifindexes) {
    if (ifindexes.size() > MAX_LINKS) {
      throw new IllegalArgumentException("at most " + MAX_LINKS + " links, got " + ifindexes.size());
    }
    List<Integer> links = List.copyOf(ifindexes);
    int n = links.size();
    List<Bpf> out = new ArrayList<>();
    // 0: A = type; 1: NEWNEIGH? to 3; 2: DELNEIGH? to 3, else accept (not a neighbor message)
    out.add(new Bpf(Bpf.LD_H_ABS, 0, 0, RouteFilter.NLMSG_TYPE));
    out.add(new Bpf(Bpf.JEQ_K, 1, 0, RouteFilter.h(RTM_NEWNEIGH)));
    out.add(new Bpf(Bpf.JEQ_K, 0, 2 + n, RouteFilter.h(RTM_DELNEIGH)));
    // 3: A = ifindex; 4..4+n-1: one of ours? to accept; 4+n: drop; 5+n: accept
    out.add(new Bpf(Bpf.LD_W_ABS, 0, 0, NDM_IFINDEX));
    for (int i = 0; i < n; i++) {
      out.add(new Bpf(Bpf.JEQ_K, n - i, 0, RouteFilter.w(links.get(i))));
    }
    out.add(new Bpf(Bpf.RET_K, 0, 0, 0));
    out.add(new Bpf(Bpf.RET_K, 0, 0, ACCEPT));
    return out;
  }
}
