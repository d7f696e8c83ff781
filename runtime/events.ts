// Parent side of events: the listeners behind a proxy's on/once/off, and the lazy subscription they drive.
/*
 * The first listener for an event sends `sub`, removing the last sends `unsub` (a `once` listener removes itself
 * when it fires), so the child forwards only what somebody listens to. Subscriptions hold no ref on the event loop:
 * like an idle worker, a worker that is only listened to does not keep the parent alive. A listener that throws does
 * what a throwing listener of any Node emitter does, an uncaught exception, but only after the other listeners ran
 * and outside the link's receive path, so the link and later messages are unaffected. `newListener` and
 * `removeListener` are the proxy's own, as an emitter's are: emitted here when a listener is added or removed.
 */

import { listenerEvents } from './protocol.js';
import { messageOf } from './thrown.js';

type Listener = (...args: unknown[]) => void;

interface Entry {
  readonly listener: Listener;
  readonly once: boolean;
}

/** The proxy members that an EventEmitter worker gets; they are served by the parent and never sent as calls. */
export const eventMethods: ReadonlySet<string> = new Set([
  'on',
  'once',
  'off',
  'removeListener',
  'listenerCount',
]);

function checkEvent(event: unknown): string {
  if (typeof event !== 'string') {
    throw new TypeError(
      `A worker's event name must be a string, got ${typeof event}: only string-named events cross the process boundary`,
    );
  }
  return event;
}

function checkListener(listener: unknown): Listener {
  if (typeof listener !== 'function') {
    throw new TypeError(`The listener must be a function, got ${typeof listener}`);
  }
  return listener as Listener;
}

export class EventHub {
  readonly #listeners = new Map<string, Entry[]>();
  readonly #subscribe: (kind: 'sub' | 'unsub', event: string) => void;
  /** What listeners get as `this`: the worker's proxy, as an emitter's listeners get the emitter. */
  #owner: object | undefined;

  constructor(subscribe: (kind: 'sub' | 'unsub', event: string) => void) {
    this.#subscribe = subscribe;
  }

  /** The proxy listeners get as `this`: the first one named, the worker's own (a `$with` view comes later). */
  ownedBy(owner: object): void {
    this.#owner ??= owner;
  }

  add(event: unknown, listener: unknown, once: boolean): void {
    const name = checkEvent(event);
    const entry = { listener: checkListener(listener), once };
    // Before it is added, as EventEmitter does, so that a `newListener` listener does not hear of itself.
    if (this.#listeners.has('newListener')) this.#emit('newListener', [name, entry.listener], true);
    const list = this.#listeners.get(name);
    if (list !== undefined) {
      list.push(entry);
      return;
    }
    this.#listeners.set(name, [entry]);
    if (!listenerEvents.has(name)) this.#subscribe('sub', name);
  }

  /** Removes the most recently added registration of `listener`, as EventEmitter does. */
  remove(event: unknown, listener: unknown): void {
    const name = checkEvent(event);
    checkListener(listener);
    const list = this.#listeners.get(name);
    if (list === undefined) return;
    const at = list.findLastIndex((entry) => entry.listener === listener);
    if (at === -1) return;
    this.#drop(name, list, at, true);
  }

  /** As EventEmitter's listenerCount: the listeners of `event`, or, given `listener`, how many of them it is. */
  count(event: unknown, listener?: unknown): number {
    const list = this.#listeners.get(checkEvent(event)) ?? [];
    // null counts as not given, as EventEmitter has it.
    if (listener === undefined || listener === null) return list.length;
    return list.filter((entry) => entry.listener === listener).length;
  }

  /** Sends `sub` again for every event listened to (a fresh worker replaced the old one). */
  resubscribe(): void {
    for (const name of this.#listeners.keys()) {
      if (!listenerEvents.has(name)) this.#subscribe('sub', name);
    }
  }

  /** An event from the child: never one of the proxy's own, which no `sub` asked for. */
  dispatch(event: string, args: readonly unknown[]): void {
    if (!listenerEvents.has(event)) this.#emit(event, args);
  }

  /**
   * Calls the listeners of `event`. `own`: the hub's own event (newListener, removeListener) of the caller's on or
   * off, where a listener that throws throws from that call, as from an emitter's; for an event from the child it is
   * rethrown apart (an uncaught exception), so that the other listeners and the link go on.
   */
  #emit(event: string, args: readonly unknown[], own = false): void {
    const list = this.#listeners.get(event);
    if (list === undefined) {
      // The last listener went while the event was on its way: the child's emit had a listener (the forwarding one),
      // so nothing threw there. An 'error' nobody hears is not dropped silently: Node would have thrown it.
      if (event === 'error') {
        process.emitWarning(
          `An 'error' event of the worker arrived with no 'error' listener left to hear it: ${messageOf(args[0])}`,
          { code: 'PROCXY_UNHEARD_ERROR_EVENT' },
        );
      }
      return;
    }
    // Every listener there when the event came is called, as EventEmitter calls those there when it emits: one an
    // earlier listener removed (a `once` one too) included.
    for (const entry of list.slice()) {
      if (entry.once) {
        const at = list.indexOf(entry);
        if (at !== -1) this.#drop(event, list, at, own);
      }
      if (own) {
        entry.listener.apply(this.#owner, args as unknown[]);
        continue;
      }
      try {
        entry.listener.apply(this.#owner, args as unknown[]);
      } catch (error) {
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }

  #drop(name: string, list: Entry[], at: number, own: boolean): void {
    const [entry] = list.splice(at, 1);
    if (list.length === 0) {
      this.#listeners.delete(name);
      if (!listenerEvents.has(name)) this.#subscribe('unsub', name);
    }
    // After it is gone, as EventEmitter does.
    if (this.#listeners.has('removeListener')) this.#emit('removeListener', [name, entry!.listener], own);
  }
}
