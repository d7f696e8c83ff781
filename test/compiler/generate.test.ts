// The Generator across runs, as --watch and the esbuild plugin drive it: what a run rebundles, and from what.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, expect, it } from 'vitest';
import { Generator } from '../../compiler/generate.js';
import { loadConfig } from '../../compiler/load-config.js';
import { removeTempProjects, runCli, scratchProject } from './project.js';

afterAll(removeTempProjects);

async function generatorIn(dir: string): Promise<Generator> {
  return new Generator(await loadConfig(path.join(dir, 'procxy.config.ts')));
}

it('rebundles a child whose input changed during a run that stopped on another worker’s error', async () => {
  const dir = scratchProject({
    'src/prefix.ts': "export const PREFIX = 'v1';\n",
    'src/a.worker.ts': [
      "import { PREFIX } from './prefix.js';",
      'export class A {',
      '  greet(name: string): string {',
      "    return PREFIX + ' ' + name;",
      '  }',
      '}',
      '',
    ].join('\n'),
    'src/b.worker.ts': 'export class B {\n  ping(n: number): number {\n    return n;\n  }\n}\n',
  });
  const file = (name: string) => path.join(dir, 'src', name);
  const child = file('a.worker.procxy.child.mjs');
  const generator = await generatorIn(dir);
  expect((await generator.run()).ok).toBe(true);
  expect(readFileSync(child, 'utf8')).toContain('"v1"');

  writeFileSync(file('prefix.ts'), "export const PREFIX = 'v2';\n");
  writeFileSync(file('b.worker.ts'), 'export class B {\n  ping(n: Date): Date {\n    return n;\n  }\n}\n');
  generator.invalidate([file('prefix.ts'), file('b.worker.ts')]);
  const failed = await generator.run();
  expect(failed.diagnostics.map((d) => d.code)).toEqual(['PRX1003', 'PRX1003']);
  expect(failed.written).toEqual([]);

  writeFileSync(
    file('b.worker.ts'),
    'export class B {\n  ping(n: number): number {\n    return n;\n  }\n}\n',
  );
  generator.invalidate([file('b.worker.ts')]);
  const fixed = await generator.run();
  expect(fixed.ok).toBe(true);
  expect(fixed.written).toEqual([child]);
  expect(readFileSync(child, 'utf8')).toContain('"v2"');
});

/** Worker A, whose method starts worker B through B's stub at `bStub`. */
const aWorker = (bStub: string) =>
  [
    `import { spawnB } from '${bStub}';`,
    'export class A {',
    '  async viaB(): Promise<number> {',
    '    await using b = await spawnB(undefined);',
    '    return await b.alpha();',
    '  }',
    '}',
    '',
  ].join('\n');

/** An app at `main` (.ts) that spawns A and prints what viaB answers. */
const appOf = (aStub: string) =>
  [
    `import { spawnA } from '${aStub}';`,
    'await using a = await spawnA(undefined);',
    'console.log(await a.viaB());',
    '',
  ].join('\n');

