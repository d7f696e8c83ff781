// Starts a child Node process with the link's two pipes, the env and execArgv policies, and a stderr tail.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { OptionsValidationError, type ProcxyError, SpawnError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { messageOf } from './thrown.js';

/**
 * A child must not outlive its parent, even while its event loop is stuck. On Linux the kernel can see to that
 * (PR_SET_PDEATHSIG), which Node cannot ask for itself, but util-linux's setpriv can: it sets the signal and execs
 * node in the same process, so the child is covered before its first line runs and pays nothing for it. Without a
 * setpriv that can (not Linux, util-linux before 2.33, a sandbox that forbids prctl), the child runs a watchdog
 * thread instead (child/watchdog.ts), which costs it about 10 MB and 30 ms of CPU. PROCXY_SETPRIV names another
 * setpriv, or, set empty, keeps every child on the watchdog.
 */
const setprivPaths = ['/usr/bin/setpriv', '/bin/setpriv'];
const deathSignal = ['--pdeathsig', 'KILL', '--'];

let launcher: string | null | undefined;

/** The setpriv that arms the parent-death signal (tried once per process), or undefined when there is none. */
export function deathSignalLauncher(): string | undefined {
  launcher ??= findLauncher();
  return launcher ?? undefined;
}

function findLauncher(): string | null {
  const chosen = process.env.PROCXY_SETPRIV;
  if (chosen === '' || process.platform !== 'linux') return null;
  const path = chosen ?? setprivPaths.find((candidate) => existsSync(candidate));
  if (path === undefined) return null;
  // Arms the signal and execs (setpriv itself, which prints its help), as a child's start would.
  const probe = spawnSync(path, [...deathSignal, path, '--help'], {
    stdio: 'ignore',
    env: {},
    timeout: 5_000,
  });
  return probe.status === 0 ? path : null;
}

/**
 * stdio of a worker: no stdin, stdout shared, stderr piped (forwarded and tailed), fd 3 in, fd 4 out; with
 * `supportHandles`, Node's IPC channel on fd 5 as well, which only carries handles (handles.ts).
 */
const stdio = ['ignore', 'inherit', 'pipe', 'pipe', 'pipe'] as const;

/**
 * Throws EMFILE or ENFILE unless the file descriptors a spawn holds at once are free: a socketpair per pipe, and the
 * two libuv's fork takes. Short of them, libuv may make some pipes and fail after, and Node then drops them without
 * closing them (their descriptors leak), so the spawn is not tried.
 */
function reserveDescriptors(pipes: number): void {
  const opened: number[] = [];
  try {
    for (let i = 0; i < pipes * 2 + 2; i++) opened.push(openSync('/dev/null', 'r'));
  } finally {
    for (const fd of opened) closeSync(fd);
  }
}

/** Starts the child, through setpriv when deathSignalLauncher() has one (the pid is node's all the same). */
export function spawnChild(entry: string, options: ResolvedOptions): ChildProcess {
  reserveDescriptors(options.supportHandles ? 4 : 3);
  const node = [process.execPath, ...options.execArgv, entry, ...options.args];
  const setpriv = deathSignalLauncher();
  const [file, ...args] = setpriv === undefined ? node : [setpriv, ...deathSignal, ...node];
  return spawn(file!, args, {
    stdio: options.supportHandles ? [...stdio, 'ipc'] : [...stdio],
    env: options.env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    windowsHide: true,
  });
}

/** The longest argument or environment string Linux passes to a new program (MAX_ARG_STRLEN), its NUL included. */
const maxStringBytes = 32 * 4096;

/**
 * What spawnChild() threw instead of starting a child: E2BIG is the options' doing (a string, or all of them, over
 * what the system passes to a program), named as such; anything else is a SpawnError carrying it.
 */
