// The scenario registry: what is measured on each row's session, with full and --quick sizes, in table order.
import { collectGarbageSettled } from './lib/gc.mjs';
import {
  advancedObject,
  checkAdvancedObject,
  checkEchoedBytes,
  checkJsonObject,
  freshCopy,
  jsonObject,
  pattern,
} from './payloads.mjs';

// A scenario is { id, title, group, unit, better: 'lower' | 'higher', params: { full, quick }, describe(params) }
// and either kind 'startup' (its value is the time from creating the child to the first answer, which the runner
// measures) or slice({ session, params, row }): Promise<{ ms, count }> plus score({ ms, count }): number over the
// summed slices. params.slices says how many slices the runner alternates between the rows; each slice does
// 1/slices of the work (for a startup scenario: how many starts per row and round). Optional: baseline (the row id
// its ratios are taken against, when not the registry's baseline), bytesPerCall (to show MB/s beside ms/call) and
// warm({ session, row }) (an untimed call per row and round before its first slice).
// The report puts the scenarios of one group in one table.

const ADD_ARGS = [1, 2];
const ADD_RESULT = 3;

function checkAnswer(value, index) {
  if (value !== ADD_RESULT)
    throw new Error(`call ${index} answered ${String(value)}, expected ${ADD_RESULT}`);
}

export async function sequentialCalls(session, calls) {
  for (let k = 0; k < calls; k++) checkAnswer(await session.call('add', ADD_ARGS), k);
}

// Keeps exactly `inFlight` calls outstanding until `calls` have been answered.
export function windowedCalls(session, calls, inFlight) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = 0;
    let failed = false;
    const fail = (err) => {
      failed = true;
      reject(err);
    };
    const onAnswer = (value) => {
      if (failed) return;
      if (value !== ADD_RESULT) {
        fail(new Error(`a windowed call answered ${String(value)}, expected ${ADD_RESULT}`));
        return;
      }
      answered++;
      if (answered === calls) resolve();
      else if (sent < calls) send();
    };
    const send = () => {
      sent++;
      session.call('add', ADD_ARGS).then(onAnswer, fail);
    };
    for (let k = 0; k < Math.min(inFlight, calls); k++) send();
  });
}

const timed = async (count, work) => {
  const t0 = performance.now();
  await work();
  return { ms: performance.now() - t0, count };
};

// Each call is timed on its own, so that preparing its argument (a fresh copy for rows that detach what they send)
// and checking its answer stay outside the measurement; `before` runs after each call's argument is made, so that
// a collection it runs covers that allocation too (10 MiB made fresh would otherwise have V8 start marking during
// the call).
async function timedCalls(calls, prepare, call, check, before = () => {}) {
  let ms = 0;
  for (let k = 0; k < calls; k++) {
    const args = prepare();
    await before();
    const t0 = performance.now();
    const answer = await call(args);
    ms += performance.now() - t0;
    check(answer, k);
  }
  return { ms, count: calls };
}

const MiB = 1024 * 1024;

// S3: a Buffer one way (the child answers its length) or echoed (the child answers the same bytes).
function binaryScenario({ id, size, echo, full, quick }) {
  const method = echo ? 'echo' : 'size';
  const label = `${size / MiB} MiB`;
  const check = echo
    ? (answer, k) => checkEchoedBytes(answer, size, k)
    : (answer, k) => {
        if (answer !== size) throw new Error(`size call ${k} answered ${String(answer)}, expected ${size}`);
      };
  const prepare = (row) => () => [row.transfers ? freshCopy(size) : pattern(size)];
  return {
    id,
    title: `${label} Buffer ${echo ? 'echo' : 'one way'}`,
    group: 'binaries',
    unit: 'ms/call',
    better: 'lower',
    baseline: 'raw-advanced',
    bytesPerCall: echo ? 2 * size : size,
    params: { full, quick },
    describe: (p) =>
      `3 untimed calls per row and round, then ${p.calls} calls of ${echo ? `echo(buffer) answering the same ${label}` : `size(buffer) answering its length`}, buffer a Buffer of ${label} (${size} bytes of fixed noise), in ${p.slices} slices alternating with the other rows; each call timed from the call to its checked answer; rows that move (detach) what they send get a fresh non-pooled copy per call, made before the call's clock starts and written once to a tmpfs file, as the kernel's first read of freshly faulted pages costs several µs a page on VMs and every send has read the shared Buffer the other rows send; the parent then collects garbage (a full GC whenever 16 MiB or more were allocated since the last one) and waits until V8 has finished on its own threads (this process below a quarter of a CPU for a millisecond, 50 ms at most), so that neither these copies nor the previous call's garbage are collected on the clock; MB/s counts the bytes that crossed (${echo ? 'both ways' : 'one way'}) per second of call time`,
    // A fresh child's first few large messages are slow (its allocator and heap are still growing to the size):
    // three untimed calls per row and round keep that out of the first slice.
    warm: ({ session, row }) =>
      timedCalls(3, prepare(row), (args) => session.call(method, args), check, collectGarbageSettled),
    // The parent's GC runs before every call: the fresh copies would otherwise bring V8's full GC (which external
    // memory triggers) into the calls of the rows that transfer, and every row leaves megabytes of garbage.
    slice: ({ session, params, row }) =>
      timedCalls(
        params.calls / params.slices,
        prepare(row),
        (args) => session.call(method, args),
        check,
        collectGarbageSettled,
      ),
    score: ({ ms, count }) => ms / count,
  };
}

