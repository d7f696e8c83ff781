// The object a caller holds: async methods over a worker link, the `$` members, and retries on a fresh worker.
import { abortError, abortedSignal, callSignals, isAbortSignal, watchSignals } from './cancel.js';
import {
  AbortError,
  aboutCall,
  ChildCrashedError,
  QueueFullError,
  TerminatedError,
  TimeoutError,
} from './errors.js';
import { EventHub, eventMethods } from './events.js';
import { handleHookIndex, isPassableHandle } from './handles.js';
import type { ParentLink } from './link.js';
import { type CallOptions, type ResolvedOptions, resolveCallOptions } from './options.js';
import { movedCount } from './transfer.js';

type Method = (...args: unknown[]) => Promise<unknown>;

function retriable(error: unknown): boolean {
  return (
    error instanceof TimeoutError ||
    error instanceof ChildCrashedError ||
    (error instanceof TerminatedError && error.cause instanceof TimeoutError)
  );
}

/**
 * What `wait` gives (a fresh worker for a retry), or an AbortError for call `method` as soon as one of `signals`
 * aborts; already aborted, `wait` is not called: no worker is started for a call that no longer waits, and no
 * failure to start one goes unhandled.
 */
function untilAborted<T>(
  wait: () => Promise<T>,
  signals: readonly AbortSignal[],
  method: string,
  pid: number,
) {
  const aborted = abortedSignal(signals);
  if (aborted !== undefined) return Promise.reject(abortError(method, pid, aborted, 'retrying'));
  const waiting = wait();
  if (signals.length === 0) return waiting;
  return new Promise<T>((resolve, reject) => {
    const unwatch = watchSignals(signals, (fired) => reject(abortError(method, pid, fired, 'retrying')));
    waiting.then(
      (value) => {
        unwatch?.();
        resolve(value);
      },
      (error: unknown) => {
        unwatch?.();
        reject(error);
      },
    );
  });
}

/** One worker as the proxy sees it: the current link, replaced by a fresh one only to retry an idempotent call. */
export class WorkerHandle {
  #link: ParentLink;
  /** A fresh worker still starting, to retry calls on; $terminate() ends it too. */
  #starting: ParentLink | undefined;
  readonly #spawn: () => ParentLink;
  readonly #options: ResolvedOptions;
  readonly #indices: ReadonlyMap<string, number>;
  #respawning: Promise<ParentLink> | undefined;
  /** Calls waiting for a fresh worker to retry on. */
  #waiting = 0;
  #terminated = false;
  /** The listeners of an EventEmitter worker's events; they outlive a link replaced to retry a call. */
  readonly events: EventHub | undefined;

