// Entry of `npm run bench`: measures every row in every scenario in one run and writes bench/results/<out>.{md,json,svg}.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { renderSvg } from './lib/chart.mjs';
import { killChildrenNow } from './lib/children.mjs';
import { parseOptions, select, UsageError } from './lib/options.mjs';
import { buildResults, renderConsole, renderMarkdown } from './lib/report.mjs';
import { runBench } from './lib/runner.mjs';
import { rows as allRows, baselineId } from './rows/index.mjs';
import { scenarios as allScenarios } from './scenarios.mjs';
import { targets } from './targets.mjs';

// Whatever happens (an exception, Ctrl-C), no forked child may outlive the bench.
process.on('exit', killChildrenNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killChildrenNow();
    process.exit(130);
  });
}

let options;
let rows;
let scenarios;
try {
  options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(options.help);
    process.exit(0);
  }
  rows = select('row', allRows, options.rows, baselineId);
  scenarios = select('scenario', allScenarios, options.scenarios);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(err.message);
  process.exit(2);
}

const sizeKey = options.quick ? 'quick' : 'full';
const sizes = {
  scenario: (s) => s.params[sizeKey],
  warmupRound: (s) => s.params.quick,
  warmup: options.quick
    ? { sequential: 200, windowed: 1_000, inFlight: 256 }
    : { sequential: 5_000, windowed: 10_000, inFlight: 256 },
};
const limits = {
  startMs: 30_000,
  scenarioMs: 60_000,
  sliceMs: 60_000,
  closeMs: 15_000,
  settleMs: 3_000,
};

// Which procxy was measured: the commit, and whether runtime/ differed from it (dist/ is built from the tree).
function sourceState() {
  const git = (...args) =>
    execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      runtimeChanged: git('status', '--porcelain', 'runtime') !== '',
    };
  } catch {
    return { commit: null, runtimeChanged: null };
  }
}
const source = sourceState();

const started = performance.now();
const startLoad = loadavg()[0];
const { states, notes } = await runBench({
  rows,
  scenarios,
  rounds: options.rounds,
  warmupRounds: options.warmup,
  sizes,
  limits,
  log: (line) => console.error(line),
});

const results = buildResults({
  states,
  scenarios,
  baselineId,
  targets,
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    rounds: options.rounds,
    warmupRounds: options.warmup,
    quick: options.quick,
    params: Object.fromEntries(scenarios.map((s) => [s.id, sizes.scenario(s)])),
    sessionWarmup: sizes.warmup,
    wallSeconds: (performance.now() - started) / 1000,
    source,
    loadAverage: { start: startLoad, end: loadavg()[0] },
    notes,
  },
});
const markdown = renderMarkdown(results);
const outDir = new URL('./results/', import.meta.url);
mkdirSync(outDir, { recursive: true });
writeFileSync(new URL(`${options.out}.json`, outDir), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(new URL(`${options.out}.md`, outDir), markdown);
writeFileSync(new URL(`${options.out}.svg`, outDir), renderSvg(results));
console.log(renderConsole(markdown));
console.log(`\nwritten: bench/results/${options.out}.{md,json,svg}`);
// A peer that leaves a handle open must not keep the bench alive after the report.
process.exit(states.some((s) => s.status === 'failed') ? 1 : 0);
