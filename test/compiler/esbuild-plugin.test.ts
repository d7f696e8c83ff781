// The esbuild plugin in real esbuild builds: a bundled app calls its worker on plain node, diagnostics fail the build, watch follows types.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type BuildOptions, type BuildResult, build, context, formatMessages, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { procxyPlugin } from '../../compiler/esbuild-plugin.js';
import { generate } from '../../compiler/generate.js';
import { addCompilerOptions, removeTempProjects, repoRoot, scratchProject, tempProject } from './project.js';

afterAll(removeTempProjects);

function options(dir: string, extra: BuildOptions = {}): BuildOptions {
  return {
    absWorkingDir: dir,
    entryPoints: ['src/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: 'out',
    logLevel: 'silent',
    ...extra,
  };
}

/** Runs the bundled app (`out/main.js`) on plain node, as a user would. */
function runBundle(dir: string) {
  return spawnSync(process.execPath, [path.join(dir, 'out/main.js')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

const BAD_GREET = `  greet(name: string, when: Date): Greeting {
    return { text: \`\${this.prefix} \${name} \${when.getDay()}\`, length: name.length };
  }`;

/** A plugin recording each build's result, and the promise of the result of build number `count`. */
function recordBuilds() {
  const results: BuildResult[] = [];
  let notify: (() => void) | undefined;
  const recorder: Plugin = {
    name: 'recorder',
    setup(b) {
      b.onEnd((result) => {
        results.push(result);
        notify?.();
      });
    },
  };
  const nextResult = (count: number): Promise<BuildResult> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no build ${count} within 15 s`)), 15_000);
      notify = () => {
        if (results.length < count) return;
        clearTimeout(timer);
        resolve(results[count - 1]!);
      };
      notify();
    });
  return { recorder, nextResult };
}

describe('procxy/esbuild', () => {
  it('bundles an app whose stub spawns the emitted child, and the bundle runs on plain node', async () => {
    const dir = tempProject('esbuild');
    const result = await build(options(dir, { plugins: [procxyPlugin()] }));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const child = path.join(dir, 'out/greeter.worker.procxy.child.mjs');
    // The same bytes `procxy generate` produces, and nothing written beside the sources.
    const generated = await generate({ cwd: dir, check: true });
    expect(readFileSync(child, 'utf8')).toBe(
      generated.files.get(path.join(dir, 'src/greeter.worker.procxy.child.mjs')),
    );
    expect(existsSync(path.join(dir, 'src/greeter.worker.procxy.ts'))).toBe(false);
    // Without write, the child is one more output file of the result.
    const inMemory = await build(options(dir, { plugins: [procxyPlugin()], write: false, outdir: 'mem' }));
    expect(
      inMemory.outputFiles?.find((f) => f.path === path.join(dir, 'mem/greeter.worker.procxy.child.mjs'))
        ?.text,
    ).toBe(readFileSync(child, 'utf8'));
    const run = runBundle(dir);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ text: 'hello Ann', length: 3, inChild: true });
  });

  it('keeps procxy a package, so that the no-build procxy() of a bundled app finds the child entry procxy ships', async () => {
    const dir = tempProject('esbuild');
    const echo = path.join(repoRoot, 'test/runtime/core-fixtures/echo.mjs');
    writeFileSync(
      path.join(dir, 'src/main.ts'),
      [
        "import { procxy } from 'procxy';",
        `import { Echo } from ${JSON.stringify(echo)};`,
        `const w = await procxy(Echo, ${JSON.stringify(echo)});`,
        "console.log(JSON.stringify(await w.echo('through the bundle')));",
        'await w.$terminate();',
        '',
      ].join('\n'),
    );
    const result = await build(options(dir, { plugins: [procxyPlugin()] }));
    expect(result.errors).toEqual([]);
    expect(readFileSync(path.join(dir, 'out/main.js'), 'utf8')).toMatch(/from "procxy"/);
    const run = runBundle(dir);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toBe('through the bundle');
    // Bundled without the plugin, procxy is inlined: procxy() says what to do, not which file it missed alone.
    await build(options(dir));
    const inlined = runBundle(dir);
    expect(inlined.status).not.toBe(0);
    expect(inlined.stderr).toMatch(
      /SpawnError: Could not start the worker Echo: procxy's child entry .*child\/main\.js does not exist, as happens when procxy is bundled into the app; keep procxy a package/,
    );
  });

  it('emits the child beside every output holding a stub, entry points in different folders included', async () => {
    const dir = tempProject('esbuild');
    const main = readFileSync(path.join(dir, 'src/main.ts'), 'utf8');
    mkdirSync(path.join(dir, 'src/sub'));
    writeFileSync(
      path.join(dir, 'src/sub/other.ts'),
      main.replace("'./greeter.worker", "'../greeter.worker"),
    );
    const result = await build(
      options(dir, { entryPoints: ['src/main.ts', 'src/sub/other.ts'], plugins: [procxyPlugin()] }),
    );
    expect(result.errors).toEqual([]);
    for (const bundle of ['out/main.js', 'out/sub/other.js']) {
      const run = spawnSync(process.execPath, [path.join(dir, bundle)], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({ text: 'hello Ann', length: 3, inChild: true });
    }
    // The metafile the plugin needs is also the user's when asked for, as esbuild makes it.
    const withMetafile = await build(options(dir, { metafile: true, plugins: [procxyPlugin()] }));
    expect(Object.keys(withMetafile.metafile?.outputs ?? {})).toEqual(['out/main.js']);
  });

  it('bundles, as ESM, a stub that procxy generate would write for CommonJS (no __dirname in the bundle)', async () => {
    const dir = tempProject('esbuild');
    writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "commonjs" }\n');
    const result = await build(options(dir, { outExtension: { '.js': '.mjs' }, plugins: [procxyPlugin()] }));
    expect(result.errors).toEqual([]);
    const run = spawnSync(process.execPath, [path.join(dir, 'out/main.mjs')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ text: 'hello Ann', length: 3, inChild: true });
  });

  it('fails the build with the PRX diagnostic at its file, line and column', async () => {
    const dir = tempProject('esbuild');
    const worker = path.join(dir, 'src/greeter.worker.ts');
    const text = readFileSync(worker, 'utf8');
    writeFileSync(worker, text.replace(/ {2}greet\(name: string\): Greeting \{\n.*\n {2}\}/, BAD_GREET));
    const failure = await build(options(dir, { plugins: [procxyPlugin()] })).then(
      () => undefined,
      (error: unknown) => error as { errors: BuildResult['errors'] },
    );
    expect(failure).toBeDefined();
    const [error, ...others] = failure!.errors;
    expect(others).toEqual([]);
    expect(error!.text).toMatch(
      /^PRX1003: parameter 'when' of 'Greeter.greet': Date becomes a string in json mode/,
    );
    expect(error!.location).toMatchObject({
      file: 'src/greeter.worker.ts',
      line: 7,
      // esbuild counts columns from 0: this one is the `Date` of `when: Date`.
      column: '  greet(name: string, when: '.length,
      lineText: '  greet(name: string, when: Date): Greeting {',
    });
    expect(existsSync(path.join(dir, 'out/greeter.worker.procxy.child.mjs'))).toBe(false);
  });

  it('places the error in UTF-8 bytes, as esbuild counts, after characters outside ASCII', async () => {
    const dir = tempProject('esbuild');
    const worker = path.join(dir, 'src/greeter.worker.ts');
    const line = '  greet(/* 名前 */ name: string, /* 日付 */ when: Date): Greeting {';
    writeFileSync(
      worker,
      readFileSync(worker, 'utf8').replace(
        / {2}greet\(name: string\): Greeting \{\n.*\n {2}\}/,
        `${line}\n    return { text: name, length: when.getDay() };\n  }`,
      ),
    );
    const failure = await build(options(dir, { plugins: [procxyPlugin()] })).then(
      () => undefined,
      (error: unknown) => error as { errors: BuildResult['errors'] },
    );
    const [error] = failure!.errors;
    expect(error!.text).toMatch(/^PRX1003: parameter 'when' of 'Greeter.greet'/);
    const before = line.slice(0, line.indexOf('Date'));
    expect(error!.location).toMatchObject({
      line: 7,
      column: Buffer.byteLength(before),
      length: 4,
      lineText: line,
    });
    // esbuild's own rendering underlines `Date`, not a token further right.
    const [shown] = await formatMessages([error!], { kind: 'error', color: false });
    const [code, underline] = shown!.split('\n').filter((l) => /^ +(?:\d+ │|╵)/.test(l));
    expect(code).toContain('when: Date)');
    expect(underline!.indexOf('~~~~')).toBe(code!.indexOf('Date'));
    expect(underline).toMatch(/~~~~$/);
  });

  it('rebuilds in watch mode when a type the worker uses changes, and recovers when it is fixed', async () => {
    const dir = tempProject('esbuild');
    const { recorder, nextResult } = recordBuilds();
    const ctx = await context(options(dir, { plugins: [procxyPlugin(), recorder] }));
    try {
      await ctx.watch();
      expect((await nextResult(1)).errors).toEqual([]);
      const types = path.join(dir, 'src/types.ts');
      const original = readFileSync(types, 'utf8');
      writeFileSync(types, original.replace('length: number;', 'length: number;\n  at: Date;'));
      const broken = await nextResult(2);
      expect(broken.errors.map((e) => e.text)).toEqual([
        expect.stringMatching(/^PRX1003: .*'Greeter.greet'.*Date becomes a string in json mode/),
      ]);
      writeFileSync(types, original);
      expect((await nextResult(3)).errors).toEqual([]);
    } finally {
      await ctx.dispose();
    }
  });

  it('in watch mode, a bundle that imports no stub fails on a worker error and builds again once it is fixed', async () => {
    const dir = tempProject('esbuild');
    writeFileSync(path.join(dir, 'src/plain.ts'), "console.log('no worker here');\n");
    const worker = path.join(dir, 'src/greeter.worker.ts');
    const text = readFileSync(worker, 'utf8');
    writeFileSync(worker, text.replace(/ {2}greet\(name: string\): Greeting \{\n.*\n {2}\}/, BAD_GREET));
    const { recorder, nextResult } = recordBuilds();
    const ctx = await context(
      options(dir, { entryPoints: ['src/plain.ts'], plugins: [procxyPlugin(), recorder] }),
    );
    try {
      await ctx.watch();
      expect((await nextResult(1)).errors.map((e) => e.text)).toEqual([expect.stringMatching(/^PRX1003: /)]);
      writeFileSync(worker, text);
      expect((await nextResult(2)).errors).toEqual([]);
    } finally {
      await ctx.dispose();
    }
  });

  it('in watch mode, finds a file a failed build could not, once it appears', async () => {
    const dir = tempProject('esbuild');
    const types = path.join(dir, 'src/types.ts');
    const original = readFileSync(types, 'utf8');
    rmSync(types);
    const { recorder, nextResult } = recordBuilds();
    const ctx = await context(options(dir, { plugins: [procxyPlugin(), recorder] }));
    try {
      await ctx.watch();
      expect((await nextResult(1)).errors.map((e) => e.text)).toEqual([expect.stringMatching(/^PRX1024: /)]);
      writeFileSync(types, original);
      expect((await nextResult(2)).errors).toEqual([]);
    } finally {
      await ctx.dispose();
    }
  });

  it('in watch mode, finds a missing import once it appears in a folder no worker or dependency is in', async () => {
    const dir = scratchProject({
      'src/k.worker.ts':
        "import type { T } from '../shared/types.js';\nexport class K {\n  m(t: T): number {\n    return t.a;\n  }\n}\n",
      'src/main.ts': "import { spawnK } from './k.worker.procxy.js';\nconsole.log(typeof spawnK);\n",
      'shared/existing.ts': 'export const y = 1;\n',
    });
    const { recorder, nextResult } = recordBuilds();
    const ctx = await context(options(dir, { plugins: [procxyPlugin(), recorder] }));
    try {
      await ctx.watch();
      expect((await nextResult(1)).errors.map((e) => e.text)).toEqual([expect.stringMatching(/^PRX1024: /)]);
      writeFileSync(path.join(dir, 'shared/types.ts'), 'export interface T {\n  a: number;\n}\n');
      expect((await nextResult(2)).errors).toEqual([]);
    } finally {
      await ctx.dispose();
    }
  });

  it('in watch mode, builds again when the config that failed to load is fixed in a file it imports, or one appears', async () => {
    const dir = tempProject('esbuild');
    const mode = path.join(dir, 'procxy.mode.ts');
    const { recorder, nextResult } = recordBuilds();
    const ctx = await context(options(dir, { plugins: [procxyPlugin(), recorder] }));
    try {
      await ctx.watch();
      expect((await nextResult(1)).errors).toEqual([]);
      writeFileSync(
        path.join(dir, 'procxy.config.ts'),
        "import { mode } from './procxy.mode.js';\nexport default { workers: ['src/*.worker.ts'], serialization: mode };\n",
      );
      expect((await nextResult(2)).errors.map((e) => e.text)).toEqual([
        expect.stringMatching(/Could not resolve "\.\/procxy\.mode\.js"/),
      ]);
      // The missing import appears, with a syntax error.
      writeFileSync(mode, "export const mode = 'advanced' as ;\n");
      expect((await nextResult(3)).errors.map((e) => e.text)).toEqual([
        expect.stringMatching(/procxy\.mode\.ts:1:\d+: ERROR/),
      ]);
      writeFileSync(mode, "export const mode = 'advanced' as const;\n");
      expect((await nextResult(4)).errors).toEqual([]);
      expect(readFileSync(path.join(dir, 'out/main.js'), 'utf8')).toMatch(/serialization: "advanced"/);
    } finally {
      await ctx.dispose();
    }
  });

  it('rebuilds with the new compiler options when a tsconfig the tsconfig extends changes', async () => {
    const dir = tempProject('esbuild');
    const base = path.join(dir, 'tsconfig.base.json');
    const loose = readFileSync(path.join(dir, 'tsconfig.json'), 'utf8').replace(
      '"strict": true',
      '"strict": false',
    );
    writeFileSync(base, loose);
    writeFileSync(path.join(dir, 'tsconfig.json'), '{ "extends": "./tsconfig.base.json" }\n');
    // Without strictNullChecks the undefined is gone from the type; with it, json mode rejects it inside an array.
    const worker = path.join(dir, 'src/greeter.worker.ts');
    writeFileSync(
      worker,
      readFileSync(worker, 'utf8').replace(
        '  pid(): number {',
        '  items(): (string | undefined)[] {\n    return [];\n  }\n\n  pid(): number {',
      ),
    );
    const ctx = await context(options(dir, { plugins: [procxyPlugin()] }));
    try {
      expect((await ctx.rebuild()).errors).toEqual([]);
      writeFileSync(base, loose.replace('"strict": false', '"strict": true'));
      const failure = await ctx.rebuild().then(
        () => undefined,
        (error: unknown) => error as { errors: BuildResult['errors'] },
      );
      expect(failure?.errors.map((e) => e.text)).toEqual([expect.stringMatching(/^PRX\d{4}: .*undefined/)]);
    } finally {
      await ctx.dispose();
    }
  });

  it('finds a stub imported through tsconfig paths, which is not on disk', async () => {
    const dir = tempProject('esbuild');
    addCompilerOptions(dir, '"paths": { "@w/*": ["./src/*"] }');
    const main = path.join(dir, 'src/main.ts');
    writeFileSync(
      main,
      readFileSync(main, 'utf8').replace("'./greeter.worker.procxy.js'", "'@w/greeter.worker.procxy.js'"),
    );
    const result = await build(options(dir, { plugins: [procxyPlugin()] }));
    expect(result.errors).toEqual([]);
    expect(existsSync(path.join(dir, 'src/greeter.worker.procxy.ts'))).toBe(false);
    const run = runBundle(dir);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ text: 'hello Ann', length: 3, inChild: true });

    // A worker with an error: the build reports it, not that the stub cannot be resolved.
    const worker = path.join(dir, 'src/greeter.worker.ts');
    const text = readFileSync(worker, 'utf8');
    writeFileSync(worker, text.replace(/ {2}greet\(name: string\): Greeting \{\n.*\n {2}\}/, BAD_GREET));
    const failure = await build(options(dir, { plugins: [procxyPlugin()] })).then(
      () => undefined,
      (error: unknown) => error as { errors: BuildResult['errors'] },
    );
    expect(failure?.errors.map((e) => e.text)).toEqual([expect.stringMatching(/^PRX1003: /)]);
  });

  it('builds from a clean tree when the config puts stubs under an outDir that does not exist yet', async () => {
    const dir = tempProject('esbuild');
    const config = path.join(dir, 'procxy.config.ts');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace("serialization: 'json'", "serialization: 'json', outDir: 'gen'"),
    );
    const main = path.join(dir, 'src/main.ts');
    writeFileSync(
      main,
      readFileSync(main, 'utf8').replace(
        "'./greeter.worker.procxy.js'",
        "'../gen/src/greeter.worker.procxy.js'",
      ),
    );
    const result = await build(options(dir, { plugins: [procxyPlugin()] }));
    expect(result.errors).toEqual([]);
    // Served from memory: the outDir is still not there.
    expect(existsSync(path.join(dir, 'gen'))).toBe(false);
    const run = runBundle(dir);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ text: 'hello Ann', length: 3, inChild: true });
  });

  it('emits and runs the child of a worker whose path needs percent-encoding in the stub URL', async () => {
    // `#`, `?` and `%` are encoded in the stub's `new URL(...)`; the plugin must decode them to find the file.
    const dir = scratchProject({
      'src/d ü/a #1%20ü?.worker.ts':
        'export class A {\n  hi(n: string): string {\n    return "hi ".concat(n);\n  }\n}\n',
      'src/d ü/main.ts': [
        "import { spawnA } from './a #1%20ü?.worker.procxy.js';",
        'const a = await spawnA();',
        "console.log(JSON.stringify(await a.hi('x')));",
        'await a.$terminate();',
        '',
      ].join('\n'),
    });
    const result = await build(options(dir, { entryPoints: ['src/d ü/main.ts'], plugins: [procxyPlugin()] }));
    expect(result.errors).toEqual([]);
    expect(existsSync(path.join(dir, 'out/a #1%20ü?.worker.procxy.child.mjs'))).toBe(true);
    const run = runBundle(dir);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toBe('hi x');
  });
});
