// The lines of source files for diagnostics: where each line starts, read once per file and round of diagnostics.
import { readFileSync } from 'node:fs';

export class LineIndex {
  readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }
  /** 0-based line and character of an offset. */
  locate(offset: number): { line: number; character: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: offset - this.starts[low]! };
  }
  /** The offset of a 0-based line and character (the line clamped to the text). */
  offset(line: number, character: number): number {
    return this.starts[Math.min(Math.max(line, 0), this.starts.length - 1)]! + character;
  }
  /** 0-based line `line` as written, without its line break ('' past the end). */
  line(line: number): string {
    if (line < 0 || line >= this.starts.length) return '';
    const end = line + 1 < this.starts.length ? this.starts[line + 1]! : this.text.length;
    return this.text.slice(this.starts[line]!, end).replace(/\r?\n$|\r$/, '');
  }
  /** The line as a code frame shows it: no trailing blanks, a tab as one space (so columns stay). */
  lineText(line: number): string {
    return this.line(line).trimEnd().replace(/\t/g, ' ');
  }
}

/** The index of a file's lines, read on first use (undefined when the file cannot be read). */
export function lineIndexes(
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): (file: string) => LineIndex | undefined {
  const indexes = new Map<string, LineIndex | undefined>();
  return (file) => {
    if (!indexes.has(file)) {
      let index: LineIndex | undefined;
      try {
        index = new LineIndex(read(file));
      } catch {
        index = undefined;
      }
      indexes.set(file, index);
    }
    return indexes.get(file);
  };
}

// esbuild counts a Location's column and length in UTF-8 bytes, TypeScript (and procxy) in UTF-16 code units: they
// differ as soon as a line holds a character outside ASCII before or inside the span (a comment in Japanese, say).

/** The UTF-8 byte count of `text` (a lone surrogate counts as the 3 bytes of the U+FFFD it is encoded as). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The UTF-16 length of the first `bytes` UTF-8 bytes of `text`: a cut inside a character leaves that character out,
 * bytes past the end (a position after the last character) count one unit each.
 */
export function utf16Length(text: string, bytes: number): number {
  let units = 0;
  let counted = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (counted + size > bytes) return units;
    counted += size;
    units += char.length;
  }
  return units + Math.max(0, bytes - counted);
}
