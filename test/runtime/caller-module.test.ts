// procxy(Class) without a module path: the caller's module is found from its call site, whatever its path and the
// class's name, and a module that starts workers while a child loads it cannot start them without end.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { ModuleResolutionError, procxy } from 'procxy';
import { afterAll, describe, expect, it } from 'vitest';

const runtime = fileURLToPath(new URL('../../dist/runtime/index.js', import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'procxy-caller-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `source` to `relative` under a fresh folder and runs it with node (and `flags`); its stdout and stderr. */
function run(relative: string, source: string, flags: readonly string[] = []) {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, source);
  const result = spawnSync(process.execPath, [...flags, file], { encoding: 'utf8', timeout: 30_000 });
  return { stdout: result.stdout, stderr: result.stderr };
}

/** A module that exports class `name` and serves it to itself through procxy() with no module path. */
function selfServing(name: string): string {
  return [
    "import { fileURLToPath } from 'node:url';",
    `import { procxy } from ${JSON.stringify(runtime)};`,
    `export class ${name} {`,
    '  who() {',
    `    return ${JSON.stringify(name)};`,
    '  }',
    '}',
    'export async function main() {',
    `  const w = await procxy(${name});`,
    '  console.log(await w.who());',
    '  await w.$terminate();',
    '}',
    // Only in the process run as the script: the child imports this module too.
    'if (process.argv[1] === fileURLToPath(import.meta.url)) await main();',
    '',
  ].join('\n');
}

describe('the caller module', () => {
  it('is found when its path holds parentheses, a colon or a space', () => {
    for (const folder of ['Project (copy)', 'at:colon']) {
      const { stdout, stderr } = run(path.join(folder, 'calc.mjs'), selfServing('Calc'));
      expect(stderr, folder).toBe('');
      expect(stdout, folder).toBe('Calc\n');
    }
  });

  it('is found for a class whose name has letters past ASCII or a dollar sign', () => {
    for (const name of ['Café', 'Calc$', '$Calc']) {
      const { stdout, stderr } = run(`${name}.mjs`, selfServing(name));
      expect(stderr, name).toBe('');
      expect(stdout, name).toBe(`${name}\n`);
    }
  });

  it('is the running file, not the source a source map names (--enable-source-maps)', () => {
    const { code } = transformSync(selfServing('Mapped'), {
      loader: 'ts',
      format: 'esm',
      sourcemap: 'inline',
      sourcefile: path.join(root, 'mapped', 'mapped.ts'),
    });
    const { stdout, stderr } = run(path.join('mapped', 'mapped.mjs'), code, ['--enable-source-maps']);
    expect(stderr).toBe('');
    expect(stdout).toBe('Mapped\n');
  });

  it('is not searched for a class without a name: ModuleResolutionError, where the child took another export', async () => {
    const Anonymous = (() => class {})();
    const error = await procxy(Anonymous).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModuleResolutionError);
    expect((error as Error).message).toMatch(/The worker class has no name/);
  });
});

describe('a worker module that starts workers at its top level', () => {
  it('starts none of its own classes in a child that loads it, so two classes cannot start each other', () => {
    const source = [
      `import { procxy } from ${JSON.stringify(runtime)};`,
      'export class A {',
      '  ping() {',
      "    return 'A';",
      '  }',
      '}',
      'export class B {',
      '  ping() {',
      "    return 'B';",
      '  }',
      '}',
      // Every process that loads this module starts both, as code that forgets the child imports it does.
      'const started = [procxy(A), procxy(B)];',
      'const outcomes = await Promise.allSettled(started);',
      "if (process.argv[1] === (await import('node:url')).fileURLToPath(import.meta.url)) {",
      '  const proxies = outcomes.map((o) => o.value);',
      '  console.log(JSON.stringify(await Promise.all(proxies.map((p) => p.ping()))));',
      '  await Promise.all(proxies.map((p) => p.$terminate()));',
      '} else {',
      "  process.stderr.write(outcomes.map((o) => o.status === 'rejected' ? o.reason.message.split(':')[0] : 'started').join(' | ') + '\\n');",
      '}',
      '',
    ].join('\n');
    const { stdout, stderr } = run('pingpong.mjs', source);
    expect(stdout).toBe('["A","B"]\n');
    // Each child refused both: its own class, and the other one while the module loads.
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatch(/would start itself again/);
      expect(line).toMatch(/would be started by its module/);
    }
  });
});
