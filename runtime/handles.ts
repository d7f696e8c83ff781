// Parent side of handle passing: net.Socket, net.Server and dgram.Socket arguments reach the child as live OS handles.
/*
 * Handles travel over Node's IPC channel, which the worker has only with `supportHandles: true`. The call's frame
 * (fd 3) carries null at each handle's place and the indices in its `h` field; each handle then goes in an IPC
 * message of its own, `{ procxy: 'handle', id, i }` (never a top-level `cmd`, which Node keeps for itself). The child
 * holds that call, and every call after it, until its handles arrived (child/handles.ts): calls keep their order
 * whichever pipe is faster. `$sendHandle(h)` is a call of the instance's `[onHandle]` hook, named by the method
 * index `handleHookIndex`. A handle is checked before anything is sent, so a dead or already-sent one rejects with a
 * SerializationError naming `args[i]` instead of arriving as `undefined`. Every IPC send has a callback, since a send
 * on a closed channel without one throws in the sender.
 */
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { finished } from 'node:stream';
import { types } from './builtins.js';
import { SerializationError } from './errors.js';
import type { PassableHandle } from './types.js';

/** The method index of `$sendHandle`: the call runs the instance's `[onHandle]` hook, not a table entry. */
export const handleHookIndex = -1;

/** One handle of call `id`, at argument `i`; the handle itself rides beside it. */
export interface HandleEnvelope {
  readonly procxy: 'handle';
  readonly id: number;
  readonly i: number;
}

/** The handle of call `id` at argument `i` could not be sent: the child fails that call with `reason`. */
export interface LostEnvelope {
  readonly procxy: 'lost';
  readonly id: number;
  readonly i: number;
  readonly reason: string;
}

export type Envelope = HandleEnvelope | LostEnvelope;

export function isEnvelope(value: unknown): value is Envelope {
  const e = value as Record<string, unknown> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    (e.procxy === 'handle' || (e.procxy === 'lost' && typeof e.reason === 'string')) &&
    Number.isSafeInteger(e.id) &&
    Number.isSafeInteger(e.i) &&
    (e.i as number) >= 0
  );
}

export function isPassableHandle(value: unknown): value is PassableHandle {
  // Not through a Proxy's traps (`instanceof` runs them, and a revoked one throws): the check refuses a Proxy.
  if (types.isProxy(value)) return false;
  return value instanceof net.Socket || value instanceof net.Server || value instanceof dgram.Socket;
}

/** A call's arguments with null in place of each handle, and the handles by argument index. */
export interface LiftedHandles {
  readonly args: readonly unknown[];
  readonly handles: ReadonlyMap<number, PassableHandle> | undefined;
}

/** Sockets already handed to a child: Node closed this process's copy, so sending one again sends nothing. */
const sentSockets = new WeakSet<net.Socket>();

/** The libuv handle under a net object; Node's own handle passing reads the same field. */
interface InternalHandle {
  reading?: boolean;
  readStop?(): number;
}

function internalHandle(value: net.Socket | net.Server): InternalHandle | null {
  return (value as unknown as { _handle: InternalHandle | null })._handle;
}

function kind(handle: PassableHandle): string {
  return handle instanceof net.Socket
    ? 'net.Socket'
    : handle instanceof net.Server
      ? 'net.Server'
      : 'dgram.Socket';
}

/** Why `handle` cannot be handed over right now, or undefined when it can. */
function problem(handle: PassableHandle): string | undefined {
  if (handle instanceof net.Socket) {
    if (sentSockets.has(handle)) {
      return 'this net.Socket was already handed to a child process, which closed the copy in this process; a socket can be handed over once';
    }
    if (handle.destroyed) return 'the net.Socket is destroyed; only an open socket can be handed over';
    if ('encrypted' in handle) {
      return 'a tls.TLSSocket cannot be handed over: its TLS state lives in this process';
    }
    if (handle.connecting)
      return "the net.Socket is still connecting; hand it over after its 'connect' event";
    if (internalHandle(handle) === null) return 'the net.Socket is not connected';
    if (handle.readableLength > 0) {
      return `the net.Socket holds ${handle.readableLength} bytes already read in this process, which the child would never see; create the server with pauseOnConnect: true, or hand the socket over before reading from it`;
    }
    return undefined;
  }
  if (handle instanceof net.Server) {
    return handle.listening
      ? undefined
      : "the net.Server is not listening (closed, or not started); hand it over after its 'listening' event";
  }
  try {
    handle.address();
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ERR_SOCKET_DGRAM_NOT_RUNNING'
      ? 'the dgram.Socket is closed'
      : "the dgram.Socket is not bound; hand it over after its 'listening' event";
  }
}

