// Direct calls of the checks, for what the generator does not exercise (yet): callbacks, instantiated signatures
// passed by hand, and the shape cache.
import path from 'node:path';
import { ts } from 'ts-morph';
import { describe, expect, test } from 'vitest';
import { formatDiagnostics } from '../../../compiler/diagnostics.js';
import { checkConstructor, checkSignature } from '../../../compiler/procxiable.js';
import { shapeBuilderFor } from '../../../compiler/procxiable-shape.js';
import { rules } from '../../../compiler/rules.js';
import { checkFixture, createFixtureProject, fixturesDir, repoRoot, report } from './harness.js';

const project = createFixtureProject(['callbacks.ts', 'inherited.ts', 'pass/json.ts', 'fail/edges.ts']);

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
      "test/compiler/procxiable/fixtures/types/classes.ts:63:14 - error PRX1003: parameter 'value' of 'DateStore.put': Date becomes a string in json mode. Use serialization: 'advanced' or pass an ISO string.",
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
