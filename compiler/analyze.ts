// Reads worker classes with the type checker: their public methods, overloads, constructor and JSDoc.
import { ts } from 'ts-morph';
import { isReservedName } from '../runtime/method-names.js';
import { diagnosticAt, type ProcxyDiagnostic } from './diagnostics.js';
import { emitterOf, eventMapText, isHandleHook } from './emitter.js';
import {
  checkConstructor,
  checkEvents,
  checkSignature,
  nothingCallbacks,
  registerProgram,
  returnsNothing,
  type SerializationMode,
  takesHandles,
  UNCHECKED_TAG,
} from './procxiable.js';
import { isLibFile, shapeBuilderFor } from './procxiable-shape.js';
import { isLibraryFile } from './program.js';
import {
  constructorText,
  parametersOf,
  quote,
  type SignatureContext,
  signatureText,
} from './signature-text.js';
import { exportNamed, exportsValue, isSymbolKeyed, resolveAlias } from './symbols.js';
import { type RefPart, runtimePath, TypeNamer, type TypeText } from './type-text.js';

/** One call signature of a stub method, as text: `<T>(a: X, b?: Y): Promise<Awaited<R>>`. */
export interface SignatureModel {
  readonly jsDoc: string | undefined;
  readonly text: TypeText;
}

export interface MethodModel {
  readonly name: string;
  /** Declared `m?(): R`: the class may not have it. */
  readonly optional: boolean;
  readonly idempotent: boolean;
  /** Every signature's awaited result is void or undefined: the child answers without a value. */
  readonly returnsNothing: boolean;
  /** Argument positions of callbacks whose result is void or undefined: the parent answers them without a value. */
  readonly nothingCallbacks: readonly number[];
  /** Every overload (never the implementation signature), in declaration order. */
  readonly signatures: readonly SignatureModel[];
}

export interface WorkerModel {
  /** The public name: `spawn<className>`, `<className>Proxy`. */
  readonly className: string;
  /** The name in the class declaration (the class's `name` at run time, which the child checks). */
  readonly declaredName: string;
  /** How the worker module exports the class: its name, or 'default'. */
  readonly exportName: string;
  /**
   * Absolute path of the worker file: the one that exports the class, which may re-export it from the file that
   * declares it. Its child entry imports the class from there, by `exportName`.
   */
  readonly source: string;
  readonly jsDoc: string | undefined;
  readonly constructorJsDoc: string | undefined;
  /** The constructor's parameters as a tuple type (a union of tuples for overloads). */
  readonly constructorArgs: TypeText;
  /** Dispatch-table order: own methods in source order, then inherited ones. */
  readonly methods: readonly MethodModel[];
  /** The class name in its source, where diagnostics about the whole worker point. */
  readonly site: Pick<ProcxyDiagnostic, 'file' | 'start' | 'length' | 'line' | 'column'>;
  /** Unqualified names the stub text uses (globals, type parameters): imports must not shadow them. */
  readonly reserved: ReadonlySet<string>;
  /** A method takes an OS handle, or the class has the `[onHandle]` hook: the child needs Node's IPC channel. */
  readonly supportHandles: boolean;
  /** For an EventEmitter class: its event map as text, or undefined when it declares none (loose listeners). */
  readonly events: { readonly map: TypeText | undefined } | undefined;
}

export interface Analysis {
  readonly workers: readonly WorkerModel[];
  readonly diagnostics: readonly ProcxyDiagnostic[];
}

/** The JSDoc block written right above a declaration, re-indented to start at column 0. */
function jsDocOf(node: ts.Node | undefined): string | undefined {
  if (node === undefined) return undefined;
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const doc = docs[docs.length - 1];
  if (doc === undefined || doc.parent !== node) return undefined;
  const text = doc.getSourceFile().text.slice(doc.getStart(), doc.getEnd());
  return text
    .split(/\r?\n/)
    .map((line, index) => (index === 0 ? line.trim() : ` ${line.trim()}`))
    .join('\n');
}

function hasTag(node: ts.Node, tag: string): boolean {
  return ts.getJSDocTags(node).some((t) => t.tagName.text === tag);
}

