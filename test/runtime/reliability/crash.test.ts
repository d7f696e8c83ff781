// A child that crashes, exits or is killed mid-call, or fails to start: every call settles with the right error.
import { getEventListeners, once } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ChildCrashedError,
  ModuleResolutionError,
  type Procxy,
  ProcxyError,
  procxy,
  SpawnError,
  TerminatedError,
} from 'procxy';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Exploding, Worker } from '../fixtures/workers.mjs';
import {
  guardLeaks,
  isGone,
  killIfAlive,
  modes,
  rejection,
  scratch,
  sleep,
  waitGone,
  workersModule,
} from './helpers.js';

guardLeaks();

const started: { $pid: number; $terminate(): Promise<void> }[] = [];
const files = scratch();

async function start<Mode extends 'json' | 'advanced'>(serialization: Mode): Promise<Procxy<Worker, Mode>> {
  const worker = await procxy(Worker, workersModule, { serialization });
  started.push(worker);
  return worker;
}

afterEach(async () => {
  for (const worker of started.splice(0)) {
    await worker.$terminate();
    killIfAlive(worker.$pid);
  }
});
afterAll(async () => {
  files.cleanup();
});

describe('the stderr tail of a crash', () => {
  it('decodes characters split between chunks whole and keeps the last 8 192', async () => {
    const worker = await start('json');
    // 27 000 three-byte characters: 81 000 bytes, read in chunks whose edges fall inside characters.
    const error = (await rejection(worker.exit(1, `${'€'.repeat(27_000)} LAST`))) as ChildCrashedError;
    expect(error).toBeInstanceOf(ChildCrashedError);
    expect(error.stderrTail).not.toContain('\uFFFD');
    expect(error.stderrTail).toHaveLength(8 * 1024);
    expect(error.stderrTail.endsWith('€ LAST\n')).toBe(true);
  });
});