/**
 * Takes the handles out of a call's top-level arguments, checking each; throws SerializationError naming `args[i]`.
 * `sender` is the worker's (absent without `supportHandles`); `hook` says this is `$sendHandle`.
 */
export function liftHandles(
  args: readonly unknown[],
  sender: HandleSender | undefined,
  hook: boolean,
): LiftedHandles {
  if (hook && (args.length !== 1 || !isPassableHandle(args[0]))) {
    throw new SerializationError(
      'args[0]: $sendHandle takes one net.Socket, net.Server or dgram.Socket',
      'args[0]',
    );
  }
  let handles: Map<number, PassableHandle> | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!isPassableHandle(arg)) continue;
    const path = `args[${i}]`;
    if (sender === undefined) {
      throw new SerializationError(
        `${path}: a ${kind(arg)} is an OS handle, which travels only over Node's IPC channel; start the worker with the option supportHandles: true`,
        path,
      );
    }
    const why = sender.open ? problem(arg) : "the worker's IPC channel is closed";
    if (why !== undefined) throw new SerializationError(`${path}: ${why}`, path);
    const twin = arg instanceof net.Socket && handles !== undefined ? indexOf(handles, arg) : undefined;
    if (twin !== undefined) {
      throw new SerializationError(
        `${path}: this net.Socket is also args[${twin}]; a socket can be handed over once`,
        path,
      );
    }
    handles ??= new Map();
    handles.set(i, arg);
  }
  if (handles === undefined) return { args, handles };
  const sent = args.slice();
  for (const i of handles.keys()) sent[i] = null;
  return { args: sent, handles };
}

function indexOf(handles: ReadonlyMap<number, PassableHandle>, handle: PassableHandle): number | undefined {
  for (const [i, h] of handles) if (h === handle) return i;
  return undefined;
}

/** The field of a call message that names the handle arguments. */
export function handleFields(lifted: LiftedHandles): { h?: number[] } {
  return lifted.handles !== undefined ? { h: [...lifted.handles.keys()] } : {};
}

/** Sends the handles of one worker's calls over its IPC channel. */
export class HandleSender {
  readonly #child: ChildProcess;
  /** Sockets handed to Node and not yet written: Node drops its queue when the child dies, so they are ours to close. */
  readonly #unsent = new Set<net.Socket>();
  /** Sockets of each call waiting for what this process still writes to them before they go, by argument index. */
  readonly #waiting = new Map<number, Map<number, net.Socket>>();
  #recheck = false;

