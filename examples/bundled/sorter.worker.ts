// The bundled example's worker: the esbuild plugin generates its stub and child entry during the build, in memory.

/** Sorts and deduplicates words in a child process. */
export class Sorter {
  /** The distinct words, in locale order. */
  sort(words: readonly string[]): string[] {
    return [...new Set(words)].sort((a, b) => a.localeCompare(b));
  }

  pid(): number {
    return process.pid;
  }
}
