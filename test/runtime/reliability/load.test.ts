// Load and boundaries: thousands of concurrent calls, the maxPending bound, answers sent just before the child exits.
import { createHook } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ChildCrashedError, type Procxy, procxy, QueueFullError } from 'procxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExitTiming, Worker } from '../fixtures/workers.mjs';
import {
  activeResources,
  guardLeaks,
  killIfAlive,
  modes,
  rejection,
  runParent,
  settledAtOnce,
  workersModule,
} from './helpers.js';

const pids = new Set<number>();
guardLeaks(pids);

const batch = 10_000;

describe.each(modes)('load in %s mode', (serialization) => {
  // maxPending equals the batch: one call left pending by the first batch makes the second one overflow.
  let worker: Procxy<Worker, typeof serialization>;
  beforeAll(async () => {
    worker = await procxy(Worker, workersModule, { serialization, maxPending: batch });
    pids.add(worker.$pid);
  });
  afterAll(() => worker?.$terminate());

  it(`${batch} concurrent calls on one worker all answer correctly, and leave nothing pending`, async () => {
    const timers = activeResources('Timeout');
    const listeners = processListeners();
    const heap = heapAfterCollection();
    for (let round = 0; round < 2; round++) {
      // Strings of half a kilobyte: 10 MB of them kept by anything would show in the heap.
      const value = (i: number) => (i % 2 === 0 ? i : `s${i}`.padEnd(512, '.'));
      const calls = Array.from({ length: batch }, (_, i) => worker.echo(value(i)));
      const answers = await Promise.all(calls);
      for (let i = 0; i < batch; i++) {
        if (answers[i] !== value(i)) throw new Error(`call ${i} answered ${answers[i]}`);
      }
    }
    expect(await worker.pid()).toBe(worker.$pid);
    // Every call had a deadline (the default 30 s); none may keep a timer running once answered.
    expect(activeResources('Timeout')).toBeLessThanOrEqual(timers);
    expect(processListeners()).toBe(listeners);
    // 20 000 calls whose arguments, answers and entries were all let go: the heap is back near where it was.
    expect(heapAfterCollection() - heap).toBeLessThan(4 * 1024 * 1024);
  });
});

const collect = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function heapAfterCollection(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

/** Listeners on this process, of every event. */
function processListeners(): number {
  return process.eventNames().reduce((sum, name) => sum + process.listenerCount(name), 0);
}

describe('maxPending', () => {
  it('the call over maxPending rejects QueueFullError at once; the worker serves once calls drain', async () => {
    const worker = await procxy(Worker, workersModule, { maxPending: 10 });
    pids.add(worker.$pid);
    try {
      const inFlight = Array.from({ length: 10 }, () => worker.sleep(100));
      const over = worker.echo(11);
      expect(await settledAtOnce(over)).toBe(true);
      const error = (await rejection(over)) as QueueFullError;
      expect(error).toBeInstanceOf(QueueFullError);
      expect(error.code).toBe('PROCXY_QUEUE_FULL');
      expect(error.method).toBe('echo');
      expect(error.maxPending).toBe(10);
      expect(await Promise.all(inFlight)).toEqual(Array(10).fill(100));
      expect(await worker.echo(12)).toBe(12);
    } finally {
      await worker.$terminate();
    }
  });
});

describe('maxPending and aborted calls', () => {
  it('counts an aborted call while this process still holds its message: a stalled worker cannot pile them up', async () => {
    const worker = await procxy(Worker, workersModule, { maxPending: 3, serialization: 'advanced' });
    pids.add(worker.$pid);
    try {
      const spinning = worker.spin(1_500);
      // Far more than the kernel takes while the child reads nothing: most of each stays in this process.
      const big = new Uint8Array(8 * 1024 * 1024);
      for (let i = 0; i < 2; i++) {
        const controller = new AbortController();
        const view = worker.$with({ signal: controller.signal }) as unknown as {
          echo(value: Uint8Array): Promise<Uint8Array>;
        };
        const call = view.echo(big);
        controller.abort();
        expect((await rejection(call)) as Error).toMatchObject({ code: 'PROCXY_ABORTED' });
      }
      expect(await rejection(worker.pid())).toBeInstanceOf(QueueFullError);
      expect(await spinning).toBe(1_500);
      // Once the child has read them, they count no more.
      let pid: number | undefined;
      for (let tries = 0; pid === undefined && tries < 250; tries++) {
        pid = await worker.pid().catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return undefined;
        });
      }
      expect(pid).toBe(worker.$pid);
    } finally {
      await worker.$terminate();
    }
  });
});

