// Runs every row through every scenario in one run: per round, all rows start, then each scenario runs in slices
// that alternate between rows (order rotated each round), so a burst of machine noise hits all rows alike.
import { sequentialCalls, windowedCalls } from '../scenarios.mjs';
import { livingChildren, settleChildren } from './children.mjs';
import { cpuMicros, othersQuiet } from './cpu.mjs';
import { collectGarbage } from './gc.mjs';
import { summarize } from './stats.mjs';
import { withTimeout } from './timeout.mjs';

const describeError = (err) => (err instanceof Error ? err.message : String(err));

export async function runBench({ rows, scenarios, rounds, warmupRounds, sizes, limits, log }) {
  const states = [];
  const notes = [];
  for (const row of rows) {
    const reason = row.unavailable ? await row.unavailable() : null;
    states.push({
      row,
      status: reason === null ? 'ok' : 'n/a',
      reason,
      notes: [],
      samples: Object.fromEntries(scenarios.map((s) => [s.id, []])),
      sliceSamples: Object.fromEntries(scenarios.map((s) => [s.id, []])),
      cpuSamples: Object.fromEntries(scenarios.map((s) => [s.id, []])),
      cpuParentSamples: Object.fromEntries(scenarios.map((s) => [s.id, []])),
    });
  }
  for (let round = -warmupRounds; round < rounds; round++) {
    const roundName =
      round < 0 ? `warm-up ${round + warmupRounds + 1}/${warmupRounds}` : `round ${round + 1}/${rounds}`;
    const active = states.filter((s) => s.status === 'ok');
    // Rotating the start row spreads "first after a pause" and "right after the heaviest row" over all rows.
    const shift = ((round % active.length) + active.length) % active.length;
    const order = [...active.slice(shift), ...active.slice(0, shift)];
    const paramsFor = round < 0 ? sizes.warmupRound : sizes.scenario;
    const values = await runRound(order, scenarios, paramsFor, sizes.warmup, limits, roundName, notes);
    for (const state of order) {
      const measured = values.get(state);
      if (round >= 0 && state.status === 'ok') {
        for (const [id, { value, slices, cpu, cpuParent }] of Object.entries(measured)) {
          state.samples[id].push(value);
          state.sliceSamples[id].push(slices);
          if (cpu !== undefined) {
            state.cpuSamples[id].push(cpu);
            state.cpuParentSamples[id].push(cpuParent);
          }
        }
      }
      log(
        `${roundName.padEnd(14)} ${state.row.label.padEnd(26)} ${formatValues(measured, scenarios, state)}`,
      );
    }
  }
  for (const state of states) state.notes.push(...(state.row.extraNotes?.() ?? []));
  return { states, notes };
}

function formatValues(values, scenarios, state) {
  if (state.status === 'failed') return `FAILED: ${state.reason}`;
  return scenarios
    .filter((s) => s.id in values)
    .map((s) => `${s.id} ${values[s.id].value.toPrecision(4)} ${s.unit}`)
    .join('  ');
}

// A row measures the scenarios it lists (all by default) except those whose payload it cannot carry.
export const supports = (row, scenario) =>
  (row.scenarios === undefined || row.scenarios.includes(scenario.id)) &&
  !Object.hasOwn(row.cannot ?? {}, scenario.id);
const supportsId = (row, id) => supports(row, { id });

