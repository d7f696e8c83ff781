// The parent's end of one worker: spawns it, sends calls, settles them, and owns its death in every form.
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { fs } from './builtins.js';
import {
  answerCallback,
  placeholderFields,
  type Send,
  splitArgs,
  trackTable,
  voidCallback,
} from './callbacks.js';
import { abortError, abortedSignal, callSignals, isAbortSignal, sendAbort, watchSignals } from './cancel.js';
import { type ByteChannel, socketChannel } from './channel.js';
import { Deadlines } from './deadlines.js';
import { decodeThrown } from './error-descriptor.js';
import {
  AbortError,
  aboutCall,
  ChildCrashedError,
  type ChildExit,
  MessageTooLargeError,
  ModuleResolutionError,
  ProtocolError,
  QueueFullError,
  SerializationError,
  SpawnError,
  TerminatedError,
  TimeoutError,
} from './errors.js';
import {
  HandleSender,
  handleFields,
  handleHookIndex,
  isPassableHandle,
  type LiftedHandles,
  liftHandles,
} from './handles.js';
import { HeldMessages } from './held-messages.js';
import { type IpcEnd, writeOnlyChannel } from './ipc-end.js';
import type { ResolvedOptions } from './options.js';
import { parseChildMessage } from './parse.js';
import { type Findings, inspectArgs, inspectArgsOrDefer, lastFindings } from './procxiable.js';
import {
  type CallbackMessage,
  type ChildMessage,
  type InitFailureKind,
  type InitMessage,
  type ParentMessage,
  unreachable,
} from './protocol.js';
import { deathSignalLauncher, StderrTail, spawnChild, spawnFailure } from './spawn.js';
import { argsFromChild, encodeThrown, messageOf } from './thrown.js';
import { releaseMarks } from './transfer.js';
import { Transport, type TransportError, tooLargeError } from './transport.js';
import { UnreadAnswers } from './unread-answers.js';

/** What to start: the child entry, and how it finds the class. */
export interface LinkTarget {
  readonly entry: string;
  readonly className: string;
  /** `file:` URL of the worker module, for the no-build child. */
  readonly module?: string;
  /** The dispatch table a generated stub was built with; the child must announce the same. */
  readonly methods?: readonly string[];
  /** From a generated stub: by method, the arguments that are callbacks declared to return nothing (StubSpec). */
  readonly voidCallbacks?: Readonly<Record<string, readonly number[]>>;
}

interface PendingCall {
  readonly method: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Stops listening to the call's signals. */
  unwatch: (() => void) | undefined;
  /** The callback arguments, by index (callbacks.ts), and the release of their table. */
  readonly callbacks: ReadonlyMap<number, (...args: unknown[]) => unknown> | undefined;
  readonly release: (() => void) | undefined;
}

/** Builds the error a call gets once the link is closed, naming that call's method. */
type ClosedReason = (method: string) => Error;

/** Whether a call's arguments hold nothing that travels apart from the value: no callback, signal or handle. */
function plainArguments(args: readonly unknown[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === 'function') return false;
    if (typeof arg === 'object' && arg !== null && (isAbortSignal(arg) || isPassableHandle(arg)))
      return false;
  }
  return true;
}

/** Bytes of callback answers a child may go past unread (or maxMessageBytes, if less): see unread-answers.ts. */
const maxUnreadAnswerBytes = 64 * 1024 * 1024;

/**
 * Why a spawn failed with ENOENT when the options' cwd was there when checked but is gone now: Node names the program
 * it ran (node, or setpriv), which blames the wrong thing.
 */
function goneCwd(cwd: string | undefined, error: NodeJS.ErrnoException): string {
  return cwd !== undefined && error.code === 'ENOENT' && !fs.existsSync(cwd)
    ? ` (its cwd ${cwd} no longer exists)`
    : '';
}

/** Aborted calls whose one late answer is told from a second one (see #abandoned). */
const abandonedKept = 1024;

/** How long to wait for a dead child's link to drain before settling its calls. */
const drainMs = 1_000;
/**
 * How long its stderr gets after that, for the tail a crash reports: a process the worker started may have inherited
 * it and hold it open long after, while what the child wrote is there at once.
 */
const stderrGraceMs = 50;

/** Between SIGTERM and SIGKILL. */
const killGraceMs = 1_000;

/**
 * Resolves when `promise` does or after `ms`, whichever comes first, leaving no timer behind; `hold` says whether the
 * wait keeps the event loop alive.
 */
function within(promise: Promise<unknown>, ms: number, hold = true): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    if (!hold) timer.unref();
  });
  return Promise.race([promise.then(() => {}), late]).then(() => clearTimeout(timer));
}

