// procxy's build-time diagnostics: where a problem is, and how it is printed (the layout of `tsc --pretty`).
import path from 'node:path';
import type { ts } from 'ts-morph';
import { type LineIndex, lineIndexes } from './line-index.js';
import { ruleForCode } from './rules.js';

export interface ProcxyDiagnostic {
  /** A stable code such as 'PRX1003'. */
  code: string;
  /** Absolute path of the file the diagnostic points into. */
  file: string;
  /** Offset of the span in the file. */
  start: number;
  length: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Without the code: "parameter 'when' of 'Scheduler.at': Date becomes a string in json mode. Use ..." */
  message: string;
  category: 'error' | 'warning';
}

export interface FormatOptions {
  /** Paths are printed relative to it. */
  cwd: string;
  /** ANSI colors, as tsc prints them on a TTY. */
  color: boolean;
  /** Reads a file for the code frame; defaults to the file system. */
  readFile?: (file: string) => string;
}

/** A diagnostic spanning `node` (without its leading trivia). The category defaults to the rule's own. */
export function diagnosticAt(
  node: ts.Node,
  code: string,
  message: string,
  category?: 'error' | 'warning',
): ProcxyDiagnostic {
  const sourceFile = node.getSourceFile();
  const start = node.getStart(sourceFile);
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(start);
  return {
    code,
    file: sourceFile.fileName,
    start,
    length: node.getEnd() - start,
    line: line + 1,
    column: character + 1,
    message,
    category: category ?? ruleForCode(code)?.category ?? 'error',
  };
}

/** Sorted by file, then position, then code and message, so the output never depends on discovery order. */
export function sortDiagnostics(diagnostics: readonly ProcxyDiagnostic[]): ProcxyDiagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compare(a.file, b.file) ||
      a.start - b.start ||
      a.length - b.length ||
      compare(a.code, b.code) ||
      compare(a.message, b.message),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ansi = {
  reset: '\u001b[0m',
  cyan: '\u001b[96m',
  yellow: '\u001b[93m',
  red: '\u001b[91m',
  grey: '\u001b[90m',
  inverse: '\u001b[7m',
} as const;

/**
 * `path/relative/to/cwd.ts:12:7 - error PRX1003: <message>`, a blank line, then the code frame with a line-number
 * gutter and a `~~~` underline, one blank line between diagnostics; the same layout as `tsc --pretty`.
 */
export function formatDiagnostics(diagnostics: readonly ProcxyDiagnostic[], options: FormatOptions): string {
  // A file that vanished since analysis still gets its header line; only the frame is left out.
  const lineIndex = lineIndexes(options.readFile);
  const paint = (style: string, text: string): string => (options.color ? style + text + ansi.reset : text);
  return sortDiagnostics(diagnostics)
    .map((d) => {
      const categoryStyle = d.category === 'error' ? ansi.red : ansi.yellow;
      const header =
        paint(ansi.cyan, displayPath(d.file, options.cwd)) +
        ':' +
        paint(ansi.yellow, String(d.line)) +
        ':' +
        paint(ansi.yellow, String(d.column)) +
        ' - ' +
        paint(categoryStyle, d.category) +
        paint(ansi.grey, ` ${d.code}: `) +
        d.message;
      const index = lineIndex(d.file);
      const frame = index === undefined ? '' : `\n\n${codeFrame(index, d, paint, categoryStyle)}`;
      return `${header}${frame}\n`;
    })
    .join('\n');
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file) || path.basename(file);
  return relative.split(path.sep).join('/');
}

/** Mirrors TypeScript's formatCodeSpan: spans over five or more lines show the first two and the last two. */
function codeFrame(
  index: LineIndex,
  d: ProcxyDiagnostic,
  paint: (style: string, text: string) => string,
  squiggleStyle: string,
): string {
  const first = index.locate(d.start);
  const last = index.locate(d.start + d.length);
  const elide = last.line - first.line >= 4;
  const gutterWidth = Math.max(elide ? 3 : 0, String(last.line + 1).length);
  const gutter = (label: string) => paint(ansi.inverse, label.padStart(gutterWidth)) + ' ';
  const lines: string[] = [];
  for (let i = first.line; i <= last.line; i++) {
    if (elide && first.line + 1 < i && i < last.line - 1) {
      lines.push(gutter('...'));
      i = last.line - 1;
    }
    const content = index.lineText(i);
    let squiggle: string;
    if (i === first.line) {
      const end = i === last.line ? last.character : undefined;
      squiggle =
        content.slice(0, first.character).replace(/\S/g, ' ') +
        content.slice(first.character, end).replace(/./g, '~');
    } else if (i === last.line) {
      squiggle = content.slice(0, last.character).replace(/./g, '~');
    } else {
      squiggle = content.replace(/./g, '~');
    }
    lines.push(gutter(String(i + 1)) + content);
    lines.push(gutter('') + paint(squiggleStyle, squiggle));
  }
  return lines.join('\n');
}