export function spawnFailure(error: unknown, className: string, options: ResolvedOptions): ProcxyError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EMFILE' || code === 'ENFILE') {
    return new SpawnError(
      `Could not start the worker ${className}: no file descriptor was left for its pipes (${code})`,
      '',
      { cause: error },
    );
  }
  if (code !== 'E2BIG') {
    return new SpawnError(`Could not start the worker ${className}: ${messageOf(error)}`, '', {
      cause: error,
    });
  }
  const size = (text: string) => Buffer.byteLength(text) + 1;
  const env = Object.entries(options.env).flatMap(([key, value]) =>
    value === undefined ? [] : [{ option: 'env', at: `env.${key}`, bytes: size(`${key}=${value}`) }],
  );
  const argv = [
    ...options.args.map((arg, i) => ({ option: 'args', at: `args[${i}]`, bytes: size(arg) })),
    ...options.execArgv.map((arg, i) => ({ option: 'execArgv', at: `execArgv[${i}]`, bytes: size(arg) })),
  ];
  const long =
    process.platform === 'linux' ? [...env, ...argv].find((s) => s.bytes > maxStringBytes) : undefined;
  if (long !== undefined) {
    return new OptionsValidationError(
      long.option,
      `${long.at} takes ${long.bytes} bytes, over the ${maxStringBytes} this system passes a program in one string (spawn E2BIG); pass it another way (a file, a call)`,
    );
  }
  const total = (strings: readonly { bytes: number }[]) => strings.reduce((sum, s) => sum + s.bytes, 0);
  const envBytes = total(env);
  const argvBytes = total(argv);
  return new OptionsValidationError(
    envBytes >= argvBytes ? 'env' : 'args',
    `the environment (${envBytes} bytes) and the arguments (${argvBytes} bytes) of the child together are over what this system passes a program (spawn E2BIG); pass less of them`,
  );
}

/**
 * Copies a child's stderr to ours while ours takes it. A write that fails (the reader of a piped stderr went away:
 * EPIPE) is followed by an 'error' event on process.stderr, which would end this process for what a child wrote:
 * that one is heard here, and forwarding stops (the tail is still kept). The callback runs before the event.
 */
function forward(chunk: Buffer): void {
  if (forwardingFailed || process.stderr.destroyed) return;
  process.stderr.write(chunk, (error) => {
    if (error === null || error === undefined || forwardingFailed) return;
    forwardingFailed = true;
    process.stderr.once('error', () => {});
  });
}

let forwardingFailed = false;

/** Bytes our stderr may hold unwritten before the children's stderr is read no more until it drains. */
const forwardBacklog = 1024 * 1024;
const heldForStderr = new Set<Socket>();

/**
 * Stops reading a child's stderr until ours drains: a child that writes faster than our stderr's reader takes
 * (a slow pipe) would otherwise have this process hold all it wrote. The child then waits on its own stderr, as it
 * would writing to ours directly.
 */
function holdUntilDrained(stream: Socket): void {
  if (heldForStderr.size === 0) {
    process.stderr.once('drain', releaseHeld);
    process.stderr.once('close', releaseHeld);
  }
  heldForStderr.add(stream);
  stream.pause();
}

function releaseHeld(): void {
  stopWaitingForStderr();
  for (const stream of heldForStderr) stream.resume();
  heldForStderr.clear();
}

function stopWaitingForStderr(): void {
  process.stderr.off('drain', releaseHeld);
  process.stderr.off('close', releaseHeld);
}

/** Characters of a child's stderr kept for its crash report. */
const tailChars = 8 * 1024;

/** Forwards a child's stderr to ours and remembers its last few kilobytes for crash reports. */
export class StderrTail {
  #tail = '';
  #exited = false;
  readonly #stream: Socket;
  readonly closed: Promise<void>;

  constructor(stream: Socket) {
    this.#stream = stream;
    stream.unref();
    // One decoder for the stream: a character split between two chunks decodes whole.
    const decoder = new StringDecoder('utf8');
    stream.on('data', (chunk: Buffer) => {
      forward(chunk);
      this.#tail = (this.#tail + decoder.write(chunk)).slice(-tailChars);
      // Only a living child is made to wait: a dead one's last words go into its crash report.
      if (!this.#exited && !forwardingFailed && process.stderr.writableLength > forwardBacklog) {
        holdUntilDrained(stream);
      }
    });
    this.closed = new Promise((resolve) => {
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
  }

  get text(): string {
    return this.#tail;
  }

  /** The child exited: what is left in its pipe is read to the end, held or not (at most a pipe's capacity). */
  childExited(): void {
    this.#exited = true;
    if (!heldForStderr.delete(this.#stream)) return;
    this.#stream.resume();
    // The last one held: the next hold listens again, so these would pile up.
    if (heldForStderr.size === 0) stopWaitingForStderr();
  }
}
