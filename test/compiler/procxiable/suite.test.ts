// The compile-error suite through the real generator: each rule fails in each of its modes; passing ones pass.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { GenerateResult } from '../../../compiler/generate.js';
import type { SerializationMode } from '../../../compiler/procxiable.js';
import { rules } from '../../../compiler/rules.js';
import {
  checkFixture,
  createFixtureProject,
  failing,
  formatBothModes,
  type GeneratorRun,
  modes,
  procxiableDiagnostics,
  repoRoot,
  runGenerator,
} from './harness.js';

const runs = new Map<GeneratorRun, GenerateResult>();
// For the direct checks the generator is compared with; created once, on first use.
let directProject: ReturnType<typeof createFixtureProject> | undefined;
const direct = () => {
  directProject ??= createFixtureProject([...failing, 'pass/advanced.ts']);
  return directProject;
};
const run = (name: GeneratorRun): GenerateResult => runs.get(name)!;
const failed = (mode: SerializationMode): GenerateResult => run(`fail-${mode}`);

beforeAll(async () => {
  // One after the other: each run type-checks synchronously, so running them together would gain nothing.
  for (const name of ['fail-json', 'fail-advanced', 'pass-json', 'pass-advanced'] as const) {
    runs.set(name, await runGenerator(name));
  }
}, 120_000);

describe('failing fixtures', () => {
  test.each(failing)('%s', async (file) => {
    const output = formatBothModes((mode) => procxiableDiagnostics(failed(mode), file));
    await expect(output).toMatchFileSnapshot(`__snapshots__/${path.basename(file, '.ts')}.txt`);
  });

  test('every rule fails some fixture in every mode it applies to', () => {
    const seen = new Set<string>();
    for (const mode of modes) for (const d of failed(mode).diagnostics) seen.add(`${d.code} ${mode}`);
    const expected = Object.values(rules).flatMap((r) => r.modes.map((mode) => `${r.code} ${mode}`));
    expect([...seen].filter((s) => s.startsWith('PRX1')).sort()).toEqual(expected.sort());
  });

  test('the generator reports nothing but procxiable diagnostics, all inside the fixtures', () => {
    for (const mode of modes) {
      const { diagnostics } = failed(mode);
      expect(diagnostics.length).toBeGreaterThan(0);
      const inFixtures = failing.flatMap((file) => procxiableDiagnostics(failed(mode), file));
      const inherited = procxiableDiagnostics(failed(mode), 'types/classes.ts');
      expect(inFixtures.length + inherited.length).toBe(diagnostics.length);
    }
  });

  test('the generator calls the checks for every method and constructor: it agrees with calling them directly', () => {
    const project = direct();
    for (const file of failing) {
      for (const mode of modes) {
        const key = (d: { start: number; code: string; message: string }) =>
          `${d.start} ${d.code} ${d.message}`;
        const direct = checkFixture(project, file, mode, { allowCallbacks: true }).map(key).sort();
        expect(procxiableDiagnostics(failed(mode), file).map(key).sort(), `${file} in ${mode} mode`).toEqual(
          direct,
        );
      }
    }
  });

  test('a worker inheriting from a generic base class is judged with the instantiated types', () => {
    const headers = (mode: SerializationMode) =>
      procxiableDiagnostics(failed(mode), 'types/classes.ts').map(
        (d) => `${d.line}:${d.column} ${d.message}`,
      );
    expect(headers('json')).toEqual([
      "61:33 parameter 'initial' of the constructor of 'DateStore': Date becomes a string in json mode. Use serialization: 'advanced' or pass an ISO string.",
      "63:14 parameter 'value' of 'DateStore.put': Date becomes a string in json mode. Use serialization: 'advanced' or pass an ISO string.",
      "67:17 parameter 'pair' of 'DateStore.both' at 'pair[0]': Date becomes a string in json mode. Use serialization: 'advanced' or pass an ISO string.",
      "67:17 parameter 'pair' of 'DateStore.both' at 'pair[1]': Date becomes a string in json mode. Use serialization: 'advanced' or pass an ISO string.",
    ]);
    expect(headers('advanced')).toEqual([]);
  });
});

describe('passing fixtures', () => {
  test.each(['pass-json', 'pass-advanced'] as const)(
    '%s generates stubs with no diagnostic at all',
    (name) => {
      const result = run(name);
      expect(result.diagnostics).toEqual([]);
      expect(result.workers).toBeGreaterThan(0);
      expect(result.outputs.length).toBeGreaterThan(0);
    },
  );

  test('pass/advanced.ts only fails json-only rules in json mode', () => {
    const codes = new Set(checkFixture(direct(), 'pass/advanced.ts', 'json').map((d) => d.code));
    expect(codes.size).toBeGreaterThan(0);
    for (const code of codes)
      expect(Object.values(rules).find((r) => r.code === code)?.modes).toEqual(['json']);
  });
});

describe('docs/diagnostics.md', () => {
  const docs = readFileSync(path.join(repoRoot, 'docs/diagnostics.md'), 'utf8');

  test('every rule is in the table and has a section', () => {
    for (const rule of Object.values(rules)) {
      expect(docs).toContain(`| [${rule.code}](#${rule.code.toLowerCase()}) |`);
      expect(docs).toContain(`\n### ${rule.code}\n`);
    }
  });

  test('every example message is produced, verbatim, by the generator on a failing fixture', () => {
    const produced = new Set<string>();
    for (const mode of modes) {
      for (const d of failed(mode).diagnostics) produced.add(`${d.category} ${d.code}: ${d.message}`);
    }
    const examples = [...docs.matchAll(/^(?:error|warning) PRX\d{4}: .*$/gm)].map((m) => m[0]);
    expect(examples.length).toBeGreaterThanOrEqual(Object.keys(rules).length);
    expect(examples.filter((e) => !produced.has(e))).toEqual([]);
  });
});
