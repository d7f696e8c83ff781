// Child side of events: one listener per event the parent subscribed to, forwarding what the worker emits.
/*
 * Subscription is lazy: nothing listens on the instance until the parent's first listener for an event sends `sub`,
 * and `unsub` removes it again, so a worker that nobody watches emits exactly as it would without procxy. An Error
 * among the arguments (an `error` event) arrives as a thrown one does, whatever the mode. Any other payload the mode
 * cannot carry is not an error of the emitting code: it is reported on the child's stderr (which the parent inherits)
 * and that one event is dropped. The worker's removeAllListeners() does not deafen the parent, whose listeners are
 * still there: a 'removeListener' listener, kept while the parent listens to anything, puts the forwarders back.
 */
import type { EventEmitter as Emitter } from 'node:events';
import { EventEmitter } from '../builtins.js';
import { SerializationError } from '../errors.js';
import type { SerializationMode } from '../modes.js';
import { listenerEvents } from '../protocol.js';
import { argsForParent, messageOf } from '../thrown.js';
import { releaseMarks } from '../transfer.js';
import { TransportError } from '../transport.js';
import type { Send } from './callbacks.js';

const { on, removeListener, listeners } = EventEmitter.prototype;

type Listener = (...args: unknown[]) => void;

export class EventForwarder {
  readonly #instance: Emitter;
  readonly #className: string;
  readonly #listeners = new Map<string, Listener>();
  readonly #send: Send;
  readonly #mode: SerializationMode;
  /** Hears the worker take a forwarder off (its removeAllListeners()) while the parent still listens. */
  readonly #onRemoved = (event: unknown, listener: unknown) => {
    if (typeof event === 'string' && this.#listeners.get(event) === listener) this.#restore();
  };
  #restoring = false;
  #restoreQueued = false;

  constructor(instance: Emitter, className: string, mode: SerializationMode, send: Send) {
    this.#instance = instance;
    this.#className = className;
    this.#mode = mode;
    this.#send = send;
  }

  subscribe(event: string): void {
    // The parent serves these itself; forwarded, they would carry a listener function, which cannot cross.
    if (this.#listeners.has(event) || listenerEvents.has(event)) return;
    const listener = (...args: unknown[]) => this.#forward(event, args);
    if (!this.#attach(event, listener)) return;
    this.#listeners.set(event, listener);
    if (this.#listeners.size === 1) this.#attach('removeListener', this.#onRemoved);
  }

  unsubscribe(event: string): void {
    const listener = this.#listeners.get(event);
    if (listener === undefined) return;
    this.#listeners.delete(event);
    this.#detach(event, listener);
    if (this.#listeners.size === 0) this.#detach('removeListener', this.#onRemoved);
  }

  /**
   * Attaches again the forwarders the worker took off: at once, which keeps them through removeAllListeners(event),
   * and a microtask later, as removeAllListeners() clears everything after it told the 'removeListener' listeners.
   * Not while attaching them: a worker whose own 'newListener' listener took them off again would never stop.
   */
  #restore(): void {
    if (this.#restoring) return;
    this.#reattach();
    if (this.#restoreQueued) return;
    this.#restoreQueued = true;
    queueMicrotask(() => {
      this.#restoreQueued = false;
      this.#reattach();
    });
  }

  #reattach(): void {
    this.#restoring = true;
    try {
      const attached = (event: string, listener: Listener) =>
        listeners.call(this.#instance, event).includes(listener);
      for (const [event, listener] of this.#listeners) {
        if (!attached(event, listener)) this.#attach(event, listener);
      }
      if (this.#listeners.size > 0 && !attached('removeListener', this.#onRemoved)) {
        this.#attach('removeListener', this.#onRemoved);
      }
    } finally {
      this.#restoring = false;
    }
  }

  /**
   * EventEmitter's own methods, not the worker's: an override of `on` (one that refuses names it does not know) is
   * for the worker's code, and a failure here would end the child and every call in it.
   */
  #attach(event: string, listener: Listener): boolean {
    try {
      on.call(this.#instance, event, listener);
      return true;
    } catch (error) {
      // A 'newListener' listener of the worker's threw: Node adds the listener after it, so nothing was added.
      const lost =
        listener === this.#onRemoved
          ? `a removeAllListeners() in ${this.#className} would cut the parent's listeners off for good`
          : `event '${event}' of ${this.#className} cannot reach the parent`;
      process.stderr.write(`procxy: ${lost}: listening to '${event}' failed: ${messageOf(error)}\n`);
      return false;
    }
  }

  #detach(event: string, listener: Listener): void {
    try {
      removeListener.call(this.#instance, event, listener);
    } catch (error) {
      // A 'removeListener' listener of the worker's threw, after Node removed the listener.
      process.stderr.write(
        `procxy: a 'removeListener' listener of ${this.#className} failed when the parent stopped listening to '${event}': ${messageOf(error)}\n`,
      );
    }
  }

  #forward(event: string, args: unknown[]): void {
    try {
      const { fields, jsonSafe, findings } = argsForParent(args, this.#mode);
      this.#send({ t: 'ev', e: event, ...fields }, jsonSafe, findings);
    } catch (error) {
      // Not the emitting code's fault, whatever failed: its emit must not throw because the parent listens.
      releaseMarks(args);
      const refused = error instanceof SerializationError || error instanceof TransportError;
      process.stderr.write(
        `procxy: event '${event}' of ${this.#className} was not delivered to the parent: ${refused ? '' : 'reading its arguments threw: '}${messageOf(error)}\n`,
      );
    }
  }
}
