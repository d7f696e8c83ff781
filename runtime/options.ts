// ProcxyOptions: what a caller may set, validated strictly, with the defaults filled in.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAbortSignal } from './cancel.js';
import { OptionsValidationError } from './errors.js';
import { type SerializationMode, serializationModes } from './modes.js';

export interface ProcxyOptions<Mode extends SerializationMode = SerializationMode> {
  /** Per-call deadline in ms (default 30 000; 0 or Infinity: none). A call over it terminates the worker. */
  timeout?: number;
  /** How often an `idempotent` call that failed because its worker timed out or crashed is retried on a fresh worker. */
  retries?: number;
  /** Names of the methods that are safe to run twice (no-build API; generated stubs read `@idempotent`). */
  idempotent?: readonly string[];
  /** Variables for the child; merged over the parent's unless `inheritEnv` is false. `undefined` removes one. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether the child starts from the parent's environment (default true). */
  inheritEnv?: boolean;
  cwd?: string;
  /** Extra arguments: the child's `process.argv.slice(2)`. */
  args?: readonly string[];
  /** Node options for the child (default: the parent's, less `--inspect*`, `--eval` and the like). */
  execArgv?: readonly string[];
  serialization?: Mode;
  /** Terminates the worker when aborted; an already aborted signal makes spawning reject. */
  signal?: AbortSignal;
  /** Bound on calls in flight (default 65 536); over it a call rejects with QueueFullError. */
  maxPending?: number;
  /** Cap on one message in either direction, in bytes (default 1 GiB). */
  maxMessageBytes?: number;
  /** How long `$terminate()` waits for the worker's dispose before SIGTERM, in ms (default 5 000); SIGKILL follows 1 s later. */
  terminateTimeout?: number;
  /** Deadline for loading the worker module and constructing the instance, in ms (default 30 000; 0 or Infinity: none). */
  startTimeout?: number;
  /**
   * Opens Node's IPC channel to the worker so that net.Socket, net.Server and dgram.Socket arguments (and
   * `$sendHandle`) reach it as live OS handles (default false: a handle argument is refused).
   */
  supportHandles?: boolean;
}

/** Options of one call, set with `proxy.$with(...)`. */
export interface CallOptions {
  timeout?: number;
  signal?: AbortSignal;
}

export interface ResolvedOptions {
  readonly timeout: number;
  readonly retries: number;
  readonly idempotent: ReadonlySet<string>;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string | undefined;
  readonly args: readonly string[];
  readonly execArgv: readonly string[];
  readonly serialization: SerializationMode;
  readonly signal: AbortSignal | undefined;
  readonly maxPending: number;
  readonly maxMessageBytes: number;
  readonly terminateTimeout: number;
  readonly startTimeout: number;
  readonly supportHandles: boolean;
}

const maxFrameBytes = 0xffff_fffe;

/** What is wrong with an option's value, or undefined; with `at`, about a part of it, which the message shows. */
type Check = (value: unknown) => string | { readonly problem: string; readonly at: unknown } | undefined;

const describe = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  try {
    return String(value);
  } catch {
    // No toString of its own (Object.create(null)), or one that throws.
    return Object.prototype.toString.call(value);
  }
};

const duration: Check = (v) => {
  if (v === Infinity) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    return 'expected a number of milliseconds >= 0, or Infinity';
  return v > 2_147_483_647 ? 'expected at most 2147483647 ms, or Infinity' : undefined;
};
const count: (min: number, max: number) => Check = (min, max) => (v) =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
    ? undefined
    : `expected an integer from ${min} to ${max}`;
/** The C strings spawn makes of args, execArgv and env end at a NUL, which Node refuses with an error of its own. */
const hasNul = (text: string) => text.includes('\0');
const strings: Check = (v) => {
  if (!Array.isArray(v)) return 'expected an array of strings';
  // Every index, holes included (every() would skip them).
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (typeof item !== 'string')
      return { problem: `expected an array of strings; item ${i} is not one`, at: item };
    if (hasNul(item)) return `expected strings without NUL characters; item ${i} holds one`;
  }
  return undefined;
};
/**
 * Node options with which node does not run the worker's entry: it runs code, the test runner or a watcher instead,
 * prints something and exits (help, version), does a job of its own (a profile, a snapshot, a single executable),
 * reads a script from stdin (`-`), or refuses a file entry (`--input-type`, for code given as text only).
 */
