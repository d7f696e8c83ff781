// The raw byte channel under a transport: ordered bytes in both directions, over any pair of streams or fds.
import type { OnReadOpts, Socket, SocketConstructorOpts } from 'node:net';
import { fs, net } from './builtins.js';

/** A channel hands over what it reads either as chunks of its own or in memory the reader supplies. */
export type ByteChannel = ChannelBase &
  (
    | { onData(handler: (chunk: Buffer) => void): void; readInto?: undefined }
    | {
        readInto(target: () => Buffer, committed: (into: Buffer, bytes: number) => void): void;
        onData?: undefined;
      }
  );

interface ChannelBase {
  /**
   * Writes the chunks in order; they may be coalesced. Chunks whose memory is in `borrowed` are the caller's, who
   * may change them once write returns: what of them is not handed to the kernel before then is copied.
   */
  write(chunks: readonly Uint8Array[], bytes: number, borrowed?: ReadonlySet<ArrayBufferLike>): void;
  /**
   * Offered by channels that can also read without waiting: after each chunk, what has arrived since goes straight
   * into `target()` for as long as it gives memory (the rest of a large frame, or room for a frame due at once),
   * skipping a chunk and a copy, or a turn of the event loop, each.
   */
  drainInto?(target: () => Buffer | undefined, committed: (into: Buffer, bytes: number) => void): void;
  /**
   * Hands over at once what has arrived and is not read yet. A deadline asks first: when the event loop was busy past
   * it, the answer may wait in the kernel, as timers run before the loop reads.
   */
  readPending?(): void;
  /** Called when the peer closes the channel or either direction fails (possibly more than once). */
  onClose(handler: (error?: Error) => void): void;
  /** Whether waiting for input keeps the event loop alive (writes in flight always do). */
  setRef(ref: boolean): void;
  /** Bytes written that the peer has not taken yet, for channels that hold them (a blocking one never does). */
  unwritten?(): number;
}

const coalesceBelow = 64 * 1024;

/**
 * The chunks as few pieces to write: a few go as they are (one writev, no copy of a large body), many small ones
 * (a busy tick's frames) are joined, which costs less than a long iovec.
 */
function pieces(chunks: readonly Uint8Array[], bytes: number): readonly Uint8Array[] {
  return chunks.length <= 4 ? chunks : [Buffer.concat(chunks, bytes)];
}

// Longer iovecs (a busy tick's many frames beside a large one) are left to the stream, which splits them.
const maxWriteNowChunks = 64;

const slabBytes = 256 * 1024;
/** Slabs kept while copies are being made (64 MiB), and once none was taken for `idleAfterMs` (4 MiB). */
const busySlabs = 256;
const idleSlabs = 16;
const idleAfterMs = 1000;

/**
 * Memory for copies of borrowed bytes the kernel did not take at once, reused once a stream has written them: fresh
 * memory costs a page fault per 4 KiB, several times the copy itself, and glibc hands freed blocks of this size back
 * to the system at once (unless the process happened to free a larger block before), so slabs dropped after each
 * large send made every next one fault all its copy in again (28 ms instead of 3 for 10 MiB on our VMs). Shared by
 * the process's workers: it keeps what recent sends needed, up to 64 MiB, and 4 MiB once a second passed without one.
 */
class SlabPool {
  readonly #free: Buffer[] = [];
  #lastTaken = 0;
  #trimTimer: ReturnType<typeof setTimeout> | undefined;

