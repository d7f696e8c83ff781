// Call deadlines: one queue and one timer per distinct timeout length, instead of a timer per call.
/*
 * Calls with the same timeout expire in the order they were made, so each length keeps a FIFO of (id, due) and one
 * timer armed for its oldest entry. Settled calls are not removed one by one: they are skipped when the timer fires,
 * dropped wholesale when nothing is pending, and compacted away when they outnumber the pending ones. A queue goes
 * (and its timer with it) once it holds no pending call: when its timer finds it empty, in a sweep once the queues
 * outnumber what the last sweep left by far, and, when they are many, as soon as nothing is pending. So callers whose
 * every call has a timeout of its own (a budget that shrinks) leave no queue behind for each.
 */

interface Queue {
  readonly timeout: number;
  ids: number[];
  due: number[];
  head: number;
  timer: NodeJS.Timeout | undefined;
  /** When the armed timer should fire: one that fires far later says the event loop was blocked. */
  firesAt: number;
  /** Calls given more time once already, after a blocked event loop: they expire when next due. */
  readonly graced: Set<number>;
}

/** A timer this late (ms) means this process's event loop was blocked (a synchronous stretch, a long GC). */
const blockedAfter = 50;
/** The time a call gets after its deadline passed while this process was blocked (at most its timeout). */
const graceMs = 100;

/** Queues beyond what the last sweep left before the next sweep. */
const sweepAfter = 64;

export class Deadlines {
  readonly #queues = new Map<number, Queue>();
  #sweepAt = sweepAfter;
  readonly #isPending: (id: number) => boolean;
  readonly #expire: (id: number, timeout: number) => void;

  constructor(isPending: (id: number) => boolean, expire: (id: number, timeout: number) => void) {
    this.#isPending = isPending;
    this.#expire = expire;
  }

  add(id: number, timeout: number, pendingCount: number): void {
    let queue = this.#queues.get(timeout);
    if (queue === undefined) {
      if (this.#queues.size >= this.#sweepAt) this.#sweep();
      queue = { timeout, ids: [], due: [], head: 0, timer: undefined, firesAt: 0, graced: new Set() };
      this.#queues.set(timeout, queue);
    }
    queue.ids.push(id);
    queue.due.push(performance.now() + timeout);
    if (queue.ids.length - queue.head > 2 * pendingCount + 1024) this.#compact(queue);
    if (queue.timer === undefined) this.#arm(queue);
  }

  /**
   * Nothing is pending: every entry goes. A few queues stay, their timers armed (one finds nothing to do, and its
   * queue goes then), so that calls made one at a time with one timeout do not arm a timer each; many go at once.
   */
  idle(): void {
    if (this.#queues.size > sweepAfter) return this.clear();
    for (const queue of this.#queues.values()) {
      queue.ids.length = 0;
      queue.due.length = 0;
      queue.head = 0;
      queue.graced.clear();
    }
  }

  clear(): void {
    for (const queue of this.#queues.values()) clearTimeout(queue.timer);
    this.#queues.clear();
    this.#sweepAt = sweepAfter;
  }

  #drop(queue: Queue): void {
    clearTimeout(queue.timer);
    // An expiry may have ended the worker, and so every queue, while this one's timer ran.
    if (this.#queues.get(queue.timeout) === queue) this.#queues.delete(queue.timeout);
  }

  /** Drops the queues that hold no pending call, and compacts the others. */
  #sweep(): void {
    for (const queue of this.#queues.values()) {
      this.#compact(queue);
      if (queue.ids.length === 0) this.#drop(queue);
    }
    this.#sweepAt = 2 * this.#queues.size + sweepAfter;
  }

  #arm(queue: Queue): void {
    const now = performance.now();
    const delay = Math.max(0, queue.due[queue.head]! - now);
    queue.firesAt = now + delay;
    // Unreferenced: a pending call holds the event loop through the link's input, not through its deadline.
    queue.timer = setTimeout(() => this.#fire(queue), Math.ceil(delay)).unref();
  }

  /**
   * Expires the calls due. When the timer comes far too late, this process was what was blocked: a call still in
   * its write queue, or an answer its worker is still writing behind what this process did not read, would be
   * blamed on the worker, so each call due gets a little more time (once), with the event loop free.
   */
  #fire(queue: Queue): void {
    queue.timer = undefined;
    const now = performance.now();
    const blocked = now - queue.firesAt > blockedAfter;
    let graced = false;
    while (queue.head < queue.ids.length) {
      const id = queue.ids[queue.head]!;
      if (this.#isPending(id)) {
        if (queue.due[queue.head]! > now) break;
        if (blocked && !queue.graced.has(id)) {
          queue.graced.add(id);
          queue.due[queue.head] = now + Math.min(queue.timeout, graceMs);
          graced = true;
          break;
        }
        this.#expire(id, queue.timeout);
      }
      queue.graced.delete(id);
      queue.head++;
    }
    if (graced) {
      // Every call due now gets the same time: the later ones are due no sooner than the first.
      for (let i = queue.head + 1; i < queue.ids.length && queue.due[i]! <= now; i++) {
        if (!this.#isPending(queue.ids[i]!)) continue;
        queue.graced.add(queue.ids[i]!);
        queue.due[i] = queue.due[queue.head]!;
      }
    }
    if (queue.head >= queue.ids.length) this.#drop(queue);
    else if (queue.timer === undefined) this.#arm(queue);
  }

  #compact(queue: Queue): void {
    const ids: number[] = [];
    const due: number[] = [];
    for (let i = queue.head; i < queue.ids.length; i++) {
      if (this.#isPending(queue.ids[i]!)) {
        ids.push(queue.ids[i]!);
        due.push(queue.due[i]!);
      }
    }
    queue.ids = ids;
    queue.due = due;
    queue.head = 0;
    for (const id of queue.graced) if (!this.#isPending(id)) queue.graced.delete(id);
  }
}
