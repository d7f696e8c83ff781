// Direct calls of the checks: callbacks, hand-passed instantiated signatures, shape cache, run-time agreement.
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { describe, expect, test } from 'vitest';
import { formatDiagnostics } from '../../../compiler/diagnostics.js';
import { checkConstructor, checkSignature } from '../../../compiler/procxiable.js';
import { shapeBuilderFor } from '../../../compiler/procxiable-shape.js';
import { rules } from '../../../compiler/rules.js';
import { isProcxiable } from '../../../runtime/index.js';
import {
  BytesWithField,
  FunctionFieldError,
  Logger,
  Lookup,
  MapWithField,
  NumberList,
  Point,
  Registry,
  RichError,
  StringList,
} from './fixtures/types/classes.js';
import { checkFixture, createFixtureProject, fixturesDir, modes, repoRoot, report } from './harness.js';

const project = createFixtureProject([
  'callbacks.ts',
  'inherited.ts',
  'pass/json.ts',
  'fail/edges.ts',
  'agreement.ts',
  'transfer.ts',
]);

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

describe('transferTypes', () => {
  test('a listed type is accepted at any depth in both modes; another type of the same name is still checked', () => {
    const point = project
      .getSourceFileOrThrow(path.join(fixturesDir, 'types/point.ts'))
      .getClassOrThrow('Point')
      .getSymbolOrThrow().compilerSymbol;
    const codes = (mode: 'json' | 'advanced', transferTypes?: ReadonlySet<ts.Symbol>) =>
      checkFixture(project, 'transfer.ts', mode, transferTypes ? { transferTypes } : {}).map(
        (d) => `${d.code} ${d.message.split(':')[0]}`,
      );
    const listed = new Set([point]);
    expect(codes('json', listed)).toEqual(["PRX1019 parameter 'other' of 'Plotter.plot'"]);
    expect(codes('advanced', listed)).toEqual([]);
    expect(codes('advanced')).toEqual([
      "PRX1002 parameter 'point' of 'Plotter.plot'",
      "PRX1002 parameter 'nested' of 'Plotter.plot' at 'nested.at[]'",
      "PRX1002 return type of 'Plotter.plot'",
    ]);
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

  test('a walk deeper than any growing generic explains is reported at the type it started from, not a crash', () => {
    const deep = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true } });
    const chain = Array.from({ length: 600 }, (_, i) => `interface L${i} { next: L${i + 1} }`);
    const file = deep.createSourceFile('/deep.ts', [...chain, 'interface L600 { at: Date }'].join('\n'));
    const deepChecker = deep.getTypeChecker().compilerObject;
    const builder = shapeBuilderFor(deepChecker);
    const root = builder.shapeOf(deepChecker.getTypeAtLocation(file.getInterfaceOrThrow('L0').compilerNode));
    expect(root).toEqual({ findings: [{ rule: 'too-deep', subject: 'L0', segment: '' }], edges: [] });
    // The half-built nodes were dropped: a type inside the chain is walked afresh and is judged on its own.
    const tail = builder.shapeOf(
      deepChecker.getTypeAtLocation(file.getInterfaceOrThrow('L590').compilerNode),
    );
    expect(JSON.stringify(tail)).toContain('date-json');
  });

  test('a recursive type is a cycle in the shape graph, not an endless walk', () => {
    const builder = shapeBuilderFor(checker);
    const branch = builder.shapeOf(typeOf('fail/edges.ts', 'Branch'));
    const children = branch.edges.find((e) => e.segment === '.children')!.node;
    expect(children.edges.find((e) => e.segment === '[]')!.node).toBe(branch);
  });
});

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
  errorWithFunctionField: () => ({ e: new FunctionFieldError('e') }),
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
  mapSubclass: () => new Registry<number>([['a', 1]]),
  mapSubclassWithMethods: () => new Lookup([['a', 1]]),
  mapSubclassWithField: () => new MapWithField([['a', 1]]),
  bytesSubclassWithField: () => new BytesWithField([1, 2]),
  mapInterfaceWithMethods: () => Object.assign(new Map([['a', 1]]), { find: () => 0 }),
  mapInterfaceRetyped: () => new Map([['a', 1]]),
  arrayInterface: () => ['a'],
  arrayWithMembers: () => Object.assign(['a'], { next: 'b' }),
  matchResult: () => 'abc'.match(/b/)!,
  arrayWithProperty: () => Object.assign([1], { total: 1 }),
  bytesWithProperty: () => Object.assign(new Uint8Array(1), { tag: 't' }),
  arrayWithUnderscoredProperty: () => Object.assign([1], { __total: 1 }),
  dateWithUnderscoredProperty: () => Object.assign(new Date(0), { __tag: 't' }),
  // A brand is a cast: the value is the plain array, Date or object.
  brandedArray: () => ['a'],
  brandedDate: () => new Date(0),
  brandedObject: () => ({ a: 1, b: ['x'] }),
  arraySubclass: () => StringList.from(['a']),
  arraySubclassWithMethods: () => NumberList.of(1, 2),
};

describe.each(modes)('agreement with the run-time check in %s mode', (mode) => {
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

describe('the rule table', () => {
  test('codes are unique PRX1xxx codes', () => {
    const all = Object.values(rules);
    expect(new Set(all.map((r) => r.code)).size).toBe(all.length);
    for (const rule of all) {
      expect(rule.code).toMatch(/^PRX1\d{3}$/);
      expect(rule.modes.length).toBeGreaterThan(0);
    }
  });

  test('a message is one problem clause and a hint sentence', () => {
    for (const rule of Object.values(rules)) {
      expect(rule.problem('X')).not.toMatch(/\.$/);
      expect(rule.hint).toMatch(/^[A-Z].*\.$/);
    }
  });
});