  constructor(link: ParentLink, spawn: () => ParentLink, options: ResolvedOptions) {
    this.#link = link;
    this.#spawn = spawn;
    this.#options = options;
    this.#indices = new Map(link.methods.map((name, index) => [name, index]));
    if (link.emitter) {
      const events = new EventHub((kind, event) => this.#link.subscription(kind, event));
      this.events = events;
      link.onEvent = (event, args) => events.dispatch(event, args);
    }
  }

  get link(): ParentLink {
    return this.#link;
  }

  indexOf(name: string): number | undefined {
    return this.#indices.get(name);
  }

  invoke(name: string, index: number, args: unknown[], call: CallOptions): Promise<unknown> {
    const link = this.#link;
    const timeout = call.timeout ?? this.#options.timeout;
    const moved = movedCount();
    const result = link.call(index, name, args, timeout, call.signal);
    // A handle or memory moved to the failed worker cannot be sent again: such a call is never retried.
    if (
      this.#options.retries === 0 ||
      !this.#options.idempotent.has(name) ||
      args.some(isPassableHandle) ||
      movedCount() > moved
    ) {
      return result;
    }
    return this.#retrying(result, link, name, index, args, call, this.#options.retries);
  }

  async #retrying(
    result: Promise<unknown>,
    link: ParentLink,
    name: string,
    index: number,
    args: unknown[],
    call: CallOptions,
    retriesLeft: number,
  ): Promise<unknown> {
    try {
      return await result;
    } catch (error) {
      if (retriesLeft === 0 || this.#terminated || !retriable(error)) throw error;
      // Calls waiting for the fresh worker are in flight too: past maxPending of them, one is refused at once.
      if (this.#waiting >= this.#options.maxPending) {
        throw new QueueFullError(this.#options.maxPending, { method: name, pid: link.pid });
      }
      let fresh: ParentLink;
      this.#waiting++;
      try {
        // The call's own signals still count while it waits for the fresh worker.
        const last = args.at(-1);
        const signals = callSignals(isAbortSignal(last) ? last : undefined, call.signal);
        fresh = await untilAborted(() => this.#replace(link), signals, name, link.pid);
      } catch (failure) {
        // Every call waiting for the fresh worker gets this failure: each names its own call.
        const own = aboutCall(failure, name, link.pid, true);
        if (own !== failure && own instanceof Error && !(own instanceof AbortError)) {
          own.message = `The retry of '${name}' waited for a fresh worker that did not start: ${own.message}`;
        }
        throw own;
      } finally {
        this.#waiting--;
      }
      const timeout = call.timeout ?? this.#options.timeout;
      return this.#retrying(
        fresh.call(index, name, args, timeout, call.signal),
        fresh,
        name,
        index,
        args,
        call,
        retriesLeft - 1,
      );
    }
  }

  /** A fresh worker in place of `failed`, started once however many calls ask for it. */
  #replace(failed: ParentLink): Promise<ParentLink> {
    if (this.#link !== failed) return Promise.resolve(this.#link);
    if (this.#respawning !== undefined) return this.#respawning;
    let starting: ParentLink;
    try {
      starting = this.#spawn();
    } catch (error) {
      return Promise.reject(error);
    }
    this.#starting = starting;
    this.#respawning = starting.ready.then(
      () => {
        const link = starting;
        this.#respawning = undefined;
        this.#starting = undefined;
        if (this.#terminated) {
          void link.terminate();
          throw new TerminatedError('The worker was terminated while it was being replaced', {
            pid: link.pid,
          });
        }
        this.#link = link;
        if (this.events !== undefined) {
          const events = this.events;
          link.onEvent = (event, args) => events.dispatch(event, args);
          events.resubscribe();
        }
        return link;
      },
      (error: unknown) => {
        this.#respawning = undefined;
        this.#starting = undefined;
        throw error;
      },
    );
    return this.#respawning;
  }

  terminate(): Promise<void> {
    this.#terminated = true;
    const starting = this.#starting?.terminate();
    return starting === undefined
      ? this.#link.terminate()
      : Promise.all([this.#link.terminate(), starting]).then(() => undefined);
  }
}

const dispose = Symbol.asyncDispose;

/** A proxy view whose calls use `call`; `$with` makes another view over the same worker. */
export function createProxy(handle: WorkerHandle, call: CallOptions): object {
  const methods = new Map<string, Method>();
  const terminate = () => handle.terminate();
  // A call of the worker's [onHandle] hook (handles.ts), with the calls' order, deadlines and crash handling.
  const sendHandle = (passed: unknown) =>
    handle.invoke('$sendHandle', handleHookIndex, [passed], call).then(() => undefined);
  // Options without a prototype: what a polluted Object.prototype holds is not an option.
  const withOptions = (options: CallOptions) =>
    createProxy(handle, Object.assign(Object.create(null) as CallOptions, call, resolveCallOptions(options)));
  const proxy: object = new Proxy(Object.create(null) as object, {
    get(_, key) {
      if (typeof key !== 'string') return key === dispose ? terminate : undefined;
      switch (key) {
        case '$terminate':
          return terminate;
        case '$with':
          return withOptions;
        case '$process':
          return handle.link.child;
        case '$pid':
          return handle.link.pid;
        case '$sendHandle':
          return sendHandle;
      }
      if (handle.events !== undefined && eventMethods.has(key)) return eventMember(handle.events, key, proxy);
      let method = methods.get(key);
      if (method === undefined) {
        const index = handle.indexOf(key);
        if (index === undefined) return undefined;
        method = (...args: unknown[]) => handle.invoke(key, index, args, call);
        methods.set(key, method);
      }
      return method;
    },
    has(_, key) {
      if (typeof key !== 'string') return key === dispose;
      return (
        key === '$terminate' ||
        key === '$with' ||
        key === '$process' ||
        key === '$pid' ||
        key === '$sendHandle' ||
        (handle.events !== undefined && eventMethods.has(key)) ||
        handle.indexOf(key) !== undefined
      );
    },
    set() {
      return false;
    },
    defineProperty() {
      return false;
    },
  });
  handle.events?.ownedBy(proxy);
  return proxy;
}

/** on/once/off/removeListener return the proxy, for chaining, as EventEmitter returns itself. */
function eventMember(events: EventHub, key: string, proxy: object): Function {
  if (key === 'listenerCount') return (event: unknown, listener?: unknown) => events.count(event, listener);
  return (event: unknown, listener: unknown) => {
    if (key === 'on' || key === 'once') events.add(event, listener, key === 'once');
    else events.remove(event, listener);
    return proxy;
  };
}
