// Retries: only idempotent calls are re-run, on a fresh worker with the same constructor arguments; others run once.
import { AbortError, ChildCrashedError, procxy, QueueFullError, TerminatedError, TimeoutError } from 'procxy';
import { transfer } from 'procxy/transfer';
import { afterAll, describe, expect, it } from 'vitest';
import { CrashThenStuck, Worker } from '../fixtures/workers.mjs';
import {
  guardLeaks,
  isGone,
  killIfAlive,
  modes,
  rejection,
  runParent,
  scratch,
  sleep,
  waitGone,
  workersModule,
} from './helpers.js';

const pids = new Set<number>();
guardLeaks(pids);

const files = scratch();
afterAll(() => {
  files.cleanup();
});

describe.each(modes)('retries in %s mode', (serialization) => {
  it('an idempotent call whose worker crashes is retried on a fresh worker built with the same arguments', async () => {
    const worker = await procxy(
      Worker,
      workersModule,
      { serialization, retries: 1, idempotent: ['crashUnlessMarked'] },
      'first-arg',
      'second-arg',
    );
    try {
      const firstPid = worker.$pid;
      pids.add(firstPid);
      const marker = files.file(`marker-${serialization}`);
      const answer = await worker.crashUnlessMarked(marker);
      pids.add(answer.pid);
      expect(files.lines(`marker-${serialization}`)).toEqual([String(firstPid)]);
      expect(answer.pid).not.toBe(firstPid);
      expect(answer.args).toEqual(['first-arg', 'second-arg']);
      expect(worker.$pid).toBe(answer.pid);
      expect(isGone(firstPid)).toBe(true);
      expect(await worker.pid()).toBe(answer.pid);
    } finally {
      await worker.$terminate();
    }
  });

  it('an idempotent call that times out is retried on a fresh worker', async () => {
    const worker = await procxy(Worker, workersModule, {
      serialization,
      timeout: 300,
      retries: 1,
      idempotent: ['busyUnlessMarked'],
    });
    try {
      const firstPid = worker.$pid;
      pids.add(firstPid);
      const answer = await worker.busyUnlessMarked(files.file(`busy-marker-${serialization}`));
      pids.add(answer);
      expect(answer).not.toBe(firstPid);
      expect(worker.$pid).toBe(answer);
      await waitGone(firstPid);
    } finally {
      await worker.$terminate();
    }
  });

  it('a non-idempotent call whose worker crashes runs once and is not retried', async () => {
    const worker = await procxy(Worker, workersModule, {
      serialization,
      retries: 1,
      idempotent: ['crashUnlessMarked'],
    });
    pids.add(worker.$pid);
    const log = `crash-once-${serialization}`;
    const error = await rejection(worker.recordThenExit(files.file(log)));
    expect(error).toBeInstanceOf(ChildCrashedError);
    await sleep(200);
    expect(files.lines(log)).toEqual(['ran']);
    expect(await rejection(worker.pid())).toBeInstanceOf(ChildCrashedError);
    await worker.$terminate();
  });

  it('a non-idempotent call that times out runs once and is not retried', async () => {
    const worker = await procxy(Worker, workersModule, {
      serialization,
      timeout: 300,
      retries: 1,
      idempotent: ['crashUnlessMarked'],
    });
    const pid = worker.$pid;
    pids.add(pid);
    const log = `timeout-once-${serialization}`;
    const error = await rejection(worker.recordThenBusy(files.file(log)));
    expect(error).toBeInstanceOf(TimeoutError);
    await worker.$terminate();
    await waitGone(pid);
    expect(files.lines(log)).toEqual(['ran']);
    expect(worker.$pid).toBe(pid);
  });
});

