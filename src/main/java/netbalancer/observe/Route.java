package netbalancer.observe;

import java.util.List;

/**
 * A route as the kernel reports it ({@code ip -j -d -N route show table all}); numbers for the
 * table, protocol and scope. A single-path route has one entry in {@code nexthops}.
 */
public record Route(Family family, int table, String dst, List<Nexthop> nexthops, int protocol,
    int scope, String prefsrc, Integer metric, boolean linkdown) {

  public Route {
    nexthops = List.copyOf(nexthops);
  }

  public boolean isDefault() {
    return "default".equals(dst);
  }
}
