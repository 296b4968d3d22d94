package netbalancer.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Watches the balancer react: LB_TABLE's members every 20 ms (the kernel's truth, daemon or
 * not; the IPv6 route's too, for faults of an IPv6 side) and, when a daemon answers, its per-uplink states every 200 ms. Keeps every change with
 * its time, so a scenario can ask "when did wan2 leave" after the fact without racing the poll.
 */
final class Observer implements AutoCloseable {
  private static final long TABLE_POLL_MS = 20;
  private static final int DAEMON_EVERY = 10;

  /** What was seen at one moment; {@code daemon} is null when no daemon answered. */
  record Seen(long nanos, Set<String> members, Set<String> members6, DaemonView daemon) {
    Seen(long nanos, Set<String> members, DaemonView daemon) {
      this(nanos, members, Set.of(), daemon);
    }

    boolean balances(String uplink) {
      return members.contains(uplink);
    }

    /** Whether the uplink is in LB_TABLE's IPv6 multipath route. */
    boolean balances6(String uplink) {
      return members6.contains(uplink);
    }

    private Object key() {
      Map<String, String> states = new TreeMap<>();
      if (daemon != null) {
        daemon.uplinks().forEach((n, e) -> states.put(n, e.state()));
      }
      return List.of(members, members6, states, daemon != null && daemon.failOpen(), daemon == null);
    }
  }

  /** Told each change as it is seen. */
  interface Listener {
    void seen(long nanos, String what);
  }

  private final Supplier<Set<String>> table;
  private final Supplier<Set<String>> table6;
  private final Supplier<DaemonView> daemon;
  private final Listener listener;
  private final List<Seen> history = new ArrayList<>();
  private final Thread thread;
  private volatile boolean closed;

  Observer(Supplier<Set<String>> table, Supplier<DaemonView> daemon, Listener listener) {
    this(table, Set::of, daemon, listener);
  }

  /** @param table6 the IPv6 route's members, or null while it cannot be read */
  Observer(Supplier<Set<String>> table, Supplier<Set<String>> table6, Supplier<DaemonView> daemon, Listener listener) {
    this.table = table;
    this.table6 = table6;
    this.daemon = daemon;
    this.listener = listener;
    this.thread = new Thread(this::loop, "harness-observer");
    this.thread.setDaemon(true);
  }

  /** Starts polling and returns once the first look is recorded. */
  Observer start() {
    poll(0, null);
    thread.start();
    return this;
  }

  private void loop() {
    DaemonView view = latest().daemon();
    for (int i = 1; !closed; i++) {
      try {
        Thread.sleep(TABLE_POLL_MS);
      } catch (InterruptedException e) {
        return;
      }
      view = poll(i, view);
    }
  }

  private DaemonView poll(int i, DaemonView lastView) {
    Set<String> members = table.get();
    Set<String> members6 = table6.get();
    DaemonView view = i % DAEMON_EVERY == 0 ? daemon.get() : lastView;
    Seen before;
    synchronized (this) {
      before = history.isEmpty() ? null : history.get(history.size() - 1);
    }
    if (members == null) {
      members = before == null ? Set.of() : before.members();
    }
    if (members6 == null) {
      members6 = before == null ? Set.of() : before.members6();
    }
    Seen now = new Seen(System.nanoTime(), Set.copyOf(members), Set.copyOf(members6), view);
    if (before == null || !before.key().equals(now.key())) {
      synchronized (this) {
        history.add(now);
        notifyAll();
      }
      if (before != null) {
        report(before, now); // the first look is the starting point, not a change
      }
    }
    return view;
  }

  private void report(Seen before, Seen now) {
    if (!before.members().equals(now.members())) {
      String members = now.members().isEmpty() ? "(empty)" : String.join(" ", new TreeSet<>(now.members()));
      listener.seen(now.nanos(), "LB_TABLE: " + members);
    }
    if (!before.members6().equals(now.members6())) {
      String members = now.members6().isEmpty() ? "(empty)" : String.join(" ", new TreeSet<>(now.members6()));
      listener.seen(now.nanos(), "LB_TABLE IPv6: " + members);
    }
    if (now.daemon() != null) {
      for (String change : now.daemon().changesSince(before.daemon())) {
        listener.seen(now.nanos(), "daemon: " + change);
      }
    } else if (before.daemon() != null) {
      listener.seen(now.nanos(), "daemon: no longer answers");
    }
  }

  synchronized Seen latest() {
    return history.get(history.size() - 1);
  }

  /** Every change from the state in effect at {@code from} on. */
  synchronized List<Seen> since(long from) {
    List<Seen> out = new ArrayList<>();
    for (int i = 0; i < history.size(); i++) {
      Seen s = history.get(i);
      boolean inEffectAtFrom = s.nanos() <= from && (i + 1 == history.size() || history.get(i + 1).nanos() > from);
      if (inEffectAtFrom || s.nanos() > from) {
        out.add(s);
      }
    }
    return out;
  }

  /** The first state since {@code from} that satisfies {@code p}; null if none within {@code limit}. */
  Seen await(long from, Predicate<Seen> p, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    synchronized (this) {
      while (true) {
        for (Seen s : since(from)) {
          if (p.test(s)) {
            return s;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          return null;
        }
        wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    synchronized (this) {
      notifyAll();
    }
  }
}
