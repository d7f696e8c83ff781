// A lean incremental TypeScript program: only the worker files and what they import, lib files parsed without JSDoc.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ts } from 'ts-morph';
import { ConfigError } from './config.js';
import type { ProcxyDiagnostic } from './diagnostics.js';

/** Where lib files seem to live; their texts come from ts-morph (whose bundled TypeScript they belong to). */
const LIB_DIR = '/__procxy_lib__';

let libTexts: Map<string, string> | undefined;

/** The lib.*.d.ts texts that ship with ts-morph's TypeScript (the bundled compiler has no lib folder on disk). */
function libFiles(): Map<string, string> {
  if (libTexts === undefined) {
    const fromTsMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
    const common = fromTsMorph('@ts-morph/common') as {
      getLibFiles(): readonly { fileName: string; text: string }[];
    };
    libTexts = new Map(common.getLibFiles().map((f) => [`${LIB_DIR}/${f.fileName}`, f.text]));
  }
  return libTexts;
}

/** What the generator takes from a tsconfig. */
export interface Tsconfig {
  readonly options: ts.CompilerOptions;
  /**
   * The declaration files the tsconfig includes. They join the program's roots: a worker file often imports none
   * of them, yet they declare what its types use (`declare module 'x'`, global interfaces), as they do for tsc.
   */
  readonly declarationFiles: readonly string[];
}

/** The compiler options and declaration files of a tsconfig (following `extends`); a broken one is a ConfigError. */
export function readTsconfig(tsconfig: string): Tsconfig {
  let fatal: string | undefined;
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        fatal = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      },
    },
  );
  // TS18003, no input found: a new project's worker may not be written yet, and only the options are needed here.
  const noInputs = 18003;
  const error =
    fatal ?? parsed?.errors.find((d) => d.category === ts.DiagnosticCategory.Error && d.code !== noInputs);
  if (parsed === undefined || error !== undefined) {
    const text =
      typeof error === 'string' ? error : ts.flattenDiagnosticMessageText(error?.messageText ?? '', '\n');
    throw new ConfigError(`Invalid option "tsconfig": cannot read ${tsconfig}: ${text}`, 'tsconfig');
  }
  // A solution-style tsconfig (`files: []` and `references`) holds no options for the workers: those are in the
  // referenced project that includes them (the one tsserver would use), which the config must name.
  const references = parsed.projectReferences ?? [];
  if (parsed.fileNames.length === 0 && references.length > 0) {
    const names = references.map((r) => path.relative(path.dirname(tsconfig), r.path) || '.').join(', ');
    throw new ConfigError(
      `Invalid option "tsconfig": ${tsconfig} is a solution-style tsconfig (no files of its own, references ${names}); set "tsconfig" to the referenced one that includes the workers`,
      'tsconfig',
    );
  }
  return {
    options: parsed.options,
    declarationFiles: parsed.fileNames.filter((file) => /\.d\.[cm]?tsx?$/.test(file)),
  };
}

/** A file of TypeScript's own libraries or of a package: not the user's source. */
export function isLibraryFile(program: ts.Program, file: ts.SourceFile): boolean {
  return (
    program.isSourceFileDefaultLibrary(file) ||
    program.isSourceFileFromExternalLibrary(file) ||
    file.fileName.split('/').includes('node_modules')
  );
}

function isLibraryPath(file: string): boolean {
  return file.startsWith(LIB_DIR) || file.split('/').includes('node_modules');
}

/** Keeps parsed files between runs; `invalidate` drops one so the next program re-reads it. */
export class IncrementalProgram {
  readonly #options: ts.CompilerOptions;
  readonly #host: ts.CompilerHost;
  readonly #files = new Map<string, ts.SourceFile>();
  #program: ts.Program | undefined;

  /**
   * `root`, the config's folder, stands for the current directory: without a tsconfig, TypeScript looks for @types
   * packages from there, which must not depend on where the command runs.
   */
  constructor(options: ts.CompilerOptions, root: string) {
    this.#options = { ...options, noEmit: true, skipLibCheck: true, declaration: false, sourceMap: false };
    const libs = libFiles();
    const host = ts.createCompilerHost(this.#options, true);
    host.getCurrentDirectory = () => root;
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.getDefaultLibLocation = () => LIB_DIR;
    host.getDefaultLibFileName = (o) => `${LIB_DIR}/${ts.getDefaultLibFileName(o)}`;
    host.readFile = (file) => libs.get(file) ?? readFile(file);
    host.fileExists = (file) => libs.has(file) || fileExists(file);
    host.getSourceFile = (file, languageVersion) => {
      const cached = this.#files.get(file);
      if (cached !== undefined) return cached;
      let text = libs.get(file);
      if (text === undefined) {
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          return undefined;
        }
      }
      const options = typeof languageVersion === 'object' ? languageVersion : { languageVersion };
      // JSDoc is only needed in the user's own files (stub docs, @idempotent, opt-out tags): skipping it elsewhere
      // is most of the parse time of @types/node.
      const jsDocParsingMode = isLibraryPath(file)
        ? ts.JSDocParsingMode.ParseNone
        : ts.JSDocParsingMode.ParseAll;
      // No parent pointers here: binding the program sets them, a second pass over @types/node would be waste.
      const sourceFile = ts.createSourceFile(file, text, { ...options, jsDocParsingMode }, false);
      this.#files.set(file, sourceFile);
      return sourceFile;
    };
    this.#host = host;
  }

