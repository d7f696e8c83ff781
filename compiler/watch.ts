// `procxy generate --watch`: one generator kept in memory, regenerating when a worker or a file its types use changes.
import { statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.js';
import { configInputs } from './config-inputs.js';
import { type GenerateResult, Generator } from './generate.js';
import { GlobSet } from './glob.js';
import { loadConfig, type ResolvedConfig } from './load-config.js';
import { isWorkerCandidate, posixRelative } from './outputs.js';
import { DirWatchers, nearestExisting, type WatchFolder } from './watch-dirs.js';

export interface WatchOptions {
  readonly config: ResolvedConfig;
  /** Called after every run (the first one included). */
  readonly onResult: (result: GenerateResult) => void;
  /**
   * Called when a later run cannot happen (e.g. the edited config became invalid), or once when folders cannot be
   * watched for want of inotify watches; watching goes on.
   */
  readonly onError: (error: Error) => void;
  /** Quiet time after the last file event before regenerating. */
  readonly debounceMs?: number;
  /** @internal For tests (the inotify limit needs root to set): what watches one folder, node:fs's watch by default. */
  readonly watchFolder?: WatchFolder;
}

export interface Watching {
  /** Resolves when the first run is done; rejects (a ConfigError, say) when it could not happen. */
  readonly ready: Promise<void>;
  close(): void;
}

/**
 * Starts watching; folders (not files) are watched so editors that save by renaming are seen too. Every folder the
 * scan for workers reads is watched (one linked inside the root by its link's name), and folders that appear, vanish
 * or are replaced (a branch switch) re-sync them.
 */
export function watch(options: WatchOptions): Watching {
  let config = options.config;
  // Made by the run, not here: reading the tsconfig can fail, and that failure belongs to the run (and `ready`).
  let generator: Generator | undefined;
  let globs = new GlobSet(config.workers, config.root);
  /** The config and its tsconfig chain: an edit to one makes a new generator. */
  let inputs = new Set<string>([config.file]);
  let dependencies = new Set<string>();
  /** Where the last run's unresolved relative imports point (see `failed`). */
  let unresolved: readonly string[] = [];
  let outputs = new Set<string>();
  const pending = new Set<string>();
  /** A folder appeared, vanished or lost its watcher: the watched set and the worker files must be looked at again. */
  let restructured = false;
  /**
   * The last run had errors: a TypeScript file that appears may be one it could not find (an import, a global
   * declaration), which no list of dependencies names, so it brings a run, with a new generator (`fresh`): TypeScript
   * keeps the failed lookups of the files it reuses, and the tsconfig's declaration files are listed when a generator
   * is made.
   */
  let failed = false;
  let fresh = false;
  /**
   * The config failed to load: no run may use the one loaded before (the user changed it), so every event that may
   * be the fix (to a file the failed load read or looked for, or to any TypeScript, JavaScript or JSON file, which it
   * may import) loads it again, and until it loads, each one reports its error again.
   */
  let broken = false;
  /** The folders the last scan read, watched again when a failed config load names more files. */
  let scanned: readonly string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  const relevant = (file: string): boolean =>
    !outputs.has(file) &&
    (inputs.has(file) ||
      (broken
        ? CONFIG_SOURCE.test(file)
        : dependencies.has(file) ||
          (isWorkerCandidate(file) && globs.matches(posixRelative(config.root, file)))));

  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? 15);
  };

  const onEvent = (dir: string, event: 'rename' | 'change', name: string): void => {
    if (closed) return;
    const file = path.join(dir, name);
    if (relevant(file)) pending.add(file);
    else if (failed && event === 'rename' && TYPESCRIPT.test(file)) {
      pending.add(file);
      fresh = true;
    } else if (
      event === 'rename' &&
      (watchers.has(file) || isDirectory(file) || name === path.basename(dir))
    ) {
      restructured = true;
    } else return;
    schedule();
  };

  const watchers = new DirWatchers(
    onEvent,
    () => {
      restructured = true;
      schedule();
    },
    (message) => options.onError(new Error(message)),
    options.watchFolder,
  );

  /**
   * The folders to watch, given those a scan for workers read (`scanned`: each glob base and below it, a folder linked
   * inside the root by its link's name, as the scan names the workers in it).
   */
  const wantedDirs = (scanned: readonly string[]): Set<string> => {
    const dirs = new Set<string>([config.root, ...scanned]);
    for (const file of inputs) dirs.add(nearestExisting(path.dirname(file)));
    // A missing folder is stood for by its nearest ancestor, whose events say when it comes back. A folder's own
    // watcher hears nothing when a folder above it is renamed: those up to the root are watched too, or, outside it
    // (a monorepo's ../shared), up to the first one the root is in.
    for (const file of dependencies) {
      let above = nearestExisting(path.dirname(file));
      dirs.add(above);
      while (
        above !== config.root &&
        !config.root.startsWith(above + path.sep) &&
        above !== path.dirname(above)
      ) {
        above = path.dirname(above);
        dirs.add(above);
      }
    }
    // After errors, where a missing import would appear, which may be outside every folder above.
    if (failed) for (const file of unresolved) dirs.add(nearestExisting(path.dirname(file)));
    for (const base of globs.bases) {
      const dir = path.join(config.root, base);
      if (dirs.has(dir)) continue;
      // A base the scan did not read: missing, or a link out of the root (which the scan does not follow); the
      // folder above it says when that changes.
      const existing = nearestExisting(dir);
      dirs.add(existing === dir ? path.dirname(dir) : existing);
    }
    return dirs;
  };

  /** `synced`: what a restructure synced the watchers to just before this run (see there). */
  const runOnce = async (changed: readonly string[], synced?: ReadonlySet<string>): Promise<void> => {
    if (broken || changed.some((file) => inputs.has(file))) {
      // The config or a tsconfig changed: compiler options are read when a generator is made.
      generator = undefined;
      try {
        config = await loadConfig(config.file);
      } catch (error) {
        broken = true;
        if (error instanceof ConfigError) {
          inputs = new Set([...inputs, ...error.inputs]);
          if (!closed) watchers.sync(wantedDirs(scanned));
        }
        throw error;
      }
      broken = false;
      globs = new GlobSet(config.workers, config.root);
    }
    if (generator === undefined || fresh) {
      fresh = false;
      inputs = new Set(configInputs(config));
      generator = new Generator(config);
    } else generator.invalidate(changed);
    const result = await generator.run();
    failed = result.diagnostics.some((d) => d.category === 'error');
    dependencies = new Set(result.dependencies);
    unresolved = result.unresolved;
    outputs = new Set(result.outputs);
    scanned = result.folders;
    const wanted = wantedDirs(scanned);
    if (!closed && !(synced !== undefined && sameSet(wanted, synced))) watchers.sync(wanted);
    options.onResult(result);
  };

  /**
   * After folders changed: re-syncs the watchers, from one walk that also says whether a worker appeared, and runs
   * when a file may have changed unseen, a worker appeared, or a new folder may hold a missing import of the failed
   * run or of the config that failed to load. The watchers are synced before the run, so what changes
   * in a new or replaced folder during it is seen; the run syncs them again only when it needs more folders (those
   * of new dependencies), since any folder change since is an event that brings another restructure.
   */
  const restructure = async (changed: string[]): Promise<void> => {
    const scan = globs.walk(config.root);
    const wanted = wantedDirs(scan.folders.map((folder) => folder.path));
    const unwatched = [...wanted].filter((dir) => !watchers.has(dir));
    const { moved, dropped } = watchers.sync(wanted);
    // A dependency in a folder that was replaced, or that vanished or moved (mv src/lib src/shared), may have
    // changed or gone with no event naming it.
    for (const file of dependencies) {
      const dir = path.dirname(file);
      if (moved.has(dir) || dropped.has(dir)) changed.push(file);
    }
    // A folder made with its files in one step (git checkout, cp -r) holds them before its watcher exists, so no
    // event will name them: a missing import or config input in it may be there now.
    const renewed = [...moved, ...unwatched.filter((dir) => watchers.has(dir))];
    const inRenewed = (file: string): boolean => renewed.some((dir) => isInside(path.dirname(file), dir));
    const missingMayBeThere = failed && unresolved.some(inRenewed);
    if (missingMayBeThere) fresh = true;
    const appeared = scan.files.some(
      (file) => isWorkerCandidate(file) && !dependencies.has(file) && !outputs.has(file),
    );
    if (changed.length > 0 || appeared || missingMayBeThere || (broken && [...inputs].some(inRenewed))) {
      await runOnce(changed, wanted);
    }
  };

  const flush = (): void => {
    if (running !== undefined || closed) return;
    const changed = [...pending];
    pending.clear();
    const folders = restructured;
    restructured = false;
    running = (folders ? restructure(changed) : runOnce(changed))
      .catch((error: unknown) => {
        options.onError(error instanceof Error ? error : new ConfigError(String(error)));
      })
      .finally(settled);
  };

  function settled(): void {
    running = undefined;
    if (pending.size > 0 || restructured) flush();
  }

  running = runOnce([]).finally(settled);
  return {
    ready: running,
    close() {
      closed = true;
      clearTimeout(timer);
      watchers.close();
    },
  };
}

const TYPESCRIPT = /\.[cm]?tsx?$/;
/** What a config may import from the project besides TypeScript. */
const CONFIG_SOURCE = /\.(?:[cm]?[jt]sx?|json)$/;

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}

/** Whether `dir` is `folder` or inside it. */
function isInside(dir: string, folder: string): boolean {
  const relative = path.relative(folder, dir);
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

function isDirectory(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isDirectory() === true;
}