/**
 * Whether `node`'s JSDoc marks it `@idempotent`: the tag with no text, first on its line. TypeScript starts a tag at
 * any `@` after a space, so prose that mentions the tag ("unlike refresh(), which is @idempotent") or gives it a
 * value ("@idempotent false") would otherwise have a method that must run once run again after a crash: such a tag
 * marks nothing and is reported (PRX9028).
 */
function markedIdempotent(node: ts.Node, owner: string, diagnostics: ProcxyDiagnostic[]): boolean {
  let marked = false;
  for (const tag of ts.getJSDocTags(node)) {
    if (tag.tagName.text !== 'idempotent') continue;
    const text = restOfLine(tag);
    if (text === '' && startsLine(tag)) {
      marked = true;
      continue;
    }
    const found = text === '' ? 'inside a line of text' : `followed by '${text}'`;
    diagnostics.push(
      diagnosticAt(
        tag,
        'PRX9028',
        `method '${owner}': @idempotent takes no value and must stand alone on its line of the JSDoc, but here it is ${found}; so '${owner}' is not idempotent and is never retried. Write @idempotent alone on a line to mark it, or reword the text (a mention in backquotes, as code, is no tag)`,
        'warning',
      ),
    );
  }
  return marked;
}

/**
 * What follows `tag`'s name on its own line, up to the JSDoc's end. TypeScript gives a tag the text of the lines
 * after it too, up to the next tag, which is the method's description when the tag comes first.
 */
function restOfLine(tag: ts.JSDocTag): string {
  const text = tag.getSourceFile().text;
  const start = tag.tagName.end;
  const newline = text.indexOf('\n', start);
  return text
    .slice(start, newline === -1 ? undefined : newline)
    .replace(/\*\/.*$/, '')
    .trim();
}

/** Whether only the JSDoc's opening or a line's leading `*` comes before `tag` on its line. */
function startsLine(tag: ts.JSDocTag): boolean {
  const text = tag.getSourceFile().text;
  const at = tag.getStart();
  return /^\s*(?:\/\*\*|\*)?\s*$/.test(text.slice(text.lastIndexOf('\n', at - 1) + 1, at));
}

interface Context extends SignatureContext {
  readonly program: ts.Program;
  readonly mode: SerializationMode;
  readonly transferTypes: ReadonlySet<ts.Symbol>;
}

/**
 * Analyses every exported class of the given worker files (absolute paths present in the program); `transferTypes`
 * are the declarations of the config's `transferTypes`.
 */
export function analyze(
  program: ts.Program,
  files: readonly string[],
  mode: SerializationMode,
  transferTypes: ReadonlySet<ts.Symbol> = new Set(),
): Analysis {
  const checker = program.getTypeChecker();
  registerProgram(program);
  const context: Context = { program, checker, mode, diagnostics: [], transferTypes };
  const workers: WorkerModel[] = [];
  const selected = new Set(files.map((f) => program.getSourceFile(f)).filter((f) => f !== undefined));
  for (const file of selected) workers.push(...analyzeFile(context, file, selected));
  return { workers, diagnostics: context.diagnostics };
}

