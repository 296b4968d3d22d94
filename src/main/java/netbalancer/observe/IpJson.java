package netbalancer.observe;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@code ip -j -d -N} output into records. Numeric output ({@code -N}) is asked for so that
 * names in /etc/iproute2/rt_tables or rt_protos never change what we compare. A field that a
 * query filters on (table, protocol, dev) is left out by ip; the caller passes it in.
 */
final class IpJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Receives one element of the {@code query}-th array (0-based). */
  interface Sink {
    void element(int query, JsonNode element);
  }

  private IpJson() {
  }

  /**
   * {@code ip -batch} prints one JSON array per command, back to back. Read streaming: one
   * element at a time is a tree, never a whole answer, so a large answer costs no large heap.
   *
   * @return how many arrays there were
   */
  static int forEachElement(String text, Sink sink) {
    int arrays = 0;
    try (JsonParser parser = MAPPER.createParser(text)) {
      for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
        if (t != JsonToken.START_ARRAY) {
          throw new IOException("expected an array, found " + t);
        }
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          JsonNode element = parser.readValueAsTree();
          sink.element(arrays, element);
        }
        arrays++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable ip -j output", e);
    }
    return arrays;
  }

  /**
   * The elements of one array as they come from {@code in}, while {@code more} says so: the
   * rest is never read (nor, for a dump, made).
   */
  static void forEachElementWhile(java.io.InputStream in, java.util.function.Predicate<JsonNode> more) {
    try (JsonParser parser = MAPPER.createParser(in)) {
      parser.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE); // the runner reads on to tell an early stop
      JsonToken t = parser.nextToken();
      if (t == null) {
        return; // ip prints nothing for an empty answer at times
      }
      if (t != JsonToken.START_ARRAY) {
        throw new IOException("expected an array, found " + t);
      }
      for (t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
        if (t == null) {
          throw new IOException("the answer ends inside its array");
        }
        if (!more.test(parser.readValueAsTree())) {
          return;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable ip -j output", e);
    }
  }

  static Link link(JsonNode n) {
    List<String> flags = strings(n.path("flags"));
    List<Address> addrs = new ArrayList<>();
    for (JsonNode a : n.path("addr_info")) {
      String peer = a.hasNonNull("address") ? a.get("address").asText() : null;
      addrs.add(new Address(Family.fromIpJson(a.path("family").asText()), a.path("local").asText(),
          a.path("prefixlen").asInt(), peer, a.path("scope").asText(),
          // ip -j prints these as "tentative": true (also "dadfailed", which is as unusable)
          a.path("tentative").asBoolean(false) || a.path("dadfailed").asBoolean(false),
          a.path("deprecated").asBoolean(false), a.path("temporary").asBoolean(false)));
    }
    return new Link(n.path("ifname").asText(), n.path("ifindex").asInt(), flags.contains("UP"),
        flags.contains("LOWER_UP"), flags.contains("POINTOPOINT"),
        n.path("linkinfo").path("info_kind").asText(""), addrs);
  }

  /**
   * A unicast route, or null for local, broadcast and multicast ones (never ours, never an
   * uplink's default). {@code table} and {@code protocol}: what the query filtered on.
   */
  static Route route(JsonNode n, Family family, int table, int protocol) {
    if (!n.path("type").asText("1").equals("1")) {
      return null;
    }
    return unicast(n, family, table, protocol);
  }

  /**
   * One of our routes: unicast, or the {@code unreachable}/{@code blackhole} default a policy's
   * last resort puts in its table (numeric types under {@code -N}: 7 and 6), so that apply sees it
   * stands and cleanup removes it. Other types: null.
   */
  static Route ownRoute(JsonNode n, Family family, int table, int protocol) {
    String type = switch (n.path("type").asText("1")) {
      case "7", Route.UNREACHABLE -> Route.UNREACHABLE;
      case "6", Route.BLACKHOLE -> Route.BLACKHOLE;
      default -> null;
    };
    if (type == null) {
      return route(n, family, table, protocol);
    }
    Route r = unicast(n, family, table, protocol);
    return new Route(family, r.table(), r.dst(), List.of(), r.protocol(), r.scope(), null, r.metric(), false, type);
  }

  private static Route unicast(JsonNode n, Family family, int table, int protocol) {
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
    return new Route(family, n.path("table").asInt(table), n.path("dst").asText(), hops,
        n.path("protocol").asInt(protocol), n.path("scope").asInt(0), text(n, "prefsrc"), metric, linkdown);
  }

  static Rule rule(JsonNode n, Family family) {
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
    return new Rule(family, n.path("priority").asInt(), "all".equals(src) ? null : src, mark, mask,
        n.path("table").asInt(0), suppress, n.path("protocol").asInt(0));
  }

  /** {@code dev}: the device the query filtered on (ip then leaves it out), or null. */
  static Neighbor neighbor(JsonNode n, String dev) {
    return new Neighbor(n.path("dst").asText(), n.path("dev").asText(dev == null ? "" : dev),
        strings(n.path("state")));
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
