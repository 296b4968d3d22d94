package netbalancer.observe;

import java.util.List;
import java.util.Optional;

/** One consistent read of everything the planner looks at. */
public record KernelState(List<Link> links, List<Route> routes, List<Rule> rules,
    List<Neighbor> neighbors, NftTable nftTable) {

  public KernelState {
    links = List.copyOf(links);
    routes = List.copyOf(routes);
    rules = List.copyOf(rules);
    neighbors = List.copyOf(neighbors);
  }

  public Optional<Link> link(String name) {
    return links.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  public List<Route> routesInTable(int table) {
    return routes.stream().filter(r -> r.table() == table).toList();
  }
}