function analyzeFile(
  context: Context,
  file: ts.SourceFile,
  selected: ReadonlySet<ts.SourceFile>,
): WorkerModel[] {
  const { checker, program } = context;
  const moduleSymbol = checker.getSymbolAtLocation(file);
  /** Each worker class, with the exports that name it. */
  const classes = new Map<ts.ClassDeclaration, ts.Symbol[]>();
  const expressions = new Set<ts.VariableDeclaration>();
  for (const exported of moduleSymbol === undefined ? [] : checker.getExportsOfModule(moduleSymbol)) {
    const target = resolveAlias(checker, exported);
    const holder = classExpressionHolder(target);
    if (holder !== undefined && holder.getSourceFile() === file && !expressions.has(holder)) {
      expressions.add(holder);
      const declaration =
        exported.name === 'default'
          ? `export default class ${holder.name.getText()}`
          : `export class ${exported.name}`;
      context.diagnostics.push(
        diagnosticAt(
          holder.name,
          'PRX9015',
          `'${exported.name}' holds a class expression, so it is not a worker (the generator reads class declarations); declare it as \`${declaration} { ... }\` to generate its stub`,
          'warning',
        ),
      );
    }
    const decl = target.declarations?.find(ts.isClassDeclaration);
    if (decl === undefined) continue;
    // A class re-exported from another file of the project is a worker of this file too (its child imports it from
    // here, as procxy() would), unless "workers" selects the file that declares it: that file's stub serves it, and
    // a second stub would only compete with it. A package's class (a declaration file) is not the project's worker.
    const home = decl.getSourceFile();
    if (home !== file && (selected.has(home) || home.isDeclarationFile || isLibraryFile(program, home)))
      continue;
    // Exported as a type only, the class is no value of the module: no child could load it.
    if (!exportsValue(checker, file, exported.name)) continue;
    classes.set(decl, [...(classes.get(decl) ?? []), exported]);
  }
  const exportEquals = file.statements.find((s) => ts.isExportAssignment(s) && s.isExportEquals);
  if (exportEquals !== undefined) {
    context.diagnostics.push(
      diagnosticAt(
        exportEquals,
        'PRX9017',
        'this file exports with `export =`, which the generator does not read, so no class in it is a worker; export the class itself (`export class Name { ... }` or `export default class Name { ... }`) to generate its stub',
        'warning',
      ),
    );
  } else if (classes.size === 0) {
    for (const statement of file.statements) {
      if (ts.isClassDeclaration(statement) && statement.name !== undefined) {
        context.diagnostics.push(
          diagnosticAt(
            statement.name,
            'PRX9012',
            `class '${statement.name.text}' is not exported, so it is not a worker (only exported classes of files matching "workers" are)`,
            'warning',
          ),
        );
      }
    }
  }
  const workers: WorkerModel[] = [];
  // Classes declared here in source order, then re-exported ones in the order the file exports them.
  const declaredHere = [...classes].filter(([decl]) => decl.getSourceFile() === file);
  const reexported = [...classes].filter(([decl]) => decl.getSourceFile() !== file);
  const ordered = [...declaredHere.sort(([a], [b]) => a.pos - b.pos), ...reexported];
  /** The classes by the name the stub gives them, with the export that names each. */
  const named = new Map<string, NamedClass>();
  for (const [decl, exports] of ordered) {
    const names = exports.map((e) => e.name);
    if ((ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Abstract) !== 0) continue;
    // An error class exported beside the worker (for the parent's `instanceof`) is none.
    // The declaration's type, not its name's symbol: `export default class extends Error {}` has no name.
    if (shapeBuilderFor(checker, context.transferTypes).isError(checker.getTypeAtLocation(decl))) continue;
    if (!file.isDeclarationFile && isAmbient(decl)) {
      context.diagnostics.push(
        diagnosticAt(
          decl.name ?? decl,
          'PRX9016',
          `class '${decl.name?.text ?? 'default'}' is declared with \`declare\`, so this file has no JavaScript for it and it is not a worker; drop \`declare\` and implement it to generate its stub`,
          'warning',
        ),
      );
      continue;
    }
    const exportName =
      names.find((n) => n !== 'default' && isIdentifierText(n)) ??
      names.find((n) => n !== 'default') ??
      'default';
    // The stub's names (`<Name>Proxy`, `spawn<Name>`) must be identifiers: a class exported only as a string
    // (`export { Impl as 'my-worker' }`) or as default is named after its declaration.
    const className = exportName !== 'default' && isIdentifierText(exportName) ? exportName : decl.name?.text;
    if (className === undefined) {
      context.diagnostics.push(
        diagnosticAt(
          decl.getChildren().find((c) => c.kind === ts.SyntaxKind.ClassKeyword) ?? decl,
          'PRX9013',
          'a default-exported worker class needs a name: the stub is called spawn<Name>',
          'error',
        ),
      );
      continue;
    }
    const thisOne: NamedClass = {
      decl,
      exportName,
      site: exportSite(checker, file, exports.find((e) => e.name === exportName)!),
    };
    const sameName = named.get(className);
    if (sameName === undefined) named.set(className, thisOne);
    else context.diagnostics.push(nameClash(className, file, sameName, thisOne));
    if (decl.typeParameters !== undefined && decl.typeParameters.length > 0) {
      context.diagnostics.push(
        diagnosticAt(
          decl.typeParameters[0]!,
          'PRX9014',
          `worker class '${className}' is generic; a worker class cannot have type parameters (the child constructs it from values only). Make a subclass that fixes them and export that`,
          'error',
        ),
      );
      continue;
    }
    workers.push(analyzeClass(context, decl, className, exportName, file));
  }
  return workers;
}