describe.each(modes)('a crashing child in %s mode', (serialization) => {
  it('process.exit(1) mid-call rejects this and every other pending call with ChildCrashedError', async () => {
    const worker = await start(serialization);
    const pid = worker.$pid;
    const other = worker.sleep(10_000);
    const error = await rejection(worker.exit(1, 'last words on stderr'));
    const otherError = await rejection(other);
    for (const e of [error, otherError]) {
      expect(e).toBeInstanceOf(ChildCrashedError);
      const crash = e as ChildCrashedError;
      expect(crash.code).toBe('PROCXY_CHILD_CRASHED');
      expect(crash.exitCode).toBe(1);
      expect(crash.signal).toBeNull();
      expect(crash.pid).toBe(pid);
      expect(crash.stderrTail).toContain('last words on stderr');
    }
    expect((error as ChildCrashedError).method).toBe('exit');
    expect((otherError as ChildCrashedError).method).toBe('sleep');
    expect(isGone(pid)).toBe(true);
  });

  it('a crashed worker rejects later calls and never respawns (retries 0)', async () => {
    const worker = await start(serialization);
    const pid = worker.$pid;
    await rejection(worker.exit(1, 'bye'));
    const later = await rejection(worker.pid());
    expect(later).toBeInstanceOf(ChildCrashedError);
    expect((later as ChildCrashedError).method).toBe('pid');
    expect(worker.$pid).toBe(pid);
    await sleep(100);
    expect(worker.$pid).toBe(pid);
    expect(await rejection(worker.echo(1))).toBeInstanceOf(ChildCrashedError);
  });

  it('a crash settles its calls, later ones too, though a process it started keeps its stderr open', async () => {
    const worker = await start(serialization);
    const sharer = await worker.startStderrSharer(20_000);
    try {
      const exited = once(worker.$process, 'exit');
      const pending = rejection(worker.sleep(10_000));
      const crash = rejection(worker.exit(3, 'crashing while another process holds stderr'));
      await exited;
      // Made once the child is gone, before its death is settled: it is not sent (its deadline, shorter than the
      // second a link may take to drain, would otherwise end the worker as timed out, the crash forgotten).
      const later = rejection(worker.$with({ timeout: 300 }).echo(1));
      for (const error of [await pending, await crash, await later]) {
        expect(error).toBeInstanceOf(ChildCrashedError);
        expect((error as ChildCrashedError).exitCode).toBe(3);
        expect((error as ChildCrashedError).stderrTail).toContain(
          'crashing while another process holds stderr',
        );
      }
      expect(((await later) as ChildCrashedError).method).toBe('echo');
    } finally {
      killIfAlive(sharer);
    }
  });

  it('a call made as the child exits, before $terminate(), fails of the crash; $terminate() waits for it', async () => {
    const worker = await start(serialization);
    const inFlight = rejection(worker.sleep(10_000));
    const outcomes = new Promise<[unknown, boolean]>((resolve) => {
      worker.$process.once('exit', () => {
        const made = rejection(worker.echo(1));
        let settled = false;
        void made.then(() => (settled = true));
        void worker.$terminate().then(async () => resolve([await made, settled]));
      });
    });
    void worker.exit(3, 'crashing').catch(() => {});
    const [made, settledFirst] = await outcomes;
    expect(made).toBeInstanceOf(ChildCrashedError);
    expect(settledFirst).toBe(true);
    expect(await inFlight).toBeInstanceOf(ChildCrashedError);
  });

  it('a crashed worker then terminated rejects later calls with TerminatedError, the crash as cause', async () => {
    const worker = await start(serialization);
    await rejection(worker.exit(1, 'bye'));
    await worker.$terminate();
    const later = (await rejection(worker.echo(1))) as TerminatedError;
    expect(later).toBeInstanceOf(TerminatedError);
    expect(later.method).toBe('echo');
    expect(later.pid).toBe(worker.$pid);
    expect(later.cause).toBeInstanceOf(ChildCrashedError);
    expect((later.cause as ChildCrashedError).exitCode).toBe(1);
  });

  it('process.exit(0) mid-call still rejects, never resolves undefined', async () => {
    const worker = await start(serialization);
    const error = await rejection(worker.exit(0, 'clean exit'));
    expect(error).toBeInstanceOf(ChildCrashedError);
    expect((error as ChildCrashedError).exitCode).toBe(0);
  });

  it('an external SIGKILL mid-call rejects with signal SIGKILL and says it was killed', async () => {
    const worker = await start(serialization);
    const call = worker.sleep(10_000);
    await sleep(20);
    process.kill(worker.$pid, 'SIGKILL');
    const error = (await rejection(call)) as ChildCrashedError;
    expect(error).toBeInstanceOf(ChildCrashedError);
    expect(error.signal).toBe('SIGKILL');
    expect(error.exitCode).toBeNull();
    expect(error.message).toMatch(/killed/);
    expect(error.message).toContain('SIGKILL');
  });

  it('an uncaught exception during a call rejects with ChildCrashedError caused by the thrown error', async () => {
    const worker = await start(serialization);
    const other = worker.sleep(10_000);
    const error = (await rejection(worker.throwUncaught('thrown from a timer'))) as ChildCrashedError;
    expect(error).toBeInstanceOf(ChildCrashedError);
    expect(error.exitCode).toBe(1);
    expect(error.cause).toBeInstanceOf(TypeError);
    expect((error.cause as Error).message).toBe('thrown from a timer');
    expect(error.stderrTail).toContain('thrown from a timer');
    const otherError = (await rejection(other)) as ChildCrashedError;
    expect(otherError).toBeInstanceOf(ChildCrashedError);
    expect(otherError.cause).toBeInstanceOf(TypeError);
  });

  it.each([
    ['an object', { code: 'E_QUOTA', retryAfter: 5 }],
    ['a number', 42],
    ['a string', 'no Error at all'],
  ])('an unhandled rejection with %s as its reason has that reason as the cause', async (_, reason) => {
    const worker = await start(serialization);
    const error = (await rejection(worker.rejectUnhandledWith(reason))) as ChildCrashedError;
    expect(error).toBeInstanceOf(ChildCrashedError);
    expect(error.cause).toEqual(reason);
  });

  it('an unhandled rejection during a call rejects with ChildCrashedError caused by the rejection reason', async () => {
    const worker = await start(serialization);
    const error = (await rejection(worker.rejectUnhandled('nobody handled me'))) as ChildCrashedError;
    expect(error).toBeInstanceOf(ChildCrashedError);
    expect(error.cause).toBeInstanceOf(RangeError);
    expect((error.cause as Error).message).toBe('nobody handled me');
  });
});