const replacesEntry =
  /^(--eval(=|$)|-e$|--print(=|$)|-p$|-pe$|-ep$|--interactive$|-i$|--test(=|$)|--check$|-c$|--watch(-path)?(=|$)|--input-type|-$|--help$|-h$|--version$|-v$|--v8-options$|--completion-bash$|--run(=|$)|--prof-process$|--build-snapshot(=|$)|--experimental-sea-config(=|$))/;
const nodeOptions: Check = (v) => {
  const problem = strings(v);
  if (problem !== undefined) return problem;
  const at = (v as string[]).findIndex((word) => replacesEntry.test(canonical(word)));
  return at === -1
    ? undefined
    : {
        problem: `item ${at} keeps node from running the worker (it evaluates code, runs the test runner or a watcher, prints and exits, does a job of its own, or refuses a file entry); load code with --import instead`,
        at: (v as string[])[at],
      };
};
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'expected true or false');
const envCheck: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'expected an object of strings';
  // Its own properties are the variables: a Map or a Date would give none, silently. process.env is no plain
  // object, but is one of strings.
  const prototype: unknown = Object.getPrototypeOf(v);
  if (v !== process.env && prototype !== Object.prototype && prototype !== null) {
    return 'expected a plain object of strings';
  }
  for (const [key, value] of Object.entries(v)) {
    // `A=B` would reach the child as a variable A; Windows' hidden `=C:` variables start with one.
    if (key === '' || key.indexOf('=', 1) !== -1)
      return {
        problem: `expected variable names without '=' (after their first character), not empty`,
        at: key,
      };
    if (value !== undefined && typeof value !== 'string')
      return { problem: `expected a string or undefined at env.${key}`, at: value };
    if (hasNul(key) || (value !== undefined && hasNul(value)))
      return { problem: `expected no NUL character at env.${key}`, at: value };
  }
  return undefined;
};

const checks: Readonly<Record<keyof ProcxyOptions, Check>> = {
  timeout: duration,
  retries: count(0, 100),
  idempotent: strings,
  env: envCheck,
  inheritEnv: bool,
  cwd: (v) => {
    if (typeof v !== 'string' || v === '') return 'expected a directory path';
    // Checked here: a missing cwd makes spawn fail with ENOENT for node itself, which blames the wrong thing.
    return existsSync(v) && statSync(v).isDirectory() ? undefined : 'no such directory';
  },
  args: strings,
  execArgv: nodeOptions,
  serialization: (v) =>
    serializationModes.includes(v as SerializationMode) ? undefined : "expected 'json' or 'advanced'",
  signal: (v) => (isAbortSignal(v) ? undefined : 'expected an AbortSignal'),
  maxPending: count(1, 1 << 30),
  maxMessageBytes: count(1024, maxFrameBytes),
  terminateTimeout: duration,
  startTimeout: duration,
  supportHandles: bool,
};

const callChecks: Readonly<Record<keyof CallOptions, Check>> = { timeout: duration, signal: checks.signal };

function validate<T extends object>(
  options: unknown,
  table: Readonly<Record<string, Check>>,
  what: string,
): T {
  if (options === undefined) return Object.create(null) as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OptionsValidationError(what, `expected an object, got ${describe(options)}`);
  }
  // Own properties only, read once: an inherited value (or one on a polluted Object.prototype) is not an option.
  const own: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(options)) {
    const check = Object.hasOwn(table, key) ? table[key] : undefined;
    if (check === undefined) {
      throw new OptionsValidationError(
        key,
        `unknown option; known options are ${Object.keys(table).join(', ')}`,
      );
    }
    if (value === undefined) continue;
    const problem = check(value);
    if (typeof problem === 'string')
      throw new OptionsValidationError(key, `${problem}, got ${describe(value)}`);
    if (problem !== undefined)
      throw new OptionsValidationError(key, `${problem.problem}, got ${describe(problem.at)}`);
    own[key] = value;
  }
  return own as T;
}

/**
 * Node options a child must not inherit: debuggers would fight over a port, eval-like flags replace its entry, and
 * an env file would put back variables the env policy removed (the parent's environment already holds them).
 */
const notInherited =
  /^(--inspect|--debug|--eval(=|$)|-e$|--print(=|$)|-p$|-pe$|-ep$|--interactive$|-i$|--test|--check$|-c$|--input-type|--env-file)/;
/** Of those, the ones whose value may follow as a word of its own even when it starts with a dash. */
const takesValue = new Set(['--eval', '-e', '--print', '-p', '-pe', '-ep', '--input-type']);