describe('a retry waiting for its fresh worker', () => {
  it('aborted in the turn of the crash starts no worker and leaves the parent alive', async () => {
    const parent = runParent('parent.mjs', ['abort-on-crash']);
    try {
      const { child } = await parent.message<{ child: number }>('child');
      pids.add(child);
      const { outcomes } = await parent.message<{ outcomes: string[] }>('outcomes');
      expect(outcomes).toEqual(['PROCXY_CHILD_CRASHED', 'PROCXY_ABORTED']);
      await parent.message('alive');
      const { code } = await parent.exit(5_000);
      expect(code).toBe(0);
    } finally {
      killIfAlive(parent.pid);
    }
  });

  // The fresh worker never finishes constructing, and no start deadline ends it: only these can end the wait.
  const stuckAfterCrash = (name: string, options: { signal?: AbortSignal } = {}) =>
    procxy(
      CrashThenStuck,
      workersModule,
      { retries: 1, idempotent: ['crash'], startTimeout: 0, ...options },
      files.file(name),
    );

  it('a fresh worker past its startTimeout fails each waiting call with an error of its own, naming it', async () => {
    const worker = await procxy(
      CrashThenStuck,
      workersModule,
      { retries: 1, idempotent: ['crash'], startTimeout: 500 },
      files.file('stuck-timeout'),
    );
    pids.add(worker.$pid);
    const [first, second] = await Promise.all([rejection(worker.crash()), rejection(worker.crash())]);
    for (const error of [first, second]) {
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).method).toBe('crash');
      expect((error as Error).message).toMatch(
        /^The retry of 'crash' waited for a fresh worker that did not start: Call to 'constructor' timed out/,
      );
    }
    expect(first).not.toBe(second);
    await worker.$terminate();
  });

  it('counts toward maxPending: past it, a call is refused QueueFullError at once instead of waiting too', async () => {
    const worker = await procxy(
      CrashThenStuck,
      workersModule,
      { retries: 1, idempotent: ['ping'], startTimeout: 0, maxPending: 2 },
      files.file('stuck-full'),
    );
    pids.add(worker.$pid);
    // Not retried: the worker is dead, and no fresh one starts until a call asks for it.
    expect(await rejection(worker.crash())).toBeInstanceOf(ChildCrashedError);
    const calls = [0, 1, 2].map(() => rejection(worker.ping()));
    const refused = await Promise.race(calls);
    expect(refused).toBeInstanceOf(QueueFullError);
    expect(refused).toMatchObject({ method: 'ping', maxPending: 2 });
    await worker.$terminate();
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((e) => e instanceof QueueFullError)).toHaveLength(1);
    expect(outcomes.filter((e) => e instanceof TerminatedError)).toHaveLength(2);
  });

  it('$terminate() rejects the call TerminatedError and ends the worker still starting', async () => {
    const worker = await stuckAfterCrash('stuck-terminate');
    pids.add(worker.$pid);
    const call = worker.crash();
    while (files.lines('stuck-terminate').length === 0) await sleep(5);
    await sleep(100);
    const outcome = rejection(call);
    await worker.$terminate();
    expect(await outcome).toBeInstanceOf(TerminatedError);
  });

  it("the call's own signal rejects it AbortError", async () => {
    const worker = await stuckAfterCrash('stuck-abort');
    pids.add(worker.$pid);
    const controller = new AbortController();
    const call = worker.$with({ signal: controller.signal }).crash();
    while (files.lines('stuck-abort').length === 0) await sleep(5);
    await sleep(100);
    controller.abort();
    const error = await rejection(call);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).message).toBe(
      "Call to 'crash' was aborted while its retry waited for a fresh worker (the failed try may have run)",
    );
    await worker.$terminate();
  });

  it('the signal option, aborted when the worker crashed, starts no fresh worker: the call rejects AbortError', async () => {
    const controller = new AbortController();
    const worker = await stuckAfterCrash('stuck-signal', { signal: controller.signal });
    pids.add(worker.$pid);
    worker.$process.once('exit', () => controller.abort());
    const error = await rejection(worker.crash());
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).message).toMatch(/was not started: its signal is already aborted/);
    await worker.$terminate();
  });
});

describe('retries and transfer()', () => {
  it('an idempotent call that moved memory with transfer() is not retried: the memory went with the worker', async () => {
    const worker = await procxy(Worker, workersModule, {
      serialization: 'advanced',
      retries: 1,
      idempotent: ['crashUnlessMarkedWith'],
    });
    pids.add(worker.$pid);
    const bytes = new Uint8Array(1024);
    const error = await rejection(
      worker.crashUnlessMarkedWith(files.file('moved'), transfer(bytes, [bytes.buffer])),
    );
    expect(error).toBeInstanceOf(ChildCrashedError);
    expect(bytes.byteLength).toBe(0);
    expect(files.lines('moved')).toHaveLength(1);
    expect(await rejection(worker.pid())).toBeInstanceOf(ChildCrashedError);
    await worker.$terminate();
  });

  it('an idempotent call whose marks moved no memory (the buffer is not in its arguments) is retried', async () => {
    const worker = await procxy(Worker, workersModule, {
      serialization: 'advanced',
      retries: 1,
      idempotent: ['crashUnlessMarkedWith'],
    });
    pids.add(worker.$pid);
    const elsewhere = new ArrayBuffer(16);
    const answer = await worker.crashUnlessMarkedWith(
      files.file('unmoved'),
      transfer(new Uint8Array(4), [elsewhere]),
    );
    // Answered by the fresh worker, after the first crashed.
    expect(String(answer.pid)).not.toBe(files.lines('unmoved')[0]);
    expect(elsewhere.byteLength).toBe(16);
    await worker.$terminate();
  });

  it('an idempotent call with marks made after its worker crashed is retried on a fresh worker', async () => {
    const worker = await procxy(Worker, workersModule, {
      serialization: 'advanced',
      retries: 1,
      idempotent: ['crashUnlessMarkedWith'],
    });
    pids.add(worker.$pid);
    const log = files.file('crashed-before-the-call');
    expect(await rejection(worker.recordThenExit(log))).toBeInstanceOf(ChildCrashedError);
    await sleep(200);
    const bytes = new Uint8Array(1024);
    // Refused by the crashed worker, its marks dropped: the fresh worker gets a copy, the caller keeps the buffer.
    const answer = await worker.crashUnlessMarkedWith(log, transfer(bytes, [bytes.buffer]));
    expect(answer.pid).toBe(worker.$pid);
    expect(bytes.byteLength).toBe(1024);
    await worker.$terminate();
  });

  it('a worker whose constructor arguments moved memory is not rebuilt: its crash is the call’s error', async () => {
    const bytes = new Uint8Array(1024);
    const worker = await procxy(
      Worker,
      workersModule,
      { serialization: 'advanced', retries: 1, idempotent: ['crashUnlessMarked'] },
      transfer(bytes, [bytes.buffer]) as never,
    );
    pids.add(worker.$pid);
    expect(bytes.byteLength).toBe(0);
    const error = await rejection(worker.crashUnlessMarked(files.file('moved-ctor')));
    expect(error).toBeInstanceOf(ChildCrashedError);
    expect((error as ChildCrashedError).method).toBe('crashUnlessMarked');
    expect(await rejection(worker.pid())).toBeInstanceOf(ChildCrashedError);
    await worker.$terminate();
  });
});