describe.each(modes)('a child that exits right after answering, in %s mode', (serialization) => {
  const bytes = 2 * 1024 * 1024;
  it.each(['nextTick', 'microtask', 'immediate'] as ExitTiming[])(
    'a ~2 MB answer followed by process.exit(0) on %s arrives whole',
    async (how) => {
      const worker = await procxy(Worker, workersModule, { serialization });
      pids.add(worker.$pid);
      try {
        const other = worker.sleep(60_000);
        if (serialization === 'advanced') {
          const advanced = worker as unknown as Procxy<Worker, 'advanced'>;
          const answer = await advanced.answerBufferThenExit(bytes, how);
          expect(Buffer.isBuffer(answer)).toBe(true);
          expect(answer.length).toBe(bytes);
          expect(answer.every((byte) => byte === 0x61)).toBe(true);
        } else {
          const answer = await worker.answerThenExit(bytes, how);
          expect(answer.length).toBe(bytes);
          expect(answer).toBe('a'.repeat(bytes));
        }
        const error = (await rejection(other)) as ChildCrashedError;
        expect(error).toBeInstanceOf(ChildCrashedError);
        expect(error.exitCode).toBe(0);
      } finally {
        await worker.$terminate();
      }
    },
  );
});

describe('long runs', () => {
  it('calls that each have a timeout of their own (a shrinking budget) leave no timer behind for each', async () => {
    // Deadline timers are unreferenced, so getActiveResourcesInfo does not list them: async_hooks sees them all.
    const live = new Set<number>();
    const hook = createHook({
      init: (id, type) => void (type === 'Timeout' && live.add(id)),
      destroy: (id) => void live.delete(id),
    });
    const worker = await procxy(Worker, workersModule);
    pids.add(worker.$pid);
    try {
      hook.enable();
      const before = live.size;
      const budgetEnds = performance.now() + 600_000;
      for (let i = 0; i < 3_000; i++) {
        const timeout = Math.round(budgetEnds - performance.now()) - i;
        expect(await worker.$with({ timeout }).echo(i)).toBe(i);
      }
      // One call at a time with one timeout keeps its queue's timer; a few such queues may stay armed.
      expect(live.size - before).toBeLessThanOrEqual(65);
    } finally {
      hook.disable();
      await worker.$terminate();
    }
  });

  it('100 000 sequential calls and 1 000 calls past their deadline leave no timer, pending call, value or signal behind (an AbortError kept holds no argument or callback)', async () => {
    const parent = runParent('parent.mjs', ['retention'], { nodeArgs: ['--expose-gc'] });
    try {
      const report = await parent.message('retention', 60_000);
      expect(report).toEqual({
        retention: true,
        answered: 'still serving',
        abortErrors: 1_000,
        extraTimers: 0,
        keptValues: 0,
        keptSignals: 0,
      });
      expect((await parent.exit(10_000)).code).toBe(0);
    } finally {
      killIfAlive(parent.pid);
    }
  }, 90_000);
});

describe('a frame cut off by a worker that stops answering', () => {
  it('holds no memory once the worker is gone, though the proxy is still held', async () => {
    const parent = runParent('parent.mjs', ['cut-frame'], { nodeArgs: ['--expose-gc'] });
    try {
      const report = await parent.message<{ error: string; heldMiB: number; proxyHeld: boolean }>(
        'cutFrame',
        30_000,
      );
      expect(report.error).toBe('TimeoutError');
      expect(report.proxyHeld).toBe(true);
      // The frame took 300 MiB as its header arrived.
      expect(report.heldMiB).toBeLessThan(20);
      expect((await parent.exit(10_000)).code).toBe(0);
    } finally {
      killIfAlive(parent.pid);
    }
  }, 60_000);
});

describe('a 200 MiB Buffer in advanced mode', () => {
  it('comes back intact with each side’s peak memory under three times the payload', async () => {
    const parent = runParent('parent.mjs', ['big-echo']);
    try {
      const report = await parent.message<{
        intact: boolean;
        parentPeakMiB: number;
        childPeakMiB: number;
      }>('bigEcho', 60_000);
      console.log(
        `200 MiB echo: peak above start ${report.parentPeakMiB} MiB in the parent, ${report.childPeakMiB} MiB in the child`,
      );
      expect(report.intact).toBe(true);
      expect(report.parentPeakMiB).toBeLessThan(600);
      expect(report.childPeakMiB).toBeLessThan(600);
      expect((await parent.exit(10_000)).code).toBe(0);
    } finally {
      killIfAlive(parent.pid);
    }
  }, 90_000);
});
