// The folders `procxy generate --watch` listens to, kept in step with the disk as folders appear, vanish or are replaced.
import { type FSWatcher, statSync, watch as watchFs } from 'node:fs';
import path from 'node:path';

/** What a file event in a watched folder is: `name` relative to `dir`. */
export type DirEvent = (dir: string, event: 'rename' | 'change', name: string) => void;

/** Makes the watcher of one folder: node:fs's watch, or a stand-in for tests (the inotify limit needs root to set). */
export type WatchFolder = (
  dir: string,
  listener: (event: 'rename' | 'change', name: string | null) => void,
) => FSWatcher;

const watchFolder: WatchFolder = (dir, listener) => watchFs(dir, listener);

/** Why a folder cannot be watched when the system is out of watches, and what raises the limit. */
export function watchLimitMessage(dir: string): string {
  return (
    `cannot watch ${dir} (and maybe other folders): the system's limit on file watchers is reached (ENOSPC), ` +
    'so changes there go unseen; on Linux raise fs.inotify.max_user_watches ' +
    '(e.g. sudo sysctl fs.inotify.max_user_watches=524288) and restart procxy generate --watch'
  );
}

interface Watched {
  readonly watcher: FSWatcher;
  /** The folder's identity when the watcher was made: a folder deleted and made again is another folder. */
  readonly identity: string;
  /**
   * Set when an event may mean the folder itself went away (Linux reports that as an event named like the
   * folder); such a watcher is made again on the next sync, since a dead one would never report anything.
   */
  suspect: boolean;
}

function identity(dir: string): string | undefined {
  const stats = statSync(dir, { throwIfNoEntry: false });
  return stats?.isDirectory() === true ? `${stats.dev}:${stats.ino}:${stats.birthtimeMs}` : undefined;
}

/** `dir` when it is a folder, else its nearest existing ancestor (whose events tell when `dir` appears). */
export function nearestExisting(dir: string): string {
  let current = dir;
  while (identity(current) === undefined && path.dirname(current) !== current)
    current = path.dirname(current);
  return current;
}

/** One non-recursive watcher per folder (Node 20's recursive mode on Linux loses a folder made again). */
export class DirWatchers {
  readonly #watched = new Map<string, Watched>();
  readonly #onEvent: DirEvent;
  readonly #onError: (dir: string) => void;
  readonly #onWarning: (message: string) => void;
  readonly #watch: WatchFolder;
  /** The watcher limit is reported once: every later sync would hit it again, for each folder left unwatched. */
  #warnedLimit = false;

  constructor(
    onEvent: DirEvent,
    onError: (dir: string) => void,
    onWarning: (message: string) => void,
    watch: WatchFolder = watchFolder,
  ) {
    this.#onEvent = onEvent;
    this.#onError = onError;
    this.#onWarning = onWarning;
    this.#watch = watch;
  }

  has(dir: string): boolean {
    return this.#watched.has(dir);
  }

  /**
   * Watches exactly the folders of `wanted` that exist. Returns the wanted folders whose watcher was made again
   * (`moved`: replaced, or suspect) and the folders no longer wanted (`dropped`: a folder that vanished or was
   * moved away is stood for by an ancestor): files in either may have changed, or gone, unseen.
   */
  sync(wanted: ReadonlySet<string>): { moved: Set<string>; dropped: Set<string> } {
    const moved = new Set<string>();
    const dropped = new Set<string>();
    for (const [dir, watched] of this.#watched) {
      const keep = wanted.has(dir);
      if (keep && !watched.suspect && identity(dir) === watched.identity) continue;
      watched.watcher.close();
      this.#watched.delete(dir);
      (keep ? moved : dropped).add(dir);
    }
    for (const dir of wanted) {
      if (this.#watched.has(dir)) continue;
      const id = identity(dir);
      if (id === undefined) continue;
      let watcher: FSWatcher;
      try {
        watcher = this.#watch(dir, (event, name) => {
          if (name === null) return;
          const watched = this.#watched.get(dir);
          if (watched?.watcher === watcher && name === path.basename(dir)) watched.suspect = true;
          this.#onEvent(dir, event, name);
        });
      } catch (error) {
        // Out of inotify watches: the folder stays unwatched, which the user must hear about, since edits there
        // would be missed without a word.
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC' && !this.#warnedLimit) {
          this.#warnedLimit = true;
          this.#onWarning(watchLimitMessage(dir));
        }
        // Otherwise gone between the stat and the watch: the event that removed it asks for another sync.
        continue;
      }
      watcher.on('error', () => {
        watcher.close();
        if (this.#watched.get(dir)?.watcher === watcher) this.#watched.delete(dir);
        this.#onError(dir);
      });
      this.#watched.set(dir, { watcher, identity: id, suspect: false });
    }
    return { moved, dropped };
  }

  close(): void {
    for (const { watcher } of this.#watched.values()) watcher.close();
    this.#watched.clear();
  }
}
