// `procxy generate --watch`: one generator kept in memory, regenerating when a worker or a file its types use changes.
import { existsSync, type FSWatcher, watch as watchFs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.js';
import { type GenerateResult, Generator } from './generate.js';
import { GlobSet } from './glob.js';
import { loadConfig, type ResolvedConfig } from './load-config.js';
import { isWorkerCandidate, posixRelative } from './outputs.js';

export interface WatchOptions {
  readonly config: ResolvedConfig;
  /** Called after every run (the first one included). */
  readonly onResult: (result: GenerateResult) => void;
  /** Called when a later run cannot happen (e.g. the edited config became invalid); watching goes on. */
  readonly onError: (error: Error) => void;
  /** Quiet time after the last file event before regenerating. */
  readonly debounceMs?: number;
}

export interface Watching {
  /** Resolves when the first run is done; rejects (a ConfigError, say) when it could not happen. */
  readonly ready: Promise<void>;
  close(): void;
}

/** Starts watching; directories (not files) are watched so editors that save by renaming are seen too. */
export function watch(options: WatchOptions): Watching {
  let config = options.config;
  // Made by the run, not here: reading the tsconfig can fail, and that failure belongs to the run (and `ready`).
  let generator: Generator | undefined;
  let globs = new GlobSet(config.workers);
  let dependencies = new Set<string>();
  let outputs = new Set<string>();
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  const relevant = (file: string): boolean =>
    !outputs.has(file) &&
    (file === config.file ||
      dependencies.has(file) ||
      (isWorkerCandidate(file) && globs.matches(posixRelative(config.root, file))));

  const onEvent = (dir: string, name: string | null): void => {
    if (name === null || closed) return;
    const file = path.join(dir, name);
    if (!relevant(file)) return;
    pending.add(file);
    clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? 15);
  };

  const syncWatchers = (): void => {
    const dirs = new Set<string>([config.root]);
    for (const file of dependencies) dirs.add(path.dirname(file));
    for (const base of globs.bases) dirs.add(path.join(config.root, base));
    for (const [dir, watcher] of watchers) {
      if (!dirs.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (watchers.has(dir) || !existsSync(dir)) continue;
      const watcher = watchFs(dir, (_event, name) => onEvent(dir, name));
      watcher.on('error', () => watchers.delete(dir));
      watchers.set(dir, watcher);
    }
  };

  const runOnce = async (changed: readonly string[]): Promise<void> => {
    if (changed.includes(config.file)) {
      generator = undefined;
      config = await loadConfig(config.file);
      globs = new GlobSet(config.workers);
    }
    if (generator === undefined) generator = new Generator(config);
    else generator.invalidate(changed);
    const result = await generator.run();
    dependencies = new Set(result.dependencies);
    outputs = new Set(result.outputs);
    if (!closed) syncWatchers();
    options.onResult(result);
  };

  const flush = (): void => {
    if (running !== undefined || closed) return;
    const changed = [...pending];
    pending.clear();
    running = runOnce(changed)
      .catch((error: unknown) => {
        options.onError(error instanceof Error ? error : new ConfigError(String(error)));
      })
      .finally(() => {
        running = undefined;
        if (pending.size > 0) flush();
      });
  };

  running = runOnce([]).finally(() => {
    running = undefined;
    if (pending.size > 0) flush();
  });
  return {
    ready: running,
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
