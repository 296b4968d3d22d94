package netbalancer.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SynEvidenceTest {
  private static final long MS = 1_000_000L;
  private static final Set<String> BOTH = Set.of("wan1", "wan2");

  private final SynEvidence evidence = new SynEvidence();
  /** Live SYN_SENT entries: key -> [uplink, destination, sent at (ms)]. */
  private final List<Object[]> live = new ArrayList<>();
  private int port = 40000;

  /** A new connection whose SYN goes out at {@code atMs} and never gets an answer. */
  private String syn(String uplink, String destination, long atMs) {
    String src = "192.0.2.10:" + port++;
    live.add(new Object[] {uplink, destination, atMs, src});
    return src;
  }

  /** The listing at {@code atMs}, as conntrack would show it (whole seconds, 120 s timeout). */
  private List<SynEvidence.Suspicion> listAt(long atMs, Set<String> eligible) {
    List<SynEvidence.Syn> out = new ArrayList<>();
    for (Object[] e : live) {
      long sent = (Long) e[2];
      if (sent > atMs) {
        continue;
      }
      long remaining = (120_000 - (atMs - sent)) / 1000; // the kernel truncates
      String[] src = ((String) e[3]).split(":");
      out.add(new SynEvidence.Syn((String) e[0], src[0], Integer.parseInt(src[1]), (String) e[1], 8080,
          120 - remaining, remaining));
    }
    return evidence.update(atMs * MS, out, eligible);
  }

  /** Lists every 500 ms from {@code fromMs} to {@code toMs}; returns every suspicion with its time. */
  private List<String> run(long fromMs, long toMs, Set<String> eligible) {
    List<String> said = new ArrayList<>();
    for (long t = fromMs; t <= toMs; t += 500) {
      for (SynEvidence.Suspicion s : listAt(t, eligible)) {
        said.add(t + " " + s.uplink() + (s.counts() ? " counts" : " probe"));
      }
    }
    return said;
  }

  @Test
  void unansweredConnectionsToTwoServersFirstAskForAProbeThenCount() {
    for (long t = 100; t < 3000; t += 250) {
      syn("wan1", t % 500 == 100 ? "203.0.113.10" : "203.0.113.11", t);
    }
    List<String> said = run(0, 3000, BOTH);
    assertEquals(List.of("1000 wan1 probe", "2000 wan1 counts"), said,
        "2 SYNs silent for 0.5 s at 1 s, 2 to 2 servers silent for 1.5 s at 2 s");
  }

  /**
   * Section 3's traffic behind a blackhole (a connection on the uplink every 150 ms, to servers in
   * turn), listed every 550 ms (500 ms between listings plus an nft call) at every phase: the
   * probe is asked for within 1.4 s of the fault (1.1-1.3 s here) and the evidence counts within
   * 2.5 s, so with a 3 s probe timeout the uplink is out within about 4.4 s plus a reconcile.
   */
  @Test
  void behindABlackholeUnderTrafficAProbeIsAskedForWithinOnePointFourSeconds() {
    for (long phase = 0; phase < 550; phase += 50) {
      SynEvidence fresh = new SynEvidence();
      long probeAt = -1;
      long countAt = -1;
      for (long t = phase - 550; t < 5000; t += 550) { // listings before the fault, too
        List<SynEvidence.Syn> listing = new ArrayList<>();
        for (long sent = 100; sent <= t; sent += 150) {
          long remaining = (10_000 - (t - sent)) / 1000; // nft's whole seconds of a 10 s timeout
          listing.add(new SynEvidence.Syn("wan2", "192.0.2.10", (int) (40000 + sent), "203.0.113." + (20 + sent / 150 % 10),
              8080, 10 - remaining, remaining));
        }
        for (SynEvidence.Suspicion s : fresh.update(t * MS, listing, BOTH)) {
          if (s.uplink().equals("wan2") && !s.counts() && probeAt < 0) {
            probeAt = t;
          }
          if (s.uplink().equals("wan2") && s.counts() && countAt < 0) {
            countAt = t;
          }
        }
      }
      assertTrue(probeAt >= 0 && probeAt <= 1400, "phase " + phase + ": probe asked for at " + probeAt + " ms");
      assertTrue(countAt >= 0 && countAt <= 2500, "phase " + phase + ": counted at " + countAt + " ms");
    }
  }

  @Test
  void waitsWhileAnEntryIsListedAndNotAfterItIsAnswered() {
    assertFalse(evidence.waiting());
    syn("wan1", "203.0.113.10", 100);
    listAt(500, BOTH);
    assertTrue(evidence.waiting(), "a SYN is awaited: the next period must list again");
    live.clear(); // answered
    listAt(1000, BOTH);
    assertFalse(evidence.waiting());
  }

  @Test
  void oneDeadServerOnlyEverAsksForProbes() {
    for (long t = 100; t < 20_000; t += 200) {
      syn("wan1", "203.0.113.10", t);
    }
    List<String> said = run(0, 20_000, BOTH);
    assertTrue(said.stream().noneMatch(s -> s.endsWith("counts")), said.toString());
    assertEquals(List.of("1000 wan1 probe", "6000 wan1 probe", "11000 wan1 probe", "16000 wan1 probe"), said,
        "at most once per 5 s");
  }

  @Test
  void lateAnswersOnTheUplinkVetoCountingAsUnderRandomLoss() {
    // A SYN every 100 ms to two servers; 4 in 5 are answered on their retransmission, 1 in 5 never.
    List<long[]> answers = new ArrayList<>(); // [at ms, index in live]
    for (long t = 100; t < 10_000; t += 100) {
      syn("wan1", (t / 100) % 2 == 0 ? "203.0.113.10" : "203.0.113.11", t);
      if ((t / 100) % 5 != 0) {
        answers.add(new long[] {t + 1_050, port - 1});
      }
    }
    List<String> said = new ArrayList<>();
    for (long t = 0; t <= 10_000; t += 500) {
      long now = t;
      answers.removeIf(a -> a[0] <= now && live.removeIf(e -> e[3].equals("192.0.2.10:" + a[1])));
      listAt(t, BOTH).forEach(s -> said.add(now + " " + s.uplink() + (s.counts() ? " counts" : " probe")));
    }
    assertTrue(said.stream().noneMatch(s -> s.endsWith("counts")), said.toString());
    assertFalse(said.isEmpty(), "it still asks for probes");
  }

  @Test
  void evidenceFromWhileTheUplinkWasOutNeverCountsWhenItReturns() {
    for (long t = 100; t < 5000; t += 100) {
      syn("wan1", t % 200 == 100 ? "203.0.113.10" : "203.0.113.11", t);
    }
    assertEquals(List.of(), run(0, 5000, Set.of("wan2")), "wan1 is out: nothing to say");
    assertEquals(List.of(), run(5500, 30_000, BOTH), "the same entries after it returns are history");
    syn("wan1", "203.0.113.10", 30_100);
    syn("wan1", "203.0.113.11", 30_200);
    assertEquals(List.of("31000 wan1 probe", "32000 wan1 counts"), run(30_500, 33_000, BOTH), "new ones count");
  }

  @Test
  void aRetransmittedSynKeepsTheAgeOfTheFirst() {
    // conntrack resets the timeout on every retransmission; the age must not start again.
    syn("wan1", "203.0.113.10", 100);
    syn("wan1", "203.0.113.11", 100);
    List<String> said = new ArrayList<>();
    for (long t = 0; t <= 2500; t += 500) {
      long now = t;
      for (Object[] e : live) {
        if (t >= 1100) {
          e[2] = 1100L; // retransmitted at 1.1 s: conntrack shows 0 s silent again
        }
      }
      listAt(t, BOTH).forEach(s -> said.add(now + " " + s.uplink() + (s.counts() ? " counts" : " probe")));
    }
    assertEquals(List.of("1000 wan1 probe", "2000 wan1 counts"), said);
  }

  @Test
  void entriesSeenForTheFirstTimeAfterAPauseAreDatedByConntracksSeconds() {
    syn("wan1", "203.0.113.10", 0);
    syn("wan1", "203.0.113.11", 0);
    evidence.reset();
    // First seen at 3.2 s: conntrack says 4 s silent (3.2 rounded up), estimated 3.5 s: both levels at once.
    List<SynEvidence.Suspicion> said = listAt(3_200, BOTH);
    assertEquals(1, said.size());
    assertTrue(said.get(0).counts(), said.toString());
    // Older than 10 s when first seen: history.
    SynEvidence fresh = new SynEvidence();
    List<SynEvidence.Syn> old = List.of(
        new SynEvidence.Syn("wan1", "192.0.2.10", 1, "203.0.113.10", 80, 30, 90),
        new SynEvidence.Syn("wan1", "192.0.2.10", 2, "203.0.113.11", 80, 30, 90));
    assertEquals(List.of(), fresh.update(0, old, BOTH));
  }
}
