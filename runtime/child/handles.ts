// Child side of handle passing: calls wait, in order, for their OS handles from the IPC channel; the [onHandle] hook.
/*
 * A call whose message names handle arguments (`h`) cannot run before each of them arrived over Node's IPC channel,
 * and no call sent after it may run before it: the inbox queues calls from the first one still missing a handle
 * and runs them in order as handles arrive (see ../handles.ts for the envelope). A handle the parent could not
 * send arrives as a `lost` envelope, and its call fails with a SerializationError naming the argument. A held-back
 * call the parent aborted never runs; its handles are closed when they arrive.
 */
import { AbortError, MethodNotFoundError, SerializationError } from '../errors.js';
import { type Envelope, isEnvelope } from '../handles.js';
import type { CallMessage, HandleTakenMessage, IpcClosedMessage } from '../protocol.js';
import type { PassableHandle } from '../types.js';

/**
 * The worker's hook for handles sent with the proxy's `$sendHandle(handle)`: define a method under this symbol,
 * `[onHandle](handle) { ... }`; `$sendHandle` resolves once it returned (or its promise settled) in the child.
 */
export const onHandle: unique symbol = Symbol.for('procxy.onHandle');

type Arrival = { readonly handle: PassableHandle } | { readonly lost: string };

function closeHandle(handle: PassableHandle): void {
  if ('destroy' in handle) handle.destroy();
  else handle.close();
}

/** Closes the handles a call got, when it fails before its method could take them. */
export function closeHandlesOf(call: CallMessage): void {
  for (const i of call.h ?? []) {
    const handle = call.a[i];
    if (typeof handle === 'object' && handle !== null) closeHandle(handle as PassableHandle);
  }
}

export class HandleInbox {
  /** Handles that arrived, by `id:i`, until their call runs. */
  readonly #arrived = new Map<string, Arrival>();
  /** Calls held back: the first still misses a handle, the others came after it. */
  readonly #queue: CallMessage[] = [];
  /** Held-back calls the parent gave up on: they never run, their handles are closed as they arrive. */
  readonly #aborted = new Set<number>();
  /** Handles of aborted calls that had not arrived when the call was dropped, by `id:i`: closed when they do. */
  readonly #discarded = new Set<string>();
  readonly #run: (call: CallMessage) => void;
  readonly #fail: (id: number, error: unknown) => void;
  /** The worker has an IPC channel (`supportHandles`) that is still open. */
  #channel: boolean;

