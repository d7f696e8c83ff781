// The parent's end of Node's IPC channel (open with supportHandles): handles are written to it, nothing is read.
/*
 * Node reads the IPC channel trusting the other end: libuv takes in every descriptor that comes with the bytes, and
 * Node's C++ aborts the process on one of a file and keeps one of a directory open ahead of all later ones; its
 * reader throws on a line that is not JSON, and keeps a line without end whole. Nothing a child writes there may
 * reach this process, so it stops Node's reading, and throws away what the child wrote with plain reads, which take
 * bytes alone (the kernel closes the descriptors that came with them). What Node would learn from reading, procxy
 * tells it from the link: the child says when its Node took a handle message (Node sends the next handle only once
 * the one before was acknowledged) and when the worker closed its end; when the child exits, the channel is closed
 * here, as Node does when it reads the end. This takes Node's own channel handle (symbol kChannelHandle), its handle
 * queue and its close count; a Node without them reads the channel as ever.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from './builtins.js';
import { drainFd } from './channel.js';

/** What of a ChildProcess this takes from Node's internals (lib/internal/child_process.js). */
interface NodeChild {
  _handleQueue?: unknown[] | null;
  _closesGot?: number;
  _closesNeeded?: number;
  _disconnect?: () => void;
  channel?: unknown;
}

/** The IPC channel of `child`, no longer read; undefined when this Node does not let it be stopped. */
export function writeOnlyChannel(child: ChildProcess): IpcEnd | undefined {
  const symbol = Object.getOwnPropertySymbols(child).find((s) => s.description === 'kChannelHandle');
  const handle = symbol === undefined ? undefined : (child as unknown as Record<symbol, unknown>)[symbol];
  const readStop = (handle as { readStop?: unknown } | undefined)?.readStop;
  if (typeof readStop !== 'function') return undefined;
  const fd = (handle as { fd?: unknown }).fd;
  readStop.call(handle);
  return new IpcEnd(child, typeof fd === 'number' && fd >= 0 ? fd : undefined);
}

export class IpcEnd {
  readonly #child: ChildProcess & NodeChild;
  readonly #fd: number | undefined;
  #scratch: Buffer | undefined;
  #closeCounted = false;

  constructor(child: ChildProcess, fd: number | undefined) {
    this.#child = child as ChildProcess & NodeChild;
    this.#fd = fd;
  }

  /** The child's Node took in a handle message; a refusal when none was in flight (no honest child says so). */
  taken(): string | undefined {
    // Closed here already (the child exited, or closed its end): what it took is of no matter, and the channel's
    // descriptor number may name another file by now.
    if (this.#child.channel == null) return undefined;
    if (!Array.isArray(this.#child._handleQueue)) return 'it said it took a handle, and none was sent';
    this.#drain();
    this.#acknowledge();
    return undefined;
  }

  /**
   * Throws away what the child wrote on the channel (its Node's acknowledgement, just sent): left there, a few
   * hundred of them would fill the channel, and the child's Node would keep each one after. A plain read takes bytes
   * alone: a descriptor the child sent with them is closed by the kernel, never installed here.
   */
  #drain(): void {
    if (this.#fd === undefined) return;
    this.#scratch ??= Buffer.allocUnsafeSlow(64 * 1024);
    const scratch = this.#scratch;
    drainFd(this.#fd, { target: () => scratch, committed: () => {} }, () => this.#child.channel == null);
  }

  /**
   * The worker closed its end: Node is told, so the channel is closed here too. Handles in flight are acknowledged
   * first, as Node would otherwise wait for that before it closes: those queued behind them fail to be written.
   */
  closedByWorker(): void {
    const child = this.#child;
    // Each acknowledgement has Node write the next handle queued: its EPIPE comes only in the write's callback, so
    // Node waits again, once per handle, until the queue is empty.
    while (Array.isArray(child._handleQueue)) this.#acknowledge();
    if (child.connected) child.disconnect();
  }

  /** The child exited: the channel is closed here, and counted towards the ChildProcess's 'close' as Node does. */
  childExited(): void {
    const child = this.#child;
    if (this.#closeCounted) return;
    this.#closeCounted = true;
    if (child.channel != null) this.closedByWorker();
    // Whatever else kept Node from closing its end, it is closed now: the child is gone.
    if (child.channel != null && typeof child._disconnect === 'function') {
      child._handleQueue = null;
      child._disconnect();
    }
    // Node counts the channel's close when it reads its end, which it no longer does.
    if (typeof child._closesGot !== 'number' || typeof child._closesNeeded !== 'number') return;
    child._closesGot++;
    if (child._closesGot === child._closesNeeded) child.emit('close', child.exitCode, child.signalCode);
  }

  /** What Node's own reader does on NODE_HANDLE_ACK: its listener sends what waited behind the handle. */
  #acknowledge(): void {
    EventEmitter.prototype.emit.call(this.#child, 'internalMessage', { cmd: 'NODE_HANDLE_ACK' });
  }
}
