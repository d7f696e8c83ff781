// Turns the collected samples into the results object (latest.json) and its markdown table (latest.md).
import { summarize } from './stats.mjs';

// A row's value in a scenario is the median over all its slices of all measured rounds (a slice is one
// alternation's share of the work; a startup scenario has one per round): a burst of load from elsewhere on the
// machine spoils a slice or two of one row, not the median. The per-round totals are kept beside it.
export function buildResults({ states, scenarios, baselineId, meta }) {
  const byId = new Map(states.map((s) => [s.row.id, s]));
  const sliceStats = (state, scenarioId, key = 'sliceSamples') => summarize(state[key][scenarioId].flat());
  // Slice j of round k of a row is paired with slice j of round k of the base row: they ran seconds apart under
  // the same load, so the median of the paired ratios cancels most of it. The quotient of the medians is kept too.
  const ratios = (state, baseId, scenarioId, key = 'sliceSamples') => {
    const base = byId.get(baseId);
    if (base === undefined || base.status === 'n/a') return { paired: null, ofMedians: null };
    const own = state[key][scenarioId];
    const theirs = base[key][scenarioId];
    const pairs = [];
    for (let k = 0; k < Math.min(own.length, theirs.length); k++) {
      for (let j = 0; j < Math.min(own[k].length, theirs[k].length); j++)
        pairs.push(own[k][j] / theirs[k][j]);
    }
    if (pairs.length === 0) return { paired: null, ofMedians: null };
    return {
      paired: summarize(pairs).median,
      ofMedians: sliceStats(state, scenarioId, key).median / sliceStats(base, scenarioId, key).median,
    };
  };
  return {
    ...meta,
    baseline: baselineId,
    scenarios: scenarios.map((s) => ({
      id: s.id,
      title: s.title,
      unit: s.unit,
      better: s.better,
      params: meta.params[s.id],
      description: s.describe(meta.params[s.id]),
    })),
    rows: states.map((state) => {
      const { row, status, reason, notes } = state;
      const compareTo = row.compareTo !== undefined && row.compareTo !== baselineId ? row.compareTo : null;
      const results = {};
      for (const s of scenarios) {
        const stats = status === 'n/a' ? null : sliceStats(state, s.id);
        if (stats === null) continue;
        const { samples: _flat, ...overSlices } = stats;
        const toBase = ratios(state, baselineId, s.id);
        const toMatched = compareTo === null ? null : ratios(state, compareTo, s.id);
        const cpu = state.cpuSamples[s.id].length > 0 ? sliceStats(state, s.id, 'cpuSamples') : null;
        results[s.id] = {
          ...overSlices,
          ...(cpu === null
            ? {}
            : {
                cpuPerUnit: {
                  median: cpu.median,
                  p25: cpu.p25,
                  p75: cpu.p75,
                  parentMedian: sliceStats(state, s.id, 'cpuParentSamples').median,
                  slices: state.cpuSamples[s.id],
                  parentSlices: state.cpuParentSamples[s.id],
                  ratio: ratios(state, baselineId, s.id, 'cpuSamples').paired,
                },
              }),
          slices: state.sliceSamples[s.id],
          rounds: summarize(state.samples[s.id]),
          ratio: toBase.paired,
          ratioOfMedians: toBase.ofMedians,
          ...(toMatched === null
            ? {}
            : { ratioToCompareTo: toMatched.paired, ratioOfMediansToCompareTo: toMatched.ofMedians }),
        };
      }
      return {
        id: row.id,
        label: row.label,
        description: row.describe,
        status,
        reason,
        notes,
        compareTo,
        results,
      };
    }),
  };
}

