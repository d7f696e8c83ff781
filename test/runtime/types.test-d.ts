// The public types: a proxy's methods are the class's, async, and only what the mode can carry compiles.

import type { Writable } from 'node:stream';
import type {
  AbortError,
  IsProcxiable,
  Procxy,
  ProcxyError,
  ProcxyErrorCode,
  ProxyControls,
  SerializationError,
  TimeoutError,
  WorkerConstructor,
} from 'procxy';
import { procxy } from 'procxy';
import { describe, expectTypeOf, it } from 'vitest';

interface Point {
  x: number;
  y: number;
}
type Tree = { value: number; children: Tree[] };

declare class Geometry {
  constructor(scale: number);
  distance(a: Point, b: Point): number;
  asyncArea(points: readonly Point[]): Promise<number>;
  optional(label?: string): string | undefined;
  rest(...values: number[]): number[];
  tree(depth: number): Tree;
  nothing(): void;
  when(date: Date): Date;
  big(n: bigint): bigint;
  callback(f: (s: symbol) => void): void;
  symbol(): symbol;
  hook?(name: string): number;
  _hidden(): number;
  $dollar(): number;
  field: number;
}

describe('Procxy<T, json>', () => {
  const p = {} as Procxy<Geometry, 'json'>;

  it('turns each method into an async one with the same parameters', () => {
    expectTypeOf(p.distance).toEqualTypeOf<(a: Point, b: Point) => Promise<number>>();
    expectTypeOf(p.asyncArea).toEqualTypeOf<(points: readonly Point[]) => Promise<number>>();
    expectTypeOf(p.optional).toEqualTypeOf<(label?: string) => Promise<string | undefined>>();
    expectTypeOf(p.rest).toEqualTypeOf<(...values: number[]) => Promise<number[]>>();
    expectTypeOf(p.tree).returns.resolves.toEqualTypeOf<Tree>();
    expectTypeOf(p.nothing).returns.resolves.toBeVoid();
    // An optional method stays optional, as the generated stub has it.
    expectTypeOf(p.hook).toEqualTypeOf<((name: string) => Promise<number>) | undefined>();
    expectTypeOf<Pick<Procxy<Geometry, 'json'>, 'hook'>>().toEqualTypeOf<{
      readonly hook?: (name: string) => Promise<number>;
    }>();
  });

  it('refuses wrong arguments and unknown members', () => {
    // @ts-expect-error a string is not a Point
    void p.distance('a', { x: 1, y: 2 });
    // @ts-expect-error the second argument is missing
    void p.distance({ x: 1, y: 2 });
    // @ts-expect-error no such method
    void p.nope();
    // @ts-expect-error fields are not methods
    void p.field;
    // @ts-expect-error _-prefixed methods are never served
    void p._hidden();
    // @ts-expect-error $-prefixed methods are never served
    void p.$dollar();
  });

  it('makes a method that json cannot carry uncallable', () => {
    expectTypeOf(p.when).toBeNever();
    expectTypeOf(p.big).toBeNever();
    expectTypeOf(p.callback).toBeNever();
    expectTypeOf(p.symbol).toBeNever();
  });

  it('has the $ members', () => {
    expectTypeOf(p).toExtend<ProxyControls<Procxy<Geometry, 'json'>>>();
    expectTypeOf(p.$terminate).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(p.$with({ timeout: 5 })).toEqualTypeOf<Procxy<Geometry, 'json'>>();
    expectTypeOf(p.$pid).toBeNumber();
  });
});

describe('Procxy<T, advanced>', () => {
  const p = {} as Procxy<Geometry, 'advanced'>;

  it('carries what V8 can carry', () => {
    expectTypeOf(p.when).toEqualTypeOf<(date: Date) => Promise<Date>>();
    expectTypeOf(p.big).toEqualTypeOf<(n: bigint) => Promise<bigint>>();
  });

  it('still refuses functions and symbols', () => {
    expectTypeOf(p.callback).toBeNever();
    expectTypeOf(p.symbol).toBeNever();
  });
});

declare class Reserved {
  // biome-ignore lint/suspicious/noThenProperty: the child never serves it, and the type must not offer it
  then(): number;
  toJSON(): string;
  toString(): string;
  ping(): string;
}

describe('Procxy of a class with names the child never serves', () => {
  it('offers none of them: then, toJSON, Object.prototype members', () => {
    const p = {} as Procxy<Reserved>;
    expectTypeOf(p.ping).toEqualTypeOf<() => Promise<string>>();
    expectTypeOf<keyof typeof p & ('then' | 'toJSON' | 'toString')>().toEqualTypeOf<never>();
  });
});

declare class Registry extends Map<string, number> {
  lookup(key: string): number | null;
}

declare class Sink extends Writable {
  push(text: string): number;
}

declare class Settings implements ReadonlyMap<string, string> {
  get(key: string): string | undefined;
  has(key: string): boolean;
  forEach(callback: (value: string, key: string, map: ReadonlyMap<string, string>) => void): void;
  readonly size: number;
  entries(): MapIterator<[string, string]>;
  keys(): MapIterator<string>;
  values(): MapIterator<string>;
  [Symbol.iterator](): MapIterator<[string, string]>;
  set(key: string, value: string): void;
}

declare class Failure {
  name: string;
  message: string;
  cause(): string;
}

