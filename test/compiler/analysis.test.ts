// Analysis and emit on a fixture worker: every signature form, JSDoc, @idempotent, type naming, strict compile.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GenerateResult, generate } from '../../compiler/generate.js';
import { removeTempProjects, repoRoot, tempProject } from './project.js';

let dir: string;
let result: GenerateResult;
let stub: string;
let child: string;

beforeAll(async () => {
  dir = tempProject('analysis');
  result = await generate({ cwd: dir });
  stub = readFileSync(path.join(dir, 'src/shapes.worker.procxy.ts'), 'utf8');
  child = readFileSync(path.join(dir, 'src/shapes.worker.procxy.child.mjs'), 'utf8');
});
afterAll(removeTempProjects);

describe('analysis of a worker class', () => {
  it('finds one worker and its public instance methods (own first, then inherited), nothing else', () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.workers).toBe(3);
    expect(result.methods).toBe(15);
    expect(stub).toContain(
      "methods: ['area', 'sum', 'pick', 'convert', 'depth', 'mode', 'label', 'describe', 'count', 'keep', 'unit'],",
    );
    for (const absent of ['secret', 'create', 'size', 'constructor'])
      expect(stub).not.toMatch(new RegExp(`\\b${absent}\\(`));
  });

  it('keeps names, optional and rest parameters, generics and every overload, with their JSDoc', () => {
    const expected = [
      '  /**\n   * Area of a rectangle; a square when `h` is left out.\n   * @idempotent\n   */\n  area(w: number, h?: number): Promise<number>;',
      '  /** Sum of all values. */\n  sum(label: string, ...values: number[]): Promise<string>;',
      '  pick<T extends string>(items: readonly T[], index?: number): Promise<Awaited<T | undefined>>;',
      '  /** Converts a number to text. */\n  convert(value: number): Promise<string>;\n  /** Converts text to a number. */\n  convert(value: string): Promise<number>;',
      '  label(unit: Unit): Promise<string>;',
      '  describe({ label, retries }: Options, unit: types.Unit): Promise<string>;',
    ];
    for (const text of expected) expect(stub).toContain(text);
    expect(stub).not.toContain('convert(value: number | string)');
  });

  it('leaves out library base classes (EventEmitter) and imports package types from their package', () => {
    const ticker = readFileSync(path.join(dir, 'src/ticker.worker.procxy.ts'), 'utf8');
    expect(ticker).toContain("import type { JsonObject } from 'type-fest';");
    expect(ticker).toContain('  tick(meta: JsonObject): Promise<number>;');
    expect(ticker).toContain('  maybe?(value: number): Promise<number>;');
    expect(ticker).toContain("methods: ['tick', 'maybe'],");
    expect(ticker).toContain('...args: ConstructorParameters<typeof Ticker>): Promise<TickerProxy>');
    expect(ticker).not.toMatch(/\b(emit|on|once|listenerCount)\(/);
    // No event map declared: listeners are typed loosely, by the same ProxyEvents the no-build proxy uses.
    expect(ticker).toContain('extends ProxyControls<TickerProxy>, ProxyEvents<TickerProxy> {');
  });

  it('starts workers that take handles with supportHandles, finds event maps through generic base classes, warns on EventEmitter names', async () => {
    const project = tempProject('typed');
    writeFileSync(
      path.join(project, 'net.worker.ts'),
      [
        "import { EventEmitter } from 'node:events';",
        "import type { Server } from 'node:net';",
        "import { onHandle } from 'procxy/child';",
        'export interface NetEvents {',
        '  listening: [port: number];',
        '}',
        'class Base<E extends Record<keyof E, unknown[]>> extends EventEmitter<E> {}',
        'export class Adopter extends Base<NetEvents> {',
        '  adopt(server: Server | undefined): void {',
        '    void server;',
        '  }',
        '  emit(): boolean {',
        '    return false;',
        '  }',
        '}',
        'export class Hooked {',
        '  [onHandle](handle: unknown): void {',
        '    void handle;',
        '  }',
        '  plain(): number {',
        '    return 1;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const generated = await generate({ cwd: project });
    expect(generated.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "PRX9025 method 'Adopter.emit' has the name of an EventEmitter member, which the proxy of an EventEmitter worker keeps for the child's events (on, once, off, removeListener, listenerCount); it is left out of the proxy. Rename it to call it through the proxy",
    ]);
    const text = readFileSync(path.join(project, 'net.worker.procxy.ts'), 'utf8');
    expect(text).toContain(
      'export interface AdopterProxy extends ProxyControls<AdopterProxy>, ProxyEvents<AdopterProxy, string, NetEvents> {',
    );
    expect(text).toContain("methods: ['adopt'],\n  idempotent: [],\n  supportHandles: true,\n};");
    expect(text).toContain("methods: ['plain'],\n  idempotent: [],\n  supportHandles: true,\n};");
    expect(readFileSync(path.join(project, 'calc.worker.procxy.ts'), 'utf8')).not.toContain('supportHandles');
  });

  it('serves methods with string computed names under their names, checks them, and warns on symbol-named ones', async () => {
    const project = tempProject('typed');
    const worker = path.join(project, 'computed.worker.ts');
    const source = (param: string) =>
      [
        "const KEY = 'compute';",
        "const hidden = Symbol('hidden');",
        'export class Computed {',
        `  ['literal'](${param}): string {`,
        '    return String(when);',
        '  }',
        '  [KEY](x: number): number {',
        '    return x * 2;',
        '  }',
        '  [hidden](): void {}',
        '  [Symbol.dispose](): void {}',
        '}',
        '',
      ].join('\n');
    writeFileSync(worker, source('when: Date'));
    const failed = await generate({ cwd: project });
    expect(failed.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`)).toEqual([
      "PRX1003 4:21 parameter 'when' of 'Computed.literal': Date becomes a string in json mode. Use serialization: 'advanced' or pass an ISO string.",
      "PRX9026 10:3 method 'Computed.[hidden]' is named by a symbol, so it is not part of the proxy (the child serves methods by their string names); give it a string name to call it through the proxy",
    ]);
    writeFileSync(worker, source('when: string'));
    const generated = await generate({ cwd: project });
    expect(generated.diagnostics.map((d) => d.code)).toEqual(['PRX9026']);
    const stub = readFileSync(path.join(project, 'computed.worker.procxy.ts'), 'utf8');
    expect(stub).toContain(
      '  literal(when: string): Promise<string>;\n  compute(x: number): Promise<number>;',
    );
    expect(stub).toContain("methods: ['literal', 'compute'],");
    const url = pathToFileURL(path.join(project, 'computed.worker.procxy.ts')).href;
    const { spawnComputed } = (await import(url)) as {
      spawnComputed: () => Promise<{
        literal(when: string): Promise<string>;
        compute(x: number): Promise<number>;
        [Symbol.asyncDispose](): Promise<void>;
      }>;
    };
    await using computed = await spawnComputed();
    expect(await computed.literal('now')).toBe('now');
    expect(await computed.compute(21)).toBe(42);
  });

  it('accepts callbacks among rest arguments, and a real child calls each of them', async () => {
    const project = tempProject('typed');
    writeFileSync(
      path.join(project, 'each.worker.ts'),
      [
        'export class Each {',
        '  async each(...callbacks: Array<(n: number) => number | Promise<number>>): Promise<number> {',
        '    let sum = 0;',
        '    for (const [i, callback] of callbacks.entries()) sum += await callback(i);',
        '    return sum;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const generated = await generate({ cwd: project });
    expect(generated.diagnostics).toEqual([]);
    const url = pathToFileURL(path.join(project, 'each.worker.procxy.ts')).href;
    const { spawnEach } = (await import(url)) as {
      spawnEach: () => Promise<{
        each(...callbacks: Array<(n: number) => number>): Promise<number>;
        [Symbol.asyncDispose](): Promise<void>;
      }>;
    };
    await using each = await spawnEach();
    expect(
      await each.each(
        (n) => n + 10,
        (n) => n * 100,
      ),
    ).toBe(10 + 100);
  });

  it("reports a constructor inherited from a built-in at the worker class's name, not inside TypeScript's libs", async () => {
    const project = tempProject('typed');
    const worker = path.join(project, 'counts.worker.ts');
    writeFileSync(worker, 'export class Counts extends Map<string, number> {}\n');
    const generated = await generate({ cwd: project });
    const constructorDiagnostics = generated.diagnostics.filter((d) => d.message.includes('constructor of'));
    expect(constructorDiagnostics.length).toBeGreaterThan(0);
    for (const d of constructorDiagnostics) {
      expect(`${path.relative(project, d.file)}:${d.line}:${d.column}`).toBe('counts.worker.ts:1:14');
    }
    expect(constructorDiagnostics.map((d) => `${d.code} ${d.message.split(':')[0]}`)).toEqual([
      "PRX1002 parameter 'iterable' of the constructor of 'Counts'",
    ]);
  });

  it("instantiates a generic base class's type parameter, in constraints, returns and the constructor", () => {
    const people = readFileSync(path.join(dir, 'src/records.worker.procxy.ts'), 'utf8');
    expect(people).toContain('  field<K extends keyof Person>(key: K): Promise<Person[K]>;');
    expect(people).toContain('...args: [data: Person]): Promise<PeopleProxy>');
  });

  it('records @idempotent methods', () => {
    expect(stub).toContain("idempotent: ['area'],");
  });

  it('carries the class JSDoc to the proxy interface and the constructor JSDoc to the spawn function', () => {
    expect(stub).toContain(
      '/**\n * Measures shapes in a child process.\n * Second line of the class doc.\n */\nexport interface ShapesProxy extends ProxyControls<ShapesProxy> {',
    );
    expect(stub).toContain(
      '/** @param name shown in labels */\nexport function spawnShapes(options?: StubOptions, ...args: [name: string, options?: Options]): Promise<ShapesProxy> {',
    );
  });

  it('names types: imported ones by import type, unexported ones through the class, inherited ones instantiated', () => {
    expect(stub).toContain("import type { Mode, Shapes } from './shapes.worker.js';");
    expect(stub).toContain("import type { Options, Unit } from './types.js';");
    expect(stub).toContain("import type * as types from './types.js';");
    expect(stub).toContain("depth(hidden: Parameters<Shapes['depth']>[0]): Promise<number>;");
    expect(stub).toContain(
      'mode(fast?: boolean): Promise<{ mode: Mode; name: string; units: types.Page<types.Unit>; }>;',
    );
    expect(stub).toContain('keep(value: number): Promise<number[]>;');
  });

  it('imports the worker module for types only and never loads it', () => {
    const workerImports = stub.split('\n').filter((line) => line.includes('shapes.worker.js'));
    expect(workerImports.every((line) => line.startsWith('import type '))).toBe(true);
  });

  it('emits a child entry that loads the class once it serves, by dispatch table, and imports procxy/child, not TypeScript', () => {
    expect(child.split('\n')[0]).toBe('// Code generated by procxy from src/shapes.worker.ts. DO NOT EDIT.');
    expect(child).toContain('import { serve } from "procxy/child";');
    // The worker module runs when serve() loads it, not before: an error it throws then fails the start (SpawnError).
    expect(child).toContain(
      '(await Promise.resolve().then(() => (init_shapes_worker(), shapes_worker_exports))).Shapes',
    );
    expect(child).toContain(
      'methods: ["area", "sum", "pick", "convert", "depth", "mode", "label", "describe", "count", "keep", "unit"] });',
    );
    // No import of a TypeScript file (esbuild names the modules it wraps after their sources, as keys).
    expect(child).not.toMatch(/(from|import\()\s*["'][^"']*\.ts["']/);
  });

  it('writes no absolute path and no timestamp', () => {
    for (const text of [stub, child]) {
      expect(text).not.toContain(dir);
      expect(text).not.toContain(repoRoot);
      expect(text).not.toMatch(/20\d\d-\d\d-\d\d/);
    }
    expect(stub.split('\n')[0]).toBe('// Code generated by procxy from src/shapes.worker.ts. DO NOT EDIT.');
  });

  it('is deterministic: a second run writes nothing, a run in another folder gives the same bytes', async () => {
    const again = await generate({ cwd: dir });
    expect(again.written).toEqual([]);
    expect(readFileSync(path.join(dir, 'src/shapes.worker.procxy.ts'), 'utf8')).toBe(stub);
    const other = tempProject('analysis');
    await generate({ cwd: other });
    expect(readFileSync(path.join(other, 'src/shapes.worker.procxy.ts'), 'utf8')).toBe(stub);
    expect(readFileSync(path.join(other, 'src/shapes.worker.procxy.child.mjs'), 'utf8')).toBe(child);
  });

  it('generates TypeScript that tsc accepts under strict settings (exactOptionalPropertyTypes, noUnusedLocals, verbatimModuleSyntax)', () => {
    const tsc = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});

describe('outDir', () => {
  it('mirrors the source folders under outDir; the stub still finds its types and its child', async () => {
    const other = tempProject('analysis');
    writeFileSync(
      path.join(other, 'procxy.config.ts'),
      "export default { workers: ['src/*.worker.ts'], outDir: 'generated' };\n",
    );
    const run = await generate({ cwd: other });
    expect(run.ok).toBe(true);
    expect(run.written.map((f) => path.relative(other, f)).sort()).toEqual([
      'generated/src/records.worker.procxy.child.mjs',
      'generated/src/records.worker.procxy.ts',
      'generated/src/shapes.worker.procxy.child.mjs',
      'generated/src/shapes.worker.procxy.ts',
      'generated/src/ticker.worker.procxy.child.mjs',
      'generated/src/ticker.worker.procxy.ts',
    ]);
    const moved = readFileSync(path.join(other, 'generated/src/shapes.worker.procxy.ts'), 'utf8');
    expect(moved).toContain("import type { Mode, Shapes } from '../../src/shapes.worker.js';");
    expect(moved).toContain("child: new URL('./shapes.worker.procxy.child.mjs', import.meta.url),");
    expect(moved.split('\n')[0]).toBe('// Code generated by procxy from src/shapes.worker.ts. DO NOT EDIT.');
    const stubUrl = pathToFileURL(path.join(other, 'generated/src/shapes.worker.procxy.ts')).href;
    const { spawnShapes } = (await import(
      stubUrl
    )) as typeof import('./fixtures/analysis/src/shapes.worker.procxy.js');
    await using shapes = await spawnShapes(undefined, 'out');
    expect(await shapes.area(3)).toBe(9);
  });
});
