// Starts a child Node process with the link's two pipes, the env and execArgv policies, and a stderr tail.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { ResolvedOptions } from './options.js';

/**
 * stdio of a worker: no stdin, stdout shared, stderr piped (forwarded and tailed), fd 3 in, fd 4 out; with
 * `supportHandles`, Node's IPC channel on fd 5 as well, which only carries handles (handles.ts).
 */
const stdio = ['ignore', 'inherit', 'pipe', 'pipe', 'pipe'] as const;

export function spawnChild(entry: string, options: ResolvedOptions): ChildProcess {
  return spawn(process.execPath, [...options.execArgv, entry, ...options.args], {
    stdio: options.supportHandles ? [...stdio, 'ipc'] : [...stdio],
    env: options.env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    windowsHide: true,
  });
}

const tailBytes = 8 * 1024;

/** Forwards a child's stderr to ours and remembers its last few kilobytes for crash reports. */
export class StderrTail {
  #tail = '';
  readonly closed: Promise<void>;

  constructor(stream: Socket) {
    stream.unref();
    stream.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.#tail = (this.#tail + chunk.toString('utf8')).slice(-tailBytes);
    });
    this.closed = new Promise((resolve) => {
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
  }

  get text(): string {
    return this.#tail;
  }
}
