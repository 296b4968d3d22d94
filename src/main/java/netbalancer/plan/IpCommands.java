package netbalancer.plan;

import java.util.ArrayList;
import java.util.List;
import netbalancer.observe.Nexthop;
import netbalancer.observe.Route;
import netbalancer.observe.Rule;

/**
 * Renders routes and rules as {@code ip -batch} lines. Names are validated before they get here
 * and batch lines are split on white space only, so nothing in them is interpreted by a shell.
 */
public final class IpCommands {
  static final int SCOPE_LINK = 253;

  private IpCommands() {
  }

  public static String route(String verb, Route r) {
    List<String> w = new ArrayList<>(List.of("route", verb));
    if (r.type() != null) {
      w.add(r.type());
    }
    w.addAll(List.of(r.dst(), "table", Integer.toString(r.table()), "proto", Integer.toString(r.protocol())));
    if (r.scope() == SCOPE_LINK) {
      w.addAll(List.of("scope", "link"));
    }
    if (r.prefsrc() != null) {
      w.addAll(List.of("src", r.prefsrc()));
    }
    if (r.nexthops().isEmpty()) {
      return String.join(" ", w); // unreachable, blackhole
    } else if (r.nexthops().size() == 1) {
      hop(w, r.nexthops().get(0));
    } else {
      for (Nexthop h : r.nexthops()) {
        w.add("nexthop");
        hop(w, h);
        w.addAll(List.of("weight", Integer.toString(h.weight())));
      }
    }
    return String.join(" ", w);
  }

  /** Deletes by identity alone: a route's nexthops (and type) need not be spelled out to remove it. */
  public static String routeDelete(Route r) {
    return String.join(" ", "route", "del", r.dst(), "table", Integer.toString(r.table()),
        "proto", Integer.toString(r.protocol()));
  }

  private static void hop(List<String> w, Nexthop h) {
    if (h.gateway() != null) {
      w.addAll(List.of("via", h.gateway()));
    }
    w.addAll(List.of("dev", h.dev()));
  }

  public static String rule(String verb, Rule r) {
    List<String> w = new ArrayList<>(List.of("rule", verb, "pref", Integer.toString(r.priority())));
    if (r.src() != null) {
      w.addAll(List.of("from", r.src()));
    }
    if (r.fwmark() != null) {
      w.addAll(List.of("fwmark", hex(r.fwmark()) + "/" + hex(r.fwmask())));
    }
    w.addAll(List.of("lookup", Integer.toString(r.table())));
    if (r.suppressPrefixLength() != null) {
      w.addAll(List.of("suppress_prefixlength", Integer.toString(r.suppressPrefixLength())));
    }
    w.addAll(List.of("protocol", Integer.toString(r.protocol())));
    return String.join(" ", w);
  }

  public static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }
}
