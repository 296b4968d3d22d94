package netbalancer.observe;

/**
 * A part of the main table's view that the daemon keeps between passes: each is read with its own
 * query and made stale by its own kind of route event, so a connected route that comes or goes
 * (an address, a link going down) never costs the defaults' full dump of main.
 */
public enum MainPart {
  /** Its default routes: no kernel filter selects them, so their read is a dump of all of main. */
  DEFAULTS,
  /** Its connected ({@code proto kernel}) routes: the kernel filters these. */
  CONNECTED
}
