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
  seen = new Set<ts.SourceFile>(),
): boolean {
  if (seen.has(module)) return false;
  seen.add(module);
  const moduleSymbol = checker.getSymbolAtLocation(module);
  const exported =
    moduleSymbol === undefined
      ? undefined
      : checker.getExportsOfModule(moduleSymbol).find((e) => e.name === name);
  if (exported === undefined) return false;
  // Declared or named here: a value unless a step of its alias chain is a type-only one.
  if (exported.declarations?.some((d) => d.getSourceFile() === module)) {
    for (let s: ts.Symbol | undefined = exported; s !== undefined && s.flags & ts.SymbolFlags.Alias; ) {
      if (s.declarations?.some(ts.isTypeOnlyImportOrExportDeclaration)) return false;
      s = checker.getImmediateAliasedSymbol(s);
    }
    return true;
  }
  // Through an `export *`, which `export type *` is not for values.
  return module.statements.some((statement) => {
    if (!ts.isExportDeclaration(statement) || statement.exportClause !== undefined || statement.isTypeOnly)
      return false;
    const target =
      statement.moduleSpecifier === undefined
        ? undefined
        : checker.getSymbolAtLocation(statement.moduleSpecifier)?.valueDeclaration;
    return target !== undefined && ts.isSourceFile(target) && exportsValue(checker, target, name, seen);
  });
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
