// Public types of callbacks, cancellation and events: what compiles on a proxy, and the exact listener types.
import { EventEmitter } from 'node:events';
import type { Procxy, ProxyEvents } from 'procxy';
import { describe, expectTypeOf, it } from 'vitest';

declare class Jobs {
  run(input: string, onProgress: (done: number, total: number) => void): Promise<number>;
  ask(question: (q: string) => Promise<string>): Promise<string>;
  optionalCallback(onDone?: (ok: boolean) => void): void;
  cancellable(input: string, signal: AbortSignal): Promise<string>;
  optionalSignal(input: string, signal?: AbortSignal): Promise<string>;
  signalFirst(signal: AbortSignal, input: string): void;
  dateCallback(onDate: (d: Date) => void): void;
  symbolCallback(onSymbol: (s: symbol) => void): void;
  callbackReturningFunction(f: () => () => void): void;
  nestedCallback(f: (inner: () => void) => void): void;
  nestedInValue(options: { onData: () => void }): void;
  load(path: string, done: (error: TypeError | null, text?: string) => void): void;
  coded(done: (error: Error & { code: string; when: Date }) => void): void;
  errorInValue(done: (report: { error: Error }) => void): void;
  errorResult(ask: () => Error): void;
  plainResult(f: (n: number) => number): number;
  maybeResult(f: () => string | undefined): void;
  eitherResult(f: (n: number) => number | Promise<number>): Promise<number>;
  undefinedResult(f: () => undefined): void;
  errorWithMethod(done: (error: Error & { retry(): void }) => void): void;
  errorSubclassWithMethod(done: (error: DescribedError) => void): void;
  errorShapedWithFunction(done: (error: { name: string; message: string; fn: () => void }) => void): void;
}

declare class DescribedError extends Error {
  describe(): string;
}

interface TickerEvents {
  tick: [i: number];
  done: [];
  data: [payload: { id: string }, at: number];
}
declare class Ticker extends EventEmitter<TickerEvents> {
  start(): void;
}
declare class NumberedTicker extends EventEmitter<{ 1: [x: number]; two: [] }> {
  start(): void;
}
declare class Untyped extends EventEmitter {
  start(): void;
}

describe('callbacks and signals', () => {
  const p = {} as Procxy<Jobs, 'json'>;
  const a = {} as Procxy<Jobs, 'advanced'>;

  it('accepts function parameters whose own parameters and results cross', () => {
    expectTypeOf(p.run).toEqualTypeOf<
      (input: string, onProgress: (done: number, total: number) => void) => Promise<number>
    >();
    expectTypeOf(p.ask).toEqualTypeOf<(question: (q: string) => Promise<string>) => Promise<string>>();
    expectTypeOf(p.optionalCallback).toEqualTypeOf<(onDone?: (ok: boolean) => void) => Promise<void>>();
  });

  it('accepts a node-style callback in json mode: an Error argument travels as a thrown one', () => {
    expectTypeOf(p.load).toEqualTypeOf<
      (path: string, done: (error: TypeError | null, text?: string) => void) => Promise<void>
    >();
    // Its own fields travel as V8 carries them, in json mode too.
    expectTypeOf(p.coded).toEqualTypeOf<
      (done: (error: Error & { code: string; when: Date }) => void) => Promise<void>
    >();
    // Only a top-level argument: an Error inside a value, or a callback's result, is a value.
    expectTypeOf(p.errorInValue).toBeNever();
    expectTypeOf(p.errorResult).toBeNever();
    // Methods do not cross, on an Error as anywhere.
    expectTypeOf(p.errorWithMethod).toBeNever();
    expectTypeOf(p.errorSubclassWithMethod).toBeNever();
    expectTypeOf(p.errorShapedWithFunction).toBeNever();
    expectTypeOf(a.errorInValue).toEqualTypeOf<(done: (report: { error: Error }) => void) => Promise<void>>();
  });

  it("refuses a callback typed to return a plain value: the child's callback returns a Promise (PRX1027)", () => {
    expectTypeOf(p.plainResult).toBeNever();
    expectTypeOf(p.maybeResult).toBeNever();
    expectTypeOf(p.eitherResult).toEqualTypeOf<
      (f: (n: number) => number | Promise<number>) => Promise<number>
    >();
    expectTypeOf(p.undefinedResult).toEqualTypeOf<(f: () => undefined) => Promise<void>>();
  });

  it('accepts an AbortSignal as the last parameter only', () => {
    expectTypeOf(p.cancellable).toEqualTypeOf<(input: string, signal: AbortSignal) => Promise<string>>();
    expectTypeOf(p.optionalSignal).toEqualTypeOf<(input: string, signal?: AbortSignal) => Promise<string>>();
    expectTypeOf(p.signalFirst).toBeNever();
  });

  it('refuses callbacks whose parameters or results do not cross, and functions anywhere else', () => {
    expectTypeOf(p.dateCallback).toBeNever();
    expectTypeOf(a.dateCallback).toEqualTypeOf<(onDate: (d: Date) => void) => Promise<void>>();
    expectTypeOf(a.symbolCallback).toBeNever();
    expectTypeOf(a.callbackReturningFunction).toBeNever();
    expectTypeOf(a.nestedCallback).toBeNever();
    expectTypeOf(a.nestedInValue).toBeNever();
  });
});