// S4: one structured object echoed; built once, so every row gets the same object.
function objectScenario({ id, title, baseline, make, check, what, full, quick }) {
  let payload;
  const args = () => {
    payload ??= make();
    return [payload];
  };
  const checkAnswer = (answer, k) => check(answer, payload, k);
  return {
    id,
    title,
    group: 'objects',
    unit: 'µs/call',
    better: 'lower',
    baseline,
    params: { full, quick },
    describe: (p) =>
      `${p.calls} calls of echo(object), object ${what}, in ${p.slices} slices alternating with the other rows; each call timed from the call to its answer, which is checked outside the clock`,
    warm: ({ session }) => session.call('echo', args()).then((answer) => checkAnswer(answer, -1)),
    slice: ({ session, params }) =>
      timedCalls(params.calls / params.slices, args, (a) => session.call('echo', a), checkAnswer),
    score: ({ ms, count }) => (ms * 1000) / count,
  };
}

export const scenarios = [
  {
    id: 'S1',
    title: 'sequential tiny calls',
    group: 'calls',
    unit: 'µs/call',
    better: 'lower',
    params: { full: { calls: 20_000, slices: 10 }, quick: { calls: 2_000, slices: 2 } },
    describe: (p) =>
      `${p.calls} calls of add(1, 2), each awaited before the next, run as ${p.slices} slices alternating with the other rows; summed time / calls`,
    slice: ({ session, params }) => {
      const calls = params.calls / params.slices;
      return timed(calls, () => sequentialCalls(session, calls));
    },
    score: ({ ms, count }) => (ms * 1000) / count,
  },
  {
    id: 'S2',
    title: 'tiny calls, 256 in flight',
    group: 'calls',
    unit: 'calls/s',
    better: 'higher',
    params: {
      full: { calls: 100_000, inFlight: 256, slices: 10 },
      quick: { calls: 10_000, inFlight: 256, slices: 2 },
    },
    describe: (p) =>
      `${p.calls} calls of add(1, 2) through a sliding window that keeps ${p.inFlight} calls outstanding, run as ${p.slices} slices alternating with the other rows (each slice fills and drains its window); calls / summed time`,
    slice: ({ session, params }) => {
      const calls = params.calls / params.slices;
      return timed(calls, () => windowedCalls(session, calls, params.inFlight));
    },
    score: ({ ms, count }) => count / (ms / 1000),
  },
  {
    id: 'S5',
    title: 'fork to first answer',
    group: 'calls',
    unit: 'ms',
    better: 'lower',
    kind: 'startup',
    params: { full: { slices: 3 }, quick: { slices: 1 } },
    describe: (p) =>
      `from the call that creates the child (fork, new Worker, procxy(), pool creation) to the first answered add(1, 2); ${p.slices} cold start(s) per row and round, alternating between the rows, each child gone before the next start`,
  },
  binaryScenario({
    id: 'S3-1MiB',
    size: MiB,
    echo: false,
    full: { calls: 40, slices: 4 },
    quick: { calls: 4, slices: 1 },
  }),
  binaryScenario({
    id: 'S3-1MiB-echo',
    size: MiB,
    echo: true,
    full: { calls: 40, slices: 4 },
    quick: { calls: 4, slices: 1 },
  }),
  binaryScenario({
    id: 'S3-10MiB',
    size: 10 * MiB,
    echo: false,
    full: { calls: 8, slices: 4 },
    quick: { calls: 2, slices: 1 },
  }),
  binaryScenario({
    id: 'S3-10MiB-echo',
    size: 10 * MiB,
    echo: true,
    full: { calls: 8, slices: 4 },
    quick: { calls: 2, slices: 1 },
  }),
  objectScenario({
    id: 'S4-advanced',
    title: 'advanced object echo',
    baseline: 'raw-advanced',
    make: advancedObject,
    check: checkAdvancedObject,
    what: '{ map: a Map of 1000 string keys to small objects, set: a Set of 100 strings, big: a bigint of 101 bits, when: a Date, nested: 10 arrays nested 4 deep }',
    full: { calls: 100, slices: 10 },
    quick: { calls: 20, slices: 1 },
  }),
  objectScenario({
    id: 'S4-json',
    title: 'JSON object echo',
    baseline: 'raw-json',
    make: jsonObject,
    check: checkJsonObject,
    what: 'a plain object of 1000 properties (numbers, strings, booleans, null, 3-item arrays and 2-property objects, in turn)',
    full: { calls: 100, slices: 10 },
    quick: { calls: 20, slices: 1 },
  }),
];

// Scenario ids by kind, for the rows that say which they measure.
export const callScenarios = ['S1', 'S2', 'S5'];
export const binaryScenarios = ['S3-1MiB', 'S3-1MiB-echo', 'S3-10MiB', 'S3-10MiB-echo'];
