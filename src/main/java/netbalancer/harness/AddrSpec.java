package netbalancer.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One address of an interface, from {@code ip -j addr show dev X}, to add back after the link
 * was down: IPv6 addresses go with the link (unless keep_addr_on_down). Only static ones are
 * ours to put back — link-local ones the kernel makes, dynamic ones DHCP or SLAAC make again.
 */
record AddrSpec(boolean v6, String local, String peer, int prefixlen, String dev, boolean nodad,
    boolean noprefixroute) {

  static List<AddrSpec> restorable(JsonNode link, String dev) {
    List<AddrSpec> out = new ArrayList<>();
    for (JsonNode a : link.path("addr_info")) {
      String scope = a.path("scope").asText("global");
      if (a.path("dynamic").asBoolean() || scope.equals("link") || scope.equals("host")) {
        continue;
      }
      String peer = a.hasNonNull("address") && !a.get("address").asText().equals(a.path("local").asText())
          ? a.get("address").asText() : null;
      out.add(new AddrSpec(a.path("family").asText().equals("inet6"), a.path("local").asText(), peer,
          a.path("prefixlen").asInt(), dev, a.path("nodad").asBoolean(), a.path("noprefixroute").asBoolean()));
    }
    return out;
  }

  String key() {
    return local + "/" + prefixlen;
  }

  List<String> addArgv() {
    List<String> argv = new ArrayList<>(List.of("ip"));
    if (v6) {
      argv.add("-6");
    }
    argv.addAll(List.of("addr", "add"));
    if (peer != null) {
      argv.addAll(List.of(local, "peer", peer + "/" + prefixlen));
    } else {
      argv.add(local + "/" + prefixlen);
    }
    argv.addAll(List.of("dev", dev));
    if (nodad) {
      argv.add("nodad");
    }
    if (noprefixroute) {
      argv.add("noprefixroute");
    }
    return argv;
  }
}
