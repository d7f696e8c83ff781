// A worker that takes callbacks and AbortSignals, and reports what the runtime keeps for them.
import { transfer } from 'procxy/transfer';
import { liveScopes } from '../../../dist/runtime/child/link.js';

function describe(error) {
  return {
    ctor: error?.constructor?.name,
    name: error?.name,
    message: error?.message,
    code: error?.code,
    path: error?.path,
  };
}

export class Tasks {
  calls = 0;
  aborts = 0;
  lastAbort = undefined;
  /** Callback invocations taskAwaiting() still waits for: dispose waits for them too, a graceful drain. */
  running = new Set();

  /** Awaits the callback, which the worker's dispose waits for as well. */
  async taskAwaiting(callback) {
    const pending = callback();
    this.running.add(pending);
    try {
      return await pending;
    } finally {
      this.running.delete(pending);
    }
  }

  async [Symbol.asyncDispose]() {
    await Promise.allSettled([...this.running]);
  }

  /** Calls `onProgress` without awaiting it, like a progress report. */
  progress(count, onProgress) {
    for (let i = 0; i < count; i++) onProgress(i, count);
    return count;
  }

  async progressAwaited(count, onProgress) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += await onProgress(i);
    return sum;
  }

  async ask(question, answer) {
    return `${await answer(question)}!`;
  }

  async twoCallbacks(first, value, second) {
    return [await first(value), await second(value)];
  }

  async outcome(callback, ...args) {
    try {
      return { ok: await callback(...args) };
    } catch (error) {
      return { error: describe(error) };
    }
  }

  /** Calls `callback` with an argument a getter of its own makes unreadable; says how the call failed. */
  async callWithUnreadable(callback) {
    try {
      return {
        ok: await callback({
          get x() {
            throw new Error('argument getter');
          },
        }),
      };
    } catch (error) {
      return { error: describe(error) };
    }
  }

  /** What each argument is: `undefined` must not arrive as `null`. */
  kinds(...args) {
    return args.map((a) => (a === null ? 'null' : typeof a));
  }

  /** Reports a failure node-style: `done(error)`, the error with a field and a cause. */
  async failNodeStyle(done) {
    const error = new TypeError('bad input', { cause: new Error('parse failed') });
    error.code = 'E_INPUT';
    return done(error, 'partial');
  }

  /**
   * Calls `callback` with an Error it cannot describe (a `cause` getter that throws) or must not read (a Proxy around
   * an Error); says whether the call threw at once or rejected, and with what.
   */
  async unreadableError(callback, kind) {
    const error = new Error('bad');
    if (kind === 'getter') {
      Object.defineProperty(error, 'cause', {
        get() {
          throw new Error('cause getter');
        },
      });
    }
    let pending;
    try {
      pending = callback(kind === 'proxy' ? new Proxy(error, {}) : error);
    } catch (thrown) {
      return { threw: describe(thrown) };
    }
    try {
      return { ok: await pending };
    } catch (rejected) {
      return { error: describe(rejected) };
    }
  }

  /** `count` invocations, `inFlight` at a time, each answered with `size` bytes: the total length read. */
  async manyLargeAnswers(count, size, inFlight, callback) {
    let next = 0;
    let total = 0;
    const lane = async () => {
      while (next < count) {
        next++;
        const answer = await callback(size);
        total += answer.length;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
    return total;
  }

  /** `lanes` loops that each await the callback before invoking it again, until it is released (the call aborted). */
  async lanes(lanes, callback) {
    let answered = 0;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (;;) {
          await callback();
          answered++;
        }
      }),
    );
    return answered;
  }

  /** Invokes the callback `count` times without awaiting, then keeps its event loop busy for `ms`: it reads nothing. */
  invokeThenBlock(count, ms, callback) {
    for (let k = 0; k < count; k++) callback(k).catch(() => {});
    const until = Date.now() + ms;
    while (Date.now() < until) {}
    return count;
  }

  /** Awaits the callback; what its promise did, kept for lastOutcome() (the call may be aborted meanwhile). */
  async awaitAndRecord(callback) {
    try {
      this.outcomeSeen = { ok: await callback() };
    } catch (error) {
      this.outcomeSeen = { error: describe(error) };
    }
    return this.outcomeSeen;
  }

  lastOutcome() {
    return this.outcomeSeen ?? null;
  }

  /** Hands the parent a large Buffer and returns the length of the one it answers. */
  async bigRoundTrip(size, callback) {
    const answer = await callback(Buffer.alloc(size, 7));
    return { isBuffer: Buffer.isBuffer(answer), length: answer.length, last: answer[answer.length - 1] };
  }

  /** Invokes the callback, then exits while the parent is still running it. */
  dieDuringCallback(callback) {
    callback();
    setTimeout(() => process.exit(7), 50);
    return new Promise(() => {});
  }

  /**
   * Invokes the callback with `count` one-byte ArrayBuffers marked for transfer: whether the invocation threw at once or
   * rejected, with what (and the method it names), and whether the buffers are still this side's.
   */
  async markedArgs(count, callback) {
    const buffers = Array.from({ length: count }, () => new ArrayBuffer(1));
    let pending;
    try {
      pending = callback(transfer(buffers, buffers));
    } catch (thrown) {
      return { threw: describe(thrown) };
    }
    const kept = () => buffers.every((b) => b.byteLength === 1);
    try {
      return { ok: await pending, kept: kept() };
    } catch (error) {
      return { error: { ...describe(error), method: error?.method }, kept: kept() };
    }
  }

  /** Invokes the callback kept by keep() with a buffer marked for transfer, after its call settled. */
  async callKeptWithMarked() {
    this.marked = new ArrayBuffer(16);
    try {
      return { ok: await this.kept(transfer(this.marked, [this.marked])) };
    } catch (error) {
      return { error: describe(error), length: this.marked.byteLength };
    }
  }

  /** Returns the buffer callKeptWithMarked() used: moved only if its mark outlived the refused invocation. */
  markedBuffer() {
    return this.marked;
  }

  markedLength() {
    return this.marked.byteLength;
  }

  keep(callback) {
    this.kept = callback;
    return typeof callback;
  }

  async callKept(...args) {
    try {
      return { ok: await this.kept(...args) };
    } catch (error) {
      return { error: describe(error) };
    }
  }

  /** Waits for the signal (or `ms`), recording the reason it got. */
  work(ms, signal) {
    this.calls++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('done'), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.aborts++;
        const reason = signal.reason;
        this.lastAbort = {
          isSignal: signal instanceof AbortSignal,
          reason: reason instanceof Error ? describe(reason) : reason,
        };
        resolve('aborted');
      });
    });
  }

  /** As work, for a minute, with a value it ignores (whose getters the caller may use). */
  workWith(_value, signal) {
    return this.work(60_000, signal);
  }

  /** Starts a slow task with a signal and callbacks, to be aborted. */
  async workWithProgress(onProgress, signal) {
    this.calls++;
    this.kept = onProgress;
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    return 'aborted';
  }

  signalIsFresh(signal) {
    return signal instanceof AbortSignal && !signal.aborted;
  }

  callCount() {
    return this.calls;
  }

  abortCount() {
    return this.aborts;
  }

  lastAbortSeen() {
    return this.lastAbort ?? null;
  }

  runtimeState() {
    return liveScopes.size;
  }
}
