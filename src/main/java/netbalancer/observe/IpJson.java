package netbalancer.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Turns {@code ip -j -d -N} output into records. Numeric output ({@code -N}) is asked for so that
 * names in /etc/iproute2/rt_tables or rt_protos never change what we compare.
 */
final class IpJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private IpJson() {
  }

  /** {@code ip -batch} prints one JSON array per command, back to back. */
  static List<JsonNode> arrays(String text) {
    List<JsonNode> out = new ArrayList<>();
    try (var parser = MAPPER.getFactory().createParser(text)) {
      Iterator<JsonNode> it = MAPPER.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        out.add(it.next());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable ip -j output", e);
    }
    return out;
  }

  static List<Link> links(JsonNode array) {
    List<Link> out = new ArrayList<>();
    for (JsonNode n : array) {
      List<String> flags = strings(n.path("flags"));
      List<Address> addrs = new ArrayList<>();
      for (JsonNode a : n.path("addr_info")) {
        String peer = a.hasNonNull("address") ? a.get("address").asText() : null;
        addrs.add(new Address(Family.fromIpJson(a.path("family").asText()), a.path("local").asText(),
            a.path("prefixlen").asInt(), peer, a.path("scope").asText()));
      }
      out.add(new Link(n.path("ifname").asText(), n.path("ifindex").asInt(), flags.contains("UP"),
          flags.contains("LOWER_UP"), flags.contains("POINTOPOINT"),
          n.path("linkinfo").path("info_kind").asText(""), addrs));
    }
    return out;
  }

  static List<Route> routes(JsonNode array, Family family) {
    List<Route> out = new ArrayList<>();
    for (JsonNode n : array) {
      if (!n.path("type").asText("1").equals("1")) {
        continue; // local, broadcast, multicast: never ours, never an uplink's default
      }
      List<Nexthop> hops = new ArrayList<>();
      boolean linkdown = strings(n.path("flags")).contains("linkdown");
      if (n.has("nexthops")) {
        for (JsonNode h : n.get("nexthops")) {
          hops.add(new Nexthop(text(h, "gateway"), h.path("dev").asText(), h.path("weight").asInt(1)));
          linkdown |= strings(h.path("flags")).contains("linkdown");
        }
      } else {
        hops.add(new Nexthop(text(n, "gateway"), n.path("dev").asText(), 1));
      }
      Integer metric = n.has("metric") ? n.get("metric").asInt() : null;
      out.add(new Route(family, n.path("table").asInt(254), n.path("dst").asText(), hops,
          n.path("protocol").asInt(0), n.path("scope").asInt(0), text(n, "prefsrc"), metric, linkdown));
    }
    return out;
  }

  static List<Rule> rules(JsonNode array, Family family) {
    List<Rule> out = new ArrayList<>();
    for (JsonNode n : array) {
      String src = n.path("src").asText("all");
      if (!"all".equals(src) && n.has("srclen")) {
        src = src + "/" + n.get("srclen").asInt();
      }
      Long mark = n.has("fwmark") ? Long.decode(n.get("fwmark").asText()) : null;
      Long mask = n.has("fwmask") ? Long.decode(n.get("fwmask").asText()) : null;
      if (mark != null && mask == null) {
        mask = 0xffffffffL;
      }
      Integer suppress = n.has("suppress_prefixlen") ? n.get("suppress_prefixlen").asInt() : null;
      out.add(new Rule(family, n.path("priority").asInt(), "all".equals(src) ? null : src, mark, mask,
          n.path("table").asInt(0), suppress, n.path("protocol").asInt(0)));
    }
    return out;
  }

  static List<Neighbor> neighbors(JsonNode array) {
    List<Neighbor> out = new ArrayList<>();
    for (JsonNode n : array) {
      out.add(new Neighbor(n.path("dst").asText(), n.path("dev").asText(), strings(n.path("state"))));
    }
    return out;
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(e -> out.add(e.asText()));
    return out;
  }
}
