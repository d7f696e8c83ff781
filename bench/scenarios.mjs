// The scenario registry: what is measured on each row's session, with full and --quick sizes, in table order.

// A scenario is { id, title, unit, better: 'lower' | 'higher', params: { full, quick }, describe(params) } and either
// kind 'startup' (its value is the time from creating the child to the first answer, which the runner measures)
// or slice({ session, params }): Promise<{ ms, count }> plus score({ ms, count }): number over the summed slices.
// params.slices says how many slices the runner alternates between the rows; each slice does 1/slices of the work
// (for a startup scenario: how many starts per row and round).

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

export const scenarios = [
  {
    id: 'S1',
    title: 'sequential tiny calls',
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
    unit: 'ms',
    better: 'lower',
    kind: 'startup',
    params: { full: { slices: 3 }, quick: { slices: 1 } },
    describe: (p) =>
      `from the call that creates the child (fork, new Worker, procxy(), pool creation) to the first answered add(1, 2); ${p.slices} cold start(s) per row and round, alternating between the rows, each child gone before the next start`,
  },
];
