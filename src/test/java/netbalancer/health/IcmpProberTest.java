package netbalancer.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import netbalancer.system.CommandRunner;
import org.junit.jupiter.api.Test;

/** ping is never run: a fake runner answers with output as iputils prints it. */
class IcmpProberTest {
  private final List<List<String>> argvs = new ArrayList<>();
  private final List<Duration> timeouts = new ArrayList<>();

  private IcmpProber answering(int exit, String stdout, String stderr) {
    return new IcmpProber((argv, stdin, timeout) -> {
      argvs.add(argv);
      timeouts.add(timeout);
      return new CommandRunner.Result(exit, stdout, stderr);
    });
  }

  @Test
  void runsOnePingBoundToTheSourceAddressAndParsesTheRtt() {
    String out = """
        PING 198.51.100.7 (198.51.100.7) from 198.18.1.2 : 56(84) bytes of data.
        64 bytes from 198.51.100.7: icmp_seq=1 ttl=63 time=12.345 ms

        --- 198.51.100.7 ping statistics ---
        1 packets transmitted, 1 received, 0% packet loss, time 0ms
        rtt min/avg/max/mdev = 12.345/12.345/12.345/0.000 ms
        """;
    ProbeResult r = answering(0, out, "").probe("198.18.1.2", "198.51.100.7", 53, Duration.ofMillis(2500));
    assertEquals(ProbeResult.Outcome.SUCCESS, r.outcome());
    assertEquals(Duration.ofNanos(12_345_000), r.rtt());
    assertEquals(List.of("ping", "-n", "-c", "1", "-W", "3", "-I", "198.18.1.2", "198.51.100.7"), argvs.get(0));
    assertEquals(Duration.ofSeconds(5), timeouts.get(0), "ping's own timeout plus a grace period");
  }

  @Test
  void anIpv6TargetIsPingedOverIpv6FromTheIpv6Source() {
    String out = """
        PING 2001:db8:ffff::10 (2001:db8:ffff::10) from 2001:db8:1::2 : 56 data bytes
        64 bytes from 2001:db8:ffff::10: icmp_seq=1 ttl=62 time=0.512 ms
        """;
    ProbeResult r = answering(0, out, "").probe("2001:db8:1::2", "2001:db8:ffff::10", 53, Duration.ofSeconds(1));
    assertEquals(ProbeResult.Outcome.SUCCESS, r.outcome());
    assertEquals(Duration.ofNanos(512_000), r.rtt());
    assertEquals(List.of("ping", "-6", "-n", "-c", "1", "-W", "1", "-I", "2001:db8:1::2", "2001:db8:ffff::10"),
        argvs.get(0));
  }

  @Test
  void noReplyIsATimeout() {
    String out = """
        PING 198.51.100.7 (198.51.100.7) from 198.18.1.2 : 56(84) bytes of data.

        --- 198.51.100.7 ping statistics ---
        1 packets transmitted, 0 received, 100% packet loss, time 0ms
        """;
    ProbeResult r = answering(1, out, "").probe("198.18.1.2", "198.51.100.7", 53, Duration.ofSeconds(1));
    assertEquals(ProbeResult.Outcome.TIMEOUT, r.outcome());
  }

  @Test
  void anIcmpErrorIsAFailure() {
    String out = """
        PING 198.51.100.7 (198.51.100.7) from 198.18.1.2 : 56(84) bytes of data.
        From 198.18.1.1 icmp_seq=1 Destination Host Unreachable
        """;
    ProbeResult r = answering(1, out, "").probe("198.18.1.2", "198.51.100.7", 53, Duration.ofSeconds(1));
    assertEquals(ProbeResult.Outcome.FAILURE, r.outcome());
    assertTrue(r.detail().contains("Destination Host Unreachable"), r.detail());
  }

  @Test
  void aBindErrorOrAMissingPingIsAFailure() {
    ProbeResult r = answering(2, "", "ping: bind icmp socket: Cannot assign requested address\n")
        .probe("198.18.1.2", "198.51.100.7", 53, Duration.ofSeconds(1));
    assertEquals(ProbeResult.Outcome.FAILURE, r.outcome());
    assertEquals("ping: ping: bind icmp socket: Cannot assign requested address", r.detail());
    assertEquals(ProbeResult.Outcome.FAILURE,
        IcmpProber.parse(new CommandRunner.Result(127, "", "ping: No such file or directory"), 1).outcome());
    assertEquals(ProbeResult.Outcome.TIMEOUT,
        IcmpProber.parse(new CommandRunner.Result(124, "", "timed out after 3000 ms"), 1).outcome());
  }

  @Test
  void subMillisecondTimesParse() {
    ProbeResult r = IcmpProber.parse(new CommandRunner.Result(0,
        "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms\n", ""), 1);
    assertEquals(Duration.ofNanos(45_000), r.rtt());
  }
}
