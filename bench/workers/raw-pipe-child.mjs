// Child of the raw pipe row: bytes in on fd 3, bytes out on fd 4, no serialization at all. A request is an 8-byte
// header (op, length) and `length` bytes; the answer is 4 bytes (add: the sum), 1 byte (size: the bytes were all
// read) or the same `length` bytes (echo, written back once all have arrived, without copying them).
import { writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { headerBytes, ops } from './raw-pipe-protocol.mjs';

function writeAll(data) {
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(4, data, offset, data.length - offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}

const oneByte = Buffer.from([1]);
let pending = Buffer.alloc(0); // bytes of a header not complete yet
let op = -1;
let left = 0;
let kept = []; // echo: the chunks of the payload, as they came

function onPayload(chunk) {
  if (op === ops.echo || op === ops.add) kept.push(chunk);
  left -= chunk.length;
  if (left > 0) return;
  if (op === ops.size) writeAll(oneByte);
  else if (op === ops.echo) for (const part of kept) writeAll(part);
  else {
    const args = Buffer.concat(kept);
    const sum = Buffer.allocUnsafe(4);
    sum.writeInt32LE(args.readInt32LE(0) + args.readInt32LE(4));
    writeAll(sum);
  }
  kept = [];
  op = -1;
}

function onData(chunk) {
  let at = 0;
  while (at < chunk.length) {
    if (op === -1) {
      const need = headerBytes - pending.length;
      const part = chunk.subarray(at, at + need);
      at += part.length;
      pending = pending.length === 0 && part.length === headerBytes ? part : Buffer.concat([pending, part]);
      if (pending.length < headerBytes) return;
      op = pending.readUInt32LE(0);
      left = pending.readUInt32LE(4);
      pending = Buffer.alloc(0);
      if (left === 0) onPayload(Buffer.alloc(0));
      continue;
    }
    const part = chunk.subarray(at, at + left);
    at += part.length;
    onPayload(part);
  }
}

const input = new Socket({ fd: 3, readable: true, writable: false });
input.on('data', onData);
// The parent closed the pipe: the bench is done with this child.
input.on('end', () => process.exit(0));
input.on('error', () => process.exit(0));
