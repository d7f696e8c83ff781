// Stopped, spinning and stubborn children, timeouts, aborts and shutdown: no call and no child is left hanging.
import { getEventListeners } from 'node:events';
import { AbortError, type Procxy, procxy, TerminatedError, TimeoutError } from 'procxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusyConstructor, SlowDispose, Stubborn, Worker } from '../fixtures/workers.mjs';
import {
  guardLeaks,
  isGone,
  killIfAlive,
  modes,
  procState,
  rejection,
  runParent,
  scratch,
  settledAtOnce,
  sleep,
  waitFor,
  waitGone,
  workersModule,
} from './helpers.js';

const pids = new Set<number>();
guardLeaks(pids);

const files = scratch();

/** A worker this file kills; its pid is remembered so that afterAll can make sure it is gone. */
async function start<Mode extends 'json' | 'advanced'>(
  serialization: Mode,
  options: { timeout?: number; signal?: AbortSignal } = {},
): Promise<Procxy<Worker, Mode>> {
  const worker = await procxy(Worker, workersModule, { serialization, ...options });
  pids.add(worker.$pid);
  return worker;
}

/** A worker that serves the whole file; the tests that kill other workers check it still answers. */
let bystander: Procxy<Worker, 'json'>;
beforeAll(async () => {
  bystander = await start('json');
});
afterAll(async () => {
  await bystander?.$terminate();
  files.cleanup();
});

describe.each(modes)('timeouts in %s mode', (serialization) => {
  it('a deadline that passed while this process was blocked gives the call a moment more, not a TimeoutError', async () => {
    const worker = await start(serialization, { timeout: 300 });
    const blocked = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    // Blocked before the call was even written: the worker never had it.
    const queued = worker.echo('small');
    blocked(1_000);
    expect(await queued).toBe('small');
    // Blocked while the worker wrote a large answer: most of it was still on its side.
    const large = 'x'.repeat(4 * 1024 * 1024);
    const coming = worker.echo(large);
    await new Promise((resolve) => setTimeout(resolve, 20));
    blocked(1_000);
    expect(((await coming) as string).length).toBe(large.length);
    expect(await worker.echo('still serving')).toBe('still serving');
    await worker.$terminate();
  });

  it('a child stopped with SIGSTOP: TimeoutError on time, other calls TerminatedError, the child SIGKILLed', async () => {
    const worker = await start(serialization, { timeout: 200 });
    const pid = worker.$pid;
    const other = worker.$with({ timeout: 0 }).sleep(60_000);
    const call = worker.sleep(60_000);
    process.kill(pid, 'SIGSTOP');
    await waitFor('the child to stop', () => procState(pid) === 'T', 2_000);
    const begun = performance.now();
    const error = (await rejection(call)) as TimeoutError;
    const waited = performance.now() - begun;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe('PROCXY_TIMEOUT');
    expect(error.method).toBe('sleep');
    expect(error.timeoutMs).toBe(200);
    expect(error.pid).toBe(pid);
    expect(error.message).toContain('200 ms');
    // The deadline is hard: it fires although the child cannot run at all (the method would take a minute).
    expect(waited).toBeLessThan(10_000);
    const otherError = (await rejection(other)) as TerminatedError;
    expect(otherError).toBeInstanceOf(TerminatedError);
    expect(otherError.cause).toBe(error);
    expect(otherError.method).toBe('sleep');
    // A stopped process ignores SIGTERM until continued: only the SIGKILL escalation ends it.
    await worker.$terminate();
    await waitGone(pid, 5_000);
    expect(isGone(pid)).toBe(true);
    expect(await bystander.echo('still serving')).toBe('still serving');
  });

  it('a busy loop: TimeoutError, the child ends, other workers keep serving', async () => {
    const worker = await start(serialization, { timeout: 200 });
    const pid = worker.$pid;
    const other = worker.$with({ timeout: 0 }).pid();
    const error = (await rejection(worker.busy(null))) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.method).toBe('busy');
    expect(error.timeoutMs).toBe(200);
    const otherError = (await rejection(other)) as TerminatedError;
    expect(otherError).toBeInstanceOf(TerminatedError);
    expect(otherError.cause).toBe(error);
    await worker.$terminate();
    await waitGone(pid);
    expect(await rejection(worker.pid())).toBeInstanceOf(TerminatedError);
    expect(await bystander.echo(7)).toBe(7);
  });

  it('an answer that came while the event loop was busy past the deadline counts: no timeout', async () => {
    const worker = await start(serialization);
    const calls = [0, 1, 2].map((n) => worker.$with({ timeout: 100 }).echo(n));
    // Once the calls are written (at the end of this task), the child answers at once; this process reads the
    // answers only after its timers, which find the deadline passed.
    await null;
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // Busy, as a long synchronous task or a collection would keep it.
    }
    expect(await Promise.all(calls)).toEqual([0, 1, 2]);
    expect(await worker.echo('alive')).toBe('alive');
    await worker.$terminate();
  });

  it('$with({ timeout }) sets the deadline of one call', async () => {
    const worker = await start(serialization);
    const error = (await rejection(worker.$with({ timeout: 150 }).sleep(60_000))) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.timeoutMs).toBe(150);
    await worker.$terminate();
    await waitGone(worker.$pid);
  });
});

