// The generator pipeline (config -> analysis -> emit -> write/check); the CLI, tests and plugins all use it.
import { existsSync, readFileSync, realpathSync, rmSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { analyze, type WorkerModel } from './analyze.js';
import { bundleChild, ChildBundleError } from './child-bundle.js';
import { ConfigError } from './config.js';
import type { ProcxyDiagnostic } from './diagnostics.js';
import { emitChildEntry, emitStub, HEADER_PREFIX, header, parseHeader } from './emit.js';
import { GlobSet, walkFolders } from './glob.js';
import { type LineIndex, lineIndexes, utf16Length } from './line-index.js';
import { loadConfig, type ResolvedConfig, type TransferType } from './load-config.js';
import {
  childPath,
  findOrphans,
  isGeneratedName,
  isWorkerCandidate,
  posixRelative,
  stubPath,
  writeOutput,
} from './outputs.js';
import {
  IncrementalProgram,
  importClosures,
  isLibraryFile,
  readTsconfig,
  syntaxErrors,
  type Tsconfig,
  unresolvedImports,
} from './program.js';
import { resolveAlias } from './symbols.js';

export interface GenerateOptions {
  /** Config file; default `procxy.config.ts` in `cwd`. */
  readonly config?: string;
  /** Default `process.cwd()`. */
  readonly cwd?: string;
  /** Write and delete nothing; report missing, stale and orphaned files instead. */
  readonly check?: boolean;
}

export interface GenerateResult {
  readonly config: ResolvedConfig;
  /**
   * Every diagnostic (errors and warnings); nothing is written when one is an error, and nothing deleted unless that
   * error is PRX9011 alone (no worker at all: every generated file the globs own is then an orphan).
   */
  readonly diagnostics: readonly ProcxyDiagnostic[];
  readonly workers: number;
  readonly methods: number;
  /** Absolute paths of every file this run generates (written or not). */
  readonly outputs: readonly string[];
  /** The bytes of every generated file by absolute path (for tools that emit them themselves, like a bundler plugin). */
  readonly files: ReadonlyMap<string, string>;
  /** Files whose bytes changed and were written (never with check). */
  readonly written: readonly string[];
  /** Outputs that did not exist before this run (with check: what generate would create). */
  readonly missing: readonly string[];
  /**
   * Outputs whose text (CRLF line ends read as LF; a byte order mark counts) differed from what this run generates
   * (with check: what generate would rewrite).
   */
  readonly stale: readonly string[];
  /** Generated files whose source is gone or no longer produces them (deleted unless check). */
  readonly orphans: readonly string[];
  /**
   * Files whose dependencies the watch mode must follow (worker sources, by the name the scan found them under and,
   * for one reached through a link, by its real path too, every file their types come from, and the package.json
   * whose `type` decided whether a stub is written for CommonJS).
   */
  readonly dependencies: readonly string[];
  /** The folders the scan for workers read (each glob base and below it, links inside the root followed), by name. */
  readonly folders: readonly string[];
  /**
   * After a run with errors, where relative imports TypeScript could not resolve point (absolute, as written): the
   * watch mode watches their folders, where the missing file may appear. Empty after a clean run.
   */
  readonly unresolved: readonly string[];
  /** True when there is no error diagnostic and, with check, nothing is missing, stale or orphaned. */
  readonly ok: boolean;
  readonly durationMs: number;
}

/** Compiler options used when the project has no tsconfig: the strict settings procxy recommends. */
const DEFAULT_TSCONFIG: Tsconfig = {
  options: {
    strict: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    // TypeScript 6 loads no @types package unless told: without @types/node, Buffer and net.Socket are unknown and
    // an EventEmitter worker is not seen as one.
    types: ['*'],
  },
  declarationFiles: [],
};

/** The outputs one worker file will have. */
interface PlannedSource {
  readonly source: string;
  readonly stub: string;
  readonly workers: readonly { readonly worker: WorkerModel; readonly childFile: string }[];
}

interface BundleCacheEntry {
  readonly entry: string;
  readonly text: string;
  readonly inputs: readonly string[];
  /** The generated stubs among its inputs, with the text each had: another run may generate another. */
  readonly stubs: ReadonlyMap<string, string>;
}

/** A config-level diagnostic pointing at the `workers` option of the config file. */
function configDiagnostic(config: ResolvedConfig, code: string, message: string): ProcxyDiagnostic {
  let start = 0;
  let line = 1;
  let column = 1;
  try {
    const text = readFileSync(config.file, 'utf8');
    const found = /\bworkers\s*:/.exec(text)?.index ?? -1;
    if (found !== -1) {
      start = found;
      const before = text.slice(0, found).split('\n');
      line = before.length;
      column = before[before.length - 1]!.length + 1;
    }
  } catch {
    // The config was loaded a moment ago; if it vanished, the diagnostic points at its first line.
  }
  return {
    code,
    file: config.file,
    start,
    length: start === 0 ? 0 : 7,
    line,
    column,
    message,
    category: 'error',
  };
}

/** Holds one incremental program between runs, so --watch re-parses only what changed on disk. */
export class Generator {
  readonly config: ResolvedConfig;
  readonly #globs: GlobSet;
  readonly #program: IncrementalProgram;
  readonly #declarationFiles: readonly string[];
  /** Child bundles by child file, each dropped once one of its inputs changes on disk. */
  readonly #bundles = new Map<string, BundleCacheEntry>();
  /** The real path of each worker file the last scan found through a link, by the name it found it under. */
  #linked: ReadonlyMap<string, string> = new Map();
  readonly #esmStubs: boolean;

  /**
   * `esmStubs`: stubs find their child through `import.meta.url` even where the project compiles them to CommonJS,
   * for the esbuild plugin, whose ESM bundle has no `__dirname` (and always when the project has no tsconfig).
   */
  constructor(config: ResolvedConfig, options: { readonly esmStubs?: boolean } = {}) {
    this.config = config;
    // Without a tsconfig no compiler makes the stubs CommonJS (Node and bundlers read their imports as ESM), whatever
    // the package's `type` says: only a project's own settings may.
    this.#esmStubs = (options.esmStubs ?? false) || config.tsconfig === undefined;
    this.#globs = new GlobSet(config.workers, config.root);
    const tsconfig = config.tsconfig === undefined ? DEFAULT_TSCONFIG : readTsconfig(config.tsconfig);
    this.#program = new IncrementalProgram(tsconfig.options, config.root);
    this.#declarationFiles = tsconfig.declarationFiles;
  }

  /** Tells the generator these files changed on disk; the next run reloads them (and rebundles what used them). */
  invalidate(files: Iterable<string>): void {
    for (const file of files) {
      for (const name of this.#aliases(path.resolve(file))) {
        this.#program.invalidate(name);
        // Dropped now, not at the next run's end: a run that stops on errors must not forget the change.
        for (const [child, bundle] of this.#bundles)
          if (bundle.inputs.includes(name)) this.#bundles.delete(child);
      }
    }
  }

  /**
   * `file` and the other paths of the same file: a file reached through a link is read by TypeScript under the name
   * it was found by and by esbuild under its real path, and an edit is seen under either (the watch mode watches a
   * linked folder by its link, and the folders of dependencies by their real paths).
   */
  #aliases(file: string): Set<string> {
    const names = new Set([file]);
    let real = this.#linked.get(file);
    if (real === undefined) {
      try {
        real = realpathSync(file);
      } catch {
        return names; // Gone: the next run's scan says what that means.
      }
    }
    names.add(real);
    for (const [name, target] of this.#linked) if (target === real) names.add(name);
    return names;
  }

  async run(options: { readonly check?: boolean } = {}): Promise<GenerateResult> {
    const started = performance.now();
    const { config } = this;
    const check = options.check ?? false;
    const diagnostics: ProcxyDiagnostic[] = [];
    const scan = this.#globs.walk(config.root);
    const files = scan.files.filter(isWorkerCandidate);
    this.#linked = scan.linked;
    const program = this.#program.program([
      ...files,
      ...config.transferTypes.map((t) => t.file),
      ...this.#declarationFiles,
    ]);
    // A file TypeScript cannot parse is reported as tsc would, once, and a worker file is not analysed when it or a
    // file of the user's it imports is one: its rule findings would be about what the parser guessed (a type read as
    // `any`, methods lost), not about what was written. Files no worker imports are not the generator's to report.
    const closureOf = importClosures(program);
    const parsing = new Map<string, boolean>();
    const parses = (file: string): boolean => {
      let ok = parsing.get(file);
      if (ok === undefined) {
        const errors = syntaxErrors(program, file);
        diagnostics.push(...errors);
        ok = errors.length === 0;
        parsing.set(file, ok);
      }
      return ok;
    };
    // Every file of a closure is checked (no early exit), so each broken one is reported.
    const closureParses = (file: string): boolean => closureOf(file).map(parses).every(Boolean);
    const parsed = files.filter(closureParses);
    // A transferTypes module is read whether or not a worker imports it; one that does not parse is reported, and
    // its entry left out rather than called a missing export (a worker that uses the type imports it, so is left
    // out too).
    const transferTypes = config.transferTypes.filter((t) => closureParses(t.file));
    const analysis = analyze(
      program,
      parsed,
      config.serialization,
      transferSymbols(program, config, transferTypes),
    );
    diagnostics.push(...analysis.diagnostics);
    // Every file parsed and none has a worker: no output is this run's, so every generated file the globs own is an
    // orphan (the last worker's outputs would otherwise outlive it).
    const noWorkers = analysis.workers.length === 0 && parsed.length === files.length;
    if (noWorkers) {
      const scripts = scan.files.filter((file) => /\.[cm]?jsx?$/.test(file) && !isGeneratedName(file));
      diagnostics.push(
        configDiagnostic(
          config,
          'PRX9011',
          files.length === 0
            ? `no ${scripts.length > 0 ? 'TypeScript source ' : 'file '}matches "workers" (${config.workers.join(', ')}) under ${posixRelative(process.cwd(), config.root) || '.'}${linkedOutNote(scan.linkedOut)}${javaScriptNote(config.root, scripts)}`
            : `no worker class found: ${files.length} file(s) match "workers" but none exports a class that can be one (declared in the project, not abstract, not an Error subclass)`,
        ),
      );
    }
    const dependencies = new Set<string>(files);
    // An edit to a linked worker shows in its real folder, not where the link is.
    for (const file of files) {
      const real = scan.linked.get(file);
      if (real !== undefined) dependencies.add(real);
    }
    for (const file of program.getSourceFiles()) {
      if (!isLibraryFile(program, file)) dependencies.add(path.resolve(file.fileName));
    }
    const bySource = new Map<string, WorkerModel[]>();
    for (const worker of analysis.workers)
      bySource.set(worker.source, [...(bySource.get(worker.source) ?? []), worker]);
    const planned = this.#plan(bySource, diagnostics);
    // Each output as it is on disk, read once: for its header here, for its text when writing.
    const onDisk = new Map<string, string | undefined>();
    const current = (file: string): string | undefined => {
      if (!onDisk.has(file)) onDisk.set(file, existsSync(file) ? readFileSync(file, 'utf8') : undefined);
      return onDisk.get(file);
    };
    diagnostics.push(...foreignFiles(config, planned, current));
    const outputs = new Map<string, string>();
    if (!diagnostics.some((d) => d.category === 'error')) {
      await this.#render(planned, outputs, diagnostics, dependencies);
    }
    const clean = !diagnostics.some((d) => d.category === 'error');
    // PRX9011 alone says the worker set is known and empty; another error may be about a class meant as a worker.
    const onlyNoWorkers =
      noWorkers && diagnostics.every((d) => d.category !== 'error' || d.code === 'PRX9011');
    const sorted = [...outputs].sort(([a], [b]) => (a < b ? -1 : 1));
    const written: string[] = [];
    const missing: string[] = [];
    const stale: string[] = [];
    let orphans: string[] = [];
    if (clean) {
      for (const [file, text] of sorted) {
        const existing = current(file);
        if (existing !== undefined && sameText(existing, text)) continue;
        (existing === undefined ? missing : stale).push(file);
        if (!check) {
          writeOutput(file, text);
          written.push(file);
        }
      }
    }
    if (clean || onlyNoWorkers) {
      orphans = findOrphans({
        // Without outDir, outputs sit beside their sources: in the folders the scan read, by the names it read them.
        folders: config.outDir === undefined ? scan.folders : walkFolders(config.root, [config.outDir]),
        globs: this.#globs,
        produced: new Set(outputs.keys()),
        root: config.root,
        outDir: config.outDir,
      });
      if (!check) for (const orphan of orphans) rmSync(orphan, { force: true });
    }
    return {
      config,
      diagnostics,
      workers: analysis.workers.length,
      methods: analysis.workers.reduce((sum, w) => sum + w.methods.length, 0),
      outputs: sorted.map(([file]) => file),
      files: new Map(sorted),
      written,
      missing,
      stale,
      orphans,
      dependencies: [...dependencies].sort(),
      folders: scan.folders.map((folder) => folder.path),
      // Only a failed run has a missing import to wait for: a clean one walks no import for it.
      unresolved: clean ? [] : unresolvedImports(program),
      ok: clean && (!check || missing.length + stale.length + orphans.length === 0),
      durationMs: performance.now() - started,
    };
  }

  #plan(
    bySource: ReadonlyMap<string, readonly WorkerModel[]>,
    diagnostics: ProcxyDiagnostic[],
  ): PlannedSource[] {
    const { config } = this;
    const owners = new Map<string, string>();
    // Outputs by their lower-case path, to find those of two worker files that would be one file where case does not
    // count (Foo.worker.ts and foo.worker.ts in one folder); classes of one file are caseCollisions' business.
    const ownersIgnoringCase = new Map<string, { readonly file: string; readonly source: string }>();
    const reported = new Set<string>();
    const plan: PlannedSource[] = [];
    for (const [source, workers] of [...bySource].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const relative = posixRelative(config.root, source);
      if (config.outDir !== undefined && relative.startsWith('../')) {
        diagnostics.push({
          ...workers[0]!.site,
          category: 'error',
          code: 'PRX9041',
          message: `worker file ${relative} is outside the config folder, so it has no place under outDir; move it or drop outDir`,
        });
        continue;
      }
      const stub = stubPath(source, config.root, config.outDir);
      const children = workers.map((worker) => ({
        worker,
        childFile: childPath(source, config.root, config.outDir, worker.className, workers.length > 1),
      }));
      diagnostics.push(...caseCollisions(config, relative, children));
      for (const file of [stub, ...children.map((c) => c.childFile)]) {
        const other = owners.get(file);
        // Two classes of one file given one name are PRX9018, reported by the analysis.
        if (other !== undefined && other !== source) {
          diagnostics.push({
            ...workers[0]!.site,
            category: 'error',
            code: 'PRX9040',
            message: `${posixRelative(config.root, other)} and ${relative} would both generate ${posixRelative(config.root, file)}; rename one of them`,
          });
        }
        owners.set(file, source);
        const key = file.toLowerCase();
        const sameButCase = ownersIgnoringCase.get(key);
        if (sameButCase === undefined) ownersIgnoringCase.set(key, { file, source });
        else if (sameButCase.file !== file && sameButCase.source !== source) {
          // Both the stubs and the children of such a pair collide: one diagnostic says it.
          const pair = `${sameButCase.source}\0${source}`;
          if (reported.has(pair)) continue;
          reported.add(pair);
          diagnostics.push({
            ...workers[0]!.site,
            category: 'error',
            code: 'PRX9042',
            message: `${posixRelative(config.root, sameButCase.source)} and ${relative} would generate files whose names differ only in case (${posixRelative(config.root, sameButCase.file)}, ${posixRelative(config.root, file)}), one file where case does not count (macOS, Windows); rename one of them`,
          });
        }
      }
      plan.push({ source, stub, workers: children });
    }
    return plan;
  }

  async #render(
    plan: readonly PlannedSource[],
    outputs: Map<string, string>,
    diagnostics: ProcxyDiagnostic[],
    dependencies: Set<string>,
  ): Promise<void> {
    const { config } = this;
    // Every stub first: a child may bundle another worker's stub.
    const stubs = new Map<string, string>();
    for (const { source, stub, workers } of plan) {
      const relativeSource = posixRelative(config.root, source);
      stubs.set(
        stub,
        emitStub({
          stubFile: stub,
          relativeSource,
          serialization: config.serialization,
          outputs: workers,
          commonJs: !this.#esmStubs && this.#program.emitsCommonJs(stub, dependencies),
        }),
      );
    }
    for (const [stub, text] of stubs) outputs.set(stub, text);
    const jobs: Promise<void>[] = [];
    for (const { source, workers } of plan) {
      const relativeSource = posixRelative(config.root, source);
      for (const { worker, childFile } of workers) {
        const entry = emitChildEntry(worker);
        jobs.push(
          this.#bundle(entry, source, childFile, relativeSource, stubs).then(
            (bundle) => {
              outputs.set(childFile, bundle.text);
              for (const input of bundle.inputs)
                if (!input.split(path.sep).includes('node_modules')) dependencies.add(input);
            },
            (error: unknown) => {
              if (!(error instanceof ChildBundleError)) throw error;
              const lines = lineIndexes();
              for (const message of error.messages)
                diagnostics.push(bundleDiagnostic(config, source, worker, message, lines));
            },
          ),
        );
      }
    }
    await Promise.all(jobs);
  }

  async #bundle(
    entry: string,
    source: string,
    childFile: string,
    relativeSource: string,
    stubs: ReadonlyMap<string, string>,
  ): Promise<BundleCacheEntry> {
    const cached = this.#bundles.get(childFile);
    if (
      cached !== undefined &&
      cached.entry === entry &&
      [...cached.stubs].every(([stub, text]) => stubs.get(stub) === text)
    ) {
      return cached;
    }
    const bundle = await bundleChild({
      entry,
      sourceDir: path.dirname(source),
      outFile: childFile,
      root: this.config.root,
      banner: header(relativeSource),
      tsconfig: this.config.tsconfig,
      stubs,
    });
    const used = new Map<string, string>();
    for (const input of bundle.inputs) {
      const text = stubs.get(input);
      if (text !== undefined) used.set(input, text);
    }
    const fresh = { entry, text: bundle.text, inputs: bundle.inputs, stubs: used };
    this.#bundles.set(childFile, fresh);
    return fresh;
  }
}