/** A word with its option's name spelled as Node reads it: `_` and `-` are the same in a name (`--input_type`). */
function canonical(word: string): string {
  if (!word.startsWith('--')) return word;
  const end = word.indexOf('=');
  const name = end === -1 ? word : word.slice(0, end);
  return name.replaceAll('_', '-') + (end === -1 ? '' : word.slice(end));
}

/**
 * Node options without those. The script and its arguments are never among them, so a word that follows a dropped
 * option and does not start with a dash is that option's value (`--inspect-port 9230`, `--test-reporter tap`), and
 * goes with it. `words` are compared as `text(word)` gives them.
 */
function withoutUninherited<W>(words: readonly W[], text: (word: W) => string): W[] {
  const kept: W[] = [];
  for (let i = 0; i < words.length; i++) {
    const arg = canonical(text(words[i]!));
    if (!notInherited.test(arg)) {
      kept.push(words[i]!);
      continue;
    }
    const next = words[i + 1];
    if (!arg.includes('=') && next !== undefined && (takesValue.has(arg) || !text(next).startsWith('-'))) i++;
  }
  return kept;
}

/** The options that name a module to load before the entry, and how Node resolves their value. */
const preloads: ReadonlyMap<string, 'require' | 'import'> = new Map([
  ['--require', 'require'],
  ['-r', 'require'],
  ['--import', 'import'],
  ['--loader', 'import'],
  ['--experimental-loader', 'import'],
]);

/**
 * A preload's value as the parent resolved it, for a child started in another directory: Node resolves it against
 * the directory it starts in, where `./setup.js` or a package of the parent's project may not be. `--require` values
 * (paths and packages) become the file the parent's require finds; relative `--import`/`--loader` values become file
 * URLs. A bare `--import` specifier stays as given: ESM resolution from another directory has no public API in Node 20.
 */
function asParentResolved(kind: 'require' | 'import', value: string): string {
  const relative = /^\.\.?(\/|$)/.test(value);
  if (kind === 'import') return relative ? pathToFileURL(resolve(value)).href : value;
  try {
    return createRequire(join(process.cwd(), 'noop.js')).resolve(value);
  } catch {
    // The child reports the module it cannot find, as Node would for the parent.
    return relative ? resolve(value) : value;
  }
}

/** `words` with each preload's value resolved as the parent did (asParentResolved). */
function withPreloadsResolved<W>(
  words: readonly W[],
  text: (word: W) => string,
  make: (text: string) => W,
): W[] {
  const out: W[] = [];
  for (let i = 0; i < words.length; i++) {
    const arg = canonical(text(words[i]!));
    const eq = arg.indexOf('=');
    const kind = preloads.get(eq === -1 ? arg : arg.slice(0, eq));
    if (kind === undefined) {
      out.push(words[i]!);
    } else if (eq !== -1) {
      out.push(make(`${arg.slice(0, eq)}=${asParentResolved(kind, arg.slice(eq + 1))}`));
    } else if (i + 1 < words.length) {
      out.push(words[i]!, make(asParentResolved(kind, text(words[++i]!))));
    } else {
      out.push(words[i]!);
    }
  }
  return out;
}

/** The parent's execArgv that a child inherits; `elsewhere`: the child starts in another directory (`cwd`). */
export function inheritedExecArgv(parent: readonly string[] = process.execArgv, elsewhere = false): string[] {
  const same = (arg: string) => arg;
  const kept = withoutUninherited(parent, same);
  return elsewhere ? withPreloadsResolved(kept, same, same) : kept;
}

/** A word of NODE_OPTIONS as written (quotes kept) and as Node reads it. */
interface OptionWord {
  readonly raw: string;
  readonly value: string;
}

/** Splits NODE_OPTIONS as Node does: at spaces outside double quotes, a backslash escaping the next character. */
function optionWords(options: string): OptionWord[] {
  const words: OptionWord[] = [];
  let raw = '';
  let value = '';
  let quoted = false;
  for (let i = 0; i < options.length; i++) {
    const c = options[i]!;
    if (c === ' ' && !quoted) {
      if (raw !== '') words.push({ raw, value });
      raw = '';
      value = '';
      continue;
    }
    raw += c;
    if (c === '"') {
      quoted = !quoted;
    } else if (c === '\\' && quoted && i + 1 < options.length) {
      raw += options[++i];
      value += options[i];
    } else {
      value += c;
    }
  }
  if (raw !== '') words.push({ raw, value });
  return words;
}

/**
 * The parent's NODE_OPTIONS less what execArgv may not pass on either (Node reads `--inspect` from there too, and
 * the child would start a debugger of its own); undefined when nothing is left.
 */
