// Turns the collected samples into the results object (latest.json) and its markdown table (latest.md).
import { supports } from './runner.mjs';
import { summarize } from './stats.mjs';

// A row's value in a scenario is the median over all its slices of all measured rounds (a slice is one
// alternation's share of the work; a startup scenario has one per round): a burst of load from elsewhere on the
// machine spoils a slice or two of one row, not the median. The per-round totals are kept beside it.
export function buildResults({ states, scenarios, baselineId, targets, meta }) {
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
  const baselineOf = (s) => s.baseline ?? baselineId;
  return {
    ...meta,
    baseline: baselineId,
    scenarios: scenarios.map((s) => ({
      id: s.id,
      title: s.title,
      group: s.group,
      unit: s.unit,
      better: s.better,
      baseline: baselineOf(s),
      ...(s.bytesPerCall === undefined ? {} : { bytesPerCall: s.bytesPerCall }),
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
        const toBase = ratios(state, baselineOf(s), s.id);
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
                  ratio: ratios(state, baselineOf(s), s.id, 'cpuSamples').paired,
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
        measures: scenarios.filter((s) => supports(row, s)).map((s) => s.id),
        cannot: row.cannot ?? {},
        results,
      };
    }),
    targets: targets
      .filter((t) => scenarios.some((s) => s.id === t.scenario))
      .map((t) => {
        const state = byId.get(t.row);
        const measured =
          state === undefined || state.status === 'n/a' || state.sliceSamples[t.scenario].length === 0
            ? { paired: null, ofMedians: null }
            : ratios(state, t.against, t.scenario);
        const pass =
          measured.paired === null
            ? null
            : t.op === '<='
              ? measured.paired <= t.limit
              : measured.paired >= t.limit;
        return { ...t, ratio: measured.paired, ratioOfMedians: measured.ofMedians, pass };
      }),
  };
}

