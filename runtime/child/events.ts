// Child side of events: one listener per event the parent subscribed to, forwarding what the worker emits.
/*
 * Subscription is lazy: nothing listens on the instance until the parent's first listener for an event sends `sub`,
 * and `unsub` removes it again, so a worker that nobody watches emits exactly as it would without procxy. An Error
 * among the arguments (an `error` event) arrives as a thrown one does, whatever the mode. Any other payload the mode
 * cannot carry is not an error of the emitting code: it is reported on the child's stderr (which the parent inherits)
 * and that one event is dropped.
 */
import type { EventEmitter } from 'node:events';
import { SerializationError } from '../errors.js';
import type { SerializationMode } from '../modes.js';
import { argsForParent } from '../thrown.js';
import { releaseMarks } from '../transfer.js';
import { TransportError } from '../transport.js';
import type { Send } from './callbacks.js';

export class EventForwarder {
  readonly #instance: EventEmitter;
  readonly #className: string;
  readonly #listeners = new Map<string, (...args: unknown[]) => void>();
  readonly #send: Send;
  readonly #mode: SerializationMode;

  constructor(instance: EventEmitter, className: string, mode: SerializationMode, send: Send) {
    this.#instance = instance;
    this.#className = className;
    this.#mode = mode;
    this.#send = send;
  }

  subscribe(event: string): void {
    if (this.#listeners.has(event)) return;
    const listener = (...args: unknown[]) => this.#forward(event, args);
    this.#listeners.set(event, listener);
    this.#instance.on(event, listener);
  }

  unsubscribe(event: string): void {
    const listener = this.#listeners.get(event);
    if (listener === undefined) return;
    this.#listeners.delete(event);
    this.#instance.off(event, listener);
  }

  #forward(event: string, args: unknown[]): void {
    try {
      const { fields, jsonSafe, findings } = argsForParent(args, this.#mode);
      this.#send({ t: 'ev', e: event, ...fields }, jsonSafe, findings);
    } catch (error) {
      if (!(error instanceof SerializationError || error instanceof TransportError)) throw error;
      releaseMarks(args);
      process.stderr.write(
        `procxy: event '${event}' of ${this.#className} was not delivered to the parent: ${error.message}\n`,
      );
    }
  }
}