/** A call refused before anything was sent: the buffers it marked for transfer stay their caller's, unmarked. */
function refused(error: unknown, args: readonly unknown[]): Promise<never> {
  releaseMarks(args);
  return Promise.reject(error);
}

export class ParentLink {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the worker is constructed and its dispatch table known. */
  readonly ready: Promise<void>;
  /** Resolves when the child process has exited. */
  readonly exited: Promise<void>;
  methods: readonly string[] = [];
  /** The worker is an EventEmitter (said by its `ready`); its events go to `onEvent` once subscribed. */
  emitter = false;
  onEvent: ((event: string, args: readonly unknown[]) => void) | undefined;

  readonly #target: LinkTarget;
  readonly #options: ResolvedOptions;
  readonly #channel: ByteChannel;
  readonly #transport: Transport<ParentMessage, ChildMessage>;
  readonly #stderr: StderrTail;
  /** Sends handle arguments over Node's IPC channel; only with `supportHandles`. */
  readonly #handles: HandleSender | undefined;
  readonly #pending = new Map<number, PendingCall>();
  /**
   * Aborted calls whose answer the child still owes: that one answer is dropped, a second is a broken protocol. Each
   * id leaves with its answer, but a method that never settles never answers: past `abandonedKept` of them the oldest
   * is forgotten, and every id below it counts as owed (a second answer to it goes unnoticed).
   */
  readonly #abandoned = new Set<number>();
  #owedBelow = 0;
  readonly #deadlines = new Deadlines(
    (id) => this.#pending.has(id) || this.#unreadAbort(id) !== undefined,
    (id, timeout) => this.#timedOut(id, timeout),
  );
  #nextId = 1;
  #starting = true;
  #closed: ClosedReason | undefined;
  #settleReady: { resolve(): void; reject(error: unknown): void };
  #initError: unknown;
  #fatal: { value: unknown } | undefined;
  #terminating: Promise<void> | undefined;
  /** terminate() came after the child had exited on its own, before its death was settled. */
  #terminatedAfterExit = false;
  /** Why calls fail once the child died on its own (#died): kept when a later terminate() changes #closed. */
  #crash: ClosedReason | undefined;
  /** Settles once #died has: calls made after the exit wait for it, so that they fail as the others did. */
  readonly #gone: Promise<void>;
  #settleGone!: () => void;
  #exit: ChildExit | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  #linkCheck: NodeJS.Timeout | undefined;
  /** Messages of aborted calls this process still holds to write: they count toward maxPending (see #full). */
  readonly #abortedOut = new HeldMessages();
  /**
   * Aborted calls whose message is not all written yet, by id: the end of their message and their method. Such a
   * call keeps its deadline, as a worker that does not read it in time is stuck, and the write holds this process.
   */
  readonly #unread = new Map<number, { end: number; method: string }>();
  /** The IPC channel of a worker with supportHandles, which this process writes handles to and never reads. */
  readonly #ipc: IpcEnd | undefined;
  /** Callback answers this process still holds to write that the child went past without reading (see #invoke). */
  readonly #unreadAnswers = new UnreadAnswers();
  #startTimer: NodeJS.Timeout | undefined;
  #unwatchSignal: (() => void) | undefined;

  constructor(target: LinkTarget, options: ResolvedOptions, args: readonly unknown[]) {
    this.#target = target;
    this.#options = options;
    let initJsonSafe: boolean;
    let initOutOfBand: Findings | undefined;
    try {
      initJsonSafe = inspectArgs(args, options.serialization);
      initOutOfBand = lastFindings();
    } catch (error) {
      const e = error as SerializationError;
      throw new SerializationError(`Cannot construct ${target.className}: ${e.message}`, e.path, {
        method: 'constructor',
      });
    }
    let settle!: { resolve(): void; reject(error: unknown): void };
    this.ready = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    this.#settleReady = settle;
    this.#gone = new Promise<void>((resolve) => {
      this.#settleGone = resolve;
    });
    this.ready.catch(() => {});
    let child: ChildProcess;
    try {
      child = spawnChild(target.entry, options);
    } catch (error) {
      // Node throws at once for some failures (E2BIG): nothing was started, and nothing was set up yet.
      throw spawnFailure(error, target.className, options);
    }
    // Typed as always there, but undefined when Node made no pipes.
    const pipes = child.stdio as readonly unknown[] | undefined;
    if (pipes?.[2] == null || pipes[3] == null || pipes[4] == null) {
      // Out of file descriptors (EMFILE, ENFILE), Node makes no pipes and reports the failure in an 'error' event on
      // the next tick, which must not go unheard.
      child.once('error', () => {});
      throw new SpawnError(
        `Could not start the worker ${target.className}: no file descriptor was left for its pipes (EMFILE or ENFILE)`,
        '',
      );
    }
    this.child = child;
    this.pid = child.pid ?? -1;
    // Only a pending call (through the link's input) or $terminate() keeps the parent waiting for this child.
    child.unref();
    this.#stderr = new StderrTail(child.stderr as Socket);
    this.#handles = options.supportHandles ? new HandleSender(child) : undefined;
    this.#ipc = options.supportHandles ? writeOnlyChannel(child) : undefined;
    const toChild = child.stdio[3] as Socket;
    const fromChild = child.stdio[4] as Socket;
    this.#channel = socketChannel(fromChild, toChild);
    this.#transport = new Transport(this.#channel, options.maxMessageBytes, {
      parse: parseChildMessage,
      message: (message, failure) =>
        failure === undefined ? this.#receive(message) : this.#unreadable(message, failure),
      failure: (error) => this.#violation(error),
      // The exit that follows settles what is waiting; hold the loop for it (an exited child holds nothing). A child
      // that closed its end and lives on can answer nothing more: it is ended if it has not exited shortly after.
      close: (error) => {
        if (this.#starting || this.#pending.size > 0) child.ref();
        this.#linkBroke(error ?? new Error('the worker closed it and went on running'));
      },
    });
    const channelClosed = new Promise<void>((resolve) => fromChild.once('close', () => resolve()));
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (exitCode, signal) => {
        this.#exit = { exitCode, signal, stderrTail: '' };
        clearTimeout(this.#killTimer);
        clearTimeout(this.#linkCheck);
        clearTimeout(this.#startTimer);
        this.#deadlines.clear();
        this.#unread.clear();
        this.#detachAbort();
        this.#ipc?.childExited();
        this.#stderr.childExited();
        resolve();
        // What it wrote before it exited is read first: answers it sent are not lost.
        void within(channelClosed, drainMs)
          // Only a death still to report holds the event loop for its stderr: after $terminate() nothing does.
          .then(() => within(this.#stderr.closed, stderrGraceMs, this.#closed === undefined))
          .then(() => this.#died());
      });
    });
    child.once('error', (error) => {
      if (this.pid === -1) {
        // No 'exit' follows a process that never started: what that would undo is undone here.
        this.#exit = { exitCode: null, signal: null, stderrTail: '' };
        this.#detachAbort();
        this.#settleReady.reject(
          new SpawnError(
            `Could not start the worker ${target.className}: ${error.message}${goneCwd(options.cwd, error)}`,
            '',
            { cause: error },
          ),
        );
        this.#close(
          () => new TerminatedError(`The worker ${target.className} never started`, { cause: error }),
        );
      }
    });
    this.#watchSignal();
    this.#setRef(true);
    if (this.pid !== -1) {
      const init: InitMessage = {
        t: 'init',
        mode: options.serialization,
        className: target.className,
        ...(target.module !== undefined ? { module: target.module } : {}),
        args,
        maxMessageBytes: options.maxMessageBytes,
        ...(deathSignalLauncher() !== undefined ? { parent: process.pid } : {}),
      };
      try {
        this.#transport.send(init, initJsonSafe, initOutOfBand);
      } catch (error) {
        // Refused before it went: the buffers its arguments marked stay the caller's, unmarked.
        releaseMarks(args);
        const failure = this.#sendError(error, 'constructor');
        this.#settleReady.reject(failure);
        this.#close(() => failure);
        this.#kill('SIGKILL');
        return;
      }
      // A module or constructor that never finishes must not hang procxy().
      if (options.startTimeout !== Infinity) {
        this.#startTimer = setTimeout(
          () => this.#startTimedOut(options.startTimeout),
          options.startTimeout,
        ).unref();
      }
    } else {
      // Node could not start it (its 'error' says why): nothing was sent, the marks stay off the caller's buffers.
      releaseMarks(args);
    }
  }

  #startTimedOut(timeout: number): void {
    if (this.#starting && this.#exit === undefined) this.#channel.readPending?.();
    if (!this.#starting || this.#exit !== undefined || this.#closed !== undefined) return;
    const error = new TimeoutError('constructor', timeout, this.pid);
    this.#settleReady.reject(error);
    void this.terminate(error);
  }

  /** Sends one call; `index` is the method's place in the dispatch table. */
  call(
    index: number,
    method: string,
    args: readonly unknown[],
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    if (this.#closed !== undefined) return refused(this.#closed(method), args);
    // Exited, its death not settled yet (its link drains): nothing goes to it, and the call fails as the others do.
    if (this.#exit !== undefined) {
      // Made before a $terminate() that comes in the window: the crash is its reason, as for the calls in flight.
      const crashFirst = !this.#terminatedAfterExit;
      return this.#gone.then(() =>
        refused((crashFirst ? (this.#crash ?? this.#closed) : this.#closed)!(method), args),
      );
    }
    if (signal === undefined && index !== handleHookIndex && plainArguments(args)) {
      return this.#plainCall(index, method, args, timeout);
    }
    let lifted: LiftedHandles;
    try {
      lifted = liftHandles(args, this.#handles, index === handleHookIndex);
    } catch (error) {
      return refused(this.#sendError(error, method), args);
    }
    const split = splitArgs(lifted.args);
    const signals = callSignals(split.signal, signal);
    const aborted = abortedSignal(signals);
    if (aborted !== undefined) return refused(abortError(method, this.pid, aborted, 'unsent'), args);
    if (this.#full()) {
      return refused(new QueueFullError(this.#options.maxPending, { method, pid: this.pid }), args);
    }
    const id = this.#nextId++;
    try {
      this.#transport.send(
        { t: 'call', id, m: index, a: split.args, ...placeholderFields(split), ...handleFields(lifted) },
        inspectArgs(split.args, this.#options.serialization),
        lastFindings(),
      );
    } catch (error) {
      return refused(this.#sendError(error, method), args);
    }
    if (lifted.handles !== undefined) this.#handles!.send(id, lifted.handles);
    // The child holds something of this call (its signal, callbacks, or the call itself until its handles arrive)
    // only when it got some: only then is an abort its business.
    const remote =
      split.signal !== undefined || split.callbacks !== undefined || lifted.handles !== undefined;
    const end = this.#transport.submitted;
    return this.#watchedCall(id, method, timeout, signals, split.callbacks, remote, end);
  }

  /**
   * The pending call of `id`, settled early by an abort of `signals`. A function of its own, so that the closures
   * here hold none of the call's arguments: an AbortError keeps them alive through its stack's frames.
   */
  #watchedCall(
    id: number,
    method: string,
    timeout: number,
    signals: readonly AbortSignal[],
    callbacks: PendingCall['callbacks'],
    remote: boolean,
    end: number,
  ): Promise<unknown> {
    const onAbort = this.#onAbort(id, method, remote, end, timeout !== Infinity);
    return new Promise((resolve, reject) => {
      const call: PendingCall = {
        method,
        resolve,
        reject,
        unwatch: undefined,
        callbacks,
        release: callbacks !== undefined ? trackTable() : undefined,
      };
      call.unwatch = watchSignals(signals, onAbort);
      this.#track(id, call, timeout);
    });
  }

  /**
   * What an abort of a call's signal does: made apart from #watchedCall's closures, whose scope holds the call's
   * callbacks, for the AbortError it makes keeps this closure alive through its stack's frames.
   */
  #onAbort(
    id: number,
    method: string,
    remote: boolean,
    end: number,
    deadline: boolean,
  ): (fired: AbortSignal) => void {
    return (fired) => {
      if (!this.#pending.has(id)) return;
      // Its message, still held here to be written, keeps counting toward maxPending until it is, and its deadline
      // (whose queue drops the entry once it is written, when it fires or compacts).
      if (end > this.#transport.handed()) {
        this.#abortedOut.add(end, 0);
        if (deadline) this.#unread.set(id, { end, method });
      }
      this.#settle(id, abortError(method, this.pid, fired, 'sent'), false);
      this.#abandon(id);
      this.#handles?.cancel(id);
      if (remote && this.#closed === undefined) {
        sendAbort((m, j, f) => this.#transport.send(m, j, f), id, fired.reason);
      }
    };
  }

  /**
   * Whether maxPending calls are in flight: pending ones, and aborted ones whose messages this process still holds
   * (a caller that aborts each call to a stalled worker would otherwise pile up their arguments without bound).
   */
  #full(): boolean {
    if (this.#abortedOut.count > 0) this.#abortedOut.drop(this.#transport.handed());
    return this.#pending.size + this.#abortedOut.count >= this.#options.maxPending;
  }

  /** The common call: nothing to lift out of the arguments and no signal to watch, so nothing to allocate for them. */
  #plainCall(index: number, method: string, args: readonly unknown[], timeout: number): Promise<unknown> {
    if (this.#full()) {
      return refused(new QueueFullError(this.#options.maxPending, { method, pid: this.pid }), args);
    }
    const id = this.#nextId++;
    const mode = this.#options.serialization;
    try {
      const message: ParentMessage = { t: 'call', id, m: index, a: args };
      const jsonSafe = inspectArgsOrDefer(args, mode);
      if (jsonSafe === undefined) {
        // JSON would turn an undefined argument into null.
        const json = mode === 'json' && !args.includes(undefined);
        this.#transport.sendThenCheck(
          message,
          json,
          (encoded) => {
            inspectArgs(args, mode, encoded && !json);
            return lastFindings();
          },
          mode === 'advanced',
        );
      } else {
        this.#transport.send(message, jsonSafe, lastFindings());
      }
    } catch (error) {
      return refused(this.#sendError(error, method), args);
    }
    return new Promise((resolve, reject) => {
      this.#track(
        id,
        {
          method,
          resolve,
          reject,
          unwatch: undefined,
          callbacks: undefined,
          release: undefined,
        },
        timeout,
      );
    });
  }

  /** Records a sent call as pending: the first one holds the event loop, and its deadline starts. */
  #track(id: number, call: PendingCall, timeout: number): void {
    if (this.#pending.size === 0) this.#setRef(true);
    this.#pending.set(id, call);
    // A getter of its arguments may have ended the worker as they were encoded (aborted its signal, $terminate()):
    // the calls pending then were rejected, and nothing will answer this one.
    if (this.#closed !== undefined) return this.#settle(id, this.#closed(call.method), false);
    if (timeout !== Infinity) this.#deadlines.add(id, timeout, this.#pending.size);
  }

  /** Ends the worker: pending calls reject with TerminatedError at once, the instance is disposed, the child exits. */
  terminate(reason?: Error): Promise<void> {
    if (this.#terminating !== undefined) return this.#terminating;
    const name = this.#target.className;
    const before = this.#closed;
    if (before === undefined && this.#exit !== undefined) {
      // It exited on its own first: its calls fail of that once its link has drained (#died), later ones of this.
      this.#terminatedAfterExit = true;
    } else if (before !== undefined && reason === undefined) {
      // Ended already (it crashed, or broke the protocol), then terminated: later calls say the latter, the former
      // as their cause.
      this.#refuseAsTerminated(before);
    } else if (before === undefined) {
      this.#close((method) =>
        reason instanceof AbortError
          ? new AbortError(`Call to '${method}' was aborted: the worker ${name} was terminated`, {
              method,
              pid: this.pid,
              cause: reason.cause,
            })
          : new TerminatedError(`Call to '${method}' failed: the worker ${name} was terminated`, {
              method,
              pid: this.pid,
              ...(reason ? { cause: reason } : {}),
            }),
      );
    }
    this.#settleReady.reject(
      reason ?? new TerminatedError(`The worker ${name} was terminated while starting`, { pid: this.pid }),
    );
    if (this.#exit !== undefined) {
      // Exited: settled once its calls are (at once, unless its death is still being settled, see #died).
      this.#terminating = this.#terminatedAfterExit ? this.#gone : Promise.resolve();
      return this.#terminating;
    }
    this.child.ref();
    if (this.#starting || reason !== undefined) {
      this.#kill('SIGTERM');
    } else {
      this.#transport.send({ t: 'dispose' }, true);
      this.#transport.flush();
      // Infinity waits for the dispose however long it takes (setTimeout would take it for 1 ms).
      const wait = this.#options.terminateTimeout;
      if (wait !== Infinity) this.#killTimer = setTimeout(() => this.#kill('SIGTERM'), wait);
    }
    this.#terminating = this.exited.then(() => {
      clearTimeout(this.#killTimer);
      this.child.unref();
    });
    return this.#terminating;
  }

  #refuseAsTerminated(before: ClosedReason): void {
    const name = this.#target.className;
    this.#closed = (method) =>
      new TerminatedError(`Call to '${method}' failed: the worker ${name} was terminated`, {
        method,
        pid: this.pid,
        cause: before(method),
      });
  }

  #kill(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (this.#exit !== undefined) return;
    this.child.kill(signal);
    if (signal === 'SIGTERM') this.#killTimer = setTimeout(() => this.#kill('SIGKILL'), killGraceMs);
  }

  #receive(message: ChildMessage): void {
    switch (message.t) {
      case 'ok':
      case 'err': {
        const call = this.#pending.get(message.id);
        if (call === undefined) {
          if (!this.#owed(message.id)) {
            this.#violation(
              new ProtocolError(
                message.id < this.#nextId
                  ? `A second answer to call ${message.id}`
                  : `Answer to unknown call ${message.id}`,
              ),
            );
          }
          this.#abandoned.delete(message.id);
          // Answered, it is owed no more. One still owed keeps its counts: answering would start them anew.
          if (!this.#owed(message.id)) this.#unreadAnswers.forget(message.id);
          return;
        }
        this.#unreadAnswers.forget(message.id);
        if (message.t === 'ok') this.#settle(message.id, message.v, true);
        else this.#settle(message.id, aboutCall(decodeThrown(message.e), call.method, this.pid), false);
        return;
      }
      case 'cb':
        return this.#invoke(message);
      case 'ev':
        if (!this.emitter)
          return this.#violation(new ProtocolError('An event from a worker that is no emitter'));
        this.onEvent?.(message.e, argsFromChild(message));
        return;
      case 'ready':
        if (!this.#starting) return this.#violation(new ProtocolError('A second ready message'));
        return this.#started(message.methods, message.emitter);
      case 'init-error':
        if (!this.#starting) return this.#violation(new ProtocolError('An init-error after start'));
        this.#initError = { kind: message.kind, error: decodeThrown(message.e) };
        return;
      case 'fatal':
        this.#fatal = { value: decodeThrown(message.e) };
        return;
      case 'disposed':
        if (this.#terminating === undefined)
          return this.#violation(new ProtocolError('A disposed message unasked'));
        return;
      case 'handle-taken': {
        if (!this.#options.supportHandles)
          return this.#violation(new ProtocolError('A handle-taken message'));
        // Without a write-only channel (another Node), Node reads the acknowledgements itself.
        const refused = this.#ipc?.taken();
        if (refused !== undefined) return this.#violation(new ProtocolError(refused));
        return;
      }
      case 'ipc-closed':
        if (!this.#options.supportHandles) return this.#violation(new ProtocolError('An ipc-closed message'));
        this.#ipc?.closedByWorker();
        return;
      default:
        return unreachable(message, 'child message');
    }
  }

  /**
   * A message holding a value that no transfer handler here could rebuild: the call it answers, or the callback it
   * invokes, fails with that; anything else (an event) cannot fail alone and ends the worker as a broken message.
   */
  #unreadable(message: ChildMessage, failure: SerializationError): void {
    switch (message.t) {
      case 'ok':
      case 'err': {
        const call = this.#pending.get(message.id);
        if (call === undefined) return this.#receive(message);
        const what = message.t === 'ok' ? 'result' : 'error';
        const error = new SerializationError(
          `The ${what} of '${call.method}' cannot be read: ${failure.message}`,
          failure.path,
          { cause: failure.cause, method: call.method, pid: this.pid },
        );
        return this.#settle(message.id, error, false);
      }
      case 'cb':
        // Checked and counted as any invocation: one of an unknown call ends the child, unread answers are capped.
        return this.#invoke(message, failure);
      default:
        return this.#violation(
          new ProtocolError(`a '${message.t}' message it sent cannot be read: ${failure.message}`),
        );
    }
  }

  /**
   * A direction of the link failed. If the child is dying, its exit (due within the drain time) tells the story
   * better; if it lives on, it can no longer be reached, and it is ended with ProtocolError.
   */
  #linkBroke(error: Error): void {
    if (this.#exit !== undefined || this.#linkCheck !== undefined) return;
    this.#linkCheck = setTimeout(() => {
      if (this.#exit === undefined) {
        this.#violation(new ProtocolError(`its end of the link failed: ${error.message}`));
      }
    }, drainMs).unref();
  }

  #started(methods: readonly string[], emitter: boolean | undefined): void {
    clearTimeout(this.#startTimer);
    const expected = this.#target.methods;
    if (
      expected !== undefined &&
      (expected.length !== methods.length || expected.some((m, i) => m !== methods[i]))
    ) {
      this.#settleReady.reject(
        new SpawnError(
          `The child of ${this.#target.className} serves [${methods.join(', ')}] but the stub expects [${expected.join(', ')}]; regenerate the procxy stubs`,
          this.#stderr.text,
          { pid: this.pid },
        ),
      );
      void this.terminate(new TerminatedError('Stale generated stub'));
      return;
    }
    this.methods = methods;
    this.emitter = emitter === true;
    this.#starting = false;
    this.#settleReady.resolve();
    if (this.#pending.size === 0) this.#setRef(false);
  }

  #settle(id: number, outcome: unknown, ok: boolean): void {
    const call = this.#pending.get(id);
    if (call === undefined) return;
    this.#pending.delete(id);
    call.unwatch?.();
    call.release?.();
    this.#handles?.settled();
    if (this.#pending.size === 0 && !this.#starting && this.#terminating === undefined) this.#setRef(false);
    if (ok) call.resolve(outcome);
    else call.reject(outcome);
  }

  /**
   * Runs a callback the child invoked and sends its answer (or `unreadable`, why its arguments cannot be read); a
   * settled call's callbacks answer that they are gone.
   */
  #invoke(message: CallbackMessage, unreadable?: SerializationError): void {
    const call = this.#pending.get(message.id);
    if (call === undefined && !this.#owed(message.id)) {
      return this.#violation(
        new ProtocolError(
          message.id < this.#nextId
            ? `A callback of call ${message.id}, which it already answered`
            : `A callback of unknown call ${message.id}`,
        ),
      );
    }
    const callback = call?.callbacks?.get(message.f);
    if (call !== undefined && callback === undefined) {
      return this.#violation(new ProtocolError(`Call ${message.id} has no callback at args[${message.f}]`));
    }
    // A child that invokes callbacks without reading their answers would make them pile up here without end.
    const handed = this.#transport.handed();
    this.#unreadAnswers.invoked(message.id, handed);
    if (this.#answersOverCap(handed)) return;
    const send: Send = (m, j, f) => {
      if (this.#exit !== undefined) return;
      // The call settled since, and the child knows it (it answered it, or was told it was aborted): its scope in the
      // child is gone, and what waited for this answer has failed there. Not when the link closed: a worker being
      // disposed still awaits what it invoked, and its dispose may wait for that.
      if (call !== undefined && this.#closed === undefined && !this.#pending.has(message.id)) {
        return releaseMarks(m);
      }
      const bytes = this.#transport.send(m, j, f);
      const handedNow = this.#transport.handed();
      this.#unreadAnswers.answered(message.id, this.#transport.submitted, bytes, handedNow);
      this.#answersOverCap(handedNow);
    };
    if (unreadable !== undefined) send({ t: 'cb-err', n: message.n, e: encodeThrown(unreadable) }, false);
    else {
      const method = call?.method;
      const nothing = method !== undefined && voidCallback(this.#target.voidCallbacks, method, message.f);
      answerCallback(message, callback, method, this.#options.serialization, send, nothing);
    }
  }

  /** Ends the worker when the callback answers it went past unread are over the cap (see unread-answers.ts). */
  #answersOverCap(handed: number): boolean {
    const unread = this.#unreadAnswers.unread(handed);
    const cap = Math.min(this.#options.maxMessageBytes, maxUnreadAnswerBytes);
    if (unread <= cap) return false;
    this.#violation(
      new ProtocolError(
        `it invoked callbacks faster than it read their answers: ${unread} bytes of them wait unread, over the ${cap} it may leave (maxMessageBytes, at most ${maxUnreadAnswerBytes})`,
      ),
    );
    return true;
  }

  /** Starts or stops the forwarding of one of the worker's events (the caller counts listeners). */
  subscription(kind: 'sub' | 'unsub', event: string): void {
    if (this.#closed === undefined) this.#transport.send({ t: kind, e: event }, true);
  }

  /** The method of aborted call `id` while its message is not all written yet. */
  #unreadAbort(id: number): string | undefined {
    const held = this.#unread.get(id);
    if (held === undefined) return undefined;
    if (held.end > this.#transport.handed()) return held.method;
    this.#unread.delete(id);
    return undefined;
  }

  #timedOut(id: number, timeout: number): void {
    const unread = this.#unreadAbort(id);
    if (unread !== undefined) {
      // Aborted, and still not read by the worker in all that time: it is stuck (the other calls fail of that).
      void this.terminate(new TimeoutError(unread, timeout, this.pid));
      return;
    }
    if (!this.#pending.has(id)) return;
    // Its answer may have come while the event loop was busy past the deadline, unread yet: it counts.
    this.#channel.readPending?.();
    const call = this.#pending.get(id);
    if (call === undefined || this.#closed !== undefined) return;
    const error = new TimeoutError(call.method, timeout, this.pid);
    this.#settle(id, error, false);
    void this.terminate(error);
  }

  #abandon(id: number): void {
    this.#abandoned.add(id);
    if (this.#abandoned.size <= abandonedKept) return;
    const oldest: number = this.#abandoned.values().next().value!;
    this.#abandoned.delete(oldest);
    this.#unreadAnswers.forget(oldest);
    this.#owedBelow = Math.max(this.#owedBelow, oldest + 1);
  }

  /**
   * Whether the child may still send for call `id`, which is not pending here: it was given up on, or every call was
   * (the link is closing, timed out for one: the child finishes what runs while it is disposed).
   */
  #owed(id: number): boolean {
    return (
      id < this.#nextId && (this.#closed !== undefined || id < this.#owedBelow || this.#abandoned.has(id))
    );
  }

  /** Marks the link closed and rejects every pending call with the reason. */
  #close(reason: ClosedReason): void {
    this.#closed = reason;
    // Their calls are rejected: a socket still waiting to go would reach a worker being disposed, or nobody.
    this.#handles?.cancelAll();
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id, reason(this.#pending.get(id)!.method), false);
    }
  }

  #violation(error: TransportError | ProtocolError): void {
    if (this.#closed !== undefined && this.#exit !== undefined) return;
    const name = this.#target.className;
    const tooLarge = 'tooLarge' in error && error.tooLarge;
    // Within the cap, a frame is too large only for the memory this process could take for it.
    const what =
      tooLarge && error.bytes <= this.#options.maxMessageBytes
        ? `a message this process has no memory for (${error.message}); lower maxMessageBytes to have the worker refuse it`
        : 'a message over maxMessageBytes';
    const reason: ClosedReason = (method) =>
      tooLarge
        ? new MessageTooLargeError(
            `The worker ${name} sent ${what}; it was terminated`,
            (error as TransportError).bytes,
            this.#options.maxMessageBytes,
            { method, pid: this.pid, cause: error },
          )
        : new ProtocolError(`The worker ${name} broke the protocol (${error.message}); it was terminated`, {
            method,
            pid: this.pid,
            cause: error,
          });
    // Nothing it sent after this is acted on (an event would reach listeners of a worker already declared broken).
    this.#transport.stop();
    this.#settleReady.reject(reason('(start)'));
    this.#close(reason);
    this.#kill('SIGKILL');
  }

  /** The child is gone and its pipes drained: settle whatever is left. */
  #died(): void {
    const exit = { ...this.#exit!, stderrTail: this.#stderr.text };
    this.#exit = exit;
    this.#setRef(false);
    // Its pipes are drained: what a frame cut off by the death holds is dropped, not kept as long as the proxy is.
    this.#transport.stop();
    const name = this.#target.className;
    if (this.#starting) this.#settleReady.reject(this.#startFailure(exit));
    if (this.#closed === undefined) {
      const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
      const cause = this.#fatal !== undefined ? { cause: this.#fatal.value } : {};
      this.#close(
        (method) =>
          new ChildCrashedError(
            `The worker ${name} (pid ${this.pid}) ${how} before answering '${method}'`,
            exit,
            {
              method,
              pid: this.pid,
              ...cause,
            },
          ),
      );
      this.#crash = this.#closed;
      if (this.#terminatedAfterExit) this.#refuseAsTerminated(this.#closed!);
    }
    this.#settleGone();
  }

  #startFailure(exit: ChildExit): Error {
    const name = this.#target.className;
    const init = this.#initError as { kind: InitFailureKind; error: unknown } | undefined;
    if (init?.kind === 'resolution') {
      // What the child threw, as its text: any value may come (null, an object that has no text).
      return new ModuleResolutionError(messageOf(init.error), {
        pid: this.pid,
        cause: init.error,
      });
    }
    if (init !== undefined) {
      return new SpawnError(
        `The worker ${name} failed to start: ${this.#whatThrew(init.kind)}${messageOf(init.error)}`,
        exit.stderrTail,
        { pid: this.pid, cause: init.error },
      );
    }
    const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
    return new ChildCrashedError(`The worker ${name} (pid ${this.pid}) ${how} while starting`, exit, {
      pid: this.pid,
      ...(this.#fatal !== undefined ? { cause: this.#fatal.value } : {}),
    });
  }

  /** Which step of a start threw, as the start of the error's text (a failure to read arguments says so itself). */
  #whatThrew(kind: Exclude<InitFailureKind, 'resolution'>): string {
    switch (kind) {
      case 'import': {
        const module = this.#target.module;
        return `importing ${module === undefined ? 'the worker module' : fileURLToPath(module)} threw: `;
      }
      case 'arguments':
        return '';
      case 'construct':
        return 'its constructor threw: ';
      default:
        return unreachable(kind, 'start failure');
    }
  }

  #sendError(error: unknown, method: string): Error {
    const site = { method, pid: this.pid };
    if (error instanceof SerializationError) {
      return new SerializationError(`Cannot call '${method}': ${error.message}`, error.path, {
        ...site,
        ...(Object.hasOwn(error, 'cause') ? { cause: error.cause } : {}),
      });
    }
    const tooLarge = tooLargeError(
      error,
      (bytes, limit) => `The arguments of '${method}' take ${bytes} bytes, over maxMessageBytes (${limit})`,
      site,
    );
    if (tooLarge !== undefined) return tooLarge;
    // Reading the arguments threw (a getter of the user's), or V8 refused what the check let through.
    const reason = messageOf(error);
    return new SerializationError(
      `Cannot call '${method}': its arguments could not be read: ${reason}`,
      'args',
      {
        ...site,
        cause: error,
      },
    );
  }

  #watchSignal(): void {
    const signal = this.#options.signal;
    if (signal === undefined) return;
    // Through the calls' watcher: a signal shared by a pool of workers gets one listener, not one each.
    this.#unwatchSignal = watchSignals(
      [signal],
      () =>
        void this.terminate(
          new AbortError(`The worker ${this.#target.className} was aborted`, {
            pid: this.pid,
            cause: signal.reason,
          }),
        ),
    );
  }

  #detachAbort(): void {
    this.#unwatchSignal?.();
    this.#unwatchSignal = undefined;
  }

  /** A worker with nothing to do must not keep the parent alive; one with calls in flight must (through its input). */
  #setRef(ref: boolean): void {
    this.#channel.setRef(ref);
    if (ref) return;
    for (const id of this.#unread.keys()) this.#unreadAbort(id);
    if (this.#unread.size === 0) this.#deadlines.idle();
  }
}
