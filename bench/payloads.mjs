// The payloads of S3 and S4, built once so that every row sends the same bytes and the same objects, and the checks
// of the answers (kept out of the timed part of a call).
import { openSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Deterministic noise, so no layer can win by compressing or by sharing zero pages. */
function patternBytes(size) {
  const bytes = Buffer.allocUnsafeSlow(size);
  const words = new Uint32Array(bytes.buffer, 0, size >>> 2);
  let x = 0x9e3779b9;
  for (let k = 0; k < words.length; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[k] = x >>> 0;
  }
  for (let k = words.length * 4; k < size; k++) bytes[k] = k & 0xff;
  return bytes;
}

const patterns = new Map();

/** The shared Buffer of `size` bytes (its own ArrayBuffer, not pooled), made on first use. */
export function pattern(size) {
  let bytes = patterns.get(size);
  if (bytes === undefined) {
    bytes = patternBytes(size);
    patterns.set(size, bytes);
  }
  return bytes;
}

/**
 * An unlinked file in tmpfs (or the temp directory) for readByKernel: written at offset 0 each time, so its pages are
 * reused. Null when none can be made: the copies then go as they are.
 */
let sink;
function openSink() {
  for (const dir of ['/dev/shm', tmpdir()]) {
    try {
      const path = join(dir, `procxy-bench-${process.pid}`);
      const fd = openSync(path, 'w');
      unlinkSync(path);
      return fd;
    } catch {
      // No such directory, or not writable: the next one.
    }
  }
  return null;
}

/**
 * Has the kernel read `bytes` once. On our VMs its first read of pages a process just faulted in costs several µs a
 * page, on top of the fault: a 10 MiB fresh copy took 18-21 ms to send instead of 3, reading each page again from
 * JavaScript did not change that, and one write of it to a file did. Every send reads the shared pattern; a fresh
 * copy is read once here, off the clock, so that what the bench allocates is not timed as part of the call.
 */
function readByKernel(bytes) {
  sink ??= openSink();
  if (sink !== null) writeSync(sink, bytes, 0, bytes.length, 0);
}

/** A new non-pooled Buffer with the pattern's bytes: for rows that move (detach) what they send. */
export function freshCopy(size) {
  const bytes = Buffer.allocUnsafeSlow(size);
  pattern(size).copy(bytes);
  readByKernel(bytes);
  return bytes;
}

const probes = 32;

/** The answer of an echo: a view of `size` bytes equal to the pattern (sampled at 32 places and both ends). */
export function checkEchoedBytes(value, size, index) {
  if (!ArrayBuffer.isView(value) || value.byteLength !== size) {
    const got = ArrayBuffer.isView(value) ? `${value.byteLength} bytes` : typeof value;
    throw new Error(`echo call ${index} answered ${got}, expected ${size} bytes`);
  }
  const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const expected = pattern(size);
  for (let p = 0; p <= probes; p++) {
    const at = Math.min(size - 1, Math.floor((size / probes) * p) + p);
    if (bytes[at] !== expected[at]) throw new Error(`echo call ${index}: byte ${at} differs`);
  }
}

/** The advanced-mode object of S4: a 1000-entry Map, a Set, a bigint, a Date and nested arrays. */
export function advancedObject() {
  return {
    map: new Map(
      Array.from({ length: 1000 }, (_, i) => [`key-${i}`, { id: i, label: `item ${i}`, weight: i * 1.5 }]),
    ),
    set: new Set(Array.from({ length: 100 }, (_, i) => `tag-${i}`)),
    big: 2n ** 100n + 12_345n,
    when: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
    nested: Array.from({ length: 10 }, (_, i) => [i, [i * 2, [i * 3, `deep ${i}`, [true, null]]]]),
  };
}

export function checkAdvancedObject(value, sent, index) {
  const ok =
    value?.map instanceof Map &&
    value.map.size === sent.map.size &&
    value.map.get('key-999')?.weight === sent.map.get('key-999').weight &&
    value.set instanceof Set &&
    value.set.size === sent.set.size &&
    value.big === sent.big &&
    value.when instanceof Date &&
    value.when.getTime() === sent.when.getTime() &&
    value.nested?.[9]?.[1]?.[1]?.[1] === sent.nested[9][1][1][1];
  if (!ok) throw new Error(`S4 advanced echo call ${index} did not answer the object it was sent`);
}

/** The json-mode object of S4: 1000 properties of mixed JSON values. */
export function jsonObject() {
  const kinds = [
    (i) => i,
    (i) => `value number ${i}`,
    (i) => i % 2 === 0,
    () => null,
    (i) => [i, i + 1, `${i}`],
    (i) => ({ n: i, s: `nested ${i}` }),
  ];
  return Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`property${i}`, kinds[i % 6](i)]));
}

export function checkJsonObject(value, sent, index) {
  const ok =
    value !== null &&
    typeof value === 'object' &&
    Object.keys(value).length === 1000 &&
    value.property996 === sent.property996 &&
    value.property995?.s === sent.property995.s;
  if (!ok) throw new Error(`S4 json echo call ${index} did not answer the object it was sent`);
}
