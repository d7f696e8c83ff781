// Row "procxy stub json": calls through a stub that `procxy generate` makes at the start of the bench (issue 3 wants
// it at least as fast as the no-build proxy, procxy json, in the same run).
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stop, transform } from 'esbuild';
import { callScenarios } from '../scenarios.mjs';
import { isBuilt } from './procxy.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = path.join(repo, 'dist/compiler/cli.js');
const generateMs = 60_000;

/** A throwaway ESM project holding stub-calc.ts as calc.ts, with `procxy` linked to this repository. */
function project() {
  const dir = mkdtempSync(path.join(tmpdir(), 'procxy-bench-stub-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(fileURLToPath(new URL('../workers/stub-calc.ts', import.meta.url)), path.join(dir, 'calc.ts'));
  writeFileSync(
    path.join(dir, 'procxy.config.ts'),
    "import { defineConfig } from 'procxy/config';\nexport default defineConfig({ workers: ['calc.ts'], serialization: 'json' });\n",
  );
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    `${JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2023',
        types: ['node'],
        skipLibCheck: true,
      },
      include: ['*.ts'],
    })}\n`,
  );
  writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repo, path.join(dir, 'node_modules/procxy'), 'dir');
  symlinkSync(path.join(repo, 'node_modules/@types'), path.join(dir, 'node_modules/@types'), 'dir');
  return dir;
}

function generate(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'generate'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), generateMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output.trim());
      else reject(new Error(`procxy generate exited with ${code ?? signal}: ${output.trim()}`));
    });
  });
}

/** Generates the stub and its child entry, compiles the stub to plain JS beside them, and imports it. */
async function prepare() {
  const dir = project();
  const started = performance.now();
  const summary = await generate(dir);
  const generatedMs = performance.now() - started;
  const stubTs = readFileSync(path.join(dir, 'calc.procxy.ts'), 'utf8');
  const stubJs = path.join(dir, 'calc.procxy.mjs');
  writeFileSync(stubJs, (await transform(stubTs, { loader: 'ts', format: 'esm' })).code);
  // esbuild's service is a child process of the bench: it must not run beside the measurements.
  await stop();
  const { spawnCalc } = await import(pathToFileURL(stubJs).href);
  return {
    spawnCalc,
    note: `stub generated at the start of the run (${summary}; ${generatedMs.toFixed(0)} ms with process start)`,
  };
}

let prepared;
let generatedNote;

export const procxyStub = {
  id: 'procxy-stub-json',
  label: 'procxy stub json',
  compareTo: 'procxy-json',
  scenarios: callScenarios,
  describe:
    "bench/workers/stub-calc.ts (Calc.add, as in calc.mjs) through `procxy generate` (serialization 'json') in a temporary project at the start of the run; the generated calc.procxy.ts compiled to JS with esbuild's transform and imported; await spawnCalc(), then stub.add(1, 2): the generated child entry serves Calc through its dispatch table; closed with $terminate(). Measured on the call scenarios, against procxy json (the no-build proxy)",
  extraNotes: () => (generatedNote === undefined ? [] : [generatedNote]),
  async unavailable() {
    if (!isBuilt() || !existsSync(cli)) return 'runtime or compiler not built';
    // Generated here, once, so that no start pays for it; a failure surfaces from start() with its reason.
    prepared = prepare();
    await prepared.catch(() => {});
    return null;
  },
  async start() {
    const { spawnCalc, note } = await prepared;
    generatedNote = note;
    const stub = await spawnCalc();
    return {
      call: (m, a) => stub[m](...a),
      close: () => stub.$terminate(),
    };
  },
};
