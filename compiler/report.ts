// Human output of a generate run: diagnostics, check findings and the one summary line.
import path from 'node:path';
import { formatDiagnostics } from './diagnostics.js';
import type { GenerateResult } from './generate.js';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function shown(cwd: string, file: string): string {
  return path.relative(cwd, file).split(path.sep).join('/') || file;
}

/** Everything a run prints, ending with its summary line and a newline. */
export function report(
  result: GenerateResult,
  options: { readonly cwd: string; readonly color: boolean; readonly check: boolean },
): string {
  const { cwd, color, check } = options;
  let out = '';
  if (result.diagnostics.length > 0) out += `${formatDiagnostics(result.diagnostics, { cwd, color })}\n`;
  const errors = result.diagnostics.filter((d) => d.category === 'error').length;
  const warnings = result.diagnostics.length - errors;
  if (check) {
    for (const file of result.missing)
      out += `${shown(cwd, file)} - error PRX9901: missing; run procxy generate\n`;
    for (const file of result.stale)
      out += `${shown(cwd, file)} - error PRX9902: stale; run procxy generate\n`;
    for (const file of result.orphans) {
      out += `${shown(cwd, file)} - error PRX9903: orphaned (its source no longer produces it); run procxy generate to delete it\n`;
    }
  }
  const counts = `${plural(result.workers, 'worker')}, ${plural(result.methods, 'method')}`;
  const problems =
    errors + warnings > 0 ? `${plural(errors, 'error')}, ${plural(warnings, 'warning')}; ` : '';
  const time = `in ${Math.round(result.durationMs)} ms`;
  let files: string;
  if (errors > 0) {
    files = 'nothing written';
    // With no worker left (PRX9011), the last one's outputs are still found and deleted.
    if (result.orphans.length > 0)
      files += check
        ? `, ${plural(result.orphans.length, 'file')} out of date`
        : `, ${plural(result.orphans.length, 'orphan')} deleted`;
  } else if (check) {
    const bad = result.missing.length + result.stale.length + result.orphans.length;
    files =
      bad === 0
        ? `${plural(result.outputs.length, 'file')} up to date`
        : `${plural(bad, 'file')} out of date`;
  } else {
    files = `${plural(result.written.length, 'file')} written`;
    if (result.orphans.length > 0) files += `, ${plural(result.orphans.length, 'orphan')} deleted`;
  }
  return `${out}procxy: ${problems}${counts}, ${files} ${time}\n`;
}