describe('Procxy of a class extending a built-in', () => {
  it('keeps the methods of a class that only looks like one (implements ReadonlyMap, has name and message)', () => {
    const settings = {} as Procxy<Settings>;
    expectTypeOf(settings.get).toEqualTypeOf<(key: string) => Promise<string | undefined>>();
    expectTypeOf(settings.set).toEqualTypeOf<(key: string, value: string) => Promise<void>>();
    const failure = {} as Procxy<Failure>;
    expectTypeOf(failure.cause).toEqualTypeOf<() => Promise<string>>();
  });

  it("offers the class's own methods, none of the built-in's (which the child does not serve)", () => {
    const registry = {} as Procxy<Registry, 'advanced'>;
    expectTypeOf(registry.lookup).toEqualTypeOf<(key: string) => Promise<number | null>>();
    expectTypeOf<keyof typeof registry & ('get' | 'set' | 'has' | 'forEach')>().toEqualTypeOf<never>();
    const sink = {} as Procxy<Sink>;
    expectTypeOf(sink.push).toEqualTypeOf<(text: string) => Promise<number>>();
    expectTypeOf<
      keyof typeof sink & ('write' | 'end' | 'pipe' | 'destroy' | 'emit')
    >().toEqualTypeOf<never>();
    // The event API stays.
    expectTypeOf(sink.on).toBeFunction();
  });
});

describe('IsProcxiable', () => {
  it('judges any object (`object`, `{}`) as unknown, and numeric keys as keys', () => {
    expectTypeOf<IsProcxiable<object, 'json'>>().toEqualTypeOf<false>();
    expectTypeOf<IsProcxiable<{}, 'advanced'>>().toEqualTypeOf<false>();
    expectTypeOf<IsProcxiable<{ a: object }, 'advanced'>>().toEqualTypeOf<false>();
    expectTypeOf<IsProcxiable<{ a?: string }, 'json'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<Record<number, string>, 'json'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<{ 1: string }, 'advanced'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<Uint8Array<SharedArrayBuffer>, 'advanced'>>().toEqualTypeOf<false>();
    expectTypeOf<IsProcxiable<DataView<SharedArrayBuffer>, 'advanced'>>().toEqualTypeOf<false>();
    expectTypeOf<IsProcxiable<Uint8Array, 'advanced'>>().toEqualTypeOf<true>();
  });

  it('judges types per mode', () => {
    expectTypeOf<IsProcxiable<Record<string, number[]>, 'json'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<Tree, 'json'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<Map<string, Date>, 'json'>>().toEqualTypeOf<false>();
    expectTypeOf<IsProcxiable<Map<string, Date>, 'advanced'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<(number | undefined)[], 'json'>>().toEqualTypeOf<false>();
    expectTypeOf<IsProcxiable<(number | undefined)[], 'advanced'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<Buffer, 'advanced'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<Promise<number>, 'advanced'>>().toEqualTypeOf<false>();
    expectTypeOf<IsProcxiable<{ f: () => void }, 'advanced'>>().toEqualTypeOf<false>();
    // The default buffer types may be either kind: a SharedArrayBuffer value is refused at run time.
    expectTypeOf<IsProcxiable<ArrayBufferLike, 'advanced'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<ArrayBufferView, 'advanced'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<{ b: ArrayBufferLike }, 'advanced'>>().toEqualTypeOf<true>();
    expectTypeOf<IsProcxiable<SharedArrayBuffer, 'advanced'>>().toEqualTypeOf<false>();
    expectTypeOf<IsProcxiable<ArrayBufferView, 'json'>>().toEqualTypeOf<false>();
  });
});

describe('error classes', () => {
  it('type each subclass code as its own literal, the base class code as any of them', () => {
    expectTypeOf<TimeoutError['code']>().toEqualTypeOf<'PROCXY_TIMEOUT'>();
    expectTypeOf<SerializationError['code']>().toEqualTypeOf<'PROCXY_SERIALIZATION'>();
    expectTypeOf<AbortError['code']>().toEqualTypeOf<'PROCXY_ABORTED'>();
    expectTypeOf<ProcxyError['code']>().toEqualTypeOf<ProcxyErrorCode>();
  });
});

declare class Server {
  constructor(port: number);
  constructor(host: string, port: number);
  start(): number;
}

describe('procxy()', () => {
  const url = new URL('file:///worker.js');

  it('takes the arguments of any constructor signature, and no others', () => {
    expectTypeOf(procxy(Server, url, {}, 80)).resolves.toEqualTypeOf<Procxy<Server, 'json'>>();
    expectTypeOf(procxy(Server, url, {}, 'localhost', 80)).resolves.toEqualTypeOf<Procxy<Server, 'json'>>();
    expectTypeOf(procxy(Server, {}, 'localhost', 80)).resolves.toEqualTypeOf<Procxy<Server, 'json'>>();
    // @ts-expect-error no constructor takes a host alone
    void procxy(Server, url, {}, 'localhost');
    // @ts-expect-error nor no argument
    void procxy(Server, url, {});
    // @ts-expect-error Geometry takes one number
    void procxy(Geometry, url, {}, 'x');
  });

  it("passes on a generic wrapper's constructor arguments", () => {
    function start<C extends WorkerConstructor>(Class: C, ...args: ConstructorParameters<C>) {
      return procxy(Class, { timeout: 1000 }, ...args);
    }
    expectTypeOf(start(Geometry, 2)).resolves.toEqualTypeOf<Procxy<Geometry, 'json'>>();
  });
});