async function runRound(order, scenarios, paramsFor, warmup, limits, roundName, notes) {
  const sessions = new Map();
  const pids = new Map();
  // Per row: { [scenarioId]: { value, slices, cpu? } }: value over the summed slices, slices each scored on its own,
  // cpu the CPU µs per counted unit of each slice for this process plus the row's child processes, cpuParent the
  // share of this process.
  const values = new Map(order.map((state) => [state, {}]));
  const startupMs = new Map();
  const live = () => order.filter((state) => state.status === 'ok' && sessions.has(state));
  // Every step of a row goes through here: a failure or timeout closes that row's session and retires the row.
  const guard = async (state, step, ms, work) => {
    try {
      return await withTimeout(work(), ms);
    } catch (err) {
      state.status = 'failed';
      state.reason = `${roundName}, ${step}: ${describeError(err)}`;
      await close(state);
      return undefined;
    }
  };
  // Closes a row's session and waits until the processes it started are gone, killing them after a grace period.
  const close = async (state) => {
    const session = sessions.get(state);
    if (session === undefined) return;
    sessions.delete(state);
    await withTimeout(session.close(), limits.closeMs).catch((err) => {
      if (state.status === 'ok') {
        state.status = 'failed';
        state.reason = `${roundName}, close: ${describeError(err)}`;
      }
    });
    const stuck = await settleChildren(limits.settleMs, pids.get(state) ?? []);
    if (stuck.length > 0)
      state.notes.push(
        `${roundName}: pid ${stuck.join(', ')} alive ${limits.settleMs} ms after close; killed`,
      );
  };

  try {
    // Startups alternate between rows too; all but the last start of each row are closed again at once.
    const startup = scenarios.find((s) => s.kind === 'startup');
    const starts = startup === undefined ? 1 : paramsFor(startup).slices;
    for (let j = 0; j < starts; j++) {
      for (const state of order) {
        if (state.status !== 'ok') continue;
        // A row that does not measure startups starts once, for its session.
        if (j < starts - 1 && !supports(state.row, startup)) continue;
        collectGarbage();
        await guard(state, `start ${j + 1}/${starts} and first call`, limits.startMs, async () => {
          const before = livingChildren();
          const t0 = performance.now();
          const session = await state.row.start();
          sessions.set(state, session);
          const first = await session.call('add', [1, 2]);
          const ms = performance.now() - t0;
          pids.set(
            state,
            livingChildren().filter((pid) => !before.includes(pid)),
          );
          if (first !== 3) throw new Error(`first call answered ${String(first)}, expected 3`);
          startupMs.set(state, [...(startupMs.get(state) ?? []), ms]);
        });
        if (j < starts - 1) await close(state);
      }
    }
    for (const state of live()) {
      await guard(state, 'session warm-up', limits.scenarioMs, async () => {
        const session = sessions.get(state);
        // Rows that measure neither S1 nor S2 only need their first calls behind them.
        const sequential = supportsId(state.row, 'S1');
        const windowed = supportsId(state.row, 'S2');
        await sequentialCalls(session, sequential ? warmup.sequential : windowed ? 0 : 100);
        if (windowed) await windowedCalls(session, warmup.windowed, warmup.inFlight);
      });
    }
    for (const scenario of scenarios) {
      const params = paramsFor(scenario);
      if (scenario.kind === 'startup') {
        for (const state of live()) {
          const slices = startupMs.get(state);
          if (supports(state.row, scenario))
            values.get(state)[scenario.id] = { value: summarize(slices).median, slices };
        }
        continue;
      }
      // One untimed call per row first, so that no first slice pays for the child's first use of a code path.
      if (scenario.warm !== undefined) {
        for (const state of live()) {
          if (!supports(state.row, scenario)) continue;
          await guard(state, `${scenario.id} warm-up`, limits.sliceMs, () =>
            scenario.warm({ session: sessions.get(state), row: state.row }),
          );
        }
      }
      const totals = new Map();
      for (let slice = 0; slice < params.slices; slice++) {
        for (const state of live()) {
          if (!supports(state.row, scenario)) continue;
          await othersQuiet(live().flatMap((other) => (other === state ? [] : (pids.get(other) ?? []))));
          collectGarbage();
          const step = `${scenario.id} slice ${slice + 1}/${params.slices}`;
          const cpuBefore = cpuMicros(pids.get(state) ?? []);
          const done = await guard(state, step, limits.sliceMs, () =>
            scenario.slice({ session: sessions.get(state), params, row: state.row }),
          );
          if (done === undefined) continue;
          const cpuAfter = cpuMicros(pids.get(state) ?? []);
          const total = totals.get(state) ?? { ms: 0, count: 0, slices: [], cpu: [], cpuParent: [] };
          totals.set(state, {
            ms: total.ms + done.ms,
            count: total.count + done.count,
            slices: [...total.slices, scenario.score(done)],
            ...(cpuBefore === null || cpuAfter === null
              ? { cpu: total.cpu, cpuParent: total.cpuParent }
              : {
                  cpu: [
                    ...total.cpu,
                    (cpuAfter.parent + cpuAfter.children - cpuBefore.parent - cpuBefore.children) /
                      done.count,
                  ],
                  cpuParent: [...total.cpuParent, (cpuAfter.parent - cpuBefore.parent) / done.count],
                }),
          });
        }
      }
      for (const state of live()) {
        const total = totals.get(state);
        if (total !== undefined) {
          values.get(state)[scenario.id] = {
            value: scenario.score(total),
            slices: total.slices,
            ...(total.cpu.length === total.slices.length
              ? { cpu: total.cpu, cpuParent: total.cpuParent }
              : {}),
          };
        }
      }
    }
  } finally {
    for (const state of order) await close(state);
    // A start that timed out never handed over its session; whatever it forked is killed here.
    const orphans = await settleChildren(limits.settleMs);
    if (orphans.length > 0) notes.push(`${roundName}: orphan pid ${orphans.join(', ')} killed`);
  }
  return values;
}
