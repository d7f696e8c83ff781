// Generator timings (cold `procxy generate` of examples/, watch regeneration) and calls through a generated stub
// against the no-build procxy() proxy, in one run. Needs `npm run build` first. Usage: node bench/generate.mjs [--quick]
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stop, transform } from 'esbuild';
import { summarize } from './lib/stats.mjs';
import { killAndWait } from './rows/child-process.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(repo, 'dist/compiler/cli.js');
if (!existsSync(cli) || !existsSync(path.join(repo, 'dist/runtime/stub.js'))) {
  console.error('bench/generate.mjs: run `npm run build` first');
  process.exit(2);
}
const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 7;

const median = (values) => summarize(values).median;
const ms = (value) => `${value.toFixed(0)} ms`;

/** A copy of examples/ and the repo's config as its own ESM project, `procxy` linked to this repo. */
function project() {
  const dir = mkdtempSync(path.join(tmpdir(), 'procxy-bench-gen-'));
  cpSync(path.join(repo, 'examples'), path.join(dir, 'examples'), {
    recursive: true,
    filter: (source) => !/\.procxy\.(ts|child\.mjs)$/.test(source),
  });
  cpSync(path.join(repo, 'procxy.config.ts'), path.join(dir, 'procxy.config.ts'));
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: path.join(repo, 'tsconfig.json'), include: ['examples'] }),
  );
  writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repo, path.join(dir, 'node_modules/procxy'), 'dir');
  symlinkSync(path.join(repo, 'node_modules/@types'), path.join(dir, 'node_modules/@types'), 'dir');
  return dir;
}

/** Wall time of one `procxy generate` process, and its CPU time (reported by the child itself at exit). */
function coldRunWithCpu(dir, args) {
  const report =
    'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>{const u=process.cpuUsage();writeSync(2,"cpu "+(u.user+u.system)/1000+"\\n")})';
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', report, cli, 'generate', ...args], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const wall = performance.now() - started;
  if (run.status !== 0) throw new Error(`procxy generate exited with ${run.status}: ${run.stderr}`);
  return { wall, cpu: Number(/cpu ([\d.]+)/.exec(run.stderr)?.[1] ?? Number.NaN) };
}

async function benchCold(dir) {
  coldRunWithCpu(dir, []); // first run writes the files; the timed runs find them up to date, as a CI run does
  const walls = [];
  const cpus = [];
  for (let i = 0; i < rounds; i++) {
    const { wall, cpu } = coldRunWithCpu(dir, []);
    walls.push(wall);
    cpus.push(cpu);
  }
  return { wall: median(walls), cpu: median(cpus), max: Math.max(...walls) };
}

/** In-process: the Generator --watch keeps, after a one-line edit of a worker and of a file it imports. */
async function benchWatchInProcess(dir) {
  const { loadConfig } = await import(pathToFileURL(path.join(repo, 'dist/compiler/load-config.js')).href);
  const { Generator } = await import(pathToFileURL(path.join(repo, 'dist/compiler/generate.js')).href);
  const generator = new Generator(await loadConfig(path.join(dir, 'procxy.config.ts')));
  await generator.run();
  const results = {};
  for (const [name, file, from, to] of [
    ['worker edit', 'examples/hello/greeter.ts', "'Hello'", "'Hi'"],
    ['imported type edit', 'examples/hello/mood.ts', "'excited'", "'excited' | 'calm'"],
  ]) {
    const full = path.join(dir, file);
    const original = readFileSync(full, 'utf8');
    const times = [];
    for (let i = 0; i < rounds * 2; i++) {
      writeFileSync(full, i % 2 === 0 ? original.replace(from, to) : original);
      const started = performance.now();
      generator.invalidate([full]);
      const result = await generator.run();
      times.push(performance.now() - started);
      if (!result.ok) throw new Error(`watch run failed: ${JSON.stringify(result.diagnostics)}`);
    }
    writeFileSync(full, original);
    results[name] = { median: median(times), max: Math.max(...times) };
  }
  return results;
}

