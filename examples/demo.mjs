// `npm run demo`: generates the examples' stubs, shows a PRX diagnostic, runs every example, prints the bench table.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = 'dist/compiler/cli.js';
/** The runnable examples, in the order the demo shows them. */
const examples = ['stubs', 'no-build', 'binary', 'stateful', 'tcp', 'analytics', 'bundled'];

function title(text) {
  console.log(`\n=== ${text} ${'='.repeat(Math.max(0, 74 - text.length))}`);
}

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trimEnd() };
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function fail(message) {
  console.error(`demo failed: ${message}`);
  process.exit(1);
}

if (!existsSync(new URL(`../${cli}`, import.meta.url)))
  fail(`${cli} is missing: run \`npm run build\` first`);

// `--check` (used by the smoke test) verifies the generated files instead of writing them.
const check = process.argv.includes('--check');
title(`procxy generate${check ? ' --check' : ''} (the repository config: examples/hello, calc and stateful)`);
const generated = run([cli, 'generate', ...(check ? ['--check'] : [])]);
console.log(indent(generated.output));
if (generated.status !== 0) fail('procxy generate failed');

title('a worker that cannot cross the boundary (examples/bad, its own config)');
const bad = run([cli, 'generate', '--config', 'examples/bad/procxy.config.ts']);
console.log(indent(bad.output));
// The generator must refuse it: exit 1 with PRX diagnostics is the expected outcome here.
if (bad.status !== 1 || !bad.output.includes('PRX'))
  fail('the bad worker was not refused with a PRX diagnostic');
console.log('  (exit 1, as expected: nothing was written)');

for (const name of examples) {
  title(`examples/${name}/main.mjs`);
  const result = run([`examples/${name}/main.mjs`]);
  console.log(indent(result.output));
  if (result.status !== 0) fail(`examples/${name} exited with ${result.status}`);
}

title('procxy against the raw mechanisms (bench/results/latest.json; `npm run bench` refreshes it)');
printBench(JSON.parse(readFileSync(new URL('../bench/results/latest.json', import.meta.url), 'utf8')));
console.log('\ndemo: every example ran and exited 0');

function printBench(bench) {
  const scenarios = ['S1', 'S2', 'S5', 'S3-10MiB'];
  const rows = [
    'raw-json',
    'raw-advanced',
    'raw-pipe',
    'raw-worker',
    'procxy-json',
    'procxy-advanced',
    'procxy-advanced-transfer',
  ];
  const byId = new Map(bench.rows.map((row) => [row.id, row]));
  const heads = scenarios.map((id) => {
    const s = bench.scenarios.find((scenario) => scenario.id === id);
    return {
      id,
      baseline: s.baseline,
      head: `${id} ${s.unit}`,
      note: `${id} to ${byId.get(s.baseline).label}`,
    };
  });
  const table = [['', ...heads.map((h) => h.head)]];
  for (const id of rows) {
    const row = byId.get(id);
    if (row === undefined) continue;
    table.push([
      row.label,
      ...heads.map(({ id: scenario, baseline }) => {
        const value = row.results?.[scenario]?.median;
        const base = byId.get(baseline).results?.[scenario]?.median;
        if (value === undefined) return '-';
        const shown = value >= 1000 ? Math.round(value).toLocaleString('en') : value.toFixed(1);
        return base === undefined ? shown : `${shown} (${(value / base).toFixed(2)}x)`;
      }),
    ]);
  }
  const widths = table[0].map((_, c) => Math.max(...table.map((line) => line[c].length)));
  for (const line of table) {
    console.log(
      `  ${line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')}`,
    );
  }
  const when = `${bench.date.slice(0, 16).replace('T', ' ')} UTC`;
  console.log(
    `  medians of ${bench.rounds} rounds, ${when}, ${bench.cores} cores; S1, S5, S3 lower is better, S2 higher`,
  );
  console.log(`  ratios: ${heads.map((h) => h.note).join(', ')}; S3-10MiB is a 10 MiB Buffer one way`);
}