  /**
   * Whether TypeScript compiles `file` (which may not exist yet) to CommonJS, where `import.meta` is an error: by its
   * extension and the nearest package.json's `type` under node16/nodenext, else by `module`. The package.json that
   * decided it is added to `inputs`: an edit to its `type` changes the answer.
   */
  emitsCommonJs(file: string, inputs: Set<string>): boolean {
    const host = this.#host;
    const read = (found: string): void => {
      if (path.basename(found) === 'package.json') inputs.add(path.resolve(found));
    };
    const recording: ts.ModuleResolutionHost = {
      // A package.json looked for and not found counts too: one that appears there, nearer, decides instead.
      fileExists: (name) => {
        read(name);
        return host.fileExists(name);
      },
      readFile: (name) => {
        const text = host.readFile(name);
        if (text !== undefined) read(name);
        return text;
      },
      directoryExists: (dir) => host.directoryExists?.(dir) ?? true,
    };
    const format = ts.getImpliedNodeFormatForFile(file, undefined, recording, this.#options);
    if (format !== undefined) return format === ts.ModuleKind.CommonJS;
    const { module } = this.#options;
    return module === ts.ModuleKind.CommonJS || module === ts.ModuleKind.AMD || module === ts.ModuleKind.UMD;
  }

  /** Forgets a file so the next `program()` reads it again from disk. */
  invalidate(file: string): void {
    this.#files.delete(path.resolve(file));
  }

  /** A program over `rootNames`, reusing every unchanged file of the previous one. */
  program(rootNames: readonly string[]): ts.Program {
    this.#program = ts.createProgram({
      rootNames,
      options: this.#options,
      host: this.#host,
      ...(this.#program === undefined ? {} : { oldProgram: this.#program }),
    });
    return this.#program;
  }
}

/**
 * TypeScript's syntax errors in `file`, as diagnostics coded like tsc's (`TS1005`). The parser recovers from a syntax
 * error by guessing, so analysing such a file reports the guess (a method's type read as `any`, methods missing)
 * instead of the typo: the generator reports these and leaves the file out of the analysis.
 */
export function syntaxErrors(program: ts.Program, file: string): ProcxyDiagnostic[] {
  const sourceFile = program.getSourceFile(file);
  if (sourceFile === undefined) return [];
  return program.getSyntacticDiagnostics(sourceFile).map((d) => {
    const start = d.start ?? 0;
    const { line, character } = sourceFile.getLineAndCharacterOfPosition(start);
    return {
      code: `TS${d.code}`,
      file: sourceFile.fileName,
      start,
      length: d.length ?? 0,
      line: line + 1,
      column: character + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      category: 'error',
    };
  });
}

/**
 * The module specifiers of a file: imports and re-exports (type-only ones too), `import x = require()`, `import()`
 * and `import('./x').T`.
 */
function moduleSpecifiers(file: ts.SourceFile): ts.StringLiteralLike[] {
  const found: ts.StringLiteralLike[] = [];
  const add = (node: ts.Node | undefined): void => {
    if (node !== undefined && ts.isStringLiteralLike(node)) found.push(node);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isExternalModuleReference(node)) add(node.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * Where the relative imports of the program's own files that TypeScript could not resolve point (absolute, as
 * written: `shared/types.js` for a `types.ts` to come): a file appearing there may be what a failed run missed.
 */
export function unresolvedImports(program: ts.Program): string[] {
  const checker = program.getTypeChecker();
  const found = new Set<string>();
  for (const file of program.getSourceFiles()) {
    if (isLibraryFile(program, file)) continue;
    for (const specifier of moduleSpecifiers(file)) {
      if (!/^\.\.?\//.test(specifier.text) || checker.getSymbolAtLocation(specifier) !== undefined) continue;
      found.add(path.resolve(path.dirname(file.fileName), specifier.text));
    }
  }
  return [...found].sort();
}

/**
 * For a file of the program, that file and every file of the user's it imports or references (`/// <reference
 * path>`), directly or through one another (in the order they are found). Files of libraries and packages are left
 * out, and so is what only they import.
 */
export function importClosures(program: ts.Program): (file: string) => string[] {
  const checker = program.getTypeChecker();
  const direct = new Map<ts.SourceFile, ts.SourceFile[]>();
  const importsOf = (file: ts.SourceFile): ts.SourceFile[] => {
    let imported = direct.get(file);
    if (imported === undefined) {
      imported = [];
      for (const specifier of moduleSpecifiers(file)) {
        const target = checker.getSymbolAtLocation(specifier)?.declarations?.find(ts.isSourceFile);
        if (target !== undefined && !isLibraryFile(program, target)) imported.push(target);
      }
      // `/// <reference path>` brings a file's declarations in as an import would.
      for (const reference of file.referencedFiles) {
        const target = program.getSourceFile(
          ts.resolveTripleslashReference(reference.fileName, file.fileName),
        );
        if (target !== undefined && !isLibraryFile(program, target)) imported.push(target);
      }
      direct.set(file, imported);
    }
    return imported;
  };
  return (fileName) => {
    const root = program.getSourceFile(fileName);
    if (root === undefined) return [fileName];
    const seen = new Set([root]);
    for (const file of seen) for (const imported of importsOf(file)) seen.add(imported);
    return [...seen].map((file) => file.fileName);
  };
}