export function inheritedNodeOptions(options: string, elsewhere = false): string | undefined {
  let kept = withoutUninherited(optionWords(options), (word) => word.value);
  if (elsewhere) kept = withPreloadsResolved(kept, (word) => word.value, quotedWord);
  return kept.length > 0 ? kept.map((word) => word.raw).join(' ') : undefined;
}

/** A NODE_OPTIONS word for `value`, quoted as optionWords() reads it back. */
function quotedWord(value: string): OptionWord {
  return { raw: `"${value.replace(/["\\]/g, '\\$&')}"`, value };
}

/**
 * glibc's malloc hands freed blocks above 128 KiB back to the system at once, so every large message a child
 * receives lands in fresh pages and pays a page fault per 4 KiB (about a third of the time to move 10 MiB here).
 * A child that inherits the environment keeps blocks up to 32 MiB and 64 MiB of free heap instead, unless the
 * environment already sets GLIBC_TUNABLES; `env: { GLIBC_TUNABLES: undefined }` turns it off. Other C libraries
 * ignore the variable.
 */
export const allocatorTunables = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864';

/** Whether the child starts in another directory than the parent's, where relative preloads resolve differently. */
function elsewhere(o: ProcxyOptions): boolean {
  return o.cwd !== undefined && resolve(o.cwd) !== process.cwd();
}

function childEnv(o: ProcxyOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv =
    o.inheritEnv === false
      ? {}
      : process.platform === 'linux'
        ? { GLIBC_TUNABLES: allocatorTunables, ...process.env }
        : { ...process.env };
  if (env.NODE_OPTIONS !== undefined) {
    const options = inheritedNodeOptions(env.NODE_OPTIONS, elsewhere(o));
    if (options === undefined) delete env.NODE_OPTIONS;
    else env.NODE_OPTIONS = options;
  }
  for (const [key, value] of Object.entries(o.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function resolveOptions(options: unknown): ResolvedOptions {
  return withDefaults(validate<ProcxyOptions>(options, checks, 'options'));
}

function withDefaults(o: ProcxyOptions): ResolvedOptions {
  return {
    timeout: o.timeout === undefined ? 30_000 : o.timeout === 0 ? Infinity : o.timeout,
    retries: o.retries ?? 0,
    idempotent: new Set(o.idempotent ?? []),
    env: childEnv(o),
    cwd: o.cwd,
    args: o.args ?? [],
    execArgv: o.execArgv ?? inheritedExecArgv(process.execArgv, elsewhere(o)),
    serialization: o.serialization ?? 'json',
    signal: o.signal,
    maxPending: o.maxPending ?? 65_536,
    maxMessageBytes: o.maxMessageBytes ?? 1024 ** 3,
    terminateTimeout: o.terminateTimeout ?? 5_000,
    startTimeout: o.startTimeout === undefined ? 30_000 : o.startTimeout === 0 ? Infinity : o.startTimeout,
    supportHandles: o.supportHandles ?? false,
  };
}

/**
 * The options of a generated stub's spawn function: those of procxy() but the two the stub fixes (its mode and its
 * idempotent methods, from the worker's source), which are refused here, saying where they are set, rather than
 * silently replaced.
 */
export function resolveStubOptions(
  options: unknown,
  fixed: Pick<ProcxyOptions, 'serialization' | 'idempotent' | 'supportHandles'>,
): ResolvedOptions {
  const { serialization: _mode, idempotent: _idempotent, ...stubChecks } = checks;
  if (typeof options === 'object' && options !== null) {
    if (Object.hasOwn(options, 'serialization')) {
      throw new OptionsValidationError(
        'serialization',
        `fixed by the generated stub (${fixed.serialization}); set it in procxy.config.ts and generate again`,
      );
    }
    if (Object.hasOwn(options, 'idempotent')) {
      const names = fixed.idempotent?.join(', ') || 'none';
      throw new OptionsValidationError(
        'idempotent',
        `fixed by the generated stub (${names}); mark a method with @idempotent, alone on a line of its JSDoc, and generate again`,
      );
    }
  }
  const o = validate<ProcxyOptions>(options, stubChecks, 'options');
  return withDefaults({
    ...o,
    ...fixed,
    supportHandles: o.supportHandles === true || fixed.supportHandles,
  });
}

export function resolveCallOptions(options: unknown): CallOptions {
  const o = validate<CallOptions>(options, callChecks, 'callOptions');
  return o.timeout === 0 ? { ...o, timeout: Infinity } : o;
}