  /** Writes a copy of `bytes` to `output`. */
  write(bytes: Uint8Array, output: Socket): void {
    this.#lastTaken = performance.now();
    for (let at = 0; at < bytes.length; at += slabBytes) {
      const slab = this.#free.pop() ?? Buffer.allocUnsafeSlow(slabBytes);
      const piece = bytes.subarray(at, at + slabBytes);
      slab.set(piece);
      output.write(slab.subarray(0, piece.length), () => this.#give(slab));
    }
  }

  #give(slab: Buffer): void {
    if (this.#free.length < busySlabs) this.#free.push(slab);
    if (this.#free.length > idleSlabs) this.#trimWhenIdle();
  }

  #trimWhenIdle(): void {
    if (this.#trimTimer !== undefined) return;
    const wait = Math.max(0, this.#lastTaken + idleAfterMs - performance.now());
    this.#trimTimer = setTimeout(() => {
      this.#trimTimer = undefined;
      if (performance.now() - this.#lastTaken < idleAfterMs) this.#trimWhenIdle();
      else this.#free.length = Math.min(this.#free.length, idleSlabs);
    }, wait).unref();
  }
}

const slabs = new SlabPool();

/** Writes what the fd takes now; returns the bytes written. */
function writeSome(fd: number, chunks: readonly Uint8Array[]): number {
  return chunks.length === 1
    ? fs.writeSync(fd, chunks[0]!)
    : fs.writevSync(fd, chunks as NodeJS.ArrayBufferView[]);
}

/** The chunks without their first `written` bytes. */
function after(chunks: readonly Uint8Array[], written: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (written >= chunk.length) {
      written -= chunk.length;
      continue;
    }
    rest.push(written === 0 ? chunk : chunk.subarray(written));
    written = 0;
  }
  return rest;
}

function writeAllSync(fd: number, chunks: readonly Uint8Array[]): void {
  let rest = chunks;
  while (rest.length > 0) {
    try {
      rest = after(rest, writeSome(fd, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

function watchClose(socket: Socket, handler: (error?: Error) => void): void {
  let done = false;
  const once = (error?: Error) => {
    if (done) return;
    done = true;
    handler(error);
  };
  socket.on('error', once);
  socket.on('end', () => once());
  socket.on('close', () => once());
}

/** The fd under a socket, where Node exposes it. */
function fdOf(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Writes what the kernel takes now straight to the fd, and leaves the rest to the stream: the stream's per-write
 * bookkeeping costs as much as the syscall for small frames, and what goes now of a large one needs no copy. Only
 * while the stream holds nothing, so order holds, and is open: once it is destroyed, its fd is closed, and the
 * number may already name another file or socket.
 */
function tryWriteNow(fd: number, output: Socket, chunks: readonly Uint8Array[]): number {
  if (output.destroyed || output.writableLength > 0) return 0;
  try {
    return writeSome(fd, chunks);
  } catch {
    // EAGAIN (full) or a dead peer: the stream writes it or reports the error.
    return 0;
  }
}

/** Reads into `into` what the fd holds now; 0 when nothing (or on an error, which the stream reports). */
function readNow(fd: number, into: Buffer): number {
  try {
    return fs.readSync(fd, into, 0, into.length, null);
  } catch {
    return 0;
  }
}

interface Drain {
  target(): Buffer | undefined;
  committed(into: Buffer, bytes: number): void;
}

/** Reads per drain: a peer that never stops sending must not keep the event loop here (the stream reads on). */
const maxDrainReads = 64;

/**
 * Reads what has arrived on `fd` into the drain's targets until it wants no more or the fd is empty for now. Only
 * between chunks the stream has handed over in full, so these bytes come after all it delivered.
 */
export function drainFd(fd: number, drain: Drain, closed: () => boolean): void {
  let reads = 0;
  for (let into = drain.target(); into !== undefined && reads < maxDrainReads; into = drain.target()) {
    // What the bytes are handed to may close the link, and a closed fd number may be reused at once.
    if (closed()) return;
    const bytes = readNow(fd, into);
    reads++;
    if (bytes > 0) drain.committed(into, bytes);
    if (bytes < into.length) return;
  }
}

export function socketChannel(input: Socket, output: Socket): ByteChannel {
  output.unref();
  const fd = fdOf(output);
  const inputFd = fdOf(input);
  let drain: Drain | undefined;
  /**
   * After each chunk, what the transport wants next is read straight from the fd: the rest of a large frame, into
   * the frame's memory (the stream would hand it over 64 KiB at a time, each chunk a callback and a copy), or the
   * verdict on a message just decoded. Only while the stream holds nothing it has not emitted.
   */
  const drainNow = () => {
    if (drain === undefined || inputFd === undefined || input.readableLength > 0) return;
    drainFd(inputFd, drain, () => input.destroyed);
  };
  let dataHandler: ((chunk: Buffer) => void) | undefined;
  output.on('error', () => {
    // A write to a child that just died fails with EPIPE; the read side and the exit event report the death.
  });
  return {
    write(chunks, bytes, borrowed) {
      let rest = bytes < coalesceBelow ? pieces(chunks, bytes) : chunks;
      // What the kernel takes now needs no copy, even of borrowed memory.
      if (fd !== undefined && rest.length <= maxWriteNowChunks) {
        const written = tryWriteNow(fd, output, rest);
        if (written === bytes) return;
        rest = after(rest, written);
      }
      output.cork();
      for (const chunk of rest) {
        if (borrowed?.has(chunk.buffer)) slabs.write(chunk, output);
        else output.write(chunk);
      }
      output.uncork();
    },
    onData: (handler) => {
      dataHandler = handler;
      input.on('data', (chunk: Buffer) => {
        handler(chunk);
        drainNow();
      });
    },
    readPending() {
      // Only while the stream holds nothing it has not emitted: these bytes come after all it delivered.
      if (dataHandler === undefined || inputFd === undefined || input.readableLength > 0) return;
      for (let reads = 0; reads < maxDrainReads && !input.destroyed; reads++) {
        const into = Buffer.allocUnsafeSlow(64 * 1024);
        const bytes = readNow(inputFd, into);
        if (bytes === 0) return;
        dataHandler(into.subarray(0, bytes));
        drainNow();
        if (bytes < into.length) return;
      }
    },
    ...(inputFd !== undefined && {
      drainInto(target, committed) {
        drain = { target, committed };
      },
    }),
    onClose: (handler) => {
      watchClose(input, handler);
      // The peer closed its input (a write fails, or the socket closes) while it lives on: what we write goes
      // nowhere, so the link is over too.
      watchClose(output, handler);
    },
    setRef: (ref) => (ref ? input.ref() : input.unref()),
    unwritten: () => output.writableLength,
  };
}

/**
 * The child's side: an fd read through a socket that reads straight into memory the reader supplies, and a blocking
 * fd written synchronously. Reading into supplied memory lets a large segment land where it will stay, without a
 * copy or the stream machinery. Synchronous writes mean an answer is in the kernel before the method's caller can
 * exit the process, so a child that exits right after answering loses nothing; a full pipe blocks the child, which
 * is the backpressure it should feel.
 */
export function fdChannel(inputFd: number, outputFd: number): ByteChannel {
  let target: () => Buffer = () => Buffer.allocUnsafe(64 * 1024);
  let commit: (into: Buffer, bytes: number) => void = () => {};
  let drain: Drain | undefined;
  // Node's Socket constructor takes `onread` as net.connect does; @types/node declares it only for connect.
  const onread: OnReadOpts = {
    buffer: () => target(),
    callback: (bytes, into) => {
      commit(into as Buffer, bytes);
      // onread hands over every chunk at once, so nothing read earlier is still waiting in the stream.
      if (drain !== undefined) drainFd(inputFd, drain, () => input.destroyed);
      return true;
    },
  };
  const input = new net.Socket({
    fd: inputFd,
    readable: true,
    writable: false,
    onread,
  } as SocketConstructorOpts);
  return {
    write(chunks, bytes) {
      writeAllSync(outputFd, bytes < coalesceBelow ? pieces(chunks, bytes) : chunks);
    },
    readInto: (nextTarget, committed) => {
      target = nextTarget;
      commit = committed;
    },
    drainInto: (nextTarget, committed) => {
      drain = { target: nextTarget, committed };
    },
    onClose: (handler) => watchClose(input, handler),
    setRef: (ref) => (ref ? input.ref() : input.unref()),
  };
}
