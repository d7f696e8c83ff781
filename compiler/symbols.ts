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
 * Whether an export reaches its declaration only as a type (`export type { A }`, `export { type A } from`, or an
 * `import type` exported on): at run time the module has no such value.
 */
export function isTypeOnlyExport(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  for (let s: ts.Symbol | undefined = symbol; s !== undefined && s.flags & ts.SymbolFlags.Alias; ) {
    if (s.declarations?.some(ts.isTypeOnlyImportOrExportDeclaration)) return true;
    s = checker.getImmediateAliasedSymbol(s);
  }
  return false;
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
