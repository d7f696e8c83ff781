// The codec stays optimized through full collections (runtime/layouts.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./layout-fixtures/codec-through-collections.mjs', import.meta.url));

/** The functions a `--trace-opt`/`--trace-deopt` line names (`<JSFunction name ...>` or `<SharedFunctionInfo name>`). */
const named = (lines: readonly string[]) =>
  lines.map((line) => /<(?:JSFunction|SharedFunctionInfo) ([^ >]+)/.exec(line)?.[1] ?? '');

// The codec's writer and reader, and the functions that make them.
const codec = new Set([
  'encodeV8',
  'decodeV8',
  'writeInJs',
  'readInJs',
  'writeValue',
  'readValue',
  'V8Writer',
  'V8Reader',
]);

describe('the codec through full garbage collections', () => {
  it('is not deoptimized when the writers, readers and segment tables of earlier messages are collected', () => {
    const run = spawnSync(process.execPath, ['--trace-opt', '--trace-deopt', '--expose-gc', script], {
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    const marker = lines.indexOf('--- collecting');
    expect(marker).toBeGreaterThan(0);
    // Not vacuous: V8 had optimized the codec before the collections.
    const optimized = named(lines.slice(0, marker).filter((line) => line.includes('completed optimizing')));
    expect(optimized).toEqual(expect.arrayContaining(['writeValue', 'readValue']));
    const dropped = named(lines.slice(marker).filter((line) => line.includes('reason: weak objects')));
    expect(dropped.filter((name) => codec.has(name))).toEqual([]);
  });
});
