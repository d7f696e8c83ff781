// A worker that writes frames a real child never would (callbacks of unknown calls, second answers) and crashes on request.
import { EventEmitter } from 'node:events';
import { existsSync, writeFileSync, writeSync } from 'node:fs';

/** The child's output fd and the frame layout of runtime/frame.ts (u32le length of codec + body, u8 codec). */
const outputFd = 4;
function jsonFrame(message) {
  const body = Buffer.from(JSON.stringify(message));
  const header = Buffer.alloc(5);
  header.writeUInt32LE(body.length + 1, 0);
  header[4] = 1;
  return Buffer.concat([header, body]);
}

export class Forger extends EventEmitter {
  /** Invokes callback `f` of call `id`, which the parent never made or gave no callback at `f`. */
  forgeCallback(id, f) {
    writeSync(outputFd, jsonFrame({ t: 'cb', id, f, n: 1, a: [] }));
    return new Promise(() => {});
  }

  ping() {
    return 'pong';
  }

  /** Never settles, whatever its signal says. */
  hang(signal) {
    void signal;
    return new Promise(() => {});
  }

  /** Answers call `id` (one given up on, by the test), then answers its own call. */
  forgeAnswer(id) {
    writeSync(outputFd, jsonFrame({ t: 'ok', id, v: 'late' }));
    return 'sent';
  }

  /** Answers call `id` (its own, when it is the first call made), then sends `then` for it as well. */
  forgeAfterAnswer(id, then) {
    const after = then === 'answer' ? { t: 'ok', id, v: 'second' } : { t: 'cb', id, f: 0, n: 1, a: [] };
    writeSync(outputFd, Buffer.concat([jsonFrame({ t: 'ok', id, v: 'first' }), jsonFrame(after)]));
    return new Promise(() => {});
  }

  forgeEvent() {
    writeSync(outputFd, jsonFrame({ t: 'ev', e: 42, a: [] }));
    return new Promise(() => {});
  }

  /** An answer to a call never made (a protocol violation), then, in the same write, events. */
  forgeAnswerThenEvents() {
    const events = [0, 1, 2].map((i) => jsonFrame({ t: 'ev', e: 'tick', a: [`after ${i}`] }));
    writeSync(outputFd, Buffer.concat([jsonFrame({ t: 'ok', id: 999_999, v: 1 }), ...events]));
    return new Promise(() => {});
  }

  /** An event whose argument said to be an Error is not a described one. */
  forgeErrorEvent() {
    writeSync(outputFd, jsonFrame({ t: 'ev', e: 'tick', a: ['plain'], x: [0] }));
    return new Promise(() => {});
  }

  /** Exits the first time (no marker yet), emits `tick` on the worker that replaced it. */
  tickAfterCrash(marker) {
    if (!existsSync(marker)) {
      writeFileSync(marker, 'crashed');
      process.exit(3);
    }
    this.emit('tick', 'from the fresh worker');
    return 'ok';
  }
}
