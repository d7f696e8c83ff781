// The compile-error suite: every procxiable rule fails a fixture in each mode it applies to, with the exact output
// snapshotted, and the passing fixtures produce no diagnostic at all.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { rules } from '../../../compiler/rules.js';
import { checkFixture, createFixtureProject, fixturesDir, modes, report } from './harness.js';

const failing = readdirSync(path.join(fixturesDir, 'fail'))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .map((f) => `fail/${f}`);
const project = createFixtureProject([...failing, 'pass/json.ts', 'pass/advanced.ts', 'callbacks.ts']);

describe('failing fixtures', () => {
  test.each(failing)('%s', async (file) => {
    const output = report(project, file);
    await expect(output).toMatchFileSnapshot(`__snapshots__/${path.basename(file, '.ts')}.txt`);
  });

  test('every rule fails some fixture in every mode it applies to', () => {
    const seen = new Set<string>();
    for (const file of failing) {
      for (const mode of modes) {
        for (const d of checkFixture(project, file, mode)) seen.add(`${d.code} ${mode}`);
      }
    }
    const expected = Object.values(rules).flatMap((r) => r.modes.map((mode) => `${r.code} ${mode}`));
    expect([...seen].sort()).toEqual(expected.sort());
  });
});

describe('passing fixtures', () => {
  test.each(modes)('pass/json.ts has no diagnostic in %s mode', (mode) => {
    expect(checkFixture(project, 'pass/json.ts', mode)).toEqual([]);
  });

  test('pass/advanced.ts has no diagnostic in advanced mode', () => {
    expect(checkFixture(project, 'pass/advanced.ts', 'advanced')).toEqual([]);
  });

  test('pass/advanced.ts only fails the json-only rules in json mode', () => {
    const codes = new Set(checkFixture(project, 'pass/advanced.ts', 'json').map((d) => d.code));
    const jsonOnly = new Set(
      Object.values(rules)
        .filter((r) => !r.modes.includes('advanced'))
        .map((r) => r.code),
    );
    expect([...codes].filter((c) => !jsonOnly.has(c))).toEqual([]);
  });
});

describe('callbacks', () => {
  test('with allowCallbacks, top-level function parameters are checked as callbacks', async () => {
    await expect(report(project, 'callbacks.ts', { allowCallbacks: true })).toMatchFileSnapshot(
      '__snapshots__/callbacks.allowed.txt',
    );
  });

  test('without allowCallbacks, every function parameter is an error', () => {
    const codes = checkFixture(project, 'callbacks.ts', 'advanced').map((d) => d.code);
    expect(codes.filter((c) => c === rules.function.code)).toHaveLength(8);
  });
});
