// Turns a type written in (or inferred for) a worker signature into text that a generated stub can compile.
import path from 'node:path';
import { ts } from 'ts-morph';
import { quote } from './signature-text.js';
import { resolveAlias } from './symbols.js';

/** Where an imported name comes from: a file (absolute path with its runtime extension) or a bare specifier. */
export type ModuleRef =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'package'; readonly specifier: string };

/** A name the stub must import (type-only); `name` is the export name, `'default'` or `'*'` (namespace). */
export interface RefPart {
  readonly kind: 'ref';
  readonly module: ModuleRef;
  readonly name: string;
  readonly preferred: string;
}

/** A module specifier inside `import('...')` types, rewritten relative to the generated file. */
export interface SpecPart {
  readonly kind: 'spec';
  readonly module: ModuleRef;
}

export type Part = string | RefPart | SpecPart;
/** Text made of literal pieces and references resolved when the generated file is printed. */
export type TypeText = readonly Part[];

/** Why a type cannot be written in the stub as it is. */
export type Unnameable = {
  readonly ok: false;
  /** The identifier that cannot be named. */
  readonly name: string;
  readonly reason:
    | 'not-exported'
    | 'class-type-parameter'
    | 'outer-type-parameter'
    | 'parameter'
    | 'unresolved'
    | 'external';
  /** For 'not-exported': the file that declares it. */
  readonly file?: string;
};
export type Named = { readonly ok: true; readonly text: TypeText };

/** Where the text will stand. */
export interface NameScope {
  /**
   * Whether the signature's parameters are in scope (`b: typeof a`): in a method signature they are, in the tuple of
   * constructor arguments they are not.
   */
  readonly parameters: boolean;
}

const IN_SIGNATURE: NameScope = { parameters: true };
export type NameResult = Named | Unnameable;

/** The runtime specifier path of a source file: `.ts` -> `.js`, `.mts` -> `.mjs`, `.cts` -> `.cjs`. */
export function runtimePath(file: string): string {
  return file.replace(/(\.d)?\.([cm]?)tsx?$/, (_m, _d, flavour: string) => `.${flavour}js`);
}

function moduleFromSpecifier(specifier: string, fromFile: string): ModuleRef {
  return specifier.startsWith('.') || specifier.startsWith('/')
    ? { kind: 'file', path: path.resolve(path.dirname(fromFile), specifier) }
    : { kind: 'package', specifier };
}

function isInNodeModules(file: string): boolean {
  return file.split(/[\\/]/).includes('node_modules');
}

/** The module an ambient `declare module 'x'` block declares, or 'global' for global scope, or undefined. */
function enclosingScope(
  decl: ts.Node,
): { kind: 'global' } | { kind: 'ambient'; specifier: string; module: ts.ModuleDeclaration } | undefined {
  for (let node: ts.Node | undefined = decl.parent; node !== undefined; node = node.parent) {
    if (ts.isModuleDeclaration(node)) {
      if ((node.flags & ts.NodeFlags.GlobalAugmentation) !== 0) return { kind: 'global' };
      if (ts.isStringLiteral(node.name)) return { kind: 'ambient', specifier: node.name.text, module: node };
    }
  }
  return ts.isExternalModule(decl.getSourceFile()) ? undefined : { kind: 'global' };
}

/** Resolves type names to imports; `reserved` collects every name the stub text uses unqualified. */
export class TypeNamer {
  readonly #checker: ts.TypeChecker;
  readonly #reserved: Set<string>;
  readonly #exportsCache = new Map<ts.Symbol, Map<ts.Symbol, string>>();
  readonly #self: RefPart;
  readonly #workerFile: ts.SourceFile;

  /**
   * `self` is the worker class, written for the `this` type: in the worker's signatures `this` is an instance of
   * the worker, but in the proxy interface the stub declares it would be the proxy. `workerFile` declares it: a
   * package's types are imported by the specifiers it (or the file of the method) imports them with.
   */
  constructor(checker: ts.TypeChecker, reserved: Set<string>, self: RefPart, workerFile: ts.SourceFile) {
    this.#checker = checker;
    this.#reserved = reserved;
    this.#self = self;
    this.#workerFile = workerFile;
  }

  /** Keeps `name` free: imports get another local name. */
  reserve(name: string): void {
    this.#reserved.add(name);
  }

