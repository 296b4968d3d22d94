package netbalancer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netbalancer.config.Flow;
import netbalancer.config.Policy;
import netbalancer.plan.IpCommands;
import netbalancer.system.CommandRunner;

/**
 * The kernel's own route for a flow's first packet with a given mark: {@code ip route get} on the
 * input path (as a LAN host's packet arrives: {@code from SRC iif IF}), or on the output path
 * when SRC is this host's. Protocol and ports go along, so a multipath route hashes as it would.
 */
final class KernelRouteGet {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KernelRouteGet() {
  }

  static Map<String, Object> ask(CommandRunner runner, Flow flow, long mark) throws IOException {
    String family = flow.dst().contains(":") ? "-6" : "-4";
    String iif = flow.iif();
    if (iif == null) {
      CommandRunner.Result toSrc = runner.run("ip", family, "-j", "route", "get", flow.src());
      JsonNode r = toSrc.ok() ? first(toSrc.stdout()) : null;
      if (r != null && !"local".equals(r.path("type").asText())) {
        iif = r.path("dev").asText(null);
      }
    }
    List<String> argv = new ArrayList<>(List.of("ip", family, "-j", "route", "get", flow.dst(), "from", flow.src()));
    if (iif != null) {
      argv.addAll(List.of("iif", iif));
    }
    argv.addAll(List.of("mark", IpCommands.hex(mark)));
    if (flow.proto() != Policy.Proto.ANY) {
      argv.addAll(List.of("ipproto", flow.proto().word()));
    }
    if (flow.sport() != null) {
      argv.addAll(List.of("sport", flow.sport().toString()));
    }
    if (flow.dport() != null) {
      argv.addAll(List.of("dport", flow.dport().toString()));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("command", String.join(" ", argv).replace(" -j ", " "));
    CommandRunner.Result r = runner.run(argv, null);
    JsonNode route = r.ok() ? first(r.stdout()) : null;
    if (route == null) {
      out.put("error", r.stderr().strip().isEmpty() ? "no answer" : r.stderr().strip());
      return out;
    }
    out.put("type", route.path("type").asText("unicast"));
    out.put("dev", route.path("dev").asText(null));
    out.put("gateway", route.hasNonNull("gateway") ? route.get("gateway").asText() : null);
    out.put("prefsrc", route.hasNonNull("prefsrc") ? route.get("prefsrc").asText() : null);
    return out;
  }

  private static JsonNode first(String json) throws IOException {
    JsonNode n = JSON.readTree(json);
    return n != null && n.isArray() && n.size() > 0 ? n.get(0) : null;
  }
}