describe('events', () => {
  const t = {} as Procxy<Ticker, 'json', TickerEvents>;
  const names = {} as Procxy<Ticker, 'json'>;
  const u = {} as Procxy<Untyped, 'json'>;

  it('types listeners exactly from the event map', () => {
    expectTypeOf(t).toExtend<ProxyEvents<Procxy<Ticker, 'json', TickerEvents>, string, TickerEvents>>();
    t.on('tick', (i) => expectTypeOf(i).toBeNumber());
    t.once('data', (payload, at) => {
      expectTypeOf(payload).toEqualTypeOf<{ id: string }>();
      expectTypeOf(at).toBeNumber();
    });
    expectTypeOf(t.on('done', () => {})).toEqualTypeOf<Procxy<Ticker, 'json', TickerEvents>>();
    expectTypeOf(t.listenerCount('tick')).toBeNumber();
    // @ts-expect-error not an event of the map
    t.on('nope', () => {});
    // @ts-expect-error tick carries a number
    t.on('tick', (i: string) => i);
  });

  it('takes a numeric key of the map by its text, as the child forwards emit(1)', () => {
    interface Numbered {
      1: [x: number];
      two: [];
    }
    const n = {} as Procxy<NumberedTicker, 'json', Numbered>;
    n.on('1', (x) => expectTypeOf(x).toBeNumber());
    n.on('two', () => {});
    // @ts-expect-error the proxy takes string names only
    n.on(1, () => {});
    // @ts-expect-error 1 carries a number
    n.on('1', (x: string) => x);
  });

  it('knows the event names of a declared map without the map argument', () => {
    names.on('tick', (i: number) => i);
    // @ts-expect-error not an event of the map
    names.on('nope', () => {});
  });

  it('keeps the worker methods and drops the EventEmitter ones that are not served', () => {
    expectTypeOf(t.start).toEqualTypeOf<() => Promise<void>>();
    // @ts-expect-error emit runs in the child only
    void t.emit;
    // @ts-expect-error not served
    void t.addListener;
  });

  it('takes any string and unknown arguments without an event map', () => {
    u.on('anything', (...args) => expectTypeOf(args).toEqualTypeOf<unknown[]>());
    u.on('tick', (n: number) => n);
    expectTypeOf(u.off('anything', () => {})).toEqualTypeOf<Procxy<Untyped, 'json'>>();
  });

  it('gives no event members to a class that is not an EventEmitter', () => {
    const p = {} as Procxy<Jobs, 'json'>;
    // @ts-expect-error not an EventEmitter
    void p.on;
  });
});
