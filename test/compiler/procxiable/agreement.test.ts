// Build time and run time agree: for each type, the generator's verdict in each mode is the run-time check's verdict
// (isProcxiable) on a sample value of that type.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { isProcxiable } from '../../../runtime/index.js';
import { Logger, Point, RichError } from './fixtures/types/classes.js';
import { checkFixture, createFixtureProject, fixturesDir, modes } from './harness.js';

const samples: Record<string, () => unknown> = {
  string: () => 'a',
  plain: () => ({ a: 1, b: ['x'], c: { d: null } }),
  record: () => ({ x: 1, y: 2 }),
  optionalUndefined: () => ({ a: undefined }),
  date: () => new Date(0),
  map: () => new Map([['a', 1]]),
  set: () => new Set(['a']),
  bigint: () => 1n,
  regexp: () => /a/g,
  bytes: () => new Uint8Array([1, 2]),
  buffer: () => Buffer.from('ab'),
  arrayBuffer: () => new ArrayBuffer(2),
  dataView: () => new DataView(new ArrayBuffer(2)),
  error: () => new Error('e'),
  typeError: () => new TypeError('e'),
  errorSubclass: () => new RichError('e'),
  dataClass: () => new Point(),
  classWithMethods: () => new Logger(),
  url: () => new URL('https://example.com/'),
  function: () => () => {},
  symbol: () => Symbol('s'),
  promise: () => ({ p: Promise.resolve(1) }),
  weakMap: () => new WeakMap(),
  sharedArrayBuffer: () => new SharedArrayBuffer(2),
  holes: () => [1, undefined],
  tuple: () => ['a', undefined],
  mapOfFunctions: () => new Map([['a', () => {}]]),
  setOfDates: () => new Set([new Date(0)]),
};

const project = createFixtureProject(['agreement.ts']);

describe.each(modes)('%s mode', (mode) => {
  const rejected = new Set(checkFixture(project, 'agreement.ts', mode).map((d) => d.message.split("'")[3]!));

  test('every sample method of the fixture has a sample value, and the other way round', () => {
    const methods = project
      .getSourceFileOrThrow(path.join(fixturesDir, 'agreement.ts'))
      .getClassOrThrow('Samples')
      .getMethods()
      .map((m) => `Samples.${m.getName()}`);
    expect(methods.sort()).toEqual(
      Object.keys(samples)
        .map((k) => `Samples.${k}`)
        .sort(),
    );
  });

  test.each(Object.keys(samples))('%s', (name) => {
    const buildTime = !rejected.has(`Samples.${name}`);
    expect(
      buildTime,
      'the generator accepts the type exactly when the run-time check accepts the value',
    ).toBe(isProcxiable(samples[name]!(), mode));
  });
});