/** Bundles the app at `main` beside itself and runs it. */
async function bundleAndRun(dir: string, main: string) {
  const outfile = main.replace(/\.ts$/, '.bundle.mjs');
  await build({
    absWorkingDir: dir,
    entryPoints: [main],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  return spawnSync(process.execPath, [path.join(dir, outfile)], { encoding: 'utf8', timeout: 30_000 });
}

it('bundles into a worker that spawns another the stub this run generates: on a clean tree, and after it changes', async () => {
  const bWorker = (methods: string) => `export class B {\n${methods}}\n`;
  const alpha = '  alpha(): number {\n    return 1;\n  }\n';
  const beta = '  beta(): number {\n    return 2;\n  }\n';
  const dir = scratchProject({
    'src/b.worker.ts': bWorker(alpha),
    'src/a.worker.ts': aWorker('./b.worker.procxy.js'),
    'src/main.ts': appOf('./a.worker.procxy.js'),
  });
  // No stub on disk yet: A's child could not be bundled before.
  const clean = runCli(['generate'], dir);
  expect(clean.stdout).toMatch(/^procxy: 2 workers, 2 methods, 4 files written in \d+ ms\n$/);

  const generator = await generatorIn(dir);
  expect((await generator.run()).written).toEqual([]);
  // B gains a method before alpha: its child serves [beta, alpha], and A's child must expect that too.
  const b = path.join(dir, 'src/b.worker.ts');
  writeFileSync(b, bWorker(beta + alpha));
  generator.invalidate([b]);
  const changed = await generator.run();
  expect(changed.ok).toBe(true);
  expect(changed.written.map((f) => path.relative(dir, f)).sort()).toEqual([
    'src/a.worker.procxy.child.mjs',
    'src/b.worker.procxy.child.mjs',
    'src/b.worker.procxy.ts',
  ]);

  // A real run: the app spawns A, whose child spawns B through the stub it bundled.
  expect(await bundleAndRun(dir, 'src/main.ts')).toMatchObject({ stderr: '', stdout: '1\n' });
});

it('bundles into a worker the stub of a worker in another folder, which finds its child from there', async () => {
  const dir = scratchProject({
    'src/b/b.worker.ts': 'export class B {\n  alpha(): number {\n    return 1;\n  }\n}\n',
    'src/a/a.worker.ts': aWorker('../b/b.worker.procxy.js'),
    // Beside A's stub, which the app's bundle holds: only the stubs inside A's child come from elsewhere.
    'src/a/main.ts': appOf('./a.worker.procxy.js'),
  });
  const run = () => bundleAndRun(dir, 'src/a/main.ts');
  // On a clean tree (B's stub served from memory), then again with it on disk.
  expect(runCli(['generate'], dir).status).toBe(0);
  expect(await run()).toMatchObject({ stderr: '', stdout: '1\n' });
  rmSync(path.join(dir, 'src/a/a.worker.procxy.child.mjs'));
  expect(runCli(['generate'], dir).status).toBe(0);
  expect(await run()).toMatchObject({ stderr: '', stdout: '1\n' });
});

const nodeTypesWorker = [
  "import { EventEmitter } from 'node:events';",
  "import type { Socket } from 'node:net';",
  'export class Io extends EventEmitter<{ tick: [n: number] }> {',
  '  size(buf: Buffer): number {',
  '    return buf.length;',
  '  }',
  '  serve(socket: Socket): void {',
  '    socket.end();',
  '  }',
  '}',
  '',
].join('\n');

it('without a tsconfig, loads @types/node: Buffer and sockets cross, an EventEmitter worker gets its events', () => {
  const dir = scratchProject({
    'src/io.worker.ts': nodeTypesWorker,
    'procxy.config.ts': [
      "import { defineConfig } from 'procxy/config';",
      "export default defineConfig({ workers: ['src/*.worker.ts'], serialization: 'advanced' });",
      '',
    ].join('\n'),
  });
  rmSync(path.join(dir, 'tsconfig.json'));
  const run = runCli(['generate'], dir);
  expect(run.stdout).toMatch(/^procxy: 1 worker, 2 methods, 2 files written in \d+ ms\n$/);
  const stub = readFileSync(path.join(dir, 'src/io.worker.procxy.ts'), 'utf8');
  expect(stub).toContain('ProxyEvents<IoProxy, string, { tick: [n: number] }>');
  expect(stub).toContain('size(buf: Buffer): Promise<number>;');
});

it('a name @types/node would declare, when the tsconfig loads no types, is an unresolved name (PRX1024), not an any', () => {
  const dir = scratchProject({ 'src/io.worker.ts': nodeTypesWorker });
  const tsconfig = path.join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, readFileSync(tsconfig, 'utf8').replace('"types": ["node"]', '"types": []'));
  const run = runCli(['generate'], dir);
  expect(run.status).toBe(1);
  expect(run.stdout).toMatch(/error PRX1024: /);
  expect(run.stdout).not.toMatch(/PRX1014/);
});