interface NamedClass {
  readonly decl: ts.ClassDeclaration;
  readonly exportName: string;
  /** Where the worker file exports it as `exportName`. */
  readonly site: ts.Node | undefined;
}

/** Where `file` exports `exported`: its `export` specifier or class, or the `export *` it comes through. */
function exportSite(checker: ts.TypeChecker, file: ts.SourceFile, exported: ts.Symbol): ts.Node | undefined {
  const here = exported.declarations?.find((d) => d.getSourceFile() === file);
  if (here !== undefined) return ts.isClassDeclaration(here) ? (here.name ?? here) : here;
  return file.statements.find((statement) => {
    if (!ts.isExportDeclaration(statement) || statement.exportClause !== undefined) return false;
    const module =
      statement.moduleSpecifier === undefined
        ? undefined
        : checker.getSymbolAtLocation(statement.moduleSpecifier);
    return exportNamed(checker, module, exported.name) !== undefined;
  });
}

/**
 * PRX9018 for two classes of one worker file that the stub would give one name (`<Name>Proxy`, `spawn<Name>`, the
 * child file): a class exported only as a string or as default is named after its declaration, which may be the
 * name another class is exported by. Placed at the later of the two exports.
 */
function nameClash(className: string, file: ts.SourceFile, a: NamedClass, b: NamedClass): ProcxyDiagnostic {
  const position = (c: NamedClass): number =>
    c.site?.getSourceFile() === file ? c.site.getStart() : Number.MAX_SAFE_INTEGER;
  const [first, later] = position(b) >= position(a) ? [a, b] : [b, a];
  const how = (c: NamedClass): string => {
    const as =
      c.exportName === 'default'
        ? 'the default export'
        : `exported as ${isIdentifierText(c.exportName) ? c.exportName : `'${c.exportName}'`}`;
    const from = moduleOf(c.site);
    return `'${c.decl.name?.text ?? 'default'}' (${as}${from === undefined ? '' : ` from ${from}`})`;
  };
  // The class named after its declaration can take an identifier export of its own beside the one it has.
  const renamable = later.exportName !== className ? later : first;
  const example = exportExample(renamable, className);
  return diagnosticAt(
    later.site ?? later.decl.name ?? later.decl,
    'PRX9018',
    `classes ${how(first)} and ${how(later)} would both be named ${className} in the stub (${className}Proxy, spawn${className}, its child file), which can serve only one; export one of them under an identifier of its own${example === undefined ? '' : `, e.g. \`${example}\``}, or rename one of the classes`,
    'error',
  );
}

/** The module an export re-exports from, as written (`'./impl/store.js'`). */
function moduleOf(site: ts.Node | undefined): string | undefined {
  const declaration = site === undefined ? undefined : ts.isExportSpecifier(site) ? site.parent.parent : site;
  return declaration !== undefined && ts.isExportDeclaration(declaration)
    ? declaration.moduleSpecifier?.getText()
    : undefined;
}

/** An export that would give `c` a name of its own, or undefined when the file has no name of it to export. */
function exportExample(c: NamedClass, className: string): string | undefined {
  const fromName = c.exportName
    .split(/[^A-Za-z0-9_$]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  const name =
    c.exportName !== 'default' && fromName !== className && isIdentifierText(fromName)
      ? fromName
      : `Other${className}`;
  const { site } = c;
  if (site !== undefined && ts.isExportSpecifier(site)) {
    const from = moduleOf(site);
    return `export { ${(site.propertyName ?? site.name).getText()} as ${name} }${from === undefined ? '' : ` from ${from}`};`;
  }
  if (site !== undefined && ts.isExportAssignment(site) && ts.isIdentifier(site.expression))
    return `export { ${site.expression.text} as ${name} };`;
  if (site === c.decl.name && c.decl.name !== undefined) return `export { ${c.decl.name.text} as ${name} };`;
  return undefined;
}

function analyzeClass(
  context: Context,
  decl: ts.ClassDeclaration,
  className: string,
  exportName: string,
  workerFile: ts.SourceFile,
): WorkerModel {
  const { checker, program } = context;
  const file = decl.getSourceFile();
  const reserved = new Set<string>();
  // The stub names the class as the worker file exports it, which may re-export it from `file`.
  const classRef: RefPart = {
    kind: 'ref',
    module: { kind: 'file', path: runtimePath(workerFile.fileName) },
    name: exportName,
    preferred: className,
  };
  const namer = new TypeNamer(checker, reserved, classRef, file);
  const classSymbol = checker.getSymbolAtLocation(decl.name ?? decl)!;
  const instanceType = checker.getDeclaredTypeOfSymbol(classSymbol);
  const emitter = emitterOf(checker, instanceType);
  const { transferTypes } = context;
  let supportHandles = false;
  const methods: MethodModel[] = [];
  for (const property of checker.getPropertiesOfType(instanceType)) {
    const declarations = property.declarations ?? [];
    const first = declarations[0];
    // Built-ins (Object, EventEmitter) are not the worker's methods; a package's base class is a user class like any.
    if (first === undefined || isLibFile(first.getSourceFile())) continue;
    const nameNode = ts.getNameOfDeclaration(first);
    if (nameNode !== undefined && ts.isComputedPropertyName(nameNode) && isHandleHook(checker, nameNode)) {
      supportHandles = true;
    }
    if (nameNode === undefined || ts.isPrivateIdentifier(nameNode)) continue;
    if ((ts.getCombinedModifierFlags(first) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0)
      continue;
    const isMethod = ts.isMethodDeclaration(first) || ts.isMethodSignature(first);
    // A computed name the checker resolves to a string (`['literal']`, `[KEY]` with a const KEY) is a method like
    // any other at run time, where the child lists methods by their string names; a symbol-named one never is.
    if (ts.isComputedPropertyName(nameNode) && isSymbolKeyed(property)) {
      if (isMethod && !isHandleHook(checker, nameNode) && !isLibraryName(program, checker, nameNode)) {
        context.diagnostics.push(
          diagnosticAt(
            nameNode,
            'PRX9026',
            `method '${className}.${nameNode.getText()}' is named by a symbol, so it is not part of the proxy (the child serves methods by their string names); give it a string name to call it through the proxy`,
            'warning',
          ),
        );
      }
      continue;
    }
    const name = property.getName();
    const owner = `${className}.${name}`;
    const type = checker.getTypeOfSymbolAtLocation(property, decl);
    if (!isMethod) {
      if (
        (ts.isPropertyDeclaration(first) || ts.isPropertySignature(first)) &&
        type.getCallSignatures().length > 0
      ) {
        context.diagnostics.push(
          diagnosticAt(
            nameNode,
            'PRX9023',
            `'${owner}' is a function-valued property, not a method, so the proxy does not have it; declare it as a method to call it through the proxy`,
            'warning',
          ),
        );
      }
      continue;
    }
    if (name.startsWith('$')) {
      context.diagnostics.push(
        diagnosticAt(
          nameNode,
          'PRX9020',
          `method '${owner}': names starting with '$' are reserved for the proxy's own members ($terminate, $process, $with, ...); rename it, or make it private`,
          'error',
        ),
      );
      continue;
    }
    if (name.startsWith('_')) {
      context.diagnostics.push(
        diagnosticAt(
          nameNode,
          'PRX9021',
          `method '${owner}' starts with '_', so it is internal and not part of the proxy; mark it private (or #private) to silence this, or rename it to call it through the proxy`,
          'warning',
        ),
      );
      continue;
    }
    if (emitter?.members.has(name)) {
      context.diagnostics.push(
        diagnosticAt(
          nameNode,
          'PRX9025',
          `method '${owner}' has the name of an EventEmitter member, which the proxy of an EventEmitter worker keeps for the child's events (on, once, off, removeListener, listenerCount); it is left out of the proxy. Rename it to call it through the proxy`,
          'warning',
        ),
      );
      continue;
    }
    // Names the proxy object owns or that JavaScript gives meaning to: the child serves no method with one.
    if (isReservedName(name)) {
      context.diagnostics.push(
        diagnosticAt(
          nameNode,
          'PRX9022',
          `method '${owner}' cannot be called through a proxy: '${name}' is a built-in name (a proxy with it would misbehave, e.g. 'then' makes it a thenable); rename it`,
          'error',
        ),
      );
      continue;
    }
    if (!isImplemented(checker, property, instanceType)) {
      context.diagnostics.push(
        diagnosticAt(
          nameNode,
          'PRX9024',
          `method '${owner}' is declared but never implemented, so the child has nothing to call; it is left out of the proxy`,
          'warning',
        ),
      );
      continue;
    }
    const signatures = type.getCallSignatures();
    const allowIndexed = signatures.length === 1 && (signatures[0]!.getTypeParameters()?.length ?? 0) === 0;
    const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
    // `opt?()` is `F | undefined` through the class, which Parameters<> and ReturnType<> refuse (TS2344).
    const member: TypeText = [classRef, `[${quote(name)}]`];
    const base: TypeText = optional ? ['NonNullable<', ...member, '>'] : member;
    const models: SignatureModel[] = [];
    const reported = context.diagnostics.length;
    for (const signature of signatures) {
      const declaration = signature.getDeclaration();
      context.diagnostics.push(
        ...checkSignature({
          signature,
          declaration,
          owner,
          mode: context.mode,
          checker,
          allowCallbacks: true,
          transferTypes,
        }),
      );
      if (takesHandles(signature, checker, transferTypes)) supportHandles = true;
      const text = signatureText(
        context,
        namer,
        signature,
        declaration,
        owner,
        allowIndexed ? base : undefined,
      );
      if (text !== undefined) models.push({ jsDoc: jsDocOf(declaration), text });
    }
    // A package's method that cannot cross is no error of the worker's, which cannot change it: it is left out.
    if (isLibraryFile(program, first.getSourceFile())) {
      const found = context.diagnostics.splice(reported);
      const refusal = found.find((d) => d.category === 'error');
      if (refusal !== undefined) {
        context.diagnostics.push(
          diagnosticAt(
            decl.name ?? decl,
            'PRX9027',
            `method '${owner}', inherited from a package, is left out of the proxy: ${refusal.message.replace(/\.$/, '')}. Override it in '${className}' to call it through the proxy`,
            'warning',
          ),
        );
        continue;
      }
      context.diagnostics.push(...found);
    }
    if (models.length !== signatures.length) continue;
    methods.push({
      name,
      optional,
      // Every declaration is read: each misplaced tag is reported.
      idempotent: declarations.map((d) => markedIdempotent(d, owner, context.diagnostics)).includes(true),
      returnsNothing: returnsNothing(checker, signatures),
      nothingCallbacks: nothingCallbacks(checker, signatures),
      signatures: models,
    });
  }
  const constructSignatures = checker.getTypeOfSymbolAtLocation(classSymbol, decl).getConstructSignatures();
  for (const signature of constructSignatures) {
    const declaration = signature.getDeclaration() as ts.ConstructorDeclaration | undefined;
    const params = declaration === undefined ? [] : parametersOf(declaration);
    context.diagnostics.push(
      ...checkConstructor({
        declaration,
        params,
        owner: className,
        mode: context.mode,
        checker,
        signature,
        transferTypes,
        fallback: decl.name ?? decl,
      }),
    );
  }
  let events: WorkerModel['events'];
  if (emitter !== undefined) {
    const fallback = decl.name ?? decl;
    if (emitter.map !== undefined) {
      context.diagnostics.push(
        ...checkEvents({
          events: emitter.map,
          fallback,
          owner: className,
          mode: context.mode,
          checker,
          transferTypes,
          unchecked: hasTag(decl, UNCHECKED_TAG),
        }),
      );
    }
    events = { map: eventMapText(context, namer, decl, emitter, className) };
  }
  const constructorArgs = constructorText(context, namer, constructSignatures, className, classRef);
  const ctorDecl = decl.members.find(
    (m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined,
  );
  return {
    className,
    declaredName: decl.name?.text ?? className,
    exportName,
    source: workerFile.fileName,
    jsDoc: jsDocOf(decl),
    constructorJsDoc: jsDocOf(ctorDecl),
    constructorArgs,
    methods,
    site: siteOf(decl.name ?? decl),
    reserved,
    supportHandles,
    events,
  };
}

