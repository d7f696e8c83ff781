// formatDiagnostics prints exactly what tsc --pretty prints for the same spans, with PRX codes, in a stable order.
import path from 'node:path';
import { ts } from 'ts-morph';
import { describe, expect, test } from 'vitest';
import {
  diagnosticAt,
  formatDiagnostics,
  type ProcxyDiagnostic,
  sortDiagnostics,
} from '../../../compiler/diagnostics.js';
import { checkFixture, createFixtureProject, fixturesDir, repoRoot } from './harness.js';

const project = createFixtureProject(['format.ts', 'fail/date.ts', 'fail/never.ts']);
const format = checkFixture(project, 'format.ts', 'json');
const date = checkFixture(project, 'fail/date.ts', 'json');
const warning = checkFixture(project, 'fail/never.ts', 'json');

/** TypeScript's own pretty formatter, given the same spans, with its `TS<n>` codes turned into ours. */
function tscPretty(
  diagnostics: readonly ProcxyDiagnostic[],
  cwd: string,
  sourceFile = (name: string) => project.getSourceFileOrThrow(name).compilerNode,
): string {
  return sortDiagnostics(diagnostics)
    .map((d) => {
      const file = sourceFile(d.file);
      const code = Number(d.code.slice(3));
      const tsDiagnostic: ts.Diagnostic = {
        file,
        start: d.start,
        length: d.length,
        messageText: d.message,
        category: d.category === 'error' ? ts.DiagnosticCategory.Error : ts.DiagnosticCategory.Warning,
        code,
      };
      const host: ts.FormatDiagnosticsHost = {
        getCurrentDirectory: () => cwd,
        getCanonicalFileName: (f) => f,
        getNewLine: () => '\n',
      };
      return ts
        .formatDiagnosticsWithColorAndContext([tsDiagnostic], host)
        .replace(` TS${code}: `, ` ${d.code}: `);
    })
    .join('\n');
}

describe('formatDiagnostics', () => {
  test('the fixtures produce the spans this suite needs', () => {
    expect(sortDiagnostics(format).map((d) => [d.code, d.line])).toEqual([
      ['PRX1003', 4],
      ['PRX1001', 8],
      ['PRX1003', 8],
      ['PRX1004', 18],
    ]);
  });

  test('with color it is byte for byte what tsc --pretty prints: one-line, tab and elided spans, warnings', () => {
    expect(warning.map((d) => d.category)).toEqual(['warning']);
    const all = [...format, ...date, ...warning];
    expect(formatDiagnostics(all, { cwd: repoRoot, color: true })).toBe(tscPretty(all, repoRoot));
  });

  test('without color it is the same text without escape sequences', () => {
    const plain = formatDiagnostics(format, { cwd: repoRoot, color: false });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes is the point
    expect(plain).toBe(tscPretty(format, repoRoot).replace(/\u001b\[\d+m/g, ''));
    expect(plain).not.toContain('\u001b');
  });

  test('an elided span shows its first two and last two lines', async () => {
    const multi = format.filter((d) => d.line === 8 && d.code === 'PRX1003');
    await expect(formatDiagnostics(multi, { cwd: repoRoot, color: false })).toMatchFileSnapshot(
      '__snapshots__/format.elided.txt',
    );
  });

  test('sorted by file, then position, whatever the input order; paths relative to cwd with / separators', () => {
    const shuffled = [...date, ...format].reverse();
    const headers = formatDiagnostics(shuffled, { cwd: fixturesDir, color: false })
      .split('\n')
      .filter((l) => / - (error|warning) PRX/.test(l))
      .map((l) => l.slice(0, l.indexOf(' - ')));
    expect(headers).toEqual([
      'fail/date.ts:8:12',
      'fail/date.ts:12:14',
      'fail/date.ts:12:14',
      'fail/date.ts:16:11',
      'format.ts:4:15',
      'format.ts:8:18',
      'format.ts:8:18',
      'format.ts:18:12',
    ]);
    const outside = formatDiagnostics(date.slice(0, 1), { cwd: path.join(repoRoot, 'docs'), color: false });
    expect(
      outside.startsWith('../test/compiler/procxiable/fixtures/fail/date.ts:8:12 - error PRX1003: '),
    ).toBe(true);
  });

  test('a file that cannot be read keeps its header line and loses only the frame', () => {
    const [first] = date;
    const text = formatDiagnostics([first!], {
      cwd: repoRoot,
      color: false,
      readFile: () => {
        throw new Error('gone');
      },
    });
    expect(text).toBe(
      `test/compiler/procxiable/fixtures/fail/date.ts:8:12 - error PRX1003: ${first!.message}\n`,
    );
  });

  test('reads the code frame through readFile when given, e.g. from an in-memory project', () => {
    const [first] = date;
    const text = formatDiagnostics([first!], {
      cwd: repoRoot,
      color: false,
      readFile: (file) => project.getSourceFileOrThrow(file).getFullText(),
    });
    expect(text).toBe(formatDiagnostics([first!], { cwd: repoRoot, color: false }));
  });

  test('no diagnostics print nothing', () => {
    expect(formatDiagnostics([], { cwd: repoRoot, color: true })).toBe('');
  });

  test('CRLF line endings and a span over the last line match tsc too', () => {
    const text = 'export class A {\r\n  m(x: {\r\n    a: Date;\r\n  }): void {}\r\n}';
    const file = ts.createSourceFile(path.join(repoRoot, 'crlf.ts'), text, ts.ScriptTarget.Latest, true);
    const method = (file.statements[0] as ts.ClassDeclaration).members[0] as ts.MethodDeclaration;
    const diagnostics = [
      diagnosticAt(method.parameters[0]!.type!, 'PRX1003', 'multi-line'),
      diagnosticAt(file.statements[0]!, 'PRX1002', 'to the end of the file'),
    ];
    expect(diagnostics.map((d) => d.line)).toEqual([2, 1]);
    const ours = formatDiagnostics(diagnostics, { cwd: repoRoot, color: true, readFile: () => text });
    expect(ours).toBe(tscPretty(diagnostics, repoRoot, () => file));
  });
});