  constructor(child: ChildProcess) {
    this.#child = child;
    // The pending calls hold the parent's event loop (link.ts); the channel must not hold it when nothing is.
    child.channel?.unref();
    // Node keeps what it had not yet written (it waits for an acknowledgement that a dead or disconnected child never
    // sends): once the child is gone, those sockets are ours to close.
    child.once('exit', () => this.#closeUnsent());
  }

  /**
   * A call settled. A worker may close its channel and live on, and Node then emits no 'disconnect' while a handle
   * waits for its acknowledgement: once the channel is closed, what Node has not written never goes, and the calls
   * that waited for it have failed in the child. Their failures come on the other pipe, maybe in the same turn of
   * the event loop as the channel's end, but before it is read: looked at again once that turn's reads are done.
   */
  settled(): void {
    if (this.#unsent.size === 0) return;
    if (!this.#child.connected) return this.#closeUnsent();
    if (this.#recheck) return;
    this.#recheck = true;
    setImmediate(() => {
      this.#recheck = false;
      if (!this.#child.connected) this.#closeUnsent();
    }).unref();
  }

  #closeUnsent(): void {
    for (const socket of this.#unsent) socket.destroy();
    this.#unsent.clear();
  }

  get open(): boolean {
    return this.#child.connected;
  }

  /** Sends each handle of call `id` in its own message, in argument order. */
  send(id: number, handles: ReadonlyMap<number, PassableHandle>): void {
    for (const [i, handle] of handles) {
      const socket = handle instanceof net.Socket ? handle : undefined;
      if (socket !== undefined) {
        sentSockets.add(socket);
        // From here on the bytes belong to the child: whatever this process read would never reach it. Node's stream
        // would start reading again by itself (its read-ahead calls _read), so that stops too.
        const internal = internalHandle(socket)!;
        if (internal.reading === true) {
          internal.reading = false;
          internal.readStop?.();
        }
        (socket as unknown as { _read(): void })._read = () => {};
        this.#unsent.add(socket);
      }
      const written = (error: Error | null) => {
        // Once written, the descriptor in flight is the child's: close this process's copy, also when the child dies
        // before reading it (Node would keep it until an acknowledgement that never comes).
        if (socket !== undefined) this.#drop(socket);
        if (error !== null) this.#lost({ procxy: 'lost', id, i, reason: error.message });
      };
      const envelope: HandleEnvelope = { procxy: 'handle', id, i };
      // With keepOpen, Node sends a handle once: one the child could not take in is not sent again (see
      // child/handles.ts).
      const deliver = () => this.#child.send(envelope, handle, { keepOpen: true }, written);
      // What this process still has to write would die with its copy of the socket: send once it is written (the
      // child holds the call back until then; the envelope says which argument the handle is, so order holds). A
      // socket ended here takes no more writes: its 'finish' says the bytes are out. Either way a failure is the
      // handoff's (the handle goes closed and the call fails), never an 'error' event nobody listens to.
      // A corked socket would hold those writes, and the handoff with them, until its owner uncorks it: never, as the
      // socket is no longer theirs.
      while (socket !== undefined && socket.writableCorked > 0) socket.uncork();
      if (socket !== undefined && socket.writableLength > 0 && !socket.destroyed) {
        socket.on('error', () => {});
        const waiting = this.#waiting.get(id) ?? new Map<number, net.Socket>();
        this.#waiting.set(id, waiting);
        waiting.set(i, socket);
        const deliverLater = (error?: Error | null) => {
          // Cancelled: the call was given up on while the writes went out.
          if (!waiting.delete(i)) return;
          if (waiting.size === 0) this.#waiting.delete(id);
          if (error == null) {
            deliver();
            return;
          }
          // The peer reset it, say: the bytes owed to it are lost, and a socket that failed is not handed over as a
          // live one (the child would read a clean end).
          this.#drop(socket);
          this.#lost({
            procxy: 'lost',
            id,
            i,
            reason: `writing what it still held failed: ${error.message}`,
          });
        };
        if (socket.writableEnded) finished(socket, { readable: false }, deliverLater);
        else socket.write(Buffer.alloc(0), deliverLater);
      } else {
        deliver();
      }
    }
  }

  /**
   * Call `id` was aborted: its sockets still waiting for their writes are not sent. The child hears they are lost, so
   * it holds back no later call for them, and they close here, as the child would have closed them on arrival.
   */
  cancel(id: number): void {
    const waiting = this.#waiting.get(id);
    if (waiting === undefined) return;
    this.#waiting.delete(id);
    for (const [i, socket] of waiting) {
      this.#drop(socket);
      this.#lost({ procxy: 'lost', id, i, reason: 'its call was given up on before it was sent' });
    }
  }

  /**
   * The worker is ending: no socket still waiting for its writes is sent, and they close here. The child is not told
   * (it drops its held-back calls on dispose, or is killed): a `lost` would let it run the calls held behind them.
   */
  cancelAll(): void {
    for (const waiting of this.#waiting.values()) for (const socket of waiting.values()) this.#drop(socket);
    this.#waiting.clear();
  }

  /** Closes this process's copy of a socket, once sent or when it will not be. */
  #drop(socket: net.Socket): void {
    this.#unsent.delete(socket);
    socket.destroy();
  }

  /** Tells the child to fail the call rather than wait for a handle that will never come. */
  #lost(envelope: LostEnvelope): void {
    if (this.#child.connected) this.#child.send(envelope, () => {});
  }
}