describe.each(modes)('cancellation in %s mode', (serialization) => {
  let worker: Procxy<Worker, typeof serialization>;
  beforeAll(async () => {
    worker = await start(serialization);
  });
  afterAll(() => worker?.$terminate());

  it('an already aborted signal rejects AbortError at once and sends nothing', async () => {
    const file = files.file(`never-${serialization}`);
    const error = (await rejection(
      worker.$with({ signal: AbortSignal.abort('no need') }).record(file, 'ran'),
    )) as AbortError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.code).toBe('PROCXY_ABORTED');
    expect(error.method).toBe('record');
    expect(error.cause).toBe('no need');
    // Calls are delivered in order: had the aborted call been sent, it would have run before this one.
    expect(await worker.record(files.file(`after-${serialization}`), 'after')).toBe('after');
    expect(files.lines(`never-${serialization}`)).toEqual([]);
    expect(files.lines(`after-${serialization}`)).toEqual(['after']);
  });

  it('an abort mid-call rejects AbortError at once and the worker keeps serving', async () => {
    const controller = new AbortController();
    const call = worker.$with({ signal: controller.signal }).sleep(600);
    await sleep(20);
    controller.abort(new Error('changed my mind'));
    expect(await settledAtOnce(call)).toBe(true);
    const error = (await rejection(call)) as AbortError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.method).toBe('sleep');
    expect((error.cause as Error).message).toBe('changed my mind');
    // The aborted call's late answer arrives meanwhile and must be dropped quietly.
    await sleep(650);
    expect(await worker.echo('after the abort')).toBe('after the abort');
  });

  it('a call that settles leaves no listener on its signal (last: it ends the worker)', async () => {
    const { signal } = new AbortController();
    expect(await worker.$with({ signal }).echo(1)).toBe(1);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const crashed = worker.$with({ signal }).exit(3, 'crashing with a signal attached');
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    await rejection(crashed);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('the worker-level signal option', () => {
  it('already aborted: procxy rejects AbortError and starts nothing', async () => {
    const error = await rejection(procxy(Worker, workersModule, { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(AbortError);
  });

  it('aborted later: pending calls reject AbortError, later ones too, and the child ends', async () => {
    const controller = new AbortController();
    const worker = await start('json', { signal: controller.signal });
    const pending = [worker.sleep(60_000), worker.busy(null)];
    await sleep(20);
    controller.abort('shutting down');
    for (const call of pending) {
      const error = (await rejection(call)) as AbortError;
      expect(error).toBeInstanceOf(AbortError);
      expect(error.cause).toBe('shutting down');
    }
    expect(await rejection(worker.pid())).toBeInstanceOf(AbortError);
    await worker.$terminate();
    await waitGone(worker.$pid);
  });

  it('aborted while starting: procxy rejects AbortError and the child ends', async () => {
    const controller = new AbortController();
    const starting = procxy(Worker, workersModule, { signal: controller.signal });
    controller.abort('changed my mind');
    const error = (await rejection(starting)) as AbortError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.cause).toBe('changed my mind');
    if (error.pid !== undefined) await waitGone(error.pid);
  });

  it('a start whose answer came while the event loop was busy past startTimeout succeeds', async () => {
    const starting = procxy(Worker, workersModule, { startTimeout: 1_000 });
    // Busy from the check phase (its first message written by then): the next turn of the loop runs its timers,
    // and finds the start timed out, before it reads the child's answer.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const until = performance.now() + 1_500;
        while (performance.now() < until) {
          // Busy: the child starts and says so meanwhile.
        }
        resolve();
      }),
    );
    const worker = await starting;
    pids.add(worker.$pid);
    expect(await worker.echo('started')).toBe('started');
    await worker.$terminate();
  });

  it('bounds a start that never finishes (a constructor that spins): AbortError, the child ends', async () => {
    const controller = new AbortController();
    const starting = procxy(
      BusyConstructor,
      workersModule,
      { signal: controller.signal },
      files.file('constructing'),
    );
    await waitFor('the constructor to begin', () => files.lines('constructing').length > 0, 10_000);
    const pid = Number(files.lines('constructing')[0]);
    pids.add(pid);
    controller.abort();
    const error = (await rejection(starting)) as AbortError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.pid).toBe(pid);
    await waitGone(pid);
  });

  it('a worker that ends leaves no listener on its signal', async () => {
    const controller = new AbortController();
    const worker = await start('json', { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort').length).toBeGreaterThan(0);
    await worker.$terminate();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('$terminate()', () => {
  it('ends a child that ignores SIGTERM and never finishes disposing, then settles', async () => {
    const worker = await procxy(Stubborn, workersModule, { terminateTimeout: 100 });
    const pid = worker.$pid;
    pids.add(pid);
    const pending = worker.sleep(60_000);
    const terminating = worker.$terminate();
    const error = (await rejection(pending)) as TerminatedError;
    expect(error).toBeInstanceOf(TerminatedError);
    expect(error.method).toBe('sleep');
    await terminating;
    expect(isGone(pid)).toBe(true);
    expect(worker.$process.signalCode).toBe('SIGKILL');
  });

  it('with terminateTimeout: Infinity, waits for the dispose however long it takes', async () => {
    const worker = await procxy(SlowDispose, workersModule, { terminateTimeout: Infinity }, 300);
    pids.add(worker.$pid);
    await worker.$terminate();
    expect([worker.$process.exitCode, worker.$process.signalCode]).toEqual([0, null]);
  });

  it('rejects calls in flight at once, is idempotent, and calls after it reject TerminatedError at once', async () => {
    const worker = await start('json');
    const inFlight = worker.sleep(60_000);
    const first = worker.$terminate();
    expect(await settledAtOnce(inFlight)).toBe(true);
    expect(await rejection(inFlight)).toBeInstanceOf(TerminatedError);
    const second = worker.$terminate();
    await Promise.all([first, second]);
    await worker.$terminate();
    expect(isGone(worker.$pid)).toBe(true);
    const call = worker.pid();
    expect(await settledAtOnce(call)).toBe(true);
    const error = (await rejection(call)) as TerminatedError;
    expect(error).toBeInstanceOf(TerminatedError);
    expect(error.method).toBe('pid');
  });

  it('leaves no timer behind: a parent script that terminates its worker exits by itself', async () => {
    const parent = runParent('parent.mjs', ['terminate']);
    try {
      const { child } = await parent.message<{ child: number }>('child');
      pids.add(child);
      const { resources } = await parent.message<{ resources: string[] }>('resources');
      expect(resources).not.toContain('Timeout');
      expect(resources).not.toContain('ProcessWrap');
      const { code } = await parent.exit(5_000);
      expect(code).toBe(0);
      expect(isGone(child)).toBe(true);
    } finally {
      killIfAlive(parent.pid);
    }
  });

  it('leaves no timer behind when a process the worker started keeps its stderr open', async () => {
    const parent = runParent('parent.mjs', ['terminate', 'sharer']);
    let sharer: number | undefined;
    try {
      const started = await parent.message<{ child: number; sharer: number }>('child');
      sharer = started.sharer;
      pids.add(started.child);
      const { resources } = await parent.message<{ resources: string[] }>('resources');
      expect(resources).not.toContain('Timeout');
      const { code } = await parent.exit(5_000);
      expect(code).toBe(0);
      expect(isGone(started.child)).toBe(true);
    } finally {
      killIfAlive(parent.pid);
      killIfAlive(sharer);
    }
  });

  it('a worker that never reads an aborted call ends at its deadline, and lets its parent exit', async () => {
    const mark = files.file('abort-unread');
    const parent = runParent('parent.mjs', ['abort-unread', mark, '1000']);
    try {
      const { child } = await parent.message<{ child: number }>('child');
      pids.add(child);
      expect((await parent.message<{ aborted: string[] }>('aborted')).aborted).toEqual([
        'AbortError',
        'AbortError',
      ]);
      // The write of the unread call held the parent's event loop for good: its deadline ends the worker instead.
      expect((await parent.message<{ exit: string }>('exit')).exit).toBe('SIGTERM');
      const { code } = await parent.exit(10_000);
      expect(code).toBe(0);
      await waitGone(child, 2_000);
    } finally {
      killIfAlive(parent.pid);
    }
  });

  it('an idle worker never holds its parent: a script that forgets $terminate exits, and its child ends', async () => {
    const parent = runParent('parent.mjs', ['forget']);
    try {
      const { child } = await parent.message<{ child: number }>('child');
      pids.add(child);
      const { resources } = await parent.message<{ resources: string[] }>('resources');
      expect(resources).not.toContain('Timeout');
      expect(resources).not.toContain('ProcessWrap');
      const { code } = await parent.exit(5_000);
      expect(code).toBe(0);
      await waitGone(child, 2_000);
    } finally {
      killIfAlive(parent.pid);
    }
  });
});
