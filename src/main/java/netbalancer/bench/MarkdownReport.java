package netbalancer.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results as Markdown: one table per section, then the targets and how each one fared. */
final class MarkdownReport {
  private final Map<String, Object> doc;
  private final StringBuilder md = new StringBuilder();
  private final List<String[]> targets = new ArrayList<>();

  private MarkdownReport(Map<String, Object> doc) {
    this.doc = doc;
  }

  static String render(Map<String, Object> doc) {
    return new MarkdownReport(doc).build();
  }

  private String build() {
    MachineInfo m = (MachineInfo) doc.get("machine");
    md.append("# net-balancer bench (").append(doc.get("mode")).append(" run, ").append(doc.get("started"))
        .append(")\n\n");
    md.append("Command: `").append(doc.get("command")).append("`  \n");
    md.append("Machine: ").append(m.cpus()).append(" × ").append(m.cpuModel()).append(", ").append(m.memoryMb())
        .append(" MB; kernel ").append(m.kernel()).append("; ").append(m.java()).append("; ").append(m.iproute2())
        .append("; ").append(m.nftables()).append("; ").append(m.iperf3()).append("  \n");
    md.append("Took ").append(fmt((Double) doc.get("durationSeconds"), 0)).append(" s. Every measurement ran in"
        + " network namespaces the bench made and removed; reserved addresses only.");
    @SuppressWarnings("unchecked")
    Map<String, List<Double>> load = (Map<String, List<Double>>) doc.get("loadAverage1m");
    double most = load.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).max().orElse(-1);
    if (most >= 0) {
      md.append(" Load average (1 min) at section starts and ends: at most ").append(fmt(most, 1))
          .append(most > m.cpus() / 2.0 ? " — other work shared the machine; treat times as upper bounds" : "")
          .append('.');
    }
    md.append('\n');
    section("applyCost", ApplyCostSection.Result.class, this::apply);
    section("reaction", ReactionSection.Result.class, this::reaction);
    section("detection", DetectionSection.Result.class, this::detection);
    section("dataPlane", DataPlaneSection.Result.class, this::dataPlane);
    section("distribution", DistributionSection.Result.class, this::distribution);
    section("footprint", FootprintSection.Result.class, this::footprint);
    section("routeScale", ScaleSection.RouteResult.class, this::routeScale);
    section("connectionScale", ScaleSection.FlowResult.class, this::connectionScale);
    section("policies", PoliciesSection.Result.class, this::policies);
    peers();
    if (!targets.isEmpty()) {
      md.append("\n## Targets\n\n").append("quick".equals(doc.get("mode"))
          ? "A quick run: few samples, rough numbers. The full run is the one to judge targets by.\n\n" : "")
          .append("| target | measured | met |\n|---|---|---|\n");
      targets.forEach(t -> md.append("| ").append(String.join(" | ", t)).append(" |\n"));
    }
    return md.toString();
  }

  private <T> void section(String key, Class<T> type, java.util.function.Consumer<T> render) {
    Object r = doc.get(key);
    if (type.isInstance(r)) {
      render.accept(type.cast(r));
    } else if (r instanceof BenchRunner.Failed f) {
      md.append("\n## ").append(key).append("\n\nFAILED: ").append(f.error()).append('\n');
      targets.add(new String[] {key, "section failed", "no"});
    }
  }

  private void apply(ApplyCostSection.Result r) {
    md.append("\n## 1. Apply cost: plan → kernel state (ms)\n\n")
        .append(r.iterations()).append(" applies per cell after ").append(r.warmup()).append(" for warm-up. ")
        .append(r.note()).append("\n\nFull plan onto a clean kernel (\"in ip\", \"in nft\": time spent waiting for"
            + " those programs; the rest is our own code and the /proc/sys writes):\n\n")
        .append("| uplinks | median | p95 | subprocs | in ip | in nft | shell-style median | p95 | subprocs |"
            + " shell ÷ ours | kernel ≠ plan |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    int most = 0;
    for (ApplyCost.Row row : r.rows()) {
      ApplyCost.Series f = row.full();
      ApplyCost.Series s = row.fullShell();
      md.append("| ").append(row.uplinks()).append(" | ").append(fmt(f.ms().median(), 1)).append(" | ")
          .append(fmt(f.ms().p95(), 1)).append(" | ").append(f.subprocesses()).append(" | ")
          .append(fmt(f.ipMedianMs(), 1)).append(" | ").append(fmt(f.nftMedianMs(), 1)).append(" | ")
          .append(fmt(s.ms().median(), 1)).append(" | ").append(fmt(s.ms().p95(), 1)).append(" | ")
          .append(s.subprocesses()).append(" | ").append(fmt(row.fullRatio(), 1)).append("× | ")
          .append(row.mismatches()).append(" |\n");
      most = Math.max(most, Math.max(f.subprocesses(), row.failover().subprocesses()));
      if (row.uplinks() == 8) {
        target("full apply, 8 uplinks: median ≤ 25 ms", fmt(f.ms().median(), 1) + " ms", f.ms().median() <= 25);
      } else if (row.uplinks() == BenchPlan.MOST_UPLINKS) {
        target("full apply, " + row.uplinks() + " uplinks (64 asked): median ≤ 100 ms",
            fmt(f.ms().median(), 1) + " ms", f.ms().median() <= 100);
      }
    }
    md.append("\nFailover, one uplink leaves or rejoins LB_TABLE (with 1 uplink there is nothing to fail over to;"
        + " observe: one read of the kernel's state, which a daemon pass makes before each apply):\n\n")
        .append("| uplinks | median | p95 | subprocs | shell-style median | p95 | subprocs | shell ÷ ours |"
            + " observe median |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ApplyCost.Row row : r.rows()) {
      ApplyCost.Series f = row.failover();
      ApplyCost.Series s = row.failoverShell();
      boolean none = f.subprocesses() == 0;
      md.append("| ").append(row.uplinks()).append(" | ").append(none ? "–" : fmt(f.ms().median(), 1)).append(" | ")
          .append(none ? "–" : fmt(f.ms().p95(), 1)).append(" | ").append(f.subprocesses()).append(" | ")
          .append(none ? "–" : fmt(s.ms().median(), 1)).append(" | ").append(none ? "–" : fmt(s.ms().p95(), 1))
          .append(" | ").append(s.subprocesses()).append(" | ").append(none ? "–" : fmt(row.failoverRatio(), 1) + "×")
          .append(" | ").append(fmt(row.observeMs().median(), 1)).append(" |\n");
    }
    target("subprocesses per apply: a small constant", "at most " + most + " at every size", most <= 2);
  }

  private void reaction(ReactionSection.Result r) {
    md.append("\n## 2. Reaction to carrier loss (ms)\n\n").append(r.events()).append(" events (")
        .append(r.missed()).append(" unmeasured), uplink 2 of 3, settings ").append(r.settings())
        .append(". Clock starts when the bench tells a waiting `ip -batch` in the ISP to drop the carrier; LB_TABLE"
            + " as stamped by `ip -ts monitor` in the router. First connection: a LAN client whose source ports hash"
            + " to the failed uplink retries with a ").append(r.connectTimeoutMs())
        .append(" ms connect timeout until a connection succeeds through another uplink.\n\n")
        .append("| from carrier loss to | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|\n");
    row("LB_TABLE updated", r.lbTableMs());
    row("first new connection succeeds elsewhere", r.firstConnectionMs());
    ReactionSection.Family v6 = r.ipv6();
    if (v6 != null) {
      row("IPv6: LB_TABLE's IPv6 route updated", v6.lbTableMs());
      row("IPv6: first new IPv6 connection succeeds elsewhere", v6.firstConnectionMs());
      md.append("\nIPv6 rows: ").append(v6.events()).append(" events (").append(v6.missed()).append(" unmeasured)"
          + " in a dual-stack lab of their own, the same settings and method: `ip -6 -ts monitor` in the router,"
          + " an IPv6 client whose source ports hash to wan2's IPv6 address (NAT66). The ISP end keeps its IPv6"
          + " addresses over the down (`keep_addr_on_down`) and adds its route to the router's prefix back once"
          + " up.\n");
    }
    md.append("\nPeers: mwan3 reacts to carrier loss through hotplug in about 1 s; VyOS polls every 5–10 s.\n");
    reactionTargets("", r.events(), r.lbTableMs(), r.firstConnectionMs());
    if (v6 != null) {
      reactionTargets("IPv6 ", v6.events(), v6.lbTableMs(), v6.firstConnectionMs());
    }
  }

  private void reactionTargets(String family, int events, Stats lbTable, Stats firstConnection) {
    for (var e : Map.of("LB_TABLE", lbTable, "first new connection elsewhere", firstConnection)
        .entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
      Stats s = e.getValue();
      boolean met = s.median() <= 50 && s.p99() <= 200;
      String measured = "p50 " + fmt(s.median(), 1) + " ms, p99 " + fmt(s.p99(), 1) + " ms over " + events + " events";
      String what = family + "carrier loss → " + e.getKey() + ": p50 ≤ 50 ms, p99 ≤ 200 ms over ≥ 50 events";
      if (met && events < 50) {
        targets.add(new String[] {what, measured, "numbers yes; too few events"});
      } else {
        target(what, measured, met && events >= 50);
      }
    }
  }

  private void row(String what, Stats s) {
    md.append("| ").append(what).append(" | ").append(fmt(s.median(), 1)).append(" | ").append(fmt(s.p95(), 1))
        .append(" | ").append(fmt(s.p99(), 1)).append(" | ").append(fmt(s.max(), 1)).append(" |\n");
  }

  private void detection(DetectionSection.Result r) {
    md.append("\n## 3. Detection of faults without a link event (s)\n\n").append(r.note())
        .append(" Profiles: defaults ").append(r.profiles().get("defaults").isEmpty() ? "(as shipped)"
            : r.profiles().get("defaults")).append(", fast ").append(r.profiles().get("fast")).append(".\n\n")
        .append("| fault | traffic | settings | samples | median | max | undetected |\n")
        .append("|---|---|---|---:|---:|---:|---:|\n");
    List<String> kept = new ArrayList<>();
    for (DetectionSection.Case c : r.cases()) {
      boolean ipv6 = c.ipv4Kept() != null;
      md.append("| ").append(c.fault()).append(" | ").append(c.underTraffic() ? ipv6 ? "20 IPv6 conn/s" : "20 conn/s"
          : "idle").append(" | ")
          .append(c.profile()).append(" | ").append(c.samples()).append(" | ")
          .append(c.stats().n() == 0 ? "–" : fmt(c.stats().median(), 1)).append(" | ")
          .append(c.stats().n() == 0 ? "–" : fmt(c.stats().max(), 1)).append(" | ").append(c.undetected())
          .append(" (limit ").append(fmt(c.limitSeconds(), 0)).append(" s) |\n");
      if (ipv6) {
        kept.add(c.profile() + ": " + c.ipv4Kept() + " of " + c.stats().n());
      }
      if (c.underTraffic() && c.profile().equals("defaults") && !c.fault().equals("neighbor-loss")) {
        String what = (ipv6 ? "IPv6-only blackhole" : "blackhole") + " under traffic, defaults: detected ≤ 5 s";
        double worst = c.stats().n() == 0 ? Double.NaN : c.stats().max();
        target(what, c.stats().n() == 0 ? "undetected" : "median " + fmt(c.stats().median(), 1) + " s, max "
            + fmt(worst, 1) + " s over " + c.samples() + " samples, " + c.undetected() + " undetected",
            c.undetected() == 0 && worst <= 5);
      }
    }
    if (!kept.isEmpty()) {
      md.append("\nIPv6 blackhole: samples in which wan2 was still in LB_TABLE's IPv4 route when its IPv6 side went"
          + " out (only IPv6 taken out): ").append(String.join("; ", kept)).append(".\n");
    }
  }

  private void dataPlane(DataPlaneSection.Result r) {
    DataPlaneSection.Comparison nb = r.balancer();
    DataPlaneSection.Comparison pr = r.policyRouting();
    md.append("\n## 4. Data-plane cost (LAN host → router → ISP → server)\n\nRounds: ").append(r.rounds())
        .append(" in ").append(r.blocks())
        .append(" blocks, each with fresh labs; in each round, plain routing measured beside each other way in turn,"
            + " two labs at the same time")
        .append(r.pinned() ? " (each lab's sending side pinned to one CPU, its receiving side to another)" : "")
        .append(". Ratios: the median of the pairs' own ratios, with a bootstrap 95 % interval. Throughput: one iperf3 "
            + "TCP stream for ")
        .append(r.iperfSeconds()).append(" s. Connection rate: as many connections as a client makes in ")
        .append(r.connRateMillis()).append(" ms, 4 at a time. The peers' rulesets are rebuilt from their published "
            + "generators for the same three uplinks (see the README, Benchmarks).\n\n"
            + "| way | TCP throughput (Gbit/s) | ÷ plain | new connections/s | ÷ plain |\n|---|---:|---:|---:|---:|\n");
    tableRow(r.plain().name(), fmt(r.plain().throughputMedian(), 2), "1", fmt(r.plain().connectionsMedian(), 0), "1");
    List<DataPlaneSection.Comparison> ways = new ArrayList<>(List.of(nb, pr));
    ways.addAll(r.peers());
    for (DataPlaneSection.Comparison c : ways) {
      boolean bold = c == nb;
      tableRow(bold ? "**" + c.way().name() + "**" : c.way().name(), fmt(c.way().throughputMedian(), 2),
          (bold ? "**" : "") + fmt(c.throughputRatio(), 3) + (bold ? "**" : "") + " (" + interval(c.throughputRatioCi95())
              + ")",
          fmt(c.way().connectionsMedian(), 0),
          (bold ? "**" : "") + fmt(c.connectionRateRatio(), 3) + (bold ? "**" : "") + " ("
              + interval(c.connectionRateRatioCi95()) + ")");
    }
    DataPlaneSection.Comparison nb6 = r.balancer6();
    if (nb6 != null) {
      md.append("\nIPv6 traffic (to the server's IPv6 address), in a twin pair of dual-stack labs measured in the same"
          + " rounds the same way:\n\n| way, IPv6 | TCP throughput (Gbit/s) | ÷ plain IPv6 | new connections/s |"
          + " ÷ plain IPv6 |\n|---|---:|---:|---:|---:|\n");
      tableRow(r.plain6().name(), fmt(r.plain6().throughputMedian(), 2), "1", fmt(r.plain6().connectionsMedian(), 0),
          "1");
      tableRow("**" + nb6.way().name() + "**", fmt(nb6.way().throughputMedian(), 2), "**"
          + fmt(nb6.throughputRatio(), 3) + "** (" + interval(nb6.throughputRatioCi95()) + ")",
          fmt(nb6.way().connectionsMedian(), 0), "**" + fmt(nb6.connectionRateRatio(), 3) + "** ("
          + interval(nb6.connectionRateRatioCi95()) + ")");
      md.append("\nEach round's IPv6 net-balancer ÷ plain IPv6: throughput ").append(list(nb6.throughputRatios()))
          .append("; connection rate ").append(list(nb6.connectionRateRatios())).append(".\n");
    }
    md.append("\n| net-balancer ÷ | TCP throughput | new connections/s |\n|---|---:|---:|\n");
    for (DataPlaneSection.Relative v : r.versus()) {
      tableRow(v.to(), fmt(v.throughputRatio(), 3) + " (" + interval(v.throughputRatioCi95()) + ")",
          fmt(v.connectionRateRatio(), 3) + " (" + interval(v.connectionRateRatioCi95()) + ")");
    }
    md.append("\nPairs per way: ").append(nb.throughputRatios().size()).append(". Each round's net-balancer ÷ plain:"
        + " throughput ").append(list(nb.throughputRatios())).append("; connection rate ")
        .append(list(nb.connectionRateRatios())).append(".\n");
    target("TCP throughput ≥ 0.97 of plain routing", fmt(r.throughputRatio(), 3), r.throughputRatio() >= 0.97);
    target("connection rate ≥ 0.95 of plain routing", fmt(r.connectionRateRatio(), 3), r.connectionRateRatio() >= 0.95);
    if (nb6 != null) {
      target("IPv6: TCP throughput ≥ 0.97 of plain IPv6 routing + NAT66", fmt(nb6.throughputRatio(), 3),
          nb6.throughputRatio() >= 0.97);
      target("IPv6: connection rate ≥ 0.95 of plain IPv6 routing + NAT66", fmt(nb6.connectionRateRatio(), 3),
          nb6.connectionRateRatio() >= 0.95);
    }
    for (DataPlaneSection.Relative v : r.versus()) {
      boolean policy = v == r.versus().get(0);
      double floor = policy ? 0.98 : 1.0;
      String what = policy ? "net-balancer ÷ policy routing alone ≥ 0.98" : "net-balancer ≥ " + v.to();
      target(what + ", throughput", fmt(v.throughputRatio(), 3) + " (" + interval(v.throughputRatioCi95()) + ")",
          v.throughputRatio() >= floor);
      target(what + ", connection rate", fmt(v.connectionRateRatio(), 3) + " ("
          + interval(v.connectionRateRatioCi95()) + ")", v.connectionRateRatio() >= floor);
    }
  }

  private void policies(PoliciesSection.Result r) {
    md.append("\n## 9. Traffic policies: ").append(r.rules()).append(" rules against none\n\nApply (3 uplinks, ")
        .append(r.iterations()).append(" applies per cell after ").append(r.warmup())
        .append(" for warm-up; full: onto a clean kernel, failover: one uplink leaves or rejoins, every policy"
            + " table with it):\n\n| rules | full median | p95 | failover median | p95 | kernel ≠ plan |\n"
            + "|---:|---:|---:|---:|---:|---:|\n");
    for (PoliciesSection.Apply a : r.apply()) {
      tableRow(Integer.toString(a.rules()), fmt(a.row().full().ms().median(), 1), fmt(a.row().full().ms().p95(), 1),
          fmt(a.row().failover().ms().median(), 1), fmt(a.row().failover().ms().p95(), 1),
          Integer.toString(a.row().mismatches()));
      if (a.rules() == r.rules()) {
        target(r.rules() + " rules: full apply median ≤ 50 ms", fmt(a.row().full().ms().median(), 1) + " ms",
            a.row().full().ms().median() <= 50);
      }
    }
    md.append("\nData plane: three twin labs with net-balancer applied, measured in pairs at the same time as in"
        + " section 4").append(r.pinned() ? " (pinned the same way)" : "").append("; ").append(r.rounds())
        .append(" rounds; each round's ratio is the lab with the rules ÷ the lab without, the result their median"
            + " with a bootstrap 95 % interval.\n\n"
            + "| way | TCP throughput (Gbit/s) | ÷ no rules | new connections/s | ÷ no rules |\n|---|---:|---:|---:|---:|\n");
    tableRow(r.zero().name(), fmt(r.zero().throughputMedian(), 2), "1", fmt(r.zero().connectionsMedian(), 0), "1");
    for (DataPlaneSection.Comparison c : List.of(r.none(), r.last())) {
      tableRow(c.way().name(), fmt(c.way().throughputMedian(), 2), fmt(c.throughputRatio(), 3) + " ("
          + interval(c.throughputRatioCi95()) + ")", fmt(c.way().connectionsMedian(), 0),
          fmt(c.connectionRateRatio(), 3) + " (" + interval(c.connectionRateRatioCi95()) + ")");
    }
    md.append("\nEach round's ÷ no rules, matching none: throughput ").append(list(r.none().throughputRatios()))
        .append("; connection rate ").append(list(r.none().connectionRateRatios())).append(". Matching the last:"
            + " throughput ").append(list(r.last().throughputRatios())).append("; connection rate ")
        .append(list(r.last().connectionRateRatios())).append(".\n");
    for (DataPlaneSection.Comparison c : List.of(r.none(), r.last())) {
      target(c.way().name() + ": new-connection rate ≥ 0.95 of no rules", fmt(c.connectionRateRatio(), 3) + " ("
          + interval(c.connectionRateRatioCi95()) + ")", c.connectionRateRatio() >= 0.95);
      boolean within = c.throughputRatioCi95().size() == 2 && c.throughputRatioCi95().get(0) <= 1.0
          && c.throughputRatioCi95().get(1) >= 1.0;
      target(c.way().name() + ": established throughput unchanged (1 within the 95 % interval)",
          fmt(c.throughputRatio(), 3) + " (" + interval(c.throughputRatioCi95()) + ")", within);
    }
  }

  private void tableRow(String... cells) {
    md.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  private static String interval(List<Double> ci) {
    return ci.size() == 2 ? "95 %: " + fmt(ci.get(0), 3) + "–" + fmt(ci.get(1), 3) : "–";
  }

  private void distribution(DistributionSection.Result r) {
    md.append("\n## 5. Distribution accuracy\n\nUPLINK_WEIGHTS=\"").append(r.weights()).append("\", ")
        .append(r.connections()).append(" new connections from the LAN host (").append(r.failed())
        .append(" failed).\n\n| uplink | expected % | measured % |\n|---|---:|---:|\n");
    r.expectedPercent().forEach((u, e) -> md.append("| ").append(u).append(" | ").append(fmt(e, 1)).append(" | ")
        .append(fmt(r.actualPercent().get(u), 1)).append(" |\n"));
    md.append("\nWorst deviation: ").append(fmt(r.worstDeviationPp(), 2)).append(" percentage points (chance alone"
        + " allows about ").append(fmt(r.chance3SigmaPp(), 2)).append(" at 3 σ).\n");
  }

  private void footprint(FootprintSection.Result r) {
    md.append("\n## 6. Footprint (daemon idle, ").append(r.uplinks()).append(" uplinks, default settings)\n\n")
        .append("JVM flags (").append(r.jvmFlagsFrom()).append("): `").append(String.join(" ", r.jvmFlags()))
        .append("`\n\n| | |\n|---|---:|\n")
        .append("| start → first apply (logged by the daemon) | ").append(r.firstApplyMs()).append(" ms |\n")
        .append("| start → first apply (JVM start included) | ").append(r.startToFirstApplyMs()).append(" ms |\n")
        .append("| CPU over ").append(r.idleSeconds()).append(" s idle (with children) | ")
        .append(fmt(r.cpuPercentOfOneCore(), 2)).append(" % of a core |\n")
        .append("| … of which in programs the daemon ran | ").append(fmt(r.cpuPercentInSubprocesses(), 2))
        .append(" % of a core |\n")
        .append("| RSS | ").append(fmt(r.rssMb(), 1)).append(" MB |\n")
        .append("| peak RSS | ").append(fmt(r.peakRssMb(), 1)).append(" MB |\n")
        .append("| RSS with its ").append(r.children()).append(" running children | ")
        .append(fmt(r.rssWithChildrenMb(), 1)).append(" MB |\n");
    target("daemon RSS ≤ 80 MB", fmt(r.rssMb(), 1) + " MB (peak " + fmt(r.peakRssMb(), 1) + ")", r.rssMb() <= 80);
    target("idle CPU ≤ 0.5 % of a core", fmt(r.cpuPercentOfOneCore(), 2) + " % over " + r.idleSeconds() + " s",
        r.cpuPercentOfOneCore() <= 0.5);
  }

  private void routeScale(ScaleSection.RouteResult r) {
    md.append("\n## 7. Route scale (routes in the router's main table)\n\n")
        .append("240.0.0.0/4 /28s via wan1's gateway with BIRD's protocol number (routes only: no packet is sent"
            + " to them), loaded with one `ip -batch` before the start. First apply: of the first daemon started in the"
            + " router, whose first policy rule makes the kernel split its local table out of main once (a walk of main),"
            + " and of the daemon measured, started after that one stopped. While measuring, a feed changes ")
        .append(r.feedChangesPerSecond()).append(" of them a second. Settings ").append(r.settings())
        .append(". Reaction: ISP side of wan2 down → LB_TABLE without wan2 (`ip -ts monitor`). A row \"+ N IPv6\":"
            + " a dual-stack lab with a full dual-stack feed, N /64s of 2001:db8:a000::/35 via wan1's IPv6 gateway in"
            + " IPv6's main as well (the issue's targets are read on the largest IPv4-only row).\n\n")
        .append("| routes | load (s) | first apply, first start (ms) | first apply (ms) | CPU (% of a core) |"
            + " peak RSS (MB) | reaction p50 (ms) | p99 | events |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    ScaleSection.RouteRow biggest = null;
    for (ScaleSection.RouteRow row : r.rows()) {
      md.append("| ").append(row.routes()).append(row.routes6() == 0 ? "" : " + " + row.routes6() + " IPv6")
          .append(" | ").append(fmt(row.loadSeconds(), 1)).append(" | ")
          .append(row.firstStartApplyMs()).append(" | ").append(row.firstApplyMs()).append(" | ")
          .append(fmt(row.cpuPercent(), 2)).append(" | ")
          .append(fmt(row.peakRssMb(), 1)).append(" | ").append(fmt(row.reactionMs().median(), 1)).append(" | ")
          .append(fmt(row.reactionMs().p99(), 1)).append(" | ").append(row.events()).append(" |\n");
      if (biggest == null || biggest.routes6() > 0 || row.routes6() == 0 && row.routes() >= biggest.routes()) {
        biggest = row; // the largest IPv4-only row (quick has only a dual-stack one)
      }
    }
    if (biggest != null) {
      String at = " at " + biggest.routes() + " routes";
      target("route scale: first apply ≤ 100 ms" + at, biggest.firstApplyMs() + " ms (the first start in the namespace: "
          + biggest.firstStartApplyMs() + " ms, with the kernel's one-time split of main)", biggest.firstApplyMs() <= 100);
      target("route scale: CPU ≤ 1 % of a core" + at, fmt(biggest.cpuPercent(), 2) + " %", biggest.cpuPercent() <= 1);
      target("route scale: peak RSS ≤ 80 MB" + at, fmt(biggest.peakRssMb(), 1) + " MB", biggest.peakRssMb() <= 80);
      target("route scale: reaction p50 ≤ 50 ms" + at, fmt(biggest.reactionMs().median(), 1) + " ms",
          biggest.reactionMs().median() <= 50);
    }
  }

  private void connectionScale(ScaleSection.FlowResult r) {
    md.append("\n## 8. Connection scale (flows tracked in the router)\n\n")
        .append("Unreplied UDP flows from the LAN client (the router's UDP timeout at 600 s), ")
        .append(r.newFlowsPerSecond()).append(" new flows a second while measuring; default settings (health"
            + " checks and passive evidence on). Detection: wan2 blackholed under 20 new LAN connections a second,"
            + " until LB_TABLE is without it (one sample).\n\n")
        .append("| flows asked | tracked (start → end) | CPU (% of a core) | peak RSS (MB) | blackhole detected (s) |\n"
            + "|---:|---:|---:|---:|---:|\n");
    double worstCpu = 0;
    double worstDetect = 0;
    double worstRss = 0;
    for (ScaleSection.FlowRow row : r.rows()) {
      md.append("| ").append(row.flowsAsked()).append(" | ").append(row.trackedAtStart()).append(" → ")
          .append(row.trackedAtEnd()).append(" | ").append(fmt(row.cpuPercent(), 2)).append(" | ")
          .append(fmt(row.peakRssMb(), 1)).append(" | ")
          .append(row.blackholeDetectionSeconds() == null ? "–" : fmt(row.blackholeDetectionSeconds(), 1)).append(" |\n");
      worstCpu = Math.max(worstCpu, row.cpuPercent());
      worstRss = Math.max(worstRss, row.peakRssMb());
      worstDetect = Math.max(worstDetect, row.blackholeDetectionSeconds() == null ? 0 : row.blackholeDetectionSeconds());
    }
    target("connection scale: CPU ≤ 1 % of a core at every size", fmt(worstCpu, 2) + " % at worst", worstCpu <= 1);
    target("connection scale: blackhole under traffic detected ≤ 5 s", fmt(worstDetect, 1) + " s at worst",
        worstDetect <= 5);
    target("connection scale: peak RSS ≤ 80 MB", fmt(worstRss, 1) + " MB at worst", worstRss <= 80);
    ScaleSection.FlowRow b = r.busy();
    if (b == null) {
      return;
    }
    String detected = b.blackholeDetectionSeconds() == null ? "not within 40 s"
        : fmt(b.blackholeDetectionSeconds(), 1) + " s";
    md.append("\nBoth at once: ").append(b.routes()).append(" routes in main (").append(r.feedChangesPerSecond())
        .append(" changes a second) and ").append(b.flowsAsked()).append(" flows asked (").append(r.newFlowsPerSecond())
        .append(" new a second), default settings.\n\n")
        .append("| routes | tracked (start → end) | first apply, first start (ms) | CPU (% of a core) | peak RSS (MB) |"
            + " blackhole detected (s) |\n|---:|---:|---:|---:|---:|---:|\n")
        .append("| ").append(b.routes()).append(" | ").append(b.trackedAtStart()).append(" → ").append(b.trackedAtEnd())
        .append(" | ").append(b.firstApplyMs()).append(" | ").append(fmt(b.cpuPercent(), 2)).append(" | ")
        .append(fmt(b.peakRssMb(), 1)).append(" | ")
        .append(b.blackholeDetectionSeconds() == null ? "–" : fmt(b.blackholeDetectionSeconds(), 1)).append(" |\n");
    String both = " with " + b.routes() + " routes and " + b.flowsAsked() + " flows";
    target("busy router: peak RSS ≤ 80 MB" + both, fmt(b.peakRssMb(), 1) + " MB", b.peakRssMb() <= 80);
    target("busy router: CPU ≤ 1 % of a core" + both, fmt(b.cpuPercent(), 2) + " %", b.cpuPercent() <= 1);
    target("busy router: blackhole under traffic detected ≤ 5 s" + both, detected,
        b.blackholeDetectionSeconds() != null && b.blackholeDetectionSeconds() <= 5);
  }

  private void peers() {
    md.append("\n## Peers' published defaults, for comparison\n\n")
        .append("| | failure detection with defaults | from |\n|---|---|---|\n")
        .append("| mwan3 (OpenWrt) | a dead uplink after 5 failed rounds: ping timeout 4 s, rounds every 10 s"
            + " → about 60–70 s; carrier loss through hotplug in about 1 s | mwan3track: interval 10, timeout 4,"
            + " down 5, up 5, failure_interval = interval |\n")
        .append("| VyOS `load-balancing wan` | 1 failed check (ping, 5 s response time), checks polled → 5–10 s"
            + " | failure-count 1, success-count 1, resp-time 5 |\n")
        .append("| pfSense/OPNsense (dpinger) | down at 20 % loss averaged over 60 s, a probe lost after 2 s"
            + " → about 14 s | send_interval 500 ms, loss_interval 2000 ms, time_period 60000 ms,"
            + " loss_alarm 20 %, alert_interval 1000 ms |\n");
  }

  private void target(String what, String measured, boolean met) {
    targets.add(new String[] {what, measured, met ? "yes" : "**no**"});
  }

  private static String list(List<Double> values) {
    return values.stream().map(v -> fmt(v, 2)).collect(java.util.stream.Collectors.joining(" "));
  }

  static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
