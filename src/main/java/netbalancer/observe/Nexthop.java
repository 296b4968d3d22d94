package netbalancer.observe;

/** One way out of a route: a gateway (null on point-to-point links), a device and a weight. */
public record Nexthop(String gateway, String dev, int weight) {
}