function formatValue(value, unit) {
  if (unit === 'calls/s') return Math.round(value).toLocaleString('en-US');
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

const formatRatio = (r) => (r === null || r === undefined ? '' : `${r.toFixed(2)}x`);

// Numbers align right; the first column (row names) and a trailing notes column align left.
function table(header, lines, { notes = false, textColumns = 1 } = {}) {
  const align = (k) => (k < textColumns || (notes && k === header.length - 1) ? '---' : '---:');
  const out = [`| ${header.join(' | ')} |`, `|${header.map((_, k) => align(k)).join('|')}|`];
  for (const line of lines) out.push(`| ${line.join(' | ')} |`);
  return out.join('\n');
}

export function renderMarkdown(results) {
  const { scenarios, rows } = results;
  const labelOf = (id) => rows.find((r) => r.id === id)?.label ?? id;
  const base = labelOf(results.baseline);
  const cellsFor = (row, s) => {
    const r = row.results[s.id];
    if (row.status === 'n/a') return ['n/a', ''];
    if (r === undefined) return [row.status === 'failed' ? 'failed' : '—', ''];
    return [formatValue(r.median, s.unit), formatRatio(r.ratio)];
  };
  const noteFor = (row) => {
    if (row.status === 'n/a') return `n/a (${row.reason})`;
    const parts = [];
    if (row.status === 'failed') parts.push(`failed: ${row.reason}`);
    parts.push(...row.notes);
    return parts.join('; ');
  };

  const summary = table(
    ['row', ...scenarios.flatMap((s) => [`${s.id} ${s.unit}`, `${s.id} x ${base}`]), 'notes'],
    rows.map((row) => [row.label, ...scenarios.flatMap((s) => cellsFor(row, s)), noteFor(row)]),
    { notes: true },
  );
  const measured = (id) => rows.some((r) => r.id === id && r.status !== 'n/a');
  const matched = rows.filter((r) => r.compareTo !== null && r.status !== 'n/a' && measured(r.compareTo));
  const spread = table(
    [
      'row',
      ...scenarios.map((s) => `${s.id} ${s.unit}: slices p25 – p75`),
      ...scenarios.map((s) => `${s.id}: rounds min – max`),
    ],
    rows
      .filter((r) => r.status !== 'n/a')
      .map((row) => [
        row.label,
        ...scenarios.map((s) => {
          const r = row.results[s.id];
          return r === undefined ? '' : `${formatValue(r.p25, s.unit)} – ${formatValue(r.p75, s.unit)}`;
        }),
        ...scenarios.map((s) => {
          const r = row.results[s.id]?.rounds;
          return r === undefined ? '' : `${formatValue(r.min, s.unit)} – ${formatValue(r.max, s.unit)}`;
        }),
      ]),
  );

  const lines = [
    '# procxy bench: latest run',
    '',
    `- date: ${results.date}`,
    `- node: ${results.node} (${results.platform} ${results.arch}); procxy built from ${results.source.commit ?? 'an unknown commit'}${results.source.runtimeChanged ? ' plus uncommitted changes in runtime/' : ''}`,
    `- machine: ${results.cores} cores (${results.cpuModel}), ${results.memoryGiB} GiB`,
    `- rounds: ${results.rounds} measured, after ${results.warmupRounds} warm-up round(s) at quick sizes, not counted; sizes: ${results.quick ? 'quick (smoke run, not for conclusions)' : 'full'}`,
    `- wall time of the whole run: ${results.wallSeconds.toFixed(0)} s; load average (1 min) ${results.loadAverage.start.toFixed(2)} at the start, ${results.loadAverage.end.toFixed(2)} at the end`,
    '',
    summary,
    '',
    `Values are medians over all slices of all measured rounds (S1 and S2 alternate between the rows in slices, S5 in separate cold starts). Ratios are row / ${base} for the same scenario, computed as the median of paired ratios: slice j of round k of the row against slice j of round k of ${base}, which ran a few seconds apart, so load from elsewhere on the machine largely cancels. It can differ from the quotient of the two medians, which latest.json keeps as ratioOfMedians. For time (µs/call, ms) below 1.00x means less time than ${base}; for throughput (calls/s) above 1.00x means more calls per second.`,
  ];
  if (results.notes.length > 0) lines.push('', 'Run notes:', '', ...results.notes.map((n) => `- ${n}`));
  if (matched.length > 0) {
    lines.push(
      '',
      '## Mode-matched ratios',
      '',
      table(
        ['row', 'against', ...scenarios.map((s) => `${s.id} (${s.unit})`)],
        matched.map((row) => [
          row.label,
          labelOf(row.compareTo),
          ...scenarios.map((s) => formatRatio(row.results[s.id]?.ratioToCompareTo)),
        ]),
        { textColumns: 2 },
      ),
    );
  }
  const withCpu = scenarios.filter((s) => rows.some((r) => r.results[s.id]?.cpuPerUnit !== undefined));
  if (withCpu.length > 0) {
    lines.push(
      '',
      '## CPU time per call',
      '',
      table(
        [
          'row',
          ...withCpu.flatMap((s) => [`${s.id} CPU µs`, `${s.id} of which parent`, `${s.id} x ${base}`]),
        ],
        rows
          .filter((r) => r.status !== 'n/a')
          .map((row) => [
            row.label,
            ...withCpu.flatMap((s) => {
              const c = row.results[s.id]?.cpuPerUnit;
              return c === undefined
                ? ['', '', '']
                : [c.median.toFixed(1), c.parentMedian.toFixed(1), formatRatio(c.ratio)];
            }),
          ]),
      ),
      '',
      `CPU time of the bench process (all its threads, so the worker of the worker_threads row too) plus the row's child processes (all their threads, from /proc/<pid>/task/*/schedstat), per call, median over the slices; "of which parent" is the median of the bench process's share alone (for the worker_threads row it includes the worker). Ratios are paired with ${base} as above. Load from elsewhere on the machine moves it much less than wall time (it still rises with cache misses and context switches). It is what a call costs, not how long it waits.`,
    );
  }
  lines.push(
    '',
    '## Spread',
    '',
    spread,
    '',
    '## Scenarios',
    '',
    ...scenarios.map(
      (s) => `- **${s.id}, ${s.title}** (${s.unit}, ${s.better} is better): ${s.description}.`,
    ),
    '',
    '## Rows',
    '',
    ...rows.map((r) => `- **${r.label}** (\`${r.id}\`): ${r.description}.`),
    '',
    '## How it is measured',
    '',
    `- One process measures every row in the same run. In each round every row first gets fresh children (or worker threads), one row after another (repeated as the startup scenario says), each child gone before the next start; the time from creating one to its first answered call is S5. The last one stays as the session of the round and gets an untimed warm-up of ${results.sessionWarmup.sequential} sequential and ${results.sessionWarmup.windowed} windowed calls.`,
    '- S1 and S2 run in slices: slice 1 on every row, then slice 2 on every row, and so on; the row order rotates by one each round. A burst of load from elsewhere on the machine then spoils a few slices rather than a whole row, and the median over all slices leaves it out. The spread table shows the middle half of the slices and the range of the per-round totals (a round total counts every call of the scenario, bursts included).',
    '- Every row serves the same class (`bench/workers/calc.mjs`) and every call sends the same payload, `add(1, 2)`; every answer is checked.',
    '- Warm-up rounds run every row and scenario at the quick sizes and are discarded, so the parent is JIT-warm, every module is loaded and the files children read are cached, for all rows alike.',
    '- The parent runs a full GC before each start and each slice, outside the timed region. At the end of a round each session is closed and its processes must have exited before the next round starts.',
    '- Every step has a timeout (start, warm-up, each slice, close). A row that fails or hangs is closed (its processes killed if needed), marked failed with the round and step, and measured no more; the other rows go on.',
    '',
  );
  return lines.join('\n');
}

// The console gets the numbers, not the prose.
export function renderConsole(markdown) {
  const cut = markdown.indexOf('\n## Spread');
  return cut === -1 ? markdown : markdown.slice(0, cut);
}
