package netbalancer.lab;

import java.time.Duration;

/**
 * A {@link LoadClient} in hold mode: connections opened once and kept, to prove that established
 * connections survive (or do not survive) what a test does next.
 */
public final class HeldConnections implements AutoCloseable {

  private final LabProcess process;
  private final LoadReport opened;
  private final Duration timeout;

  HeldConnections(LabProcess process, Duration timeout) {
    this.process = process;
    this.timeout = timeout;
    this.opened = LoadReport.parse(process.readLine(timeout.plusSeconds(60)));
  }

  /** How many connections were opened, by the source the server saw. */
  public LoadReport opened() {
    return opened;
  }

  /** Sends a line on each connection: {@code bySource} counts those that still echo it. */
  public LoadReport check() {
    return check(Duration.ofSeconds(2));
  }

  public LoadReport check(Duration echoTimeout) {
    process.writeLine("check " + echoTimeout.toMillis());
    return LoadReport.parse(process.readLine(echoTimeout.plus(timeout).plusSeconds(30)));
  }

  /** PID of the client process (in the lab namespace). */
  public long pid() {
    return process.pid();
  }

  /** Closes the connections ("quit"); kills the client if it does not exit by itself. */
  @Override
  public void close() {
    process.quit();
  }
}
