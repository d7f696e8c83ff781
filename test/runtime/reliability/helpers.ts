// Shared tools of the reliability tests: process liveness from /proc, bounded waits, scratch files, parent scripts.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

export { rejection } from '../helpers.js';

export const workersModule = new URL('../fixtures/workers.mjs', import.meta.url);
export const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const modes = ['json', 'advanced'] as const;

/** The state letter of /proc/<pid>/stat (R, S, T, Z, ...), or undefined when there is no such process. */
export function procState(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name sits in parentheses and may itself contain spaces and parentheses.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

/** Dead: reaped already, or a zombie nobody has reaped yet. */
export function isGone(pid: number): boolean {
  const state = procState(pid);
  return state === undefined || state === 'Z';
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every few ms; resolves with the ms it took, or rejects after `limitMs` naming `what`. */
export async function waitFor(
  what: string,
  check: () => boolean,
  limitMs: number,
  everyMs = 2,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (check()) return performance.now() - start;
    if (performance.now() - start > limitMs)
      throw new Error(`Gave up after ${limitMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function waitGone(pid: number, limitMs = 5_000): Promise<number> {
  return waitFor(`process ${pid} to end`, () => isGone(pid), limitMs);
}

/** Kills a process this suite started if it still runs: the last resort of every cleanup. */
export function killIfAlive(pid: number | undefined): void {
  if (pid === undefined || pid <= 0 || isGone(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // It ended between the check and the kill.
  }
}

/** File descriptors this process has open: pipes to children that were never closed show up here. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** How many resources of `kind` ('Timeout', 'ProcessWrap', ...) keep this process's event loop alive. */
export function activeResources(kind: string): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === kind).length;
}

/** The processes this one started that still run (not zombies): vitest runs each test file in a process of its own. */
export function liveChildren(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === process.pid && state !== 'Z') children.push(Number(entry));
  }
  return children;
}

/**
 * What every reliability case must leave behind, checked once the file's other hooks ran: no child process alive (nor
 * any of `pids`: the workers of parent scripts, which are not our children), no file descriptor more than before the
 * file, no child handle or timer keeping the event loop up. Call it before any other hook of the file (vitest runs
 * after-hooks in reverse order), so that the file's own cleanup comes first. Leftovers are killed, and the file fails.
 */
export function guardLeaks(pids: ReadonlySet<number> = new Set()): void {
  let fds = 0;
  let timers = 0;
  beforeAll(() => {
    fds = openFds();
    timers = activeResources('Timeout');
  });
  afterAll(async () => {
    const leftover = () => [...liveChildren(), ...[...pids].filter((pid) => !isGone(pid))];
    try {
      await waitFor('every process the file started to end', () => leftover().length === 0, 5_000);
    } catch (error) {
      const left = leftover();
      for (const pid of left) killIfAlive(pid);
      throw new Error(`Processes still running after the file's cleanup: ${left.join(', ')}`, {
        cause: error,
      });
    }
    await waitFor(`file descriptors back to ${fds}`, () => openFds() <= fds, 5_000);
    // A dead child's handle closes on the loop iteration after its exit event.
    await waitFor('child handles to close', () => activeResources('ProcessWrap') === 0, 2_000);
    await waitFor(`timers back to ${timers}`, () => activeResources('Timeout') <= timers, 2_000);
  });
}

/** Whether `promise` has settled before anything else queued now (timers, I/O) gets to run. */
export async function settledAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** A scratch directory per test file, removed by `cleanup`. */
export function scratch(): {
  dir: string;
  file(name: string): string;
  lines(name: string): string[];
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'procxy-reliability-'));
  return {
    dir,
    file: (name) => join(dir, name),
    lines: (name) => {
      const path = join(dir, name);
      return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A parent script run as a real process, with its stdout lines parsed as JSON as they come. */
export interface ParentRun {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The next JSON line the script prints whose `key` is set. */
  message<T = Record<string, unknown>>(key: string, limitMs?: number): Promise<T>;
  /** Resolves with the exit code and signal, or rejects if the script is still running after `limitMs`. */
  exit(limitMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stderr: () => string;
}

export function runParent(
  script: string,
  args: readonly string[],
  options: { nodeArgs?: readonly string[]; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ParentRun {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(fixturesDir, script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: { ...process.env, ...options.env } } : {}),
  });
  const received: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let stdout = '';
  let stderr = '';
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    let newline = stdout.indexOf('\n');
    while (newline !== -1) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      if (line.startsWith('{')) received.push(JSON.parse(line) as Record<string, unknown>);
      newline = stdout.indexOf('\n');
    }
    for (const wake of waiters) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    for (const wake of waiters) wake();
  });
  const until = <T>(what: string, limitMs: number, probe: () => T | undefined): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value !== undefined) return finish(() => resolve(value));
        if (exited !== undefined && what !== 'exit')
          finish(() => reject(new Error(`The parent script exited before ${what}; stderr:\n${stderr}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`No ${what} from the parent script within ${limitMs} ms`))),
        limitMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  return {
    process: child,
    pid: child.pid!,
    message: <T>(key: string, limitMs = 10_000) =>
      until<T>(`'${key}'`, limitMs, () => {
        const index = received.findIndex((m) => key in m);
        return index === -1 ? undefined : (received.splice(index, 1)[0] as T);
      }),
    exit: (limitMs) => until('exit', limitMs, () => exited),
    stderr: () => stderr,
  };
}