  /** Rewrites a type node as written in the source (names resolved where it was written). */
  written(node: ts.Node, scope: NameScope = IN_SIGNATURE): NameResult {
    const sourceFile = node.getSourceFile();
    const signature = signatureOf(node);
    const edits: { start: number; end: number; parts: readonly Part[] }[] = [];
    let failure: Unnameable | undefined;
    const visit = (child: ts.Node): void => {
      if (failure !== undefined) return;
      if (ts.isThisTypeNode(child)) {
        edits.push({ start: child.getStart(sourceFile), end: child.getEnd(), parts: [this.#self] });
        return;
      }
      if (ts.isTypeQueryNode(child) && isThisQuery(child.exprName)) {
        const access = this.#thisAccess(child);
        if (!access.ok) failure = access;
        else edits.push({ start: child.getStart(sourceFile), end: child.getEnd(), parts: access.text });
        return;
      }
      const target = referenceRoot(child);
      if (target !== undefined) {
        const resolved = this.#resolveIdentifier(
          target,
          this.#checker.getSymbolAtLocation(target),
          scope,
          signature,
        );
        if (!resolved.ok) failure = resolved;
        else if (resolved.part !== undefined) {
          edits.push({ start: target.getStart(sourceFile), end: target.getEnd(), parts: [resolved.part] });
        }
      }
      if (ts.isImportTypeNode(child) && ts.isLiteralTypeNode(child.argument)) {
        const literal = child.argument.literal;
        if (ts.isStringLiteral(literal)) {
          const module = moduleFromSpecifier(literal.text, sourceFile.fileName);
          edits.push({
            start: literal.getStart(sourceFile),
            end: literal.getEnd(),
            parts: [{ kind: 'spec', module }],
          });
        }
      }
      ts.forEachChild(child, visit);
    };
    visit(node);
    if (failure !== undefined) return failure;
    const parts: Part[] = [];
    let cursor = node.getStart(sourceFile);
    // Source text is copied with LF line ends: a CRLF checkout must generate the same bytes (--check).
    const copy = (end: number): string => sourceFile.text.slice(cursor, end).replace(/\r\n?/g, '\n');
    for (const edit of edits.sort((a, b) => a.start - b.start)) {
      parts.push(copy(edit.start), ...edit.parts);
      cursor = edit.end;
    }
    parts.push(copy(node.getEnd()));
    return { ok: true, text: compact(parts) };
  }

  /** Prints a type the checker computed (inferred or instantiated), naming what it references. */
  inferred(type: ts.Type, enclosing: ts.Node, scope: NameScope = IN_SIGNATURE): NameResult {
    const flags =
      ts.NodeBuilderFlags.NoTruncation |
      ts.NodeBuilderFlags.UseAliasDefinedOutsideCurrentScope |
      ts.NodeBuilderFlags.IgnoreErrors;
    const node = this.#checker.typeToTypeNode(type, enclosing, flags);
    if (node === undefined)
      return { ok: false, name: this.#checker.typeToString(type), reason: 'unresolved' };
    const file = enclosing.getSourceFile();
    const parts: Part[] = [];
    let failure: Unnameable | undefined;
    const placeholders: Part[] = [];
    const printer = ts.createPrinter({ removeComments: true });
    const transformer: ts.TransformerFactory<ts.Node> = (context) => {
      const visit = (child: ts.Node): ts.Node => {
        if (failure !== undefined) return child;
        if (ts.isThisTypeNode(child)) {
          placeholders.push(this.#self);
          return ts.factory.createTypeReferenceNode(`__procxy${placeholders.length - 1}__`);
        }
        if (ts.isUnionTypeNode(child)) {
          const sorted = sortUnion(child, (member) =>
            printer.printNode(ts.EmitHint.Unspecified, member, file),
          );
          return ts.visitEachChild(sorted, visit, context);
        }
        const target = referenceRoot(child);
        if (target !== undefined) {
          // The node builder records on each identifier it creates the symbol it names (internal, but it is how
          // declaration emit resolves them too); without it an inferred type cannot be imported.
          const symbol = (target as ts.Identifier & { symbol?: ts.Symbol }).symbol;
          const resolved = this.#resolveIdentifier(target, symbol, scope, enclosing);
          if (!resolved.ok) failure = resolved;
          else if (resolved.part !== undefined) {
            const replaced = replaceRoot(
              child,
              ts.factory.createIdentifier(`__procxy${placeholders.length}__`),
            );
            if (replaced === undefined) failure = { ok: false, name: target.text, reason: 'unresolved' };
            else {
              placeholders.push(resolved.part);
              // Type arguments name types too (`Page<Item>`).
              return ts.visitEachChild(replaced, visit, context);
            }
          }
        }
        return ts.visitEachChild(child, visit, context);
      };
      return (root) => ts.visitNode(root, visit) as ts.Node;
    };
    const transformed = ts.transform(node, [transformer]).transformed[0]!;
    if (failure !== undefined) return failure;
    const printed = printer.printNode(ts.EmitHint.Unspecified, transformed, file);
    if (/\bimport\(/.test(printed)) return { ok: false, name: printed, reason: 'unresolved' };
    for (const piece of printed.split(/(__procxy\d+__)/)) {
      const match = /^__procxy(\d+)__$/.exec(piece);
      parts.push(match === null ? piece : placeholders[Number(match[1])]!);
    }
    return { ok: true, text: compact(parts) };
  }

  /**
   * `typeof this.a.b` as `Self['a']['b']`: the stub has no `this` of the worker. A private or protected member, or
   * type arguments, cannot be written that way (the caller falls back to the type the checker computed).
   */
  #thisAccess(query: ts.TypeQueryNode): Named | Unnameable {
    const keys: string[] = [];
    let name = query.exprName;
    while (ts.isQualifiedName(name)) {
      const member = this.#checker.getSymbolAtLocation(name.right)?.declarations?.[0];
      const hidden =
        member === undefined ||
        name.right.text.startsWith('#') ||
        (ts.getCombinedModifierFlags(member) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0;
      if (hidden || query.typeArguments !== undefined) {
        return { ok: false, name: query.exprName.getText(), reason: 'unresolved' };
      }
      keys.unshift(`[${quote(name.right.text)}]`);
      name = name.left;
    }
    return { ok: true, text: [this.#self, ...keys] };
  }

  /**
   * Undefined part: keep the identifier as written (and reserve its name). `signature` is the declaration being
   * written, whose own type parameters the stub's signature declares too.
   */
  #resolveIdentifier(
    identifier: ts.Identifier,
    symbol: ts.Symbol | undefined,
    where: NameScope,
    signature: ts.Node | undefined,
  ): { ok: true; part: RefPart | undefined } | Unnameable {
    const name = identifier.text;
    if (symbol === undefined) return { ok: false, name, reason: 'unresolved' };
    if ((symbol.flags & ts.SymbolFlags.Alias) !== 0) {
      // A package's own imports (relative ones, its dependencies) are not the stub's to repeat: what they name is
      // looked up among the packages the user's files import.
      const aliasFile = symbol.declarations?.[0]?.getSourceFile().fileName;
      if (aliasFile === undefined || !isInNodeModules(aliasFile))
        return this.#resolveAlias(identifier, symbol);
      symbol = this.#checker.getAliasedSymbol(symbol);
      if (symbol.declarations === undefined) return { ok: false, name, reason: 'unresolved' };
    }
    const decl = symbol.declarations?.[0];
    if (decl === undefined) {
      // Checker-made symbols (e.g. `globalThis`) are global.
      this.#reserved.add(name);
      return { ok: true, part: undefined };
    }
    if ((symbol.flags & ts.SymbolFlags.TypeParameter) !== 0) {
      const owner = decl.parent;
      if (owner !== undefined && (ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner))) {
        return { ok: false, name, reason: 'class-type-parameter' };
      }
      // A mixin's method may use its function's `K`, which is not in scope in the stub: the caller falls back to
      // the instantiated type, as for a class's.
      if (owner === undefined || (owner !== signature && !declaresInType(owner))) {
        return { ok: false, name, reason: 'outer-type-parameter' };
      }
      this.#reserved.add(name);
      return { ok: true, part: undefined };
    }
    if ((symbol.flags & ts.SymbolFlags.FunctionScopedVariable) !== 0 && ts.isParameter(decl)) {
      return where.parameters ? { ok: true, part: undefined } : { ok: false, name, reason: 'parameter' };
    }
    const scope = enclosingScope(decl);
    if (scope?.kind === 'global') {
      this.#reserved.add(name);
      return { ok: true, part: undefined };
    }
    if (scope?.kind === 'ambient') {
      // Only what `declare module 'x'` really exports (not its locals, not under `export =`) can be imported.
      const moduleSymbol = this.#checker.getSymbolAtLocation(scope.module.name);
      const exported =
        moduleSymbol === undefined
          ? undefined
          : this.#checker
              .getExportsOfModule(moduleSymbol)
              .find((e) => e === symbol || resolveAlias(this.#checker, e) === symbol);
      if (exported === undefined) return { ok: false, name, reason: 'external' };
      return {
        ok: true,
        part: {
          kind: 'ref',
          module: { kind: 'package', specifier: scope.specifier },
          name: exported.name,
          preferred: name,
        },
      };
    }
    const file = decl.getSourceFile();
    if (isInNodeModules(file.fileName)) {
      const imported = this.#packageExport(symbol, name, signature);
      return imported === undefined ? { ok: false, name, reason: 'external' } : { ok: true, part: imported };
    }
    const exported = this.#exportName(this.#checker.getSymbolAtLocation(file), symbol);
    if (exported === undefined) return { ok: false, name, reason: 'not-exported', file: file.fileName };
    return {
      ok: true,
      part: {
        kind: 'ref',
        module: { kind: 'file', path: runtimePath(file.fileName) },
        name: exported,
        preferred: name,
      },
    };
  }

  #resolveAlias(identifier: ts.Identifier, symbol: ts.Symbol): { ok: true; part: RefPart } | Unnameable {
    const decl = symbol.declarations?.[0];
    const name = identifier.text;
    let importDecl: ts.ImportDeclaration | ts.JSDocImportTag | undefined;
    let imported: string | undefined;
    if (
      decl !== undefined &&
      ts.isImportEqualsDeclaration(decl) &&
      ts.isExternalModuleReference(decl.moduleReference) &&
      ts.isStringLiteral(decl.moduleReference.expression)
    ) {
      // `import T = require('./t.cjs')` (a CommonJS worker) names the module as a namespace import does.
      const module = moduleFromSpecifier(decl.moduleReference.expression.text, decl.getSourceFile().fileName);
      return { ok: true, part: { kind: 'ref', module, name: '*', preferred: name } };
    }
    if (decl !== undefined && ts.isImportSpecifier(decl)) {
      importDecl = decl.parent.parent.parent;
      imported = (decl.propertyName ?? decl.name).text;
    } else if (decl !== undefined && ts.isImportClause(decl)) {
      importDecl = decl.parent;
      imported = 'default';
    } else if (decl !== undefined && ts.isNamespaceImport(decl)) {
      importDecl = decl.parent.parent;
      imported = '*';
    }
    if (
      importDecl === undefined ||
      imported === undefined ||
      !ts.isStringLiteral(importDecl.moduleSpecifier)
    ) {
      return { ok: false, name, reason: 'unresolved' };
    }
    const module = moduleFromSpecifier(importDecl.moduleSpecifier.text, importDecl.getSourceFile().fileName);
    return { ok: true, part: { kind: 'ref', module, name: imported, preferred: name } };
  }

  /**
   * A package's type as the worker file, or the file declaring the method (a base class), imports it: the first
   * package either imports that exports it. Any other specifier might not resolve from the stub.
   */
  #packageExport(symbol: ts.Symbol, preferred: string, signature: ts.Node | undefined): RefPart | undefined {
    const files = [this.#workerFile, signature?.getSourceFile()];
    for (const file of files) {
      if (file === undefined || isInNodeModules(file.fileName)) continue;
      for (const statement of file.statements) {
        if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
        const specifier = statement.moduleSpecifier.text;
        if (specifier.startsWith('.') || path.isAbsolute(specifier)) continue;
        const name = this.#exportName(this.#checker.getSymbolAtLocation(statement.moduleSpecifier), symbol);
        if (name !== undefined) {
          return { kind: 'ref', module: { kind: 'package', specifier }, name, preferred };
        }
      }
    }
    return undefined;
  }

  #exportName(moduleSymbol: ts.Symbol | undefined, symbol: ts.Symbol): string | undefined {
    if (moduleSymbol === undefined) return undefined;
    let names = this.#exportsCache.get(moduleSymbol);
    if (names === undefined) {
      names = new Map();
      for (const exported of this.#checker.getExportsOfModule(moduleSymbol)) {
        const target = resolveAlias(this.#checker, exported);
        if (!names.has(target)) names.set(target, exported.name);
      }
      this.#exportsCache.set(moduleSymbol, names);
    }
    return names.get(symbol) ?? names.get(this.#checker.getExportSymbolOfSymbol(symbol));
  }
}

/** The class or interface member a written type belongs to (its type parameters are the stub signature's). */
function signatureOf(node: ts.Node): ts.Node | undefined {
  for (let n: ts.Node | undefined = node; n !== undefined; n = n.parent) {
    if (ts.isFunctionLike(n) && (ts.isClassLike(n.parent) || ts.isInterfaceDeclaration(n.parent))) return n;
  }
  return undefined;
}

/** Type parameters these declare are written with them (`infer X`, `[K in ...]`, `<X>(x: X) => X`). */
function declaresInType(owner: ts.Node): boolean {
  return (
    ts.isMappedTypeNode(owner) ||
    ts.isInferTypeNode(owner) ||
    ts.isFunctionTypeNode(owner) ||
    ts.isConstructorTypeNode(owner) ||
    ts.isCallSignatureDeclaration(owner) ||
    ts.isConstructSignatureDeclaration(owner) ||
    (ts.isMethodSignature(owner) && ts.isTypeLiteralNode(owner.parent))
  );
}

/** `typeof this` or `typeof this.x...` (the parser reads `this` there as an identifier). */
function isThisQuery(name: ts.EntityName): boolean {
  while (ts.isQualifiedName(name)) name = name.left;
  return ts.identifierToKeywordKind(name) === ts.SyntaxKind.ThisKeyword;
}

/** The leftmost identifier of a reference to a named entity (type reference, typeof, computed key). */
function referenceRoot(node: ts.Node): ts.Identifier | undefined {
  let name: ts.Node | undefined;
  if (ts.isTypeReferenceNode(node)) name = node.typeName;
  else if (ts.isTypeQueryNode(node)) name = node.exprName;
  else if (ts.isComputedPropertyName(node)) name = node.expression;
  else if (ts.isExpressionWithTypeArguments(node)) name = node.expression;
  while (name !== undefined) {
    if (ts.isIdentifier(name)) return name;
    if (ts.isQualifiedName(name)) name = name.left;
    else if (ts.isPropertyAccessExpression(name)) name = name.expression;
    else return undefined;
  }
  return undefined;
}

function replaceRoot(node: ts.Node, replacement: ts.Identifier): ts.Node | undefined {
  const swap = (name: ts.EntityName): ts.EntityName =>
    ts.isIdentifier(name) ? replacement : ts.factory.createQualifiedName(swap(name.left), name.right);
  if (ts.isTypeReferenceNode(node))
    return ts.factory.updateTypeReferenceNode(node, swap(node.typeName), node.typeArguments);
  if (ts.isTypeQueryNode(node))
    return ts.factory.updateTypeQueryNode(node, swap(node.exprName), node.typeArguments);
  return undefined;
}

/**
 * The checker orders a union's members by when it first met each type, which other worker files change (literals
 * and object types are made as files are checked), so inferred unions are printed in text order instead, with
 * `null` and `undefined` last as people write them.
 */
function sortUnion(union: ts.UnionTypeNode, print: (member: ts.TypeNode) => string): ts.UnionTypeNode {
  const last = (text: string): number => (text === 'undefined' ? 2 : text === 'null' ? 1 : 0);
  const keyed = union.types.map((member) => ({ member, text: print(member) }));
  keyed.sort((a, b) => last(a.text) - last(b.text) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return ts.factory.updateUnionTypeNode(union, ts.factory.createNodeArray(keyed.map((k) => k.member)));
}

function compact(parts: readonly Part[]): Part[] {
  const out: Part[] = [];
  for (const part of parts) {
    if (typeof part === 'string' && typeof out[out.length - 1] === 'string') out[out.length - 1] += part;
    else if (part !== '') out.push(part);
  }
  return out;
}
