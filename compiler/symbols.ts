// Small questions to the type checker that analysis, the shape graph, emit and type printing all ask.
import { ts } from 'ts-morph';

/** The symbol an import or re-export stands for (the symbol itself when it is not an alias). */
export function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol;
export function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): ts.Symbol | undefined;
export function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): ts.Symbol | undefined {
  return symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias
    ? checker.getAliasedSymbol(symbol)
    : symbol;
}

/**
 * Whether `module` exports `name` as a value: not only as a type (`export type { A }`, `export { type A } from`,
 * an `import type` exported on, `export type * from`), through any chain of re-exports and `export *`.
 */
export function exportsValue(
  checker: ts.TypeChecker,
  module: ts.SourceFile,
  name: string,
  seen = new Set<string>(),
): boolean {
  const key = `${module.fileName}\0${name}`;
  if (seen.has(key)) return false;
  seen.add(key);
  const exported = exportNamed(checker, checker.getSymbolAtLocation(module), name);
  if (exported === undefined) return false;
  const here = exported.declarations?.find((d) => d.getSourceFile() === module);
  if (here !== undefined) {
    if (!(exported.flags & ts.SymbolFlags.Alias)) return true;
    if (ts.isTypeOnlyImportOrExportDeclaration(here)) return false;
    // Named from another module (`export { A } from`, an import exported on): as that module exports it.
    const from = importedFrom(checker, here);
    if (from !== undefined) return exportsValue(checker, from.module, from.name, seen);
    for (let s: ts.Symbol | undefined = exported; s !== undefined && s.flags & ts.SymbolFlags.Alias; ) {
      if (s.declarations?.some(ts.isTypeOnlyImportOrExportDeclaration)) return false;
      const next = checker.getImmediateAliasedSymbol(s);
      const step = next?.declarations?.[0];
      const further = step === undefined ? undefined : importedFrom(checker, step);
      if (further !== undefined) return exportsValue(checker, further.module, further.name, seen);
      s = next;
    }
    return true;
  }
  // Through an `export *`, which `export type *` is not for values. Two that give the name different bindings give
  // it none (ECMAScript leaves an ambiguous star export out; tsc reports TS2308).
  const bindings = new Set<ts.Symbol>();
  for (const statement of module.statements) {
    if (!ts.isExportDeclaration(statement) || statement.exportClause !== undefined || statement.isTypeOnly)
      continue;
    const target = moduleAt(checker, statement.moduleSpecifier);
    if (target === undefined || !exportsValue(checker, target, name, seen)) continue;
    const binding = exportNamed(checker, checker.getSymbolAtLocation(target), name);
    if (binding !== undefined) bindings.add(resolveAlias(checker, binding));
  }
  return bindings.size === 1;
}

/** The export of a module (its symbol) named `name`. */
export function exportNamed(
  checker: ts.TypeChecker,
  module: ts.Symbol | undefined,
  name: string,
): ts.Symbol | undefined {
  return module === undefined ? undefined : checker.getExportsOfModule(module).find((e) => e.name === name);
}

function moduleAt(checker: ts.TypeChecker, specifier: ts.Expression | undefined): ts.SourceFile | undefined {
  const target =
    specifier === undefined ? undefined : checker.getSymbolAtLocation(specifier)?.valueDeclaration;
  return target !== undefined && ts.isSourceFile(target) ? target : undefined;
}

/** The module and name an export or import specifier (or a default import) takes from, when it names one. */
function importedFrom(
  checker: ts.TypeChecker,
  declaration: ts.Declaration,
): { module: ts.SourceFile; name: string } | undefined {
  let specifier: ts.Expression | undefined;
  let name: string;
  if (ts.isExportSpecifier(declaration)) {
    specifier = declaration.parent.parent.moduleSpecifier;
    name = (declaration.propertyName ?? declaration.name).text;
  } else if (ts.isImportSpecifier(declaration)) {
    specifier = declaration.parent.parent.parent.moduleSpecifier;
    name = (declaration.propertyName ?? declaration.name).text;
  } else if (ts.isImportClause(declaration)) {
    specifier = declaration.parent.moduleSpecifier;
    name = 'default';
  } else {
    return undefined;
  }
  const module = moduleAt(checker, specifier);
  return module === undefined ? undefined : { module, name };
}

/** The generic type a type reference instantiates (`Array` for `Array<string>`), or the type itself. */
export function referenceTarget(type: ts.Type): ts.Type {
  return type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference
    ? (type as ts.TypeReference).target
    : type;
}

/** A property whose key is a symbol (the checker names those `__@...`). */
export function isSymbolKeyed(property: ts.Symbol): boolean {
  return property.escapedName.toString().startsWith('__@');
}
