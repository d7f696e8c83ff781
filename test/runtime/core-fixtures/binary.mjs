// A worker for binary data: hashes what it gets, returns what it is asked for, transfers its own buffers back.
import { createHash } from 'node:crypto';
import { transfer } from 'procxy/transfer';

export class Binary {
  #kept = new Uint8Array(64).fill(3);

  hash(bytes) {
    return createHash('sha256').update(bytes).digest('hex');
  }
  describe(value) {
    const views = [];
    const walk = (v, path) => {
      if (ArrayBuffer.isView(v)) {
        views.push({
          path,
          type: v.constructor.name,
          length: v.byteLength,
          ownMemory: v.buffer.byteLength === v.byteLength,
        });
      } else if (v instanceof ArrayBuffer) {
        views.push({ path, type: 'ArrayBuffer', length: v.byteLength, ownMemory: true });
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
      }
    };
    walk(value, 'v');
    return views;
  }
  sameMemory(a, b) {
    return a.buffer === b.buffer && b.byteOffset;
  }
  echo(value) {
    return value;
  }
  length(bytes) {
    return bytes.byteLength;
  }
  /** A result that marks the worker's own buffer for transfer and is refused (it holds a function). */
  refusedTransfer() {
    return transfer({ b: this.#kept, f() {} }, [this.#kept.buffer]);
  }
  /** The worker's own buffer, and its length before this answer is sent. */
  kept() {
    return { b: this.#kept, length: this.#kept.byteLength };
  }
  /** Sends back what it got, moving the memory. */
  bounce(bytes) {
    return transfer(bytes, [bytes.buffer]);
  }
  /** What the worker sees of a global `gc` (the runtime's collector lives in a context of its own). */
  gcGlobal() {
    return typeof globalThis.gc;
  }
  /** Throws an Error holding a buffer of `bytes` it marked for transfer. */
  throwMarked(bytes) {
    this.thrown = new ArrayBuffer(bytes);
    throw transfer(Object.assign(new Error('marked'), { data: new Uint8Array(this.thrown) }), [this.thrown]);
  }
  /**
   * Throws an Error too large for the cap, holding a view with a `buffer` getter of its own, while a mark is pending:
   * the getter throws when it runs as the Error's marks are dropped, which must not run it.
   */
  throwHostileView(bytes) {
    this.pending = new ArrayBuffer(8);
    transfer({}, [this.pending]);
    const view = new Uint8Array(bytes);
    const memory = view.buffer;
    Object.defineProperty(view, 'buffer', {
      get() {
        if (new Error().stack.includes('releaseMarks'))
          throw new Error('a getter ran while marks were dropped');
        return memory;
      },
    });
    throw Object.assign(new Error('hostile'), { data: view });
  }
  /** A small view of the buffer throwMarked() threw: moved with it only if its mark outlived the refused error. */
  thrownView() {
    return new Uint8Array(this.thrown, 0, 4);
  }
  thrownLength() {
    return this.thrown.byteLength;
  }
  /** What the callback threw or rejected with, by class name. */
  async callbackFails(callback) {
    try {
      return { ok: await callback() };
    } catch (error) {
      return { error: error.constructor.name };
    }
  }
  /** Waits for the signal; what its reason was. */
  waitForAbort(signal) {
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => {
        this.lastReason = { name: signal.reason?.constructor?.name, message: signal.reason?.message };
        resolve('aborted');
      });
    });
  }
  lastAbortReason() {
    return this.lastReason;
  }
  make(bytes, fill) {
    return Buffer.alloc(bytes, fill);
  }
  makeTransferred(bytes, fill) {
    const memory = new ArrayBuffer(bytes);
    new Uint8Array(memory).fill(fill);
    return transfer({ deep: { data: new Uint8Array(memory) } }, [memory]);
  }
}
