// Row "raw pipe": the physical floor for bytes between two Node processes: a plain node child and two stdio pipes
// (as procxy uses), bytes written and counted or written back, no serialization, no message objects.
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { headerBytes, ops } from '../workers/raw-pipe-protocol.mjs';
import { exitError, killAndWait } from './child-process.mjs';

const childPath = fileURLToPath(new URL('../workers/raw-pipe-child.mjs', import.meta.url));
const bulkBytes = 64 * 1024;

function header(op, length) {
  const bytes = Buffer.allocUnsafe(headerBytes);
  bytes.writeUInt32LE(op, 0);
  bytes.writeUInt32LE(length, 4);
  return bytes;
}

// What each request turns into: the bytes to write, how many bytes answer it, and what the answer means.
function request(m, a) {
  switch (m) {
    case 'add': {
      const bytes = header(ops.add, 8);
      const message = Buffer.concat([bytes, Buffer.alloc(8)]);
      message.writeInt32LE(a[0], headerBytes);
      message.writeInt32LE(a[1], headerBytes + 4);
      return { parts: [message], answerBytes: 4, answer: (bytes) => bytes.readInt32LE(0) };
    }
    case 'size':
      return {
        parts: [header(ops.size, a[0].byteLength), a[0]],
        answerBytes: 1,
        answer: () => a[0].byteLength,
      };
    case 'echo':
      return { parts: [header(ops.echo, a[0].byteLength), a[0]], answerBytes: a[0].byteLength };
    default:
      throw new Error(`raw pipe: no method ${m}`);
  }
}

export const rawPipe = {
  id: 'raw-pipe',
  label: 'raw pipe',
  cannot: { 'S4-advanced': 'carries bytes, not objects', 'S4-json': 'carries bytes, not objects' },
  describe:
    "spawn(node, [script], { stdio: [..., 'pipe', 'pipe'] }): two stdio socketpairs, as procxy opens; the parent writes an 8-byte header (op, length) and the payload (a small request straight to the fd when nothing is queued, as procxy does; a Buffer of 64 KiB or more through the stream as it is, corked with its header), the child (a net.Socket on fd 3, writeSync on fd 4) reads exactly that many bytes and answers one byte (size), the sum (add) or the bytes themselves once all have arrived (echo), which the parent gathers into one new Buffer; answers come back in order, so a FIFO matches them. The physical floor for moving bytes between two Node processes; it carries bytes, not objects (S4 n/a)",
  async start() {
    const child = spawn(process.execPath, [childPath], {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'pipe'],
    });
    const output = child.stdio[3];
    const input = child.stdio[4];
    output.on('error', () => {
      // A write to a child that just died fails with EPIPE; the exit event rejects what is pending.
    });
    // A small request goes straight to the fd when the stream holds nothing (as procxy does): the stream's
    // per-write bookkeeping would cost as much as the syscall, and this row is the floor.
    const fd = output._handle?.fd;
    const writeSmall = (data) => {
      let written = 0;
      if (typeof fd === 'number' && fd >= 0 && output.writableLength === 0) {
        try {
          written = writeSync(fd, data);
        } catch {
          // EAGAIN (full) or a dead child: the stream writes it or the exit event reports it.
        }
      }
      if (written < data.length) output.write(written === 0 ? data : data.subarray(written));
    };
    const waiting = []; // FIFO of { need, got, parts, resolve, reject, answer }
    input.on('data', (chunk) => {
      let at = 0;
      while (at < chunk.length) {
        const head = waiting[0];
        if (head === undefined) {
          // Bytes nobody asked for: the protocol is broken, so the child goes and the exit event reports it.
          child.kill('SIGKILL');
          return;
        }
        const part = chunk.subarray(at, at + head.need - head.got);
        at += part.length;
        head.parts.push(part);
        head.got += part.length;
        if (head.got === head.need) {
          waiting.shift();
          const bytes = head.parts.length === 1 ? head.parts[0] : Buffer.concat(head.parts, head.need);
          head.resolve(head.answer === undefined ? bytes : head.answer(bytes));
        }
      }
    });
    child.once('exit', (code, signal) => {
      const error = exitError(this.label, code, signal);
      for (const w of waiting.splice(0)) w.reject(error);
    });
    return {
      call: (m, a) =>
        new Promise((resolve, reject) => {
          const { parts, answerBytes, answer } = request(m, a);
          waiting.push({ need: answerBytes, got: 0, parts: [], resolve, reject, answer });
          if (parts.length === 1 || parts[1].byteLength < bulkBytes) {
            writeSmall(parts.length === 1 ? parts[0] : Buffer.concat(parts));
          } else {
            output.cork();
            for (const part of parts) output.write(part);
            output.uncork();
          }
        }),
      close: async () => {
        output.end();
        await killAndWait(child);
      },
    };
  },
};