/**
 * Whether a file on disk holds what this run generates; --check (PRX9902) and generate both ask only this, so what
 * one calls stale the other rewrites, and nothing else. A checkout (git's autocrlf on Windows) may have turned its
 * LF line ends into CRLF: that is the same file (git stores it as LF), so neither treats it as stale, where generate
 * would rewrite it on every run. A UTF-8 byte order mark is not: an editor put it there, git stores it, and the
 * header check still owns the file (parseHeader), so generate rewrites it once without the mark and --check says so
 * until then. What generate writes is always LF without a mark.
 */
function sameText(onDisk: string, generated: string): boolean {
  return onDisk === generated || onDisk.replace(/\r\n/g, '\n') === generated;
}

/**
 * PRX9043 for every output path that holds a file procxy did not generate (its first line is not the header): a
 * hand-written `foo.procxy.ts` beside a worker `foo.ts` would otherwise be overwritten without a word. Deleting is
 * guarded by the header in the same way (findOrphans), so a file without it is never lost to a run. A folder (or
 * anything else but a file) there is one too: reading it would fail with an error naming no path.
 */
function foreignFiles(
  config: ResolvedConfig,
  plan: readonly PlannedSource[],
  current: (file: string) => string | undefined,
): ProcxyDiagnostic[] {
  const found: ProcxyDiagnostic[] = [];
  for (const { source, stub, workers } of plan) {
    const relativeSource = posixRelative(config.root, source);
    const files = [
      { file: stub, worker: workers[0]!.worker },
      ...workers.map(({ worker, childFile }) => ({ file: childFile, worker })),
    ];
    for (const { file, worker } of files) {
      const stats = statOutput(file);
      if (stats !== undefined && !stats.isFile()) {
        found.push({
          ...worker.site,
          category: 'error',
          code: 'PRX9043',
          message: `${posixRelative(config.root, file)} is ${stats.isDirectory() ? 'a folder' : 'not a regular file'}, so generating ${relativeSource} cannot write it there; rename or move it (or the worker file)`,
        });
        continue;
      }
      const text = current(file);
      if (text === undefined || parseHeader(text) !== undefined) continue;
      found.push({
        ...worker.site,
        category: 'error',
        code: 'PRX9043',
        message: `${posixRelative(config.root, file)} exists and was not generated by procxy (its first line is not the '${HEADER_PREFIX.trim()} ...' header), so generating ${relativeSource} would overwrite it; rename or move that file (or the worker file), or delete it if it is an old generated file`,
      });
    }
  }
  return found;
}

