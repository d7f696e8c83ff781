// Type tests on a generated stub (fixtures/typed, checked in and kept fresh by --check): the proxy types are exact.
import { describe, expectTypeOf, it } from 'vitest';
import type { Procxy } from '../../runtime/index.js';
import type { Calc, Summary } from './fixtures/typed/calc.worker.js';
import { type CalcProxy, spawnCalc } from './fixtures/typed/calc.worker.procxy.js';
import type { Job, JobEvents, Progress } from './fixtures/typed/job.worker.js';
import type { JobProxy } from './fixtures/typed/job.worker.procxy.js';
import type { Entry } from './fixtures/typed/ledger.js';

declare const calc: CalcProxy;
declare const job: JobProxy;

describe('generated CalcProxy', () => {
  it('returns the awaited original return types', () => {
    expectTypeOf(calc.add(1, 2)).toEqualTypeOf<Promise<Awaited<ReturnType<Calc['add']>>>>();
    expectTypeOf(calc.add(1, 2)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(calc.later(1)).toEqualTypeOf<Promise<string>>();
    expectTypeOf(calc.summary()).toEqualTypeOf<Promise<Summary>>();
    expectTypeOf(calc.fail('x')).toEqualTypeOf<Promise<void>>();
    expectTypeOf(calc.record({ amount: 1 })).toEqualTypeOf<Promise<number>>();
  });

  it('keeps parameter names, optionality and rest parameters', () => {
    expectTypeOf(calc.add).parameters.toEqualTypeOf<[a: number, b: number]>();
    expectTypeOf(calc.greet).parameters.toEqualTypeOf<[name: string, punctuation?: string]>();
    expectTypeOf(calc.total).parameters.toEqualTypeOf<number[]>();
    expectTypeOf(calc.record).parameters.toEqualTypeOf<[entry: Entry]>();
  });

  it('keeps every overload and generic methods generic', () => {
    expectTypeOf(calc.parse('1')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(calc.parse(1)).toEqualTypeOf<Promise<string>>();
    expectTypeOf(calc.echo('exact')).toEqualTypeOf<Promise<'exact'>>();
  });

  it('names the worker class where a signature says `this` (in the proxy interface it would mean the proxy)', () => {
    expectTypeOf(calc.retag).parameters.toEqualTypeOf<[tag: Calc['tag']]>();
    expectTypeOf(calc.retag('sum')).toEqualTypeOf<Promise<'calc' | 'sum'>>();
    // @ts-expect-error the class's own type still holds
    calc.retag('other');
  });

  it('rejects wrong argument types, missing arguments and unknown methods', () => {
    // @ts-expect-error a string where a number is expected
    calc.add(1, '2');
    // @ts-expect-error a missing argument
    calc.add(1);
    // @ts-expect-error one argument too many
    calc.greet('a', '!', 'extra');
    // @ts-expect-error the generic constraint holds
    calc.echo(5);
    // @ts-expect-error an unknown method
    calc.multiply(2, 3);
    // @ts-expect-error a protected member of the base class is not part of the proxy
    void calc.entries;
    // @ts-expect-error a wrong field in an object parameter
    calc.record({ amount: '1' });
  });

  it('has the proxy controls', () => {
    expectTypeOf(calc.$terminate()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(calc.$with({ timeout: 5 })).toEqualTypeOf<CalcProxy>();
    expectTypeOf(calc.$pid).toEqualTypeOf<number>();
  });
});

describe('spawnCalc', () => {
  it('takes the options, then exactly the constructor arguments', () => {
    expectTypeOf(spawnCalc(undefined, 1)).toEqualTypeOf<Promise<CalcProxy>>();
    expectTypeOf(spawnCalc({ timeout: 100 }, 1, 'label')).toEqualTypeOf<Promise<CalcProxy>>();
    // @ts-expect-error the constructor's first argument is required
    void spawnCalc(undefined);
    // @ts-expect-error the constructor takes a number first
    void spawnCalc(undefined, '1');
    // @ts-expect-error serialization is fixed at generation time
    void spawnCalc({ serialization: 'advanced' }, 1);
  });
});

describe('generated JobProxy (callbacks, cancellation, events)', () => {
  it("keeps a callback parameter's function type and a last AbortSignal exactly", () => {
    expectTypeOf(job.run).parameters.toEqualTypeOf<
      [steps: number, onProgress: (progress: Progress) => void | Promise<void>, signal?: AbortSignal]
    >();
    expectTypeOf(job.ask).parameters.toEqualTypeOf<[question: (prompt: string) => Promise<number>]>();
    // @ts-expect-error the callback receives a Progress, not a string
    job.run(1, (progress: string) => void progress);
  });

  it("types listeners from the class's event map", () => {
    expectTypeOf(job.on('step', () => {})).toEqualTypeOf<JobProxy>();
    job.on('step', (...args) => expectTypeOf(args).toEqualTypeOf<[index: number, label: string]>());
    job.once('aborted', (...args) => expectTypeOf(args).toEqualTypeOf<[reason: string]>());
    expectTypeOf(job.listenerCount('step')).toEqualTypeOf<number>();
    // @ts-expect-error 'step' listeners get a number first
    job.on('step', (index: string) => void index);
    // @ts-expect-error an event the map does not declare
    job.off('done', () => {});
    // @ts-expect-error EventEmitter's own emit is not part of the proxy
    void job.emit;
  });

  it('has the members the no-build proxy of the same class has', () => {
    const noBuild = {} as Procxy<Job, 'json', JobEvents>;
    expectTypeOf(noBuild.run).toEqualTypeOf(job.run);
    expectTypeOf(noBuild.ask).toEqualTypeOf(job.ask);
    noBuild.on('step', (...args) => expectTypeOf(args).toEqualTypeOf<[index: number, label: string]>());
    expectTypeOf<Exclude<keyof typeof noBuild, keyof JobProxy>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof JobProxy, keyof typeof noBuild>>().toEqualTypeOf<never>();
  });
});