describe('a worker that cannot start', () => {
  it('a module that throws while loading rejects spawning with SpawnError, its cause and stderr, once', async () => {
    class Broken {}
    const counter = files.file('loads');
    const error = (await rejection(
      procxy(Broken, new URL('../fixtures/throws-on-load.mjs', import.meta.url), {
        env: { PROCXY_LOAD_COUNTER: counter },
        retries: 3,
        idempotent: ['anything'],
      }),
    )) as SpawnError;
    expect(error).toBeInstanceOf(SpawnError);
    expect(error.code).toBe('PROCXY_SPAWN');
    expect(error.message).toBe(
      `The worker Broken failed to start: importing ${fileURLToPath(new URL('../fixtures/throws-on-load.mjs', import.meta.url))} threw: module refused to load`,
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect((error.cause as Error).message).toBe('module refused to load');
    expect(error.stderrTail).toContain('loading throws-on-load');
    expect(files.lines('loads')).toHaveLength(1);
    await sleep(300);
    expect(files.lines('loads')).toHaveLength(1);
    expect(isGone(Number(files.lines('loads')[0]))).toBe(true);
  });

  it('a class the module does not export rejects with ModuleResolutionError', async () => {
    class Missing {}
    const error = (await rejection(procxy(Missing, workersModule))) as ModuleResolutionError;
    expect(error).toBeInstanceOf(ModuleResolutionError);
    expect(error.code).toBe('PROCXY_MODULE_RESOLUTION');
    expect(error.message).toContain('Missing');
    if (error.pid !== undefined) await waitGone(error.pid);
  });

  it.each(modes)(
    'a constructor that throws rejects spawning with its error as cause (%s)',
    async (serialization) => {
      const error = (await rejection(
        procxy(Exploding, workersModule, { serialization }, 'no thanks'),
      )) as SpawnError;
      expect(error).toBeInstanceOf(SpawnError);
      expect(error.cause).toBeInstanceOf(RangeError);
      expect((error.cause as Error).message).toBe('constructor refused: no thanks');
      expect(error.message).toBe(
        'The worker Exploding failed to start: its constructor threw: constructor refused: no thanks',
      );
      expect(error.pid).toBeGreaterThan(0);
      await waitGone(error.pid!);
    },
  );
});

describe('a retry whose worker cannot start', () => {
  it('says its cwd is gone and leaves no listener on the worker signal', async () => {
    const cwd = files.file('gone-cwd');
    mkdirSync(cwd);
    const shared = new AbortController();
    const worker = await procxy(Worker, workersModule, {
      cwd,
      retries: 1,
      idempotent: ['exit'],
      signal: shared.signal,
    });
    rmSync(cwd, { recursive: true });
    // The crash is retried on a fresh worker, whose spawn fails: there is no directory to start it in.
    const error = await rejection(worker.exit(1, 'retried'));
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^The retry of 'exit' waited for a fresh worker that did not start: Could not start the worker Worker: spawn .* ENOENT \\(its cwd ${cwd} no longer exists\\)$`,
      ),
    );
    await worker.$terminate();
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });
});

describe('retries with a worker that crashes on every call', () => {
  it('stop after `retries` fresh workers: no retry storm', async () => {
    const counter = files.file('storm');
    const worker = await procxy(Worker, workersModule, { retries: 2, idempotent: ['recordThenExit'] });
    started.push(worker);
    const error = await rejection(worker.recordThenExit(counter));
    expect(error).toBeInstanceOf(ChildCrashedError);
    expect(files.lines('storm')).toHaveLength(3);
    await sleep(300);
    expect(files.lines('storm')).toHaveLength(3);
    const later = await rejection(worker.pid());
    expect(later).toBeInstanceOf(ProcxyError);
    expect(later instanceof ChildCrashedError || later instanceof TerminatedError).toBe(true);
  });
});