function formatValue(value, unit) {
  if (unit === 'calls/s') return Math.round(value).toLocaleString('en-US');
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

const formatRatio = (r) => (r === null || r === undefined ? '' : `${r.toFixed(2)}x`);

// Numbers align right; the first `textColumns` columns (row names and the like) align left.
function table(header, lines, { textColumns = 1 } = {}) {
  const align = (k) => (k < textColumns ? '---' : '---:');
  const out = [`| ${header.join(' | ')} |`, `|${header.map((_, k) => align(k)).join('|')}|`];
  for (const line of lines) out.push(`| ${line.join(' | ')} |`);
  return out.join('\n');
}

const groupTitles = {
  calls: 'Calls: tiny calls and startup (S1, S2, S5)',
  binaries: 'Binaries (S3): a Buffer one way and echoed',
  objects: 'Structured objects (S4): echo',
};

// MB/s from ms per call: the bytes that crossed per second (10^6 bytes per MB).
const megabytesPerSecond = (s, ms) => s.bytesPerCall / ms / 1000;

export function renderMarkdown(results) {
  const { scenarios, rows } = results;
  const labelOf = (id) => rows.find((r) => r.id === id)?.label ?? id;
  const groups = [...new Set(scenarios.map((s) => s.group))].map((group) => ({
    group,
    title: groupTitles[group] ?? group,
    scenarios: scenarios.filter((s) => s.group === group),
  }));
  // n/a: the row cannot carry the payload (or is not available at all); —: the row does not measure it.
  const absent = (row, s) => {
    if (row.status === 'n/a' || Object.hasOwn(row.cannot, s.id)) return 'n/a';
    return row.measures.includes(s.id) && row.status === 'failed' ? 'failed' : '—';
  };
  const valueCell = (row, s) => {
    const r = row.results[s.id];
    if (r === undefined || !row.measures.includes(s.id)) return absent(row, s);
    const value = formatValue(r.median, s.unit);
    if (s.bytesPerCall === undefined) return value;
    return `${value} (${Math.round(megabytesPerSecond(s, r.median)).toLocaleString('en-US')})`;
  };
  const ratioCell = (row, s) => (row.measures.includes(s.id) ? formatRatio(row.results[s.id]?.ratio) : '');
  const valueHeader = (s) => `${s.id} ${s.unit}${s.bytesPerCall === undefined ? '' : ' (MB/s)'}`;
  const groupRows = (g) =>
    rows.filter((r) =>
      g.scenarios.some(
        (s) => r.measures.includes(s.id) || r.status === 'n/a' || Object.hasOwn(r.cannot, s.id),
      ),
    );
  const summary = (g) =>
    table(
      ['row', ...g.scenarios.flatMap((s) => [valueHeader(s), `x ${labelOf(s.baseline)}`])],
      groupRows(g).map((row) => [
        row.label,
        ...g.scenarios.flatMap((s) => [valueCell(row, s), ratioCell(row, s)]),
      ]),
    );
  const cannotLegend = (g) => {
    const rowsByReason = new Map();
    for (const row of rows) {
      for (const s of g.scenarios) {
        const why = row.cannot[s.id];
        if (why === undefined) continue;
        const labels = rowsByReason.get(why) ?? new Set();
        rowsByReason.set(why, labels.add(row.label));
      }
    }
    const reasons = [...rowsByReason].map(([why, labels]) => `${[...labels].join(', ')}: ${why}`);
    if (
      !groupRows(g).some((row) =>
        g.scenarios.some((s) => valueCell(row, s) === 'n/a' || valueCell(row, s) === '—'),
      )
    )
      return [];
    return [
      '',
      `n/a: the row cannot carry the payload${reasons.length === 0 ? '' : ` (${reasons.join('; ')})`}; —: not measured on that row (see Rows).`,
    ];
  };

  const targetLines = results.targets.map((t) => {
    const scenario = scenarios.find((s) => s.id === t.scenario);
    const verdict = t.pass === null ? 'not measured' : t.pass ? 'pass' : '**miss**';
    return [
      `#${t.issue}`,
      `${labelOf(t.row)} ${t.scenario} (${scenario.title}) ${t.op} ${t.limit.toFixed(1)}x ${labelOf(t.against)}${t.note === undefined ? '' : ` (${t.note})`}`,
      // Three decimals: a verdict must not read "1.00x, miss".
      t.ratio === null ? '' : `${t.ratio.toFixed(3)}x`,
      formatRatio(t.ratioOfMedians),
      verdict,
    ];
  });

  const lines = [
    '# procxy bench: latest run',
    '',
    `- date: ${results.date}`,
    `- node: ${results.node} (${results.platform} ${results.arch}); procxy built from ${results.source.commit ?? 'an unknown commit'}${results.source.runtimeChanged ? ' plus uncommitted changes in runtime/' : ''}`,
    `- machine: ${results.cores} cores (${results.cpuModel}), ${results.memoryGiB} GiB`,
    `- rounds: ${results.rounds} measured, after ${results.warmupRounds} warm-up round(s) at quick sizes, not counted; sizes: ${results.quick ? 'quick (smoke run, not for conclusions)' : 'full'}`,
    `- wall time of the whole run: ${results.wallSeconds.toFixed(0)} s; load average (1 min) ${results.loadAverage.start.toFixed(2)} at the start, ${results.loadAverage.end.toFixed(2)} at the end`,
  ];
  if (results.targets.length > 0) {
    lines.push(
      '',
      '## Targets',
      '',
      table(['issue', 'target', 'measured (paired)', 'ratio of medians', 'result'], targetLines, {
        textColumns: 2,
      }),
      '',
      'Each target is a ratio of the row to the other row in one scenario: time per call for µs/call, ms and ms/call (below 1.00x is faster), calls per second for calls/s (above 1.00x is faster). The verdict uses the paired ratio (below); the ratio of the two medians is shown beside it.',
    );
  }
  for (const g of groups) {
    lines.push('', `## ${g.title}`, '', summary(g), ...cannotLegend(g));
  }
  lines.push(
    '',
    `Values are medians over all slices of all measured rounds (S5: over the cold starts). Ratios (x row) are to the baseline named in the column header for the same scenario, computed as the median of paired ratios: slice j of round k of the row against slice j of round k of the baseline, which ran a few seconds apart, so load from elsewhere on the machine largely cancels. It can differ from the quotient of the two medians, which latest.json keeps as ratioOfMedians. For time (µs/call, ms, ms/call) below 1.00x means less time than the baseline; for throughput (calls/s) above 1.00x means more calls per second. MB/s counts the bytes that crossed the process boundary (twice the Buffer for an echo) per second of call time.`,
  );
  const rowNotes = rows.filter((r) => r.status !== 'ok' || r.notes.length > 0);
  if (rowNotes.length > 0 || results.notes.length > 0) {
    lines.push(
      '',
      'Notes:',
      '',
      ...rowNotes.map((row) => {
        const parts = [];
        if (row.status === 'n/a') parts.push(`n/a (${row.reason})`);
        if (row.status === 'failed') parts.push(`failed: ${row.reason}`);
        parts.push(...row.notes);
        return `- ${row.label}: ${parts.join('; ')}`;
      }),
      ...results.notes.map((n) => `- ${n}`),
    );
  }
  const measured = (id) => rows.some((r) => r.id === id && r.status !== 'n/a');
  const matched = rows.filter((r) => r.compareTo !== null && r.status !== 'n/a' && measured(r.compareTo));
  if (matched.length > 0) {
    const matchedScenarios = scenarios.filter((s) =>
      matched.some((r) => r.results[s.id]?.ratioToCompareTo != null),
    );
    lines.push(
      '',
      '## Mode-matched ratios',
      '',
      table(
        ['row', 'against', ...matchedScenarios.map((s) => `${s.id} (${s.unit})`)],
        matched.map((row) => [
          row.label,
          labelOf(row.compareTo),
          ...matchedScenarios.map((s) => formatRatio(row.results[s.id]?.ratioToCompareTo)),
        ]),
        { textColumns: 2 },
      ),
    );
  }
  // CPU per call in the scenario's own unit of time: µs for µs/call and calls/s, ms for ms/call.
  const cpuIn = (s, micros) => (s.unit === 'ms/call' ? micros / 1000 : micros);
  const cpuUnit = (s) => (s.unit === 'ms/call' ? 'ms' : 'µs');
  const cpuGroups = groups
    .map((g) => ({
      ...g,
      scenarios: g.scenarios.filter((s) => rows.some((r) => r.results[s.id]?.cpuPerUnit !== undefined)),
    }))
    .filter((g) => g.scenarios.length > 0);
  if (cpuGroups.length > 0) {
    lines.push('', '## CPU time per call');
    for (const g of cpuGroups) {
      lines.push(
        '',
        table(
          [
            'row',
            ...g.scenarios.flatMap((s) => [`${s.id} CPU ${cpuUnit(s)} (parent)`, `x ${labelOf(s.baseline)}`]),
          ],
          rows
            .filter((r) => g.scenarios.some((s) => r.results[s.id]?.cpuPerUnit !== undefined))
            .map((row) => [
              row.label,
              ...g.scenarios.flatMap((s) => {
                const c = row.results[s.id]?.cpuPerUnit;
                if (c === undefined) return [absent(row, s), ''];
                const digits = cpuUnit(s) === 'ms' ? 2 : 1;
                return [
                  `${cpuIn(s, c.median).toFixed(digits)} (${cpuIn(s, c.parentMedian).toFixed(digits)})`,
                  formatRatio(c.ratio),
                ];
              }),
            ]),
        ),
      );
    }
    lines.push(
      '',
      `CPU time of the bench process (all its threads, so the worker of the worker_threads rows too) plus the row's child processes (all their threads, from /proc/<pid>/task/*/schedstat), per call, median over the slices; in parentheses the median of the bench process's share alone (for the worker_threads rows it includes the worker). Ratios are paired with the scenario's baseline as above. Load from elsewhere on the machine moves it much less than wall time (it still rises with cache misses and context switches). It is what a call costs, not how long it waits; in S3 and S4 it also counts what the bench does off the clock between calls (the fresh copies of the transferring rows, the GC before each S3 call, checking answers).`,
    );
  }
  lines.push('', '## Spread');
  for (const g of groups) {
    lines.push(
      '',
      table(
        [
          'row',
          ...g.scenarios.map((s) => `${s.id} ${s.unit}: slices p25 – p75`),
          ...g.scenarios.map((s) => `${s.id}: rounds min – max`),
        ],
        rows
          .filter((r) => g.scenarios.some((s) => r.results[s.id] !== undefined && r.measures.includes(s.id)))
          .map((row) => [
            row.label,
            ...g.scenarios.map((s) => {
              const r = row.results[s.id];
              return r === undefined || !row.measures.includes(s.id)
                ? ''
                : `${formatValue(r.p25, s.unit)} – ${formatValue(r.p75, s.unit)}`;
            }),
            ...g.scenarios.map((s) => {
              const r = row.results[s.id]?.rounds;
              return r === undefined || r === null || !row.measures.includes(s.id)
                ? ''
                : `${formatValue(r.min, s.unit)} – ${formatValue(r.max, s.unit)}`;
            }),
          ]),
      ),
    );
  }
  lines.push(
    '',
    '## Scenarios',
    '',
    ...scenarios.map(
      (s) =>
        `- **${s.id}, ${s.title}** (${s.unit}, ${s.better} is better; ratios against ${labelOf(s.baseline)}): ${s.description}.`,
    ),
    '',
    '## Rows',
    '',
    ...rows.map((r) => `- **${r.label}** (\`${r.id}\`): ${r.description}.`),
    '',
    '## How it is measured',
    '',
    `- One process measures every row in the same run. In each round every row first gets fresh children (or worker threads), one row after another (repeated as the startup scenario says, for the rows that measure it), each child gone before the next start; the time from creating one to its first answered call is S5. The last one stays as the session of the round and gets an untimed warm-up of ${results.sessionWarmup.sequential} sequential and ${results.sessionWarmup.windowed} windowed calls (100 sequential calls for rows that measure neither S1 nor S2).`,
    '- Every scenario runs in slices: slice 1 on every row, then slice 2 on every row, and so on; the row order rotates by one each round. A burst of load from elsewhere on the machine then spoils a few slices rather than a whole row, and the median over all slices leaves it out. The spread tables show the middle half of the slices and the range of the per-round totals (a round total counts every call of the scenario, bursts included). Before its first slice of a round, each row gets untimed calls of each S3 (three) and S4 (one) scenario.',
    '- Every row serves the same class (`bench/workers/calc.mjs`: add, size, echo; the transfer row a subclass whose echo moves its answer back; the stub row its TypeScript twin, generated) and every call sends the same payload; every answer is checked (S3 echoes: length and 33 sampled bytes; S4: sizes and sampled values), outside the clock for S3 and S4.',
    '- Warm-up rounds run every row and scenario at the quick sizes and are discarded, so the parent is JIT-warm, every module is loaded and the files children read are cached, for all rows alike.',
    '- The parent runs a full GC before each start and each slice, outside the timed region. At the end of a round each session is closed and its processes must have exited before the next round starts.',
    '- Every step has a timeout (start, warm-up, each slice, close). A row that fails or hangs is closed (its processes killed if needed), marked failed with the round and step, and measured no more; the other rows go on.',
    '',
  );
  return lines.join('\n');
}

// The console gets the numbers, not the prose.
export function renderConsole(markdown) {
  const cut = markdown.indexOf('\n## CPU time per call');
  return cut === -1 ? markdown : markdown.slice(0, cut);
}
