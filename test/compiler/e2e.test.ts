// End to end: generated stubs spawn real children (plain Node, no TypeScript loader) and every method is called.

import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
// The class the stubs' runtime (dist/, through the package's self-reference) throws.
import { AbortError, ChildCrashedError, SpawnError } from 'procxy';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../compiler/generate.js';
import { spawnCalc } from './fixtures/typed/calc.worker.procxy.js';
import { spawnJob } from './fixtures/typed/job.worker.procxy.js';
import {
  addCompilerOptions,
  readProjectFile,
  removeTempProjects,
  repoRoot,
  scratchProject,
  tempProject,
  typeCheck,
} from './project.js';

afterAll(removeTempProjects);

describe('checked-in stub of fixtures/typed', () => {
  it('calls every method of Calc, inherited and overloaded ones included, in a child process', async () => {
    await using calc = await spawnCalc(undefined, 10, 'ab');
    expect(calc.$pid).not.toBe(process.pid);
    expect(await calc.add(1, 2)).toBe(15);
    expect(await calc.greet('Ann')).toBe('hello Ann.');
    expect(await calc.greet('Ann', '!')).toBe('hello Ann!');
    expect(await calc.total()).toBe(0);
    expect(await calc.total(1, 2, 3)).toBe(6);
    expect(await calc.echo('hi')).toBe('hi');
    expect(await calc.parse('42')).toBe(42);
    expect(await calc.parse(7)).toBe('7');
    expect(await calc.later(5)).toBe('after 5');
    expect(await calc.record({ amount: 5 })).toBe(5);
    expect(await calc.record({ amount: 2, note: 'tip' })).toBe(7);
    expect(await calc.summary()).toEqual({ count: 2, total: 7 });
    await expect(calc.fail('bad input')).rejects.toThrow(RangeError);
  });

  it('Job: a progress callback, typed events and an AbortSignal reach the child through the generated stub', async () => {
    await using job = await spawnJob();
    const progress: number[] = [];
    const steps: string[] = [];
    job.on('step', (index, label) => steps.push(`${index}:${label}`));
    expect(await job.run(3, ({ done, total }) => void progress.push(done / total))).toBe(3);
    expect(progress).toEqual([1 / 3, 2 / 3, 1]);
    expect(steps).toEqual(['1:step 1', '2:step 2', '3:step 3']);
    expect(await job.ask(async (prompt) => (prompt === 'how many?' ? 21 : 0))).toBe(42);

    const aborted = new Promise<string>((resolve) => job.once('aborted', resolve));
    const controller = new AbortController();
    const waiting = job.wait(controller.signal);
    controller.abort(new Error('enough'));
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    expect(await aborted).toBe('enough');
    await expect(job.run(1, () => {}, AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);
  });

  it('passes the constructor arguments (optional ones may be left out)', async () => {
    await using calc = await spawnCalc(undefined, 1);
    expect(await calc.add(0, 0)).toBe(1);
  });
});

describe('stub generated into a temporary project', () => {
  it('calls every method of Shapes, including one typed through the class and inherited generic ones', async () => {
    const dir = tempProject('analysis');
    const result = await generate({ cwd: dir });
    expect(result.ok).toBe(true);
    const stubFile = path.join(dir, 'src/shapes.worker.procxy.ts');
    expect(readFileSync(stubFile, 'utf8')).toContain('export function spawnShapes(');
    const { spawnShapes } = (await import(
      pathToFileURL(stubFile).href
    )) as typeof import('./fixtures/analysis/src/shapes.worker.procxy.js');
    await using shapes = await spawnShapes({ timeout: 10_000 }, 'box', { label: 'L' });
    expect(await shapes.area(2)).toBe(4);
    expect(await shapes.area(2, 3)).toBe(6);
    expect(await shapes.sum('s', 1, 2)).toBe('s=3');
    expect(await shapes.pick(['a', 'b'])).toBe('a');
    expect(await shapes.pick(['a', 'b'], 1)).toBe('b');
    expect(await shapes.convert(5)).toBe('5');
    expect(await shapes.convert('6')).toBe(6);
    expect(await shapes.depth({ depth: 3 })).toBe(3);
    expect(await shapes.mode(false)).toEqual({ mode: 'slow', name: 'box:L', units: { items: ['cm'] } });
    expect(await shapes.label('in')).toBe('box:L in in');
    expect(await shapes.describe({ label: 'd' }, 'cm')).toBe('dx1 cm');
    expect(await shapes.keep(1)).toEqual([1]);
    expect(await shapes.keep(2)).toEqual([1, 2]);
    expect(await shapes.count()).toBe(2);
    expect(await shapes.unit()).toBe('cm');
    const { spawnTicker } = (await import(
      pathToFileURL(path.join(dir, 'src/ticker.worker.procxy.ts')).href
    )) as typeof import('./fixtures/analysis/src/ticker.worker.procxy.js');
    await using ticker = await spawnTicker();
    expect(await ticker.tick({ a: 1, b: [true] })).toBe(2);
    const { spawnPeople } = (await import(
      pathToFileURL(path.join(dir, 'src/records.worker.procxy.ts')).href
    )) as typeof import('./fixtures/analysis/src/records.worker.procxy.js');
    await using people = await spawnPeople(undefined, { name: 'Ann', age: 41 });
    expect(await people.field('age')).toBe(41);
    expect(await people.width()).toBe(2);
  });

  it('retries only a method whose @idempotent stands alone on its line: one that mentions it, or gives it a value, runs once', async () => {
    const dir = scratchProject({
      'src/pay.worker.ts': [
        "import { appendFileSync, existsSync, writeFileSync } from 'node:fs';",
        'export class Pay {',
        '  constructor(private ledger: string) {}',
        '  #once(what: string): string {',
        "    appendFileSync(this.ledger, what + '\\n');",
        "    const marker = this.ledger + '.' + what;",
        '    if (!existsSync(marker)) {',
        "      writeFileSync(marker, '');",
        '      process.exit(1);',
        '    }',
        '    return what;',
        '  }',
        '  /** Charges the card. Unlike refresh(), which is @idempotent, this one must never run twice. */',
        '  charge(): string {',
        "    return this.#once('charge');",
        '  }',
        '  /** @idempotent false */',
        '  refund(): string {',
        "    return this.#once('refund');",
        '  }',
        '  /**',
        '   * Reloads the rates.',
        '   * @idempotent',
        '   */',
        '  refresh(): string {',
        "    return this.#once('refresh');",
        '  }',
        '  /**',
        '   * @idempotent',
        '   *',
        '   * Reads the balance: the description after the tag is not its value.',
        '   */',
        '  balance(): string {',
        "    return this.#once('balance');",
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    expect(readFileSync(path.join(dir, 'src/pay.worker.procxy.ts'), 'utf8')).toContain(
      "idempotent: ['refresh', 'balance'],",
    );
    expect(result.diagnostics.map((d) => `${d.category} ${d.code} ${d.line}: ${d.message}`)).toEqual([
      "warning PRX9028 13: method 'Pay.charge': @idempotent takes no value and must stand alone on its line of the JSDoc, but here it is followed by ', this one must never run twice.'; so 'Pay.charge' is not idempotent and is never retried. Write @idempotent alone on a line to mark it, or reword the text (a mention in backquotes, as code, is no tag)",
      "warning PRX9028 17: method 'Pay.refund': @idempotent takes no value and must stand alone on its line of the JSDoc, but here it is followed by 'false'; so 'Pay.refund' is not idempotent and is never retried. Write @idempotent alone on a line to mark it, or reword the text (a mention in backquotes, as code, is no tag)",
    ]);
    expect(readFileSync(path.join(repoRoot, 'docs/diagnostics.md'), 'utf8')).toContain('| PRX9028 |');
    const { spawnPay } = (await import(pathToFileURL(path.join(dir, 'src/pay.worker.procxy.ts')).href)) as {
      spawnPay(
        options: { retries: number },
        ledger: string,
      ): Promise<Record<'charge' | 'refund' | 'refresh', () => Promise<string>> & AsyncDisposable>;
    };
    const ledger = path.join(dir, 'ledger.txt');
    await using pay = await spawnPay({ retries: 1 }, ledger);
    await expect(pay.charge()).rejects.toBeInstanceOf(ChildCrashedError);
    await using again = await spawnPay({ retries: 1 }, ledger);
    await expect(again.refund()).rejects.toBeInstanceOf(ChildCrashedError);
    await using third = await spawnPay({ retries: 1 }, ledger);
    expect(await third.refresh()).toBe('refresh');
    expect(readFileSync(ledger, 'utf8')).toBe('charge\nrefund\nrefresh\nrefresh\n');
  });

  it('serves several classes of one file (one child each) and a default-exported class', async () => {
    const dir = tempProject('typed');
    writeFileSync(
      path.join(dir, 'two.worker.ts'),
      [
        'interface Hidden {',
        '  readonly n: number;',
        '}',
        'export class First {',
        '  one(): number {',
        '    return 1;',
        '  }',
        '}',
        'export default class Second {',
        '  double(hidden: Hidden): number {',
        '    return hidden.n * 2;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const result = await generate({ cwd: dir });
    expect(result.diagnostics).toEqual([]);
    expect(result.written.map((f) => path.basename(f)).sort()).toEqual([
      'calc.worker.procxy.child.mjs',
      'calc.worker.procxy.ts',
      'job.worker.procxy.child.mjs',
      'job.worker.procxy.ts',
      'two.worker.First.procxy.child.mjs',
      'two.worker.Second.procxy.child.mjs',
      'two.worker.procxy.ts',
    ]);
    const stubFile = path.join(dir, 'two.worker.procxy.ts');
    const stub = readFileSync(stubFile, 'utf8');
    expect(stub).toContain("import type { default as Second } from './two.worker.js';");
    expect(stub).toContain("double(hidden: Parameters<Second['double']>[0]): Promise<number>;");
    const module = (await import(pathToFileURL(stubFile).href)) as {
      spawnFirst(options?: object): Promise<{ one(): Promise<number> } & AsyncDisposable>;
      spawnSecond(options?: object): Promise<{ double(h: { n: number }): Promise<number> } & AsyncDisposable>;
    };
    await using first = await module.spawnFirst();
    await using second = await module.spawnSecond();
    expect(await first.one()).toBe(1);
    expect(await second.double({ n: 21 })).toBe(42);
  });

  it("a worker taking a net.Socket gets Node's IPC channel from its stub alone, and reads every byte", async () => {
    const dir = tempProject('typed');
    writeFileSync(
      path.join(dir, 'echo.worker.ts'),
      [
        "import type { Socket } from 'node:net';",
        'export class Echo {',
        '  read(socket: Socket): Promise<string> {',
        '    return new Promise((resolve) => {',
        "      let text = '';",
        "      socket.setEncoding('utf8');",
        "      socket.on('data', (chunk: string) => (text += chunk));",
        "      socket.on('end', () => resolve(text));",
        '    });',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect((await generate({ cwd: dir })).diagnostics).toEqual([]);
    const { spawnEcho } = (await import(pathToFileURL(path.join(dir, 'echo.worker.procxy.ts')).href)) as {
      spawnEcho(): Promise<{ read(socket: Socket): Promise<string> } & AsyncDisposable>;
    };
    await using echo = await spawnEcho();
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const accepted = once(server, 'connection') as Promise<[Socket]>;
      const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
      client.end('written before the handoff');
      const [socket] = await accepted;
      expect(await echo.read(socket)).toBe('written before the handoff');
    } finally {
      server.close();
    }
  });

  it('a worker written for CommonJS keeps require, __dirname and __filename in its bundled child', async () => {
    const dir = scratchProject({
      'src/legacy.worker.cts': [
        "import os = require('node:os');",
        "import path = require('node:path');",
        'export class Legacy {',
        '  where(): string[] {',
        "    const helper = require('./helper.cjs') as { name: string };",
        '    return [__dirname, path.basename(__filename), helper.name, String(os.EOL.length)];',
        '  }',
        '}',
        '',
      ].join('\n'),
      'src/helper.cjs': "module.exports = { name: 'helper' };\n",
      'src/data/plain.worker.ts': [
        "import { readFileSync } from 'node:fs';",
        "import { join } from 'node:path';",
        'export class Plain {',
        '  read(): string {',
        "    return readFileSync(join(__dirname, 'note.txt'), 'utf8');",
        '  }',
        '}',
        '',
      ].join('\n'),
      'src/data/note.txt': 'beside the worker',
    });
    expect((await generate({ cwd: dir })).diagnostics).toEqual([]);
    const { spawnLegacy } = (await import(
      pathToFileURL(path.join(dir, 'src/legacy.worker.procxy.mts')).href
    )) as { spawnLegacy(): Promise<{ where(): Promise<string[]> } & AsyncDisposable> };
    await using legacy = await spawnLegacy();
    expect(await legacy.where()).toEqual([
      path.join(dir, 'src'),
      'legacy.worker.procxy.child.mjs',
      'helper',
      '1',
    ]);
    const { spawnPlain } = (await import(
      pathToFileURL(path.join(dir, 'src/data/plain.worker.procxy.ts')).href
    )) as { spawnPlain(): Promise<{ read(): Promise<string> } & AsyncDisposable> };
    await using plain = await spawnPlain();
    expect(await plain.read()).toBe('beside the worker');
  });

  it('a stub in a CommonJS project finds its child from __dirname: it type-checks, and runs once compiled by tsc', async () => {
    const dir = scratchProject({
      'src/calc.worker.ts':
        'export class Calc {\n  add(a: number, b: number): number {\n    return a + b;\n  }\n}\n',
      'src/main.ts': [
        "import { spawnCalc } from './calc.worker.procxy';",
        'async function main(): Promise<void> {',
        '  const calc = await spawnCalc();',
        '  console.log(await calc.add(1, 2));',
        '  await calc.$terminate();',
        '}',
        'void main();',
        '',
      ].join('\n'),
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          types: ['node'],
          skipLibCheck: true,
          outDir: 'dist',
          rootDir: 'src',
        },
        include: ['src'],
      }),
    });
    writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "commonjs" }\n');
    const result = await generate({ cwd: dir });
    expect(result.ok).toBe(true);
    expect(readFileSync(path.join(dir, 'src/calc.worker.procxy.ts'), 'utf8')).toContain(
      "  child: join(__dirname, './calc.worker.procxy.child.mjs'),",
    );
    // tsc type-checks and compiles to dist/; the child entry goes beside the compiled stub, as the guide says.
    expect(typeCheck(dir)).toBe('');
    // module: commonjs as TypeScript 5 reads it by default, with node10 resolution, which ignores "exports": the
    // stub's imports of procxy resolve through the package's "types" and "typesVersions".
    writeFileSync(
      path.join(dir, 'tsconfig.node10.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: {
          module: 'commonjs',
          moduleResolution: 'node10',
          ignoreDeprecations: '6.0',
          noEmit: true,
        },
      }),
    );
    expect(typeCheck(path.join(dir, 'tsconfig.node10.json'))).toBe('');
    copyFileSync(
      path.join(dir, 'src/calc.worker.procxy.child.mjs'),
      path.join(dir, 'dist/calc.worker.procxy.child.mjs'),
    );
    const run = spawnSync(process.execPath, [path.join(dir, 'dist/main.js')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('3\n');
    // Without a tsconfig nothing compiles the stub to CommonJS: Node and bundlers read its imports as ESM.
    rmSync(path.join(dir, 'tsconfig.json'));
    expect((await generate({ cwd: dir })).ok).toBe(true);
    expect(readFileSync(path.join(dir, 'src/calc.worker.procxy.ts'), 'utf8')).toContain(
      "  child: new URL('./calc.worker.procxy.child.mjs', import.meta.url),",
    );
  });

  it("serves the methods a worker inherits from a package's class (imported by the child, not bundled)", async () => {
    const dir = scratchProject({
      'node_modules/@me/lib/package.json': JSON.stringify({
        name: '@me/lib',
        type: 'module',
        exports: { '.': { types: './index.d.ts', default: './index.js' } },
      }),
      'node_modules/@me/lib/index.d.ts': [
        'export declare class BaseWorker {',
        '  double(n: number): number;',
        '  protected hidden(): number;',
        '}',
        '',
      ].join('\n'),
      'node_modules/@me/lib/index.js': [
        'export class BaseWorker {',
        '  double(n) {',
        '    return n * 2;',
        '  }',
        '  hidden() {',
        '    return 0;',
        '  }',
        '}',
        '',
      ].join('\n'),
      'src/w.worker.ts': [
        "import { BaseWorker } from '@me/lib';",
        'export class W extends BaseWorker {',
        '  own(): number {',
        '    return 1;',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    expect((await generate({ cwd: dir })).diagnostics).toEqual([]);
    const stubFile = path.join(dir, 'src/w.worker.procxy.ts');
    expect(readFileSync(stubFile, 'utf8')).toContain('  double(n: number): Promise<number>;\n}');
    expect(typeCheck(dir)).toBe('');
    const { spawnW } = (await import(pathToFileURL(stubFile).href)) as {
      spawnW(): Promise<{ own(): Promise<number>; double(n: number): Promise<number> } & AsyncDisposable>;
    };
    await using w = await spawnW();
    expect(await w.own()).toBe(1);
    expect(await w.double(21)).toBe(42);
  });

  it('names a class exported only under a string name after its declaration; the child finds it by the string', async () => {
    const dir = scratchProject({
      'src/g.worker.ts': [
        'interface Hidden {',
        '  n: number;',
        '}',
        'class Impl {',
        '  run({ n }: Hidden): number {',
        '    return n + 1;',
        '  }',
        '}',
        "export { Impl as 'my-worker' };",
        '',
      ].join('\n'),
    });
    expect((await generate({ cwd: dir })).diagnostics).toEqual([]);
    const stubFile = path.join(dir, 'src/g.worker.procxy.ts');
    const stub = readFileSync(stubFile, 'utf8');
    expect(stub).toContain("import type { 'my-worker' as Impl } from './g.worker.js';");
    expect(stub).toContain('export interface ImplProxy extends ProxyControls<ImplProxy> {');
    expect(typeCheck(dir)).toBe('');
    const { spawnImpl } = (await import(pathToFileURL(stubFile).href)) as {
      spawnImpl(): Promise<{ run(h: { n: number }): Promise<number> } & AsyncDisposable>;
    };
    await using impl = await spawnImpl();
    expect(await impl.run({ n: 41 })).toBe(42);
  });

  it('a worker module that throws while loading fails the start with SpawnError and its error, as procxy() does', async () => {
    const dir = scratchProject({
      'src/boom.worker.ts': [
        "if (process.env.PROCXY_NEVER_SET === undefined) throw new RangeError('missing config');",
        'export class Boom {',
        '  ping(): number {',
        '    return 1;',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    expect((await generate({ cwd: dir })).diagnostics).toEqual([]);
    const { spawnBoom } = (await import(pathToFileURL(path.join(dir, 'src/boom.worker.procxy.ts')).href)) as {
      spawnBoom(): Promise<AsyncDisposable>;
    };
    const error = await spawnBoom().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as Error).message).toContain('missing config');
    expect((error as Error).cause).toMatchObject({ name: 'RangeError', message: 'missing config' });
  });

  it('answers a method typed void with undefined, whatever its JavaScript returns, once it has run', async () => {
    const dir = scratchProject({
      'src/store.worker.ts': [
        'export class Store {',
        '  private readonly data = new Map<string, number>();',
        '  private readonly remember: (k: string, v: number) => void = (k, v) => this.data.set(k, v);',
        '  save(key: string, value: number): void {',
        '    return this.remember(key, value);',
        '  }',
        '  async saveLater(key: string, value: number): Promise<void> {',
        '    return this.remember(key, value);',
        '  }',
        '  get(key: string): number | undefined {',
        '    return this.data.get(key);',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    expect((await generate({ cwd: dir })).diagnostics).toEqual([]);
    const stubFile = path.join(dir, 'src/store.worker.procxy.ts');
    expect(readFileSync(stubFile, 'utf8')).toContain('save(key: string, value: number): Promise<void>;');
    expect(readProjectFile(dir, 'src/store.worker.procxy.child.mjs')).toContain(
      'voids: ["save", "saveLater"]',
    );
    const { spawnStore } = (await import(pathToFileURL(stubFile).href)) as {
      spawnStore(): Promise<
        {
          save(k: string, v: number): Promise<void>;
          saveLater(k: string, v: number): Promise<void>;
          get(k: string): Promise<number | undefined>;
        } & AsyncDisposable
      >;
    };
    await using store = await spawnStore();
    // Map.prototype.set returns the Map, which json mode refuses: the call still did its work, and says so.
    expect(await store.save('a', 1)).toBeUndefined();
    expect(await store.saveLater('b', 2)).toBeUndefined();
    expect(await store.get('a')).toBe(1);
    expect(await store.get('b')).toBe(2);
  });

  it("answers a callback typed to return void without its value, whatever the caller's function returns", async () => {
    const dir = scratchProject({
      'src/each.worker.ts': [
        'export class Each {',
        '  async each(items: string[], onItem: (item: string) => void): Promise<number> {',
        '    for (const item of items) await onItem(item);',
        '    return items.length;',
        '  }',
        '  async sum(items: string[], size: (item: string) => Promise<number>): Promise<number> {',
        '    let total = 0;',
        '    for (const item of items) total += await size(item);',
        '    return total;',
        '  }',
        '  async eachOrCount(items: string[], onItem: ((item: string) => void) | number): Promise<number> {',
        "    if (typeof onItem === 'number') return onItem;",
        '    for (const item of items) await onItem(item);',
        '    return items.length;',
        '  }',
        '  visit(visit: (name: string) => void): Promise<number>;',
        '  visit(prefix: string, visit: (name: string) => void): Promise<number>;',
        '  async visit(a: string | ((name: string) => void), b?: (name: string) => void): Promise<number> {',
        "    const [prefix, visit] = typeof a === 'string' ? [a, b!] : ['', a];",
        '    await visit(prefix + "x");',
        '    return 1;',
        '  }',
        '  async walk(...args: [visit: (name: string) => void] | [prefix: string, visit: (name: string) => void]): Promise<number> {',
        "    const [prefix, visit] = args.length === 1 ? ['', args[0]] : args;",
        '    await visit(prefix + "w");',
        '    return args.length;',
        '  }',
        '  async via<A extends [visit: (name: string) => void]>(...args: A): Promise<number> {',
        "    await args[0]('v');",
        '    return 1;',
        '  }',
        '  /** @procxyUnchecked */',
        '  run(callback: () => void): Promise<void>;',
        '  run(value: unknown): Promise<unknown>;',
        '  async run(value: unknown): Promise<unknown> {',
        "    return typeof value === 'function' ? await value() : value;",
        '  }',
        '  /** @procxyUnchecked */',
        '  async firstOr(items: string[], onItem: ((item: string) => void) | {}): Promise<unknown> {',
        "    return typeof onItem === 'function' ? await (onItem as (item: string) => unknown)(items[0]!) : onItem;",
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    expect((await generate({ cwd: dir })).diagnostics).toEqual([]);
    const stubFile = path.join(dir, 'src/each.worker.procxy.ts');
    expect(readFileSync(stubFile, 'utf8')).toContain(
      '  voidCallbacks: { each: [1], eachOrCount: [1], visit: [0, 1], walk: [0, 1], via: [0] },\n};',
    );
    const { spawnEach } = (await import(pathToFileURL(stubFile).href)) as {
      spawnEach(): Promise<
        {
          each(items: string[], onItem: (item: string) => void): Promise<number>;
          sum(items: string[], size: (item: string) => Promise<number>): Promise<number>;
          eachOrCount(items: string[], onItem: ((item: string) => void) | number): Promise<number>;
          visit(...args: [(name: string) => void] | [string, (name: string) => void]): Promise<number>;
          walk(...args: [(name: string) => void] | [string, (name: string) => void]): Promise<number>;
          run(value: unknown): Promise<unknown>;
          via(visit: (name: string) => void): Promise<number>;
          firstOr(items: string[], onItem: ((item: string) => unknown) | object): Promise<unknown>;
        } & AsyncDisposable
      >;
    };
    await using each = await spawnEach();
    const seen = new Set<string>();
    // Set.prototype.add returns the Set, which json mode refuses; a void callback's result is not sent at all.
    expect(await each.each(['a', 'b'], (item) => seen.add(item))).toBe(2);
    expect([...seen]).toEqual(['a', 'b']);
    // A callback whose result the worker uses is still checked.
    await expect(each.sum(['a'], async () => new Set() as never)).rejects.toThrow(/a Set becomes \{\}/);
    expect(await each.sum(['ab', 'c'], async (item) => item.length)).toBe(3);
    // Where the parameter may also be data, a function given for it is a void callback all the same.
    expect(await each.eachOrCount(['c', 'd'], (item) => seen.add(item))).toBe(2);
    expect([...seen]).toEqual(['a', 'b', 'c', 'd']);
    expect(await each.eachOrCount(['c'], 7)).toBe(7);
    // Overloads that take the callback at different positions: at each, a function is a void callback.
    expect(await each.visit((name) => seen.add(name))).toBe(1);
    expect(await each.visit('p-', (name) => seen.add(name))).toBe(1);
    expect([...seen]).toEqual(['a', 'b', 'c', 'd', 'x', 'p-x']);
    // Each form of a rest parameter of tuples: a function in either place is a void callback.
    expect(await each.walk((name) => seen.add(name))).toBe(1);
    expect(await each.walk('q-', (name) => seen.add(name))).toBe(2);
    expect([...seen].slice(-2)).toEqual(['w', 'q-w']);
    // A generic rest parameter's forms are those of its constraint.
    expect(await each.via((name) => seen.add(name))).toBe(1);
    // Where another overload takes the same position as unknown, a function there answers with its result.
    expect(await each.run(() => 42)).toBe(42);
    // Where a function fits a data member too ({}), its type does not make it a void callback: it answers.
    expect(await each.firstOr(['e'], (item) => `${item}!`)).toBe('e!');
  });

  it('serves a class whose decorator returns a replacement class (TC39 and experimentalDecorators)', async () => {
    const worker = (legacy: boolean): string =>
      [
        '// biome-ignore lint/suspicious/noExplicitAny: a mixin constructor',
        'type Ctor = new (...args: any[]) => object;',
        legacy
          ? 'function withDefaults<T extends Ctor>(value: T) {'
          : 'function withDefaults<T extends Ctor>(value: T, _ctx: ClassDecoratorContext<T>) {',
        "  return class extends value { region = 'eu'; };",
        '}',
        '@withDefaults',
        'export class W {',
        '  hi(): string {',
        '    const region = (this as unknown as { region: string }).region;',
        "    return ['hi from', region, this.constructor.name || 'anonymous'].join(' ');",
        '  }',
        '}',
        '',
      ].join('\n');
    for (const legacy of [false, true]) {
      const dir = scratchProject({ 'src/w.worker.ts': worker(legacy) });
      if (legacy) {
        const tsconfig = path.join(dir, 'tsconfig.json');
        const config = JSON.parse(readFileSync(tsconfig, 'utf8')) as { compilerOptions: object };
        config.compilerOptions = { ...config.compilerOptions, experimentalDecorators: true };
        writeFileSync(tsconfig, JSON.stringify(config));
      }
      expect((await generate({ cwd: dir })).diagnostics).toEqual([]);
      expect(typeCheck(dir)).toBe('');
      const { spawnW } = (await import(pathToFileURL(path.join(dir, 'src/w.worker.procxy.ts')).href)) as {
        spawnW(): Promise<{ hi(): Promise<string> } & AsyncDisposable>;
      };
      await using w = await spawnW();
      expect(await w.hi()).toBe('hi from eu anonymous');
    }
  });

  it('serves a class a worker file re-exports from a file "workers" does not select, beside its own classes', async () => {
    const store = [
      'export interface Entry {',
      '  key: string;',
      '}',
      'interface Hidden {',
      '  n: number;',
      '}',
      'export class Store {',
      '  /** Reads a key. */',
      '  get(k: string): Entry {',
      "    return { key: k + '!' };",
      '  }',
      '  double(hidden: Hidden): number {',
      '    return hidden.n * 2;',
      '  }',
      '}',
      '',
    ].join('\n');
    const dir = scratchProject({
      'src/impl/store.ts': store,
      'src/only.worker.ts': "export { Store } from './impl/store.js';\n",
      'src/api.worker.ts': [
        "export { Store as Kv } from './impl/store.js';",
        'export class Api {',
        '  ping(): number {',
        '    return 1;',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    expect((await generate({ cwd: dir })).diagnostics).toEqual([]);
    const only = readProjectFile(dir, 'src/only.worker.procxy.ts');
    expect(only).toContain("import type { Store } from './only.worker.js';");
    expect(only).toContain("import type { Entry } from './impl/store.js';");
    expect(only).toContain("import type { Store } from './only.worker.js';");
    expect(only).toContain("double(hidden: Parameters<Store['double']>[0]): Promise<number>;");
    const api = readProjectFile(dir, 'src/api.worker.procxy.ts');
    expect(api).toContain('export function spawnApi(');
    expect(api).toContain('export function spawnKv(');
    expect(typeCheck(dir)).toBe('');
    const { spawnStore } = (await import(
      pathToFileURL(path.join(dir, 'src/only.worker.procxy.ts')).href
    )) as {
      spawnStore(): Promise<{ get(k: string): Promise<{ key: string }> } & AsyncDisposable>;
    };
    const { spawnApi, spawnKv } = (await import(
      pathToFileURL(path.join(dir, 'src/api.worker.procxy.ts')).href
    )) as {
      spawnApi(): Promise<{ ping(): Promise<number> } & AsyncDisposable>;
      spawnKv(): Promise<
        {
          get(k: string): Promise<{ key: string }>;
          double(h: { n: number }): Promise<number>;
        } & AsyncDisposable
      >;
    };
    await using storeProxy = await spawnStore();
    await using apiProxy = await spawnApi();
    await using kv = await spawnKv();
    expect(await storeProxy.get('a')).toEqual({ key: 'a!' });
    expect(await apiProxy.ping()).toBe(1);
    expect(await kv.get('b')).toEqual({ key: 'b!' });
    expect(await kv.double({ n: 21 })).toBe(42);
  });

  it('leaves a re-exported class to the stub of the file that declares it when "workers" selects that file', async () => {
    const dir = scratchProject({
      'src/store.worker.ts': 'export class Store {\n  get(k: string): string {\n    return k;\n  }\n}\n',
      'src/api.worker.ts': [
        "export { Store } from './store.worker.js';",
        'export class Api {',
        '  ping(): number {',
        '    return 1;',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    expect(result.diagnostics).toEqual([]);
    expect(result.written.map((f) => path.relative(dir, f).replaceAll(path.sep, '/')).sort()).toEqual([
      'src/api.worker.procxy.child.mjs',
      'src/api.worker.procxy.ts',
      'src/store.worker.procxy.child.mjs',
      'src/store.worker.procxy.ts',
    ]);
    expect(readProjectFile(dir, 'src/api.worker.procxy.ts')).not.toContain('Store');
    expect(readProjectFile(dir, 'src/store.worker.procxy.ts')).toContain('export function spawnStore(');
    expect(typeCheck(dir)).toBe('');
  });

  it('makes no worker of a class a worker file exports as a type only, which no child could load', async () => {
    const dir = scratchProject({
      'src/impl/t1.ts': 'export class T1 {\n  t(): number {\n    return 1;\n  }\n}\n',
      'src/g.worker.ts': [
        "export type { T1 } from './impl/t1.js';",
        'export class G {',
        '  g(): number {',
        '    return 3;',
        '  }',
        '}',
        '',
      ].join('\n'),
      'src/t2.worker.ts': [
        "import { T1 } from './impl/t1.js';",
        'export type { T1 };',
        "export { type T1 as T1b } from './impl/t1.js';",
        'class L {',
        '  hi(): string {',
        "    return 'hi';",
        '  }',
        '}',
        'export type { L };',
        'export class Kept {',
        '  k(): number {',
        '    return 2;',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    for (const [file, text] of Object.entries({
      // Through `export type *`, here or in a module this one re-exports all of.
      'src/s.worker.ts':
        "export type * from './impl/t1.js';\nexport class S {\n  s(): number {\n    return 4;\n  }\n}\n",
      'src/mid.ts': "export type * from './impl/t1.js';\n",
      'src/m.worker.ts':
        "export * from './mid.js';\nexport class M {\n  m(): number {\n    return 5;\n  }\n}\n",
      // Named from a module that has it through `export type *` only, directly or by an import exported on.
      'src/n.worker.ts':
        "export { T1 } from './mid.js';\nexport class N {\n  n(): number {\n    return 6;\n  }\n}\n",
      'src/o.worker.ts':
        "import { T1 } from './mid.js';\nexport { T1 };\nexport class O {\n  o(): number {\n    return 7;\n  }\n}\n",
    })) {
      writeFileSync(path.join(dir, file), text);
    }
    const result = await generate({ cwd: dir });
    expect(result.diagnostics).toEqual([]);
    expect(readProjectFile(dir, 'src/g.worker.procxy.ts')).not.toContain('T1');
    expect(readProjectFile(dir, 'src/s.worker.procxy.ts')).not.toContain('T1');
    expect(readProjectFile(dir, 'src/m.worker.procxy.ts')).not.toContain('T1');
    expect(readProjectFile(dir, 'src/n.worker.procxy.ts')).not.toContain('T1');
    expect(readProjectFile(dir, 'src/o.worker.procxy.ts')).not.toContain('T1');
    const t2 = readProjectFile(dir, 'src/t2.worker.procxy.ts');
    expect(t2).toContain('export function spawnKept(');
    expect(t2).not.toMatch(/spawnT1|spawnL\b/);
    // Which tsc refuses under verbatimModuleSyntax, as this project has it; the generator need not.
    for (const worker of ['n', 'o']) {
      for (const file of readdirSync(path.join(dir, 'src')).filter((f) =>
        f.startsWith(`${worker}.worker.`),
      )) {
        rmSync(path.join(dir, 'src', file));
      }
    }
    expect(typeCheck(dir)).toBe('');
  });

  it('makes no worker of a class two export * give one name, which the module then does not export', async () => {
    const dir = scratchProject({
      'src/impl/a.ts': 'export class Store {\n  a(): number {\n    return 1;\n  }\n}\n',
      'src/impl/b.ts': 'export class Store {\n  b(): number {\n    return 2;\n  }\n}\n',
      'src/impl/c.ts': "export { Store } from './a.js';\n",
      'src/w.worker.ts': [
        "export * from './impl/a.js';",
        "export * from './impl/b.js';",
        'export class Real {',
        '  r(): number {',
        '    return 3;',
        '  }',
        '}',
        '',
      ].join('\n'),
      // The same binding twice is no ambiguity.
      'src/v.worker.ts': "export * from './impl/a.js';\nexport * from './impl/c.js';\n",
    });
    const result = await generate({ cwd: dir });
    expect(result.diagnostics).toEqual([]);
    const w = readProjectFile(dir, 'src/w.worker.procxy.ts');
    expect(w).toContain('export function spawnReal(');
    expect(w).not.toContain('spawnStore');
    expect(readProjectFile(dir, 'src/v.worker.procxy.ts')).toContain('export function spawnStore(');
  });

  it('writes child bundles that a tsconfig with checkJs leaves alone', async () => {
    const dir = scratchProject({
      'src/cb.worker.ts': [
        'export class Each {',
        '  async each(cb: (x: number) => Promise<void>): Promise<void> {',
        '    await cb(1);',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    addCompilerOptions(dir, '"allowJs": true,\n    "checkJs": true');
    const result = await generate({ cwd: dir });
    expect(result.diagnostics).toEqual([]);
    expect(typeCheck(dir)).toBe('');
  });

  it('names a class exported under a Unicode identifier after that export', async () => {
    const dir = scratchProject({
      'src/p.worker.ts': [
        'class Impl {',
        '  check(n: number): boolean {',
        '    return n > 0;',
        '  }',
        '}',
        'export { Impl as Prüfer };',
        '',
      ].join('\n'),
    });
    expect((await generate({ cwd: dir })).diagnostics).toEqual([]);
    const stub = readFileSync(path.join(dir, 'src/p.worker.procxy.ts'), 'utf8');
    expect(stub).toContain('export interface PrüferProxy extends ProxyControls<PrüferProxy> {');
    expect(stub).toContain('export function spawnPrüfer(');
    expect(typeCheck(dir)).toBe('');
  });
});