  /** `tell` sends the parent, over the link, what it learns of the IPC channel: it never reads that channel. */
  constructor(
    run: (call: CallMessage) => void,
    fail: (id: number, error: unknown) => void,
    tell: (message: HandleTakenMessage | IpcClosedMessage) => void,
  ) {
    this.#run = run;
    this.#fail = fail;
    // Only a worker started with supportHandles has the channel; Node keeps messages that come before a listener.
    this.#channel = process.send !== undefined;
    if (!this.#channel) return;
    process.on('message', (message, handle) => this.#receive(message, handle));
    (process as NodeJS.EventEmitter).on('internalMessage', (message: unknown, handle: unknown) => {
      if ((message as { cmd?: unknown } | null)?.cmd !== 'NODE_HANDLE') return;
      // Node acknowledges each handle message on the channel; the parent's Node, which waits for that before it
      // sends the next handle, hears of it from here.
      tell({ t: 'handle-taken' });
      // A handle this process could not take in (no file descriptor left, its message cut short) comes without it,
      // and Node refuses it to the parent; sent with keepOpen, it is not sent again.
      if (handle == null) this.#receive((message as { msg: unknown }).msg, refused);
    });
    // The worker's own code may close the channel: handles still missing will never come, their calls fail.
    process.once('disconnect', () => {
      this.#channel = false;
      tell({ t: 'ipc-closed' });
      this.#drain();
    });
  }

  /** Runs the call now, or after the handles it and the calls before it wait for. */
  dispatch(call: CallMessage): void {
    if (this.#queue.length === 0 && call.h === undefined) return this.#run(call);
    this.#queue.push(call);
    this.#drain();
  }

  /** The parent gave up on call `id`; if it is still held back, it will not run. */
  abort(id: number): void {
    if (!this.#queue.some((call) => call.id === id)) return;
    this.#aborted.add(id);
    // Its handles may never come (the parent cancels those still waiting): it must not hold back the calls after it.
    this.#drain();
  }

  /** The worker is being disposed: no held-back call runs any more (the parent rejected them all). */
  abortAll(): void {
    for (const call of this.#queue) this.#aborted.add(call.id);
    this.#drain();
  }

  #receive(message: unknown, handle: unknown): void {
    // The worker's own IPC messages are its business.
    if (!isEnvelope(message)) return;
    const key = `${message.id}:${message.i}`;
    if (this.#discarded.delete(key)) {
      // Of a call given up on before it arrived.
      if (typeof handle === 'object' && handle !== null) closeHandle(handle as PassableHandle);
      return;
    }
    this.#arrived.set(key, arrival(message, handle));
    this.#drain();
  }

  #drain(): void {
    while (this.#queue.length > 0) {
      const call = this.#queue[0]!;
      const indices = call.h ?? [];
      const aborted = this.#aborted.delete(call.id);
      if (!aborted && this.#channel && !indices.every((i) => this.#arrived.has(`${call.id}:${i}`))) return;
      this.#queue.shift();
      const args = call.a.slice();
      let failure: SerializationError | undefined;
      for (const i of indices) {
        const key = `${call.id}:${i}`;
        const got = this.#arrived.get(key);
        this.#arrived.delete(key);
        const path = `args[${i}]`;
        if (got === undefined) {
          if (aborted && this.#channel) this.#discarded.add(key);
          failure ??= new SerializationError(
            `${path}: the worker's IPC channel closed before the handle arrived`,
            path,
          );
        } else if ('lost' in got) {
          failure ??= new SerializationError(`${path}: the handle could not be sent: ${got.lost}`, path);
        } else {
          args[i] = got.handle;
        }
      }
      if (failure === undefined && !aborted) {
        this.#run({ ...call, a: args });
        continue;
      }
      for (const i of indices) if (args[i] !== null) closeHandle(args[i] as PassableHandle);
      // Answered all the same: the parent drops this answer, and takes any other for a call given up on as a fault.
      this.#fail(
        call.id,
        aborted ? new AbortError('The call was given up on before its handles arrived') : failure,
      );
    }
  }
}

/** Stands for the handle of an envelope whose handle Node could not take in. */
const refused = Symbol('refused');

function arrival(message: Envelope, handle: unknown): Arrival {
  if (message.procxy === 'lost') return { lost: message.reason };
  if (handle === refused) {
    return {
      lost: 'the worker could not take it in (out of file descriptors, or its message was cut short)',
    };
  }
  // Node sends the message alone when the handle closed before it could be sent.
  return handle === undefined
    ? { lost: 'it was closed before Node sent it' }
    : { handle: handle as PassableHandle };
}

/** What a `$sendHandle` call runs: the instance's `[onHandle]` hook, whose result is not the caller's business. */
export function handleHook(instance: object): Function {
  const hook = (instance as Record<symbol, unknown>)[onHandle];
  if (typeof hook !== 'function') {
    const className = instance.constructor?.name ?? 'class';
    return (handle: PassableHandle) => {
      closeHandle(handle);
      throw new MethodNotFoundError(
        `The worker ${className} has no [onHandle] method to receive the handle sent with $sendHandle; define one: import { onHandle } from 'procxy/child'`,
      );
    };
  }
  return async function (this: object, handle: PassableHandle): Promise<void> {
    await hook.call(this, handle);
  };
}
