// Child side of events: one listener per event the parent subscribed to, forwarding what the worker emits.
/*
 * Subscription is lazy: nothing listens on the instance until the parent's first listener for an event sends `sub`,
 * and `unsub` removes it again, so a worker that nobody watches emits exactly as it would without procxy. An Error
 * among the arguments (an `error` event) arrives as a thrown one does, whatever the mode. Any other payload the mode
 * cannot carry is not an error of the emitting code: it is reported on the child's stderr (which the parent inherits)
 * and that one event is dropped.
 */
import type { EventEmitter as Emitter } from 'node:events';
import { EventEmitter } from '../builtins.js';
import { SerializationError } from '../errors.js';
import type { SerializationMode } from '../modes.js';
import { argsForParent, messageOf } from '../thrown.js';
import { releaseMarks } from '../transfer.js';
import { TransportError } from '../transport.js';
import type { Send } from './callbacks.js';

const { on, removeListener } = EventEmitter.prototype;

export class EventForwarder {
  readonly #instance: Emitter;
  readonly #className: string;
  readonly #listeners = new Map<string, (...args: unknown[]) => void>();
  readonly #send: Send;
  readonly #mode: SerializationMode;

  constructor(instance: Emitter, className: string, mode: SerializationMode, send: Send) {
    this.#instance = instance;
    this.#className = className;
    this.#mode = mode;
    this.#send = send;
  }

  subscribe(event: string): void {
    if (this.#listeners.has(event)) return;
    const listener = (...args: unknown[]) => this.#forward(event, args);
    // EventEmitter's own methods, not the worker's: an override of `on` (one that refuses names it does not know) is
    // for the worker's code, and a failure here would end the child and every call in it.
    try {
      on.call(this.#instance, event, listener);
    } catch (error) {
      // A 'newListener' listener of the worker's threw: Node adds the listener after it, so nothing was added.
      process.stderr.write(
        `procxy: event '${event}' of ${this.#className} cannot reach the parent: listening to it failed: ${messageOf(error)}\n`,
      );
      return;
    }
    this.#listeners.set(event, listener);
  }

  unsubscribe(event: string): void {
    const listener = this.#listeners.get(event);
    if (listener === undefined) return;
    this.#listeners.delete(event);
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