/**
 * What sits at an output path, or undefined when nothing does, also when a folder above it is a file: writing there
 * fails with an error naming the path, which the command reports.
 */
function statOutput(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * PRX9042 for classes of one file whose child files differ only in case (`Foo`, `foo`): on a case-insensitive file
 * system (macOS, Windows) they are one file, so one child would serve both stubs. Outputs of two worker files that
 * differ only in case are found in #plan.
 */
function caseCollisions(
  config: ResolvedConfig,
  relativeSource: string,
  children: readonly { readonly worker: WorkerModel; readonly childFile: string }[],
): ProcxyDiagnostic[] {
  const seen = new Map<string, { readonly worker: WorkerModel; readonly childFile: string }>();
  const found: ProcxyDiagnostic[] = [];
  for (const child of children) {
    const { worker, childFile } = child;
    const key = childFile.toLowerCase();
    const seenChild = seen.get(key);
    if (seenChild === undefined) seen.set(key, child);
    // The same name exactly is PRX9018, reported by the analysis.
    else if (seenChild.childFile !== childFile) {
      const other = seenChild.worker;
      found.push({
        ...worker.site,
        category: 'error',
        code: 'PRX9042',
        message: `classes '${other.className}' and '${worker.className}' of ${relativeSource} would generate child files whose names differ only in case (${posixRelative(config.root, childFile)}), one file where case does not count (macOS, Windows); rename one of them`,
      });
    }
  }
  return found;
}

function bundleDiagnostic(
  config: ResolvedConfig,
  source: string,
  worker: WorkerModel,
  message: import('esbuild').Message,
  lines: (file: string) => LineIndex | undefined,
): ProcxyDiagnostic {
  const location = message.location;
  const file = location === null ? source : path.resolve(config.root, location.file);
  let start = 0;
  let column = 0;
  let length = 0;
  if (location !== null) {
    // esbuild's column and length are UTF-8 bytes; a diagnostic's are UTF-16 units, like TypeScript's.
    const index = lines(file);
    const lineText = index?.line(location.line - 1) ?? location.lineText;
    column = utf16Length(lineText, location.column);
    length = utf16Length(lineText.slice(column), location.length);
    start = index?.offset(location.line - 1, column) ?? 0;
  }
  return {
    code: 'PRX9050',
    file,
    start,
    length,
    line: location?.line ?? 1,
    column: column + 1,
    message: `cannot bundle the child of '${worker.className}': ${message.text}`,
    category: 'error',
  };
}

/**
 * The declarations of `transferTypes` (the config's, less those whose module does not parse); one the module does not
 * export is a ConfigError naming it.
 */
function transferSymbols(
  program: ts.Program,
  config: ResolvedConfig,
  transferTypes: readonly TransferType[],
): ReadonlySet<ts.Symbol> {
  const checker = program.getTypeChecker();
  const symbols = new Set<ts.Symbol>();
  for (const { entry, key, file, name } of transferTypes) {
    const source = program.getSourceFile(file);
    const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    const exported = module === undefined ? undefined : checker.tryGetMemberInModuleExports(name, module);
    const target = resolveAlias(checker, exported);
    if (target === undefined || !(target.flags & ts.SymbolFlags.Type)) {
      throw new ConfigError(
        `Invalid option "${key}": ${posixRelative(config.root, file)} exports no type named '${name}' (in '${entry}')`,
        key,
      );
    }
    symbols.add(target);
  }
  return symbols;
}

/** Loads the config and runs the generator once (throws ConfigError on a config problem). */
export async function generate(options: GenerateOptions = {}): Promise<GenerateResult> {
  const cwd = options.cwd ?? process.cwd();
  const config = await loadConfig(path.resolve(cwd, options.config ?? 'procxy.config.ts'));
  return new Generator(config).run({ check: options.check ?? false });
}

/** The JavaScript files the globs matched, which are no workers to procxy: named, as "no file" alone misleads. */
function javaScriptNote(root: string, scripts: readonly string[]): string {
  if (scripts.length === 0) return '';
  const named = scripts.slice(0, 3).map((file) => posixRelative(root, file));
  const more = scripts.length > 3 ? ` and ${scripts.length - 3} more` : '';
  return `: it matches JavaScript (${named.join(', ')}${more}), and procxy reads worker classes from .ts, .mts, .cts and .tsx files`;
}

/** Why a glob found nothing when its folder is a link out of the project, which globs do not follow. */
function linkedOutNote(bases: readonly string[]): string {
  if (bases.length === 0) return '';
  const named = bases.map((base) => `'${base}'`).join(', ');
  return `: ${named} ${bases.length === 1 ? 'is a link' : 'are links'} out of the project, which globs do not follow; name the target by its path if you mean it`;
}