/** Whether `name` is an identifier (Unicode ones included: `Prüfer`), so a stub can name things after it. */
function isIdentifierText(name: string): boolean {
  const points = [...name].map((c) => c.codePointAt(0)!);
  return (
    points.length > 0 &&
    ts.isIdentifierStart(points[0]!, ts.ScriptTarget.Latest) &&
    points.every((p) => ts.isIdentifierPart(p, ts.ScriptTarget.Latest))
  );
}

/**
 * Whether the instance the child constructs has the method: a body, or an ambient declaration (a `.d.ts` or `declare
 * class` describes JavaScript that has it). A signature an interface merges into the class is the base class's
 * method when a base has one.
 */
function isImplemented(checker: ts.TypeChecker, property: ts.Symbol, classType: ts.Type): boolean {
  const declarations = property.declarations ?? [];
  const concrete = declarations.some(
    (d) =>
      ts.isMethodDeclaration(d) &&
      (d.body !== undefined ||
        // An optional one (`onStop?(): void`) may be absent from the JavaScript.
        (isAmbient(d) &&
          d.questionToken === undefined &&
          (ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Abstract) === 0)),
  );
  if (concrete || !isClass(classType.getSymbol())) return concrete;
  for (const base of checker.getBaseTypes(classType as ts.InterfaceType)) {
    const inherited = checker.getPropertyOfType(base, property.getName());
    const baseSymbol = base.getSymbol();
    // A mixin's base (an intersection) has no bases to look further into.
    const baseType = isClass(baseSymbol) ? checker.getDeclaredTypeOfSymbol(baseSymbol) : base;
    if (inherited !== undefined && isImplemented(checker, inherited, baseType)) return true;
  }
  return false;
}

