// docs/diagnostics.md stays true: every rule has a section, and every example message is one the suite produces.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { rules } from '../../../compiler/rules.js';
import { checkFixture, createFixtureProject, fixturesDir, modes, repoRoot } from './harness.js';

const docs = readFileSync(path.join(repoRoot, 'docs/diagnostics.md'), 'utf8');

test('every rule is in the table and has a section', () => {
  for (const rule of Object.values(rules)) {
    expect(docs).toContain(`| [${rule.code}](#${rule.code.toLowerCase()}) |`);
    expect(docs).toContain(`\n### ${rule.code}\n`);
  }
});

test('every example message in the docs is produced, verbatim, by a fixture', () => {
  const failing = readdirSync(path.join(fixturesDir, 'fail')).map((f) => `fail/${f}`);
  const project = createFixtureProject(failing);
  const produced = new Set<string>();
  for (const file of failing) {
    for (const mode of modes) {
      for (const d of checkFixture(project, file, mode))
        produced.add(`${d.category} ${d.code}: ${d.message}`);
    }
  }
  const examples = [...docs.matchAll(/^(?:error|warning) PRX\d{4}: .*$/gm)].map((m) => m[0]);
  expect(examples.length).toBeGreaterThanOrEqual(Object.keys(rules).length);
  expect(examples.filter((e) => !produced.has(e))).toEqual([]);
});
