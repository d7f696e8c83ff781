// How the stub writes signatures the analysis fixture does not cover: each case is a scratch project whose
// generated stub must also pass tsc under the strict settings users have.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../compiler/generate.js';
import { fixturesDir, readProjectFile, removeTempProjects, scratchProject, typeCheck } from './project.js';

afterAll(removeTempProjects);

/** Generates a scratch project with one worker file; returns its stub text and tsc's verdict on the project. */
async function stubOf(worker: string, extra: Readonly<Record<string, string>> = {}) {
  const dir = scratchProject({ 'src/w.worker.ts': worker, ...extra });
  const result = await generate({ cwd: dir });
  expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return { dir, stub: readProjectFile(dir, 'src/w.worker.procxy.ts'), tsc: typeCheck(dir) };
}

describe('parameters', () => {
  it('writes a destructured parameter without renames, computed keys or defaults (a signature cannot have them)', async () => {
    const { stub, tsc } = await stubOf(
      [
        "const KEY = 'k';",
        'export interface Req {',
        '  id: string;',
        "  'c-d': number;",
        '  k: boolean;',
        '}',
        'export class W {',
        '  plain({ id, k = true }: Req): string {',
        '    return id + k;',
        '  }',
        '  renamed({ id: userId }: Req, arg0: number): string {',
        '    return userId + arg0;',
        '  }',
        "  quoted({ 'c-d': cd, [KEY]: v }: Req, [first, { id: inner }]: [number, Req]): string {",
        '    return String(cd) + v + first + inner;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(stub).toContain('  plain({ id, k }: Req): Promise<string>;');
    expect(stub).toContain('  renamed(arg0_2: Req, arg0: number): Promise<string>;');
    expect(stub).toContain('  quoted(arg0: Req, arg1: [number, Req]): Promise<string>;');
    expect(tsc).toBe('');
  });
});

describe('types', () => {
  it('finds ambient modules and global interfaces in the tsconfig’s declaration files, which no worker imports', async () => {
    const { stub, tsc } = await stubOf(
      [
        "import type { VL } from 'virtual-lib';",
        'export class W {',
        '  vl(v: VL, g: GlobalThing): number {',
        '    return v.v + g.g;',
        '  }',
        '}',
        '',
      ].join('\n'),
      {
        'src/types/ambient.d.ts': [
          "declare module 'virtual-lib' {",
          '  export interface VL {',
          '    v: number;',
          '  }',
          '}',
          'interface GlobalThing {',
          '  g: number;',
          '}',
          '',
        ].join('\n'),
      },
    );
    expect(stub).toContain("import type { VL } from 'virtual-lib';");
    expect(stub).toContain('  vl(v: VL, g: GlobalThing): Promise<number>;');
    expect(tsc).toBe('');
  });
});

describe('method names', () => {
  it("quotes a method named new, which bare would be the proxy's construct signature; other keywords stay bare", async () => {
    const { stub, tsc } = await stubOf(
      [
        'export class W {',
        '  new(name: string): string {',
        '    return name;',
        '  }',
        '  each(visit: (n: number) => void): void {',
        '    visit(1);',
        '  }',
        '  get(k: string): string {',
        '    return k;',
        '  }',
        '  set(k: string): string {',
        '    return k;',
        '  }',
        '  readonly(): number {',
        '    return 1;',
        '  }',
        '  delete(): number {',
        '    return 1;',
        '  }',
        '}',
        'export class V {',
        '  new(visit: (n: number) => void): void {',
        '    visit(1);',
        '  }',
        '}',
        '',
      ].join('\n'),
      {
        'src/use.ts': [
          "import type { WProxy } from './w.worker.procxy.js';",
          'export async function use(w: WProxy): Promise<string> {',
          '  // @ts-expect-error: the proxy is no constructor',
          "  new w('x');",
          "  return (await w.new('x')) + (await w.get('k')) + (await w.set('k')) + (await w.readonly()) + (await w.delete());",
          '}',
          '',
        ].join('\n'),
      },
    );
    expect(stub).toContain("  'new'(name: string): Promise<string>;");
    expect(stub).toContain('  get(k: string): Promise<string>;');
    expect(stub).toContain('  set(k: string): Promise<string>;');
    expect(stub).toContain('  readonly(): Promise<number>;');
    expect(stub).toContain('  delete(): Promise<number>;');
    expect(stub).toContain("  voidCallbacks: { 'new': [0] },");
    expect(tsc).toBe('');
  });
});

describe('defaults', () => {
  it('keeps a defaulted parameter before a required one required, taking undefined (methods and constructor)', async () => {
    const { stub, tsc } = await stubOf(
      [
        'export class W {',
        "  constructor(a = 1, b: string, d = 'x') {",
        '    void [a, b, d];',
        '  }',
        '  async lead(a = 1, f: () => Promise<number> = async () => 0, b: number, c: (() => Promise<number>) | null = null, d: string | undefined = undefined, e?: number): Promise<number> {',
        '    return a + (await f()) + b + ((await c?.()) ?? 0) + (d?.length ?? 0) + (e ?? 0);',
        '  }',
        '  tail(a: number, b = 2, ...rest: number[]): number {',
        '    return a + b + rest.length;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(stub).toContain(
      '  lead(a: number | undefined, f: (() => Promise<number>) | undefined, b: number, c?: (() => Promise<number>) | null, d?: string | undefined, e?: number): Promise<number>;',
    );
    expect(stub).toContain('  tail(a: number, b?: number, ...rest: number[]): Promise<number>;');
    expect(stub).toContain('...args: [a: number | undefined, b: string, d?: string]): Promise<WProxy>');
    expect(tsc).toBe('');
  });

  it('names a defaulted pattern before a required parameter positionally, since a pattern cannot destructure undefined', async () => {
    const { stub, tsc } = await stubOf(
      [
        'export class W {',
        '  objdef({ a, b }: { a: number; b?: string } = { a: 1 }, c: number, arg0 = 0): number {',
        '    return a + (b?.length ?? 0) + c + arg0;',
        '  }',
        '  tail({ a }: { a: number } = { a: 1 }): number {',
        '    return a;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(stub).toContain(
      '  objdef(arg0_2: { a: number; b?: string } | undefined, c: number, arg0?: number): Promise<number>;',
    );
    expect(stub).toContain('  tail({ a }?: { a: number }): Promise<number>;');
    expect(tsc).toBe('');
  });

  it('parenthesizes a defaulted function type taking undefined even when its return type ends with | undefined', async () => {
    const { stub, tsc } = await stubOf(
      [
        'const dflt = (x: string): Promise<string> | undefined => Promise.resolve(x);',
        'export class W {',
        '  async leadCb(cb: (x: string) => Promise<string> | undefined = dflt, b: number): Promise<number> {',
        "    return ((await cb('x'))?.length ?? 0) + b;",
        '  }',
        "  leadUnion(u: { k: 'a' | undefined } | undefined = undefined, b: number): number {",
        '    return (u?.k?.length ?? 0) + b;',
        '  }',
        '}',
        '',
      ].join('\n'),
      {
        // Passing undefined is how a caller asks for the default; it must compile against the stub.
        'src/use.ts': [
          "import type { WProxy } from './w.worker.procxy.js';",
          'export async function use(w: WProxy): Promise<number> {',
          '  return (await w.leadCb(undefined, 2)) + (await w.leadUnion(undefined, 3));',
          '}',
          '',
        ].join('\n'),
      },
    );
    expect(stub).toContain(
      '  leadCb(cb: ((x: string) => Promise<string> | undefined) | undefined, b: number): Promise<number>;',
    );
    expect(stub).toContain("  leadUnion(u: { k: 'a' | undefined } | undefined, b: number): Promise<number>;");
    expect(tsc).toBe('');
  });
});

describe('types written through the class', () => {
  it('writes typeof this.x as an indexed access on the class, or as its type when the member is not public', async () => {
    const { stub, tsc } = await stubOf(
      [
        'export class W {',
        '  limit = 5 as const;',
        "  private secret = 'a' as const;",
        '  m(v: typeof this.limit, w: typeof this.secret): typeof this.limit {',
        '    return w === this.secret ? v : this.limit;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(stub).toContain("  m(v: W['limit'], w: \"a\"): Promise<Awaited<W['limit']>>;");
    expect(tsc).toBe('');
  });

  it('reaches the unexported types of an optional method through NonNullable', async () => {
    const { stub, tsc } = await stubOf(
      [
        'interface Hidden {',
        '  h: number;',
        '}',
        'export class W {',
        '  opt?(h: Hidden): Hidden {',
        '    return h;',
        '  }',
        '  rest?(...hs: Hidden[]): number {',
        '    return hs.length;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(stub).toContain(
      "  opt?(h: Parameters<NonNullable<W['opt']>>[0]): Promise<Awaited<ReturnType<NonNullable<W['opt']>>>>;",
    );
    expect(stub).toContain("  rest?(...args: Parameters<NonNullable<W['rest']>>): Promise<number>;");
    expect(tsc).toBe('');
  });
});

describe('inherited methods', () => {
  it('counts as implemented a base class a .d.ts describes and an interface member a base class implements', async () => {
    const { stub, tsc } = await stubOf(
      [
        "import { JsBase } from './js-base.js';",
        'export class FromJs extends JsBase {',
        '  own(): number {',
        '    return 1;',
        '  }',
        '}',
        'class Impl {',
        '  implemented(n: number): number {',
        '    return n;',
        '  }',
        '}',
        'export interface Merged {',
        '  implemented(n: number): number;',
        '}',
        'export class Merged extends Impl {}',
        '',
      ].join('\n'),
      {
        'src/js-base.d.ts': 'export declare class JsBase {\n  fromJs(n: number): number;\n}\n',
        'src/js-base.js': 'export class JsBase {\n  fromJs(n) {\n    return n + 100;\n  }\n}\n',
      },
    );
    expect(stub).toContain("  methods: ['own', 'fromJs'],");
    expect(stub).toContain("  methods: ['implemented'],");
    expect(tsc).toBe('');
  });

  it("leaves out, with a warning on the worker, a package's method that cannot cross: the worker cannot change it", async () => {
    const dir = scratchProject({
      'node_modules/svc-lib/package.json': JSON.stringify({
        name: 'svc-lib',
        type: 'module',
        exports: { '.': { types: './index.d.ts', default: './index.js' } },
      }),
      'node_modules/svc-lib/index.d.ts': [
        'export declare class Service {',
        '  configure(opts: { verbose: boolean }): this;',
        '  stats(): Record<string, unknown>;',
        '  close(): Promise<void>;',
        '}',
        '',
      ].join('\n'),
      'node_modules/svc-lib/index.js':
        'export class Service { configure() { return this; } stats() { return {}; } async close() {} }\n',
      'src/w.worker.ts': [
        "import { Service } from 'svc-lib';",
        'export class MyWorker extends Service {',
        '  add(a: number, b: number): number {',
        '    return a + b;',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    expect(result.ok).toBe(true);
    const warnings = result.diagnostics.map((d) => `${d.code} ${path.relative(dir, d.file)} ${d.category}`);
    expect(warnings).toEqual(['PRX9027 src/w.worker.ts warning', 'PRX9027 src/w.worker.ts warning']);
    expect(result.diagnostics[0]!.message).toMatch(
      /^method 'MyWorker.configure', inherited from a package, is left out/,
    );
    // The refusal's own sentence ends before 'Override', with one period.
    for (const { message } of result.diagnostics) {
      expect(message).not.toMatch(/\.\./);
      expect(message).toMatch(/[^.]\. Override it in 'MyWorker' to call it through the proxy$/);
    }
    expect(readProjectFile(dir, 'src/w.worker.procxy.ts')).toContain("  methods: ['add', 'close'],");
    expect(typeCheck(dir)).toBe('');
  });

  it('does not count an optional method of a .d.ts as implemented: the JavaScript may lack it', async () => {
    const dir = scratchProject({
      'src/w.worker.ts': "import { JsBase } from './js-base.js';\nexport class FromJs extends JsBase {}\n",
      'src/js-base.d.ts':
        'export declare class JsBase {\n  fromJs(n: number): number;\n  onStop?(): void;\n}\n',
      'src/js-base.js': 'export class JsBase {\n  fromJs(n) {\n    return n;\n  }\n}\n',
    });
    const result = await generate({ cwd: dir });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['PRX9024']);
    expect(result.diagnostics[0]!.message).toContain("'FromJs.onStop'");
    expect(readProjectFile(dir, 'src/w.worker.procxy.ts')).toContain("  methods: ['fromJs'],");
  });
});

describe('package types', () => {
  const store = [
    'export class Store<T> {',
    '  pick<U extends T>(u: U): U {',
    '    return u;',
    '  }',
    '  ov(a: T): T;',
    '  ov(a: T, b: T): T[];',
    '  ov(a: T, b?: T): T | T[] {',
    '    return b === undefined ? a : [a, b];',
    '  }',
    '}',
    '',
  ].join('\n');

  it("imports a base class's instantiated type argument, and a package class's own types, from the package the user's files import", async () => {
    const { stub, tsc } = await stubOf(
      [
        "import type { JsonObject } from 'type-fest';",
        "import { Base } from '@me/lib';",
        "import { Store } from './base.js';",
        'export class JStore extends Store<JsonObject> {}',
        'export class FromLib extends Base {}',
        '',
      ].join('\n'),
      {
        'src/base.ts': store,
        'node_modules/@me/lib/package.json': JSON.stringify({
          name: '@me/lib',
          type: 'module',
          exports: { '.': { types: './index.d.ts', default: './index.js' } },
        }),
        'node_modules/@me/lib/index.d.ts':
          "export { Base } from './base.js';\nexport type { Options } from './options.js';\n",
        'node_modules/@me/lib/options.d.ts': 'export interface Options {\n  n: number;\n}\n',
        'node_modules/@me/lib/base.d.ts': [
          "import type { Options } from './options.js';",
          'export declare class Base {',
          '  run<K extends keyof Options>(options: Options, key: K): Options[K];',
          '}',
          '',
        ].join('\n'),
      },
    );
    expect(stub).toContain("import type { Options } from '@me/lib';");
    expect(stub).toContain("import type { JsonObject } from 'type-fest';");
    expect(stub).toContain('  pick<U extends JsonObject>(u: U): Promise<Awaited<U>>;');
    expect(stub).toContain('  ov(a: JsonObject): Promise<JsonObject>;');
    expect(stub).toContain(
      '  run<K extends keyof Options>(options: Options, key: K): Promise<Awaited<Options[K]>>;',
    );
    expect(tsc).toBe('');
  });

  it("says which type a generic base's type parameter stands for when the stub cannot import it", async () => {
    const dir = scratchProject({
      'src/base.ts': store,
      'src/w.worker.ts': [
        "import { Store } from './base.js';",
        'interface Local {',
        '  a: number;',
        '}',
        'export class LStore extends Store<Local> {}',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    expect(result.diagnostics.map((d) => `${d.code} ${d.message.split('. ')[0]}`)).toEqual([
      "PRX9031 type parameter 'U' of 'LStore.pick' cannot be written in the generated stub: 'Local' is not exported from w.worker.ts",
      "PRX9031 parameter 'a' of 'LStore.ov' cannot be written in the generated stub: 'Local' is not exported from w.worker.ts",
      "PRX9031 parameter 'a' of 'LStore.ov' cannot be written in the generated stub: 'Local' is not exported from w.worker.ts",
    ]);
  });
});

/** The diagnostics of generating a scratch project, one line each: `line:column category code message`. */
function diagnosticLines(result: Awaited<ReturnType<typeof generate>>): string[] {
  return result.diagnostics.map((d) => `${d.line}:${d.column} ${d.category} ${d.code} ${d.message}`);
}

describe('which classes are workers', () => {
  it('warns that an exported class expression is not a worker, even beside an exported class', async () => {
    const dir = scratchProject({
      'src/v.worker.ts': [
        'export const VW = class VW {',
        '  run(n: number): number {',
        '    return n;',
        '  }',
        '};',
        'export default VW;',
        'export class Other {',
        '  x(): number {',
        '    return 1;',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    expect(diagnosticLines(result)).toEqual([
      "1:14 warning PRX9015 'VW' holds a class expression, so it is not a worker (the generator reads class declarations); declare it as `export class VW { ... }` to generate its stub",
    ]);
    expect(result.workers).toBe(1);
  });

  it('advises a default export of a class expression to be declared as the default-exported class', async () => {
    const dir = scratchProject({
      'src/v.worker.ts': [
        'const VW = class {',
        '  run(): number {',
        '    return 1;',
        '  }',
        '};',
        'export default VW;',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toContain(
      "1:7 PRX9015 'default' holds a class expression, so it is not a worker (the generator reads class declarations); declare it as `export default class VW { ... }` to generate its stub",
    );
  });

  it('takes no Error subclass for a worker: one exported beside the worker is for instanceof', async () => {
    const dir = scratchProject({
      'src/e.worker.ts': [
        'export class QuotaError extends Error {',
        '  constructor(message: string, readonly limit: number) {',
        '    super(message);',
        '  }',
        '}',
        'export class PlainError extends Error {}',
        'export class NarrowError extends QuotaError {}',
        'export class BadInput extends TypeError {}',
        'class AppError<C extends string> extends Error {',
        '  constructor(readonly code: C) {',
        '    super(code);',
        '  }',
        '}',
        "export class NotFound extends AppError<'ENOENT'> {}",
        'type Ctor<T = object> = new (...args: any[]) => T;',
        'function WithCode<B extends Ctor>(Base: B) {',
        '  return class extends Base {',
        "    code = 'E_CODE';",
        '  };',
        '}',
        'export class Coded extends WithCode(Error) {}',
        'export default class extends Error {}',
        'export class W {',
        '  go(n: number): number {',
        "    if (n > 3) throw new QuotaError('too many', 3);",
        '    return n;',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    expect(result.diagnostics).toEqual([]);
    expect(result.workers).toBe(1);
  });

  it('warns that a declare class, which has no JavaScript, is not a worker', async () => {
    const dir = scratchProject({
      'src/d.worker.ts': [
        'export declare class D {',
        '  run(): number;',
        '}',
        'export class Real {',
        '  run(): number {',
        '    return 1;',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    expect(diagnosticLines(result)).toEqual([
      "1:22 warning PRX9016 class 'D' is declared with `declare`, so this file has no JavaScript for it and it is not a worker; drop `declare` and implement it to generate its stub",
    ]);
    expect(result.workers).toBe(1);
  });

  it('warns that a file exporting with export = has no worker, rather than calling its class not exported', async () => {
    const dir = scratchProject({
      'src/e.worker.cts': [
        'class EqW {',
        '  hi(n: number): number {',
        '    return n + 1;',
        '  }',
        '}',
        'export = EqW;',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    const codes = result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`);
    expect(codes).toContain('6:1 PRX9017');
    expect(codes.filter((c) => c.includes('PRX9012'))).toEqual([]);
  });
});

describe('event maps the stub cannot name', () => {
  it('names the unexported map a base class passes on, at the worker, not the base class type parameter', async () => {
    const dir = scratchProject({
      'src/b.worker.ts': [
        "import { EventEmitter } from 'node:events';",
        'interface Hidden {',
        '  base: [x: number];',
        '}',
        'export class Direct extends EventEmitter<Hidden> {}',
        'class Base<E extends Record<keyof E, unknown[]>> extends EventEmitter<E> {}',
        'export class ViaBase extends Base<Hidden> {}',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      "5:42 PRX9031 the event map of 'Direct' cannot be written in the generated stub: 'Hidden' is not exported from b.worker.ts. Export the type",
      "7:30 PRX9031 the event map of 'ViaBase' cannot be written in the generated stub: 'Hidden' is not exported from b.worker.ts. Export the type",
    ]);
  });
});

describe('mixins', () => {
  it("writes the mixin function's type parameters as instantiated, keeping the method's own and mapped ones", async () => {
    const { stub, tsc } = await stubOf(
      [
        "import { Plain, Tagged } from './mixins.js';",
        "export class W extends Tagged(Plain, 'x' as const) {}",
        '',
      ].join('\n'),
      {
        'src/mixins.ts': [
          'type Ctor<T = object> = new (...args: any[]) => T;',
          'export function Tagged<TBase extends Ctor, K extends string>(B: TBase, key: K) {',
          '  return class extends B {',
          '    key(): K {',
          '      return key;',
          '    }',
          '    is(k: K): boolean {',
          '      return k === key;',
          '    }',
          '    all<V extends string>(v: V): { [P in V]: K } {',
          '      return { [v]: key } as { [P in V]: K };',
          '    }',
          '  };',
          '}',
          'export class Plain {',
          '  hello(): string {',
          "    return 'hi';",
          '  }',
          '}',
          '',
        ].join('\n'),
      },
    );
    expect(stub).toContain('  key(): Promise<"x">;\n  is(k: "x"): Promise<boolean>;\n');
    expect(stub).toContain('  all<V extends string>(v: V): Promise<{ [P in V]: "x"; }>;');
    expect(tsc).toBe('');
  });
});

describe('determinism', () => {
  it('prints an inferred union the same whatever other worker files the run checks first', async () => {
    const b = [
      'export class B {',
      '  m(x: number, o: { k?: number }) {',
      "    return x > 0 ? 'up' : x < 0 ? 'down' : o.k === undefined ? null : 'zero';",
      '  }',
      '}',
      '',
    ].join('\n');
    const alone = scratchProject({ 'src/b.worker.ts': b });
    const after = scratchProject({
      'src/a.worker.ts': "export class A {\n  z(): 'zero' | 'down' {\n    return 'zero';\n  }\n}\n",
      'src/b.worker.ts': b,
    });
    await generate({ cwd: alone });
    await generate({ cwd: after });
    const stub = readProjectFile(alone, 'src/b.worker.procxy.ts');
    expect(stub).toContain('  m(x: number, o: { k?: number }): Promise<"down" | "up" | "zero" | null>;');
    expect(readProjectFile(after, 'src/b.worker.procxy.ts')).toBe(stub);
  });
});

describe('constructor', () => {
  it('writes a parameter typed by another (typeof a) by its type, since the tuple has no parameters in scope', async () => {
    const { stub, tsc } = await stubOf(
      [
        'export class W {',
        '  constructor(a: number, b: typeof a) {',
        '    void [a, b];',
        '  }',
        '  m(a: { k: string }, b: typeof a.k): typeof b {',
        '    return b;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(stub).toContain('...args: [a: number, b: number]): Promise<WProxy>');
    expect(stub).toContain('  m(a: { k: string }, b: typeof a.k): Promise<Awaited<typeof b>>;');
    expect(tsc).toBe('');
  });
});

describe('CommonJS workers', () => {
  it('imports the types of `import T = require(...)` as a namespace', async () => {
    const tsconfig = JSON.parse(readProjectFile(path.join(fixturesDir, 'scratch'), 'tsconfig.json')) as {
      compilerOptions: Record<string, unknown>;
    };
    // A CommonJS worker writes `export class`, which verbatimModuleSyntax refuses there (TS1287).
    tsconfig.compilerOptions.verbatimModuleSyntax = false;
    const dir = scratchProject({
      'tsconfig.json': JSON.stringify(tsconfig),
      'src/t.cts': [
        'declare namespace T {',
        '  export interface Q {',
        '    q: number;',
        '  }',
        '}',
        'const T = {};',
        'export = T;',
        '',
      ].join('\n'),
      'src/w.worker.cts': [
        "import T = require('./t.cjs');",
        'export class W {',
        '  m(q: T.Q): number {',
        '    return q.q;',
        '  }',
        "  g<K extends 'a'>(q: T.Q, k: K): K {",
        '    void q;',
        '    return k;',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const result = await generate({ cwd: dir });
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    const stub = readProjectFile(dir, 'src/w.worker.procxy.mts');
    expect(stub).toContain("import type * as T from './t.cjs';");
    expect(stub).toContain("  g<K extends 'a'>(q: T.Q, k: K): Promise<Awaited<K>>;");
    expect(typeCheck(dir)).toBe('');
  });
});
