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
