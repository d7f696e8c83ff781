// Call deadlines: one queue and one timer per distinct timeout length, instead of a timer per call.
/*
 * Calls with the same timeout expire in the order they were made, so each length keeps a FIFO of (id, due) and one
 * timer armed for its oldest entry. Settled calls are not removed one by one: they are skipped when the timer fires,
 * dropped wholesale when nothing is pending, and compacted away when they outnumber the pending ones. The timers
 * only hold the event loop while some call is pending.
 */

interface Queue {
  readonly timeout: number;
  ids: number[];
  due: number[];
  head: number;
  timer: NodeJS.Timeout | undefined;
}

export class Deadlines {
  readonly #queues = new Map<number, Queue>();
  readonly #isPending: (id: number) => boolean;
  readonly #expire: (id: number, timeout: number) => void;
  #ref = false;

  constructor(isPending: (id: number) => boolean, expire: (id: number, timeout: number) => void) {
    this.#isPending = isPending;
    this.#expire = expire;
  }

  add(id: number, timeout: number, pendingCount: number): void {
    let queue = this.#queues.get(timeout);
    if (queue === undefined) {
      queue = { timeout, ids: [], due: [], head: 0, timer: undefined };
      this.#queues.set(timeout, queue);
    }
    queue.ids.push(id);
    queue.due.push(performance.now() + timeout);
    if (queue.ids.length - queue.head > 2 * pendingCount + 1024) this.#compact(queue);
    if (queue.timer === undefined) this.#arm(queue);
  }

  /** Whether the timers keep the process alive: only while calls are pending. */
  setRef(ref: boolean): void {
    if (ref === this.#ref) return;
    this.#ref = ref;
    for (const queue of this.#queues.values()) {
      if (!ref) {
        queue.ids.length = 0;
        queue.due.length = 0;
        queue.head = 0;
      }
      if (ref) queue.timer?.ref();
      else queue.timer?.unref();
    }
  }

  clear(): void {
    for (const queue of this.#queues.values()) clearTimeout(queue.timer);
    this.#queues.clear();
  }

  #arm(queue: Queue): void {
    const delay = Math.max(0, queue.due[queue.head]! - performance.now());
    queue.timer = setTimeout(() => this.#fire(queue), Math.ceil(delay));
    if (!this.#ref) queue.timer.unref();
  }

  #fire(queue: Queue): void {
    queue.timer = undefined;
    const now = performance.now();
    while (queue.head < queue.ids.length) {
      const id = queue.ids[queue.head]!;
      if (this.#isPending(id)) {
        if (queue.due[queue.head]! > now) break;
        this.#expire(id, queue.timeout);
      }
      queue.head++;
    }
    if (queue.head >= queue.ids.length) {
      queue.ids.length = 0;
      queue.due.length = 0;
      queue.head = 0;
    } else if (queue.timer === undefined) {
      this.#arm(queue);
    }
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
  }
}
