// The compile-error suite: every procxiable rule fails a fixture in each mode it applies to, with the exact output
// snapshotted, and the passing fixtures produce no diagnostic at all; docs/diagnostics.md stays true to it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { describe, expect, test } from 'vitest';
import { formatDiagnostics } from '../../../compiler/diagnostics.js';
import { checkConstructor, checkSignature } from '../../../compiler/procxiable.js';
import { shapeBuilderFor } from '../../../compiler/procxiable-shape.js';
import { rules } from '../../../compiler/rules.js';
import { checkFixture, createFixtureProject, fixturesDir, modes, repoRoot, report } from './harness.js';

const failing = readdirSync(path.join(fixturesDir, 'fail'))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .map((f) => `fail/${f}`);
const project = createFixtureProject([
  ...failing,
  'pass/json.ts',
  'pass/advanced.ts',
  'callbacks.ts',
  'inherited.ts',
]);

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

describe('members inherited from a generic base class', () => {
  const checker = project.getTypeChecker().compilerObject;
  const worker = project
    .getSourceFileOrThrow(path.join(fixturesDir, 'inherited.ts'))
    .getClassOrThrow('DateStore');
  const declaration = worker.compilerNode;
  const classSymbol = checker.getSymbolAtLocation(declaration.name!)!;
  const headers = (diagnostics: ReturnType<typeof checkSignature>) =>
    formatDiagnostics(diagnostics, { cwd: repoRoot, color: false })
      .split('\n')
      .filter((l) => l.includes(' PRX'));

  test('a method is judged with its instantiated signature and reported at the base declaration', () => {
    const put = checker.getPropertyOfType(checker.getDeclaredTypeOfSymbol(classSymbol), 'put')!;
    const [signature] = checker.getTypeOfSymbolAtLocation(put, declaration).getCallSignatures();
    const diagnostics = checkSignature({
      signature: signature!,
      declaration: signature!.getDeclaration(),
      owner: 'DateStore.put',
      mode: 'json',
      checker,
    });
    expect(headers(diagnostics)).toEqual([
      "test/compiler/procxiable/fixtures/inherited.ts:5:14 - error PRX1003: parameter 'value' of 'DateStore.put': Date becomes a string in json mode. Use serialization: 'advanced' or pass an ISO string.",
    ]);
  });

  test('an inherited constructor needs the construct signature: the declarations alone only know T', () => {
    const [signature] = checker.getTypeOfSymbolAtLocation(classSymbol, declaration).getConstructSignatures();
    const base = signature!.getDeclaration();
    expect(ts.isConstructorDeclaration(base)).toBe(true);
    const input = {
      declaration: base as ts.ConstructorDeclaration,
      params: base.parameters,
      owner: 'DateStore',
      mode: 'json' as const,
      checker,
    };
    expect(checkConstructor({ ...input, signature }).map((d) => d.code)).toEqual(['PRX1003']);
    expect(checkConstructor(input).map((d) => d.code)).toEqual(['PRX1016']);
    expect(checkConstructor({ ...input, signature, mode: 'advanced' })).toEqual([]);
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

  test('every example message is produced, verbatim, by a failing fixture', () => {
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
});

describe('shapes', () => {
  const checker = project.getTypeChecker().compilerObject;
  const typeOf = (file: string, name: string) =>
    checker.getTypeAtLocation(
      project.getSourceFileOrThrow(path.join(fixturesDir, file)).getInterfaceOrThrow(name).compilerNode,
    );

  test('a type is walked once per checker: both modes judge the same cached shape', () => {
    const builder = shapeBuilderFor(checker);
    expect(shapeBuilderFor(checker)).toBe(builder);
    const tree = typeOf('pass/json.ts', 'TreeNode');
    expect(builder.shapeOf(tree)).toBe(builder.shapeOf(tree));
  });

  test('a recursive type is a cycle in the shape graph, not an endless walk', () => {
    const builder = shapeBuilderFor(checker);
    const branch = builder.shapeOf(typeOf('fail/edges.ts', 'Branch'));
    const children = branch.edges.find((e) => e.segment === '.children')!.node;
    expect(children.edges.find((e) => e.segment === '[]')!.node).toBe(branch);
  });
});
