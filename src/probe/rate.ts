// The global rate limit on new connections: however many endpoints and addresses a scan covers
// and however many probes run at once, connections start at most `perSecond` times a second,
// evenly spaced, so that a scan of many endpoints behind one load balancer or firewall does
// not look like a flood. The per-host concurrency limit bounds connections open at once; this
// bounds how fast they are opened. Every Prober of a scan shares one ConnectionRate.

export class ConnectionRate {
  readonly intervalMs: number;
  /** Date.now() value of the next start not yet promised to a caller. */
  private next = 0;
  /** Date.now() value of the latest start actually taken. */
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(perSecond: number) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) {
      throw new RangeError(`the rate limit must be a number of connections a second above 0`);
    }
    this.intervalMs = 1000 / perSecond;
  }

  /**
   * Waits for a start and takes it: true once the connection may open. Resolves false, taking
   * nothing, when the start would come at or after `deadline` (the probe would not be sent).
   */
  async take(deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    // Callers are promised starts in the order they ask, one interval apart...
    const promised = Math.max(Date.now(), this.next);
    if (promised >= deadline) {
      return false;
    }
    this.next = promised + this.intervalMs;

    // ...and each start is also one interval after the latest one actually taken, so that a
    // timer that fires late cannot bunch two starts together. The check and the update of
    // lastStart run without an await between them, so no two callers pass at once.
    for (;;) {
      const due = Math.max(promised, this.lastStart + this.intervalMs);
      if (due >= deadline) {
        return false;
      }
      const now = Date.now();
      if (now >= due) {
        this.lastStart = now;
        this.next = Math.max(this.next, now + this.intervalMs);
        return true;
      }
      await sleep(Math.ceil(due - now));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