/** In a `.d.ts` or under `declare`: a description of JavaScript, whose methods have no bodies here. */
function isAmbient(node: ts.Node): boolean {
  if (node.getSourceFile().isDeclarationFile) return true;
  for (let n: ts.Node | undefined = node; n !== undefined; n = n.parent) {
    if ((ts.getCombinedModifierFlags(n as ts.Declaration) & ts.ModifierFlags.Ambient) !== 0) return true;
  }
  return false;
}

/** The variable an exported class expression is held in (`export const VW = class { ... }`), which no-build procxy takes. */
function classExpressionHolder(symbol: ts.Symbol): ts.VariableDeclaration | undefined {
  const declaration = symbol.valueDeclaration;
  if (declaration === undefined || !ts.isVariableDeclaration(declaration)) return undefined;
  let value = declaration.initializer;
  while (value !== undefined && (ts.isParenthesizedExpression(value) || ts.isSatisfiesExpression(value)))
    value = value.expression;
  return value !== undefined && ts.isClassExpression(value) ? declaration : undefined;
}

function isClass(symbol: ts.Symbol | undefined): symbol is ts.Symbol {
  return symbol !== undefined && (symbol.flags & ts.SymbolFlags.Class) !== 0;
}

/**
 * A computed name whose symbol a library declares (`[Symbol.dispose]`, `[inspect.custom]`): a protocol the runtime or
 * Node uses on the child's side, not a method meant for the proxy.
 */
function isLibraryName(program: ts.Program, checker: ts.TypeChecker, name: ts.ComputedPropertyName): boolean {
  const expression = ts.isPropertyAccessExpression(name.expression) ? name.expression.name : name.expression;
  const symbol = resolveAlias(checker, checker.getSymbolAtLocation(expression));
  const declaration = symbol?.declarations?.[0];
  return declaration !== undefined && isLibraryFile(program, declaration.getSourceFile());
}

function siteOf(node: ts.Node): WorkerModel['site'] {
  const { file, start, length, line, column } = diagnosticAt(node, '', '', 'error');
  return { file, start, length, line, column };
}