/** End to end: `procxy generate --watch`, from writing the file to the summary line (fs events and debounce included). */
async function benchWatchCli(dir) {
  const child = spawn(process.execPath, [cli, 'generate', '--watch'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const waiters = [];
  child.stdout.on('data', (chunk) => {
    out += chunk;
    for (const waiter of waiters.splice(0)) waiter();
  });
  const summaries = () => (out.match(/^procxy: .* in \d+ ms$/gm) ?? []).length;
  const until = (count) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('watch bench: no summary within 30 s')), 30_000);
      const check = () => {
        if (summaries() >= count) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  try {
    await until(1);
    const file = path.join(dir, 'examples/hello/greeter.ts');
    const original = readFileSync(file, 'utf8');
    const times = [];
    for (let i = 0; i < rounds; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      writeFileSync(file, i % 2 === 0 ? original.replace("'Hello'", "'Hi'") : original);
      await until(i + 2);
      times.push(performance.now() - started);
    }
    writeFileSync(file, original);
    return { median: median(times), max: Math.max(...times) };
  } finally {
    // Gone before the call timings start, so its shutdown does not run beside them.
    await killAndWait(child);
  }
}

/** Calls through spawnGreeter (generated stub) and procxy(Greeter) (no build), in alternating slices. */
async function benchCalls(dir) {
  const hello = path.join(dir, 'examples/hello');
  // Plain-JS copies for this plain-Node process: the stub stays beside its child entry, so its URL resolves.
  const stubTs = readFileSync(path.join(hello, 'greeter.procxy.ts'), 'utf8');
  writeFileSync(
    path.join(hello, 'greeter.procxy.bench.mjs'),
    (await transform(stubTs, { loader: 'ts', format: 'esm' })).code,
  );
  const workerTs = readFileSync(path.join(hello, 'greeter.ts'), 'utf8');
  writeFileSync(
    path.join(hello, 'greeter.bench.mjs'),
    (await transform(workerTs, { loader: 'ts', format: 'esm' })).code,
  );
  // esbuild's service process is not needed once the copies are written; it must not run beside the timings.
  await stop();
  const { spawnGreeter } = await import(pathToFileURL(path.join(hello, 'greeter.procxy.bench.mjs')).href);
  const { Greeter } = await import(pathToFileURL(path.join(hello, 'greeter.bench.mjs')).href);
  const { procxy } = await import(pathToFileURL(path.join(repo, 'dist/runtime/index.js')).href);
  const stub = await spawnGreeter(undefined, 'Hello');
  const plain = await procxy(Greeter, path.join(hello, 'greeter.bench.mjs'), undefined, 'Hello');
  const sequential = quick ? 500 : 3_000;
  const burst = quick ? 5_000 : 30_000;
  const inFlight = 256;
  const slice = async (proxy, kind) => {
    const started = performance.now();
    if (kind === 'sequential') {
      for (let i = 0; i < sequential; i++) await proxy.greet('Ann');
      return (performance.now() - started) / sequential;
    }
    let sent = 0;
    const lane = async () => {
      while (sent < burst) {
        sent++;
        await proxy.greet('Ann');
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
    return burst / ((performance.now() - started) / 1000);
  };
  const results = {};
  try {
    for (const kind of ['sequential', 'windowed']) {
      await slice(stub, kind);
      await slice(plain, kind);
      const ratios = [];
      const stubValues = [];
      const plainValues = [];
      for (let i = 0; i < rounds; i++) {
        const order = i % 2 === 0 ? [stub, plain] : [plain, stub];
        const values = new Map();
        for (const proxy of order) values.set(proxy, await slice(proxy, kind));
        stubValues.push(values.get(stub));
        plainValues.push(values.get(plain));
        // Higher is better for both ratios: calls/s, or no-build time per call over stub time per call.
        ratios.push(
          kind === 'sequential' ? values.get(plain) / values.get(stub) : values.get(stub) / values.get(plain),
        );
      }
      results[kind] = { stub: median(stubValues), plain: median(plainValues), ratio: median(ratios) };
    }
  } finally {
    await stub.$terminate();
    await plain.$terminate();
  }
  return results;
}

const dir = project();
try {
  const load = loadavg()[0];
  const cold = await benchCold(dir);
  const watchInProcess = await benchWatchInProcess(dir);
  const watchCli = await benchWatchCli(dir);
  const calls = await benchCalls(dir);
  const lines = [
    `procxy generator bench (${quick ? 'quick' : 'full'}, ${rounds} rounds, Node ${process.versions.node}, load ${load.toFixed(2)} -> ${loadavg()[0].toFixed(2)})`,
    `cold \`procxy generate\` of examples/ (2 workers), process start to exit: median ${ms(cold.wall)} wall (max ${ms(cold.max)}), ${ms(cold.cpu)} CPU   [target < 3000 ms]`,
    ...Object.entries(watchInProcess).map(
      ([name, r]) =>
        `watch regeneration in process after a one-line ${name}: median ${ms(r.median)} (max ${ms(r.max)})   [target < 300 ms]`,
    ),
    `watch end to end (procxy generate --watch, write -> summary line, fs event + 15 ms debounce): median ${ms(watchCli.median)} (max ${ms(watchCli.max)})`,
    `calls, sequential: stub ${(calls.sequential.stub * 1000).toFixed(1)} µs/call, no-build ${(calls.sequential.plain * 1000).toFixed(1)} µs/call, stub speed / no-build speed = ${calls.sequential.ratio.toFixed(2)}`,
    `calls, 256 in flight: stub ${calls.windowed.stub.toFixed(0)} calls/s, no-build ${calls.windowed.plain.toFixed(0)} calls/s, ratio ${calls.windowed.ratio.toFixed(2)}`,
  ];
  console.log(lines.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
