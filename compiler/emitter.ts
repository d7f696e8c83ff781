// What a worker class inherits from Node's EventEmitter (its event map) and whether it has the `[onHandle]` hook.
import { ts } from 'ts-morph';
import { type SignatureContext, unnameable } from './signature-text.js';
import { isSymbolKeyed, referenceTarget, resolveAlias } from './symbols.js';
import type { TypeNamer, TypeText } from './type-text.js';

export interface Emitter {
  /** The `Events` of `EventEmitter<Events>`; undefined when the class declares none (or through a type parameter). */
  readonly map: ts.Type | undefined;
  /** EventEmitter's member names: a worker method with one of them is not part of the proxy. */
  readonly members: ReadonlySet<string>;
}

/** Node's own EventEmitter class, by its declaration in @types/node (a class of your own with that name is not). */
function isEventEmitter(symbol: ts.Symbol | undefined): boolean {
  return (
    symbol?.name === 'EventEmitter' &&
    (symbol.declarations ?? []).some(
      (d) =>
        ts.isClassDeclaration(d) &&
        /[\\/]@types[\\/]node[\\/]events\.d\.ts$/.test(d.getSourceFile().fileName),
    )
  );
}

/**
 * The EventEmitter base of a worker class (through user and Node classes alike), or undefined. A base class's type
 * parameter is followed to the argument the class below gave it (`class Base<E> extends EventEmitter<E>`, then
 * `extends Base<Events>`), since the checker lists a generic class's bases uninstantiated.
 */
export function emitterOf(checker: ts.TypeChecker, instanceType: ts.Type): Emitter | undefined {
  const queue: { type: ts.Type; given: ReadonlyMap<ts.Type, ts.Type> }[] = [
    { type: instanceType, given: new Map() },
  ];
  const seen = new Set<ts.Type>();
  for (let i = 0; i < queue.length; i++) {
    const { type, given } = queue[i]!;
    const target = referenceTarget(type);
    if (seen.has(target)) continue;
    seen.add(target);
    const resolve = (t: ts.Type): ts.Type => given.get(t) ?? t;
    const args = type === target ? [] : checker.getTypeArguments(type as ts.TypeReference).map(resolve);
    if (isEventEmitter(target.getSymbol())) {
      const [map] = args;
      const declared =
        map !== undefined && !checker.isTupleType(map) && !(map.flags & ts.TypeFlags.TypeParameter);
      const members = checker
        .getPropertiesOfType(type)
        .filter((p) => !isSymbolKeyed(p))
        .map((p) => p.name);
      return { map: declared ? map : undefined, members: new Set(members) };
    }
    if (
      target.flags & ts.TypeFlags.Object &&
      (target as ts.ObjectType).objectFlags & ts.ObjectFlags.ClassOrInterface
    ) {
      const parameters = (target as ts.InterfaceType).typeParameters ?? [];
      const next = new Map(parameters.map((p, index): [ts.Type, ts.Type] => [p, args[index] ?? p]));
      for (const base of checker.getBaseTypes(target as ts.InterfaceType))
        queue.push({ type: base, given: next });
    }
  }
  return undefined;
}

/** The event map as written in `extends EventEmitter<...>`, following the class's own `extends` chain. */
function writtenMap(checker: ts.TypeChecker, decl: ts.ClassDeclaration): ts.TypeNode | undefined {
  let current: ts.ClassDeclaration | undefined = decl;
  for (let depth = 0; current !== undefined && depth < 32; depth++) {
    const base: ts.ExpressionWithTypeArguments | undefined = current.heritageClauses
      ?.find((c) => c.token === ts.SyntaxKind.ExtendsKeyword)
      ?.types.at(0);
    if (base === undefined) return undefined;
    const symbol: ts.Symbol | undefined = resolveAlias(checker, checker.getSymbolAtLocation(base.expression));
    if (isEventEmitter(symbol)) return base.typeArguments?.[0];
    current = symbol?.declarations?.find(ts.isClassDeclaration);
  }
  return undefined;
}

/** The stub text of the event map: as written where possible, else as the checker prints it; PRX9031 otherwise. */
export function eventMapText(
  context: SignatureContext,
  namer: TypeNamer,
  decl: ts.ClassDeclaration,
  emitter: Emitter,
  className: string,
): TypeText | undefined {
  if (emitter.map === undefined) return undefined;
  const node = writtenMap(context.checker, decl);
  const written = node === undefined ? undefined : namer.written(node);
  if (written?.ok) return written.text;
  const inferred = namer.inferred(emitter.map, decl);
  if (inferred.ok) return inferred.text;
  // Written in a base class's heritage (`Base<E> extends EventEmitter<E>`), the map may be that class's type
  // parameter, which no export can name: what the worker's own base gives it is what to export.
  const own =
    node !== undefined &&
    node.pos >= decl.pos &&
    node.end <= decl.end &&
    node.getSourceFile() === decl.getSourceFile();
  const base = decl.heritageClauses?.find((c) => c.token === ts.SyntaxKind.ExtendsKeyword)?.types.at(0);
  unnameable(
    context,
    own ? node : (base ?? decl.name ?? decl),
    className,
    'the event map',
    own ? (written ?? inferred) : inferred,
    'Export the type',
  );
  return undefined;
}

/** `[onHandle]` with `onHandle` imported from 'procxy/child' (by name or through a namespace import). */
export function isHandleHook(checker: ts.TypeChecker, name: ts.ComputedPropertyName): boolean {
  const expression = name.expression;
  let local: ts.Identifier | undefined;
  let member = 'onHandle';
  if (ts.isIdentifier(expression)) local = expression;
  else if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
    if (expression.name.text !== 'onHandle') return false;
    local = expression.expression;
    member = '*';
  }
  const declaration = local === undefined ? undefined : checker.getSymbolAtLocation(local)?.declarations?.[0];
  if (declaration === undefined) return false;
  let imported: string | undefined;
  let statement: ts.Node | undefined;
  if (ts.isImportSpecifier(declaration)) {
    imported = (declaration.propertyName ?? declaration.name).text;
    statement = declaration.parent.parent.parent;
  } else if (ts.isNamespaceImport(declaration)) {
    imported = '*';
    statement = declaration.parent.parent;
  }
  return (
    imported === member &&
    statement !== undefined &&
    ts.isImportDeclaration(statement) &&
    ts.isStringLiteral(statement.moduleSpecifier) &&
    statement.moduleSpecifier.text === 'procxy/child'
  );
}
