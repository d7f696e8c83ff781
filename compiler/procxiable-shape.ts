// Walks a checker type once into a mode-independent graph of findings and labelled edges, cached per type.
import { ts } from 'ts-morph';
import type { RuleId } from './rules.js';
import { isSymbolKeyed, referenceTarget } from './symbols.js';

export interface Finding {
  readonly rule: RuleId;
  /** The offending type as the message names it: 'Date', "class 'Logger'", 'T'. */
  readonly subject: string;
  /** Appended to the node's path, for findings about one element of a tuple or array ('[1]', '[]'). */
  readonly segment: string;
  /** What to do instead, where the rule's own hint would mislead. */
  readonly hint?: string;
}

/** Records a finding on the node being filled. */
type Find = (rule: RuleId, subject: string, segment?: string, hint?: string) => void;

export interface Edge {
  /** Appended to the path when walking into the target: '.retry', '[]', '[0]', '[string]', '<value>', or ''. */
  readonly segment: string;
  readonly node: ShapeNode;
}

export interface ShapeNode {
  readonly findings: readonly Finding[];
  readonly edges: readonly Edge[];
}

type BuiltinKind =
  | 'function'
  | 'date'
  | 'map'
  | 'set'
  | 'regexp'
  | 'binary'
  | 'error'
  | 'promise'
  | 'weak'
  | 'shared-array-buffer'
  | 'object'
  | 'handle'
  | 'abort-signal';

/** Built-ins that arrive as themselves whatever subclass was sent (Errors are rebuilt apart: errorAdditions). */
const subclassable: ReadonlySet<BuiltinKind> = new Set<BuiltinKind>([
  'date',
  'map',
  'set',
  'regexp',
  'binary',
]);

const builtinKinds = new Map<string, BuiltinKind>([
  ...(['Function', 'CallableFunction', 'NewableFunction'] as const).map((n) => [n, 'function'] as const),
  ['Date', 'date'],
  ['Map', 'map'],
  ['ReadonlyMap', 'map'],
  ['Set', 'set'],
  ['ReadonlySet', 'set'],
  ['RegExp', 'regexp'],
  ...(
    [
      'ArrayBuffer',
      'ArrayBufferView',
      'DataView',
      'Buffer',
      'Int8Array',
      'Uint8Array',
      'Uint8ClampedArray',
      'Int16Array',
      'Uint16Array',
      'Int32Array',
      'Uint32Array',
      'Float16Array',
      'Float32Array',
      'Float64Array',
      'BigInt64Array',
      'BigUint64Array',
    ] as const
  ).map((n) => [n, 'binary'] as const),
  ...(
    [
      'Error',
      'EvalError',
      'RangeError',
      'ReferenceError',
      'SyntaxError',
      'TypeError',
      'URIError',
      'AggregateError',
      'SuppressedError',
    ] as const
  ).map((n) => [n, 'error'] as const),
  ['Promise', 'promise'],
  ['PromiseLike', 'promise'],
  ...(['WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry'] as const).map((n) => [n, 'weak'] as const),
  ['SharedArrayBuffer', 'shared-array-buffer'],
  ['Object', 'object'],
  ['AbortSignal', 'abort-signal'],
]);

/**
 * What the runtime lifts out of the top level of arguments, so that it is not judged as a value: a method's handles
 * and AbortSignal, and an Error among the arguments the child sends (a callback's, an event's).
 */
export type TopLevelKind = 'handle' | 'abort-signal' | 'error';

/** The OS handles Node's IPC channel carries, by the module of @types/node that declares them. */
const handleClasses: Readonly<Record<string, readonly string[]>> = {
  net: ['Socket', 'Server'],
  dgram: ['Socket'],
};

/** 'net.Socket', 'net.Server' or 'dgram.Socket' when the symbol is that class of @types/node, by its declaration. */
function handleName(symbol: ts.Symbol): string | undefined {
  for (const declaration of symbol.declarations ?? []) {
    const file = /[\\/]@types[\\/]node[\\/](net|dgram)\.d\.ts$/.exec(declaration.getSourceFile().fileName);
    if (file === null || !ts.isClassDeclaration(declaration)) continue;
    const module = declaration.parent.parent;
    if (!ts.isModuleDeclaration(module) || module.name.text !== file[1]) continue;
    if (handleClasses[file[1]!]!.includes(symbol.name)) return `${file[1]}.${symbol.name}`;
  }
  return undefined;
}

/**
 * The fields of an Error that its description writes as strings (runtime/error-descriptor.ts holds them apart, and
 * String()s them), so whatever type a subclass redeclares them with never refuses the Error. `cause` is not among
 * them: it is checked as a value.
 */
const describedAsStrings: ReadonlySet<string> = new Set(['name', 'message', 'stack']);

const OK: ShapeNode = { findings: [], edges: [] };

const arraySubclassHint =
  "Pass its elements as a plain array (an array type in the signature), and rebuild the class on the other side, or list the type in the config's transferTypes when a transfer handler carries it.";

const valueFlags =
  ts.TypeFlags.StringLike |
  ts.TypeFlags.NumberLike |
  ts.TypeFlags.BooleanLike |
  ts.TypeFlags.EnumLike |
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void |
  ts.TypeFlags.Never;

const primitiveFlags = valueFlags | ts.TypeFlags.BigIntLike | ts.TypeFlags.ESSymbolLike;

const libFiles = new WeakMap<ts.SourceFile, boolean>();

/** Built-ins are recognised by where they are declared, so a user's own `class Date` is just a class. */
export function isLibFile(file: ts.SourceFile): boolean {
  let lib = libFiles.get(file);
  if (lib === undefined) {
    // `hasNoDefaultLib` alone is not enough: a host that parses lib files without comments (or serves them from a
    // virtual folder) loses the pragma, but the file names of TypeScript's libs are fixed.
    lib =
      file.isDeclarationFile &&
      (file.hasNoDefaultLib ||
        /(?:^|[\\/])lib\.[\w.]+\.d\.ts$/.test(file.fileName) ||
        /[\\/]node_modules[\\/]@types[\\/]node[\\/]/.test(file.fileName));
    libFiles.set(file, lib);
  }
  return lib;
}

export function isLibSymbol(symbol: ts.Symbol): boolean {
  const declarations = symbol.declarations ?? [];
  return declarations.length > 0 && declarations.some((d) => isLibFile(d.getSourceFile()));
}

/**
 * Whether an element type admits undefined. A type parameter, an indexed access or a conditional type admits what
 * its constraint admits (`T extends string | undefined`, `T['optional']`), so it is read through it.
 */
function containsUndefined(checker: ts.TypeChecker, type: ts.Type, seen = new Set<ts.Type>()): boolean {
  if (type.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return true;
  if (seen.has(type)) return false;
  seen.add(type);
  if (type.isUnion()) return type.types.some((t) => containsUndefined(checker, t, seen));
  if (!(type.flags & ts.TypeFlags.Instantiable)) return false;
  const constraint = checker.getBaseConstraintOfType(type);
  return constraint !== undefined && containsUndefined(checker, constraint, seen);
}

/**
 * Whether a tuple element's type admits undefined. Under exactOptionalPropertyTypes an optional element's type holds
 * TypeScript's "missing" type: flagged as undefined, but another object than the undefined a value can be, it stands
 * for an element left out, which JSON keeps out too.
 */
function elementAdmitsUndefined(checker: ts.TypeChecker, element: ts.Type, optional: boolean): boolean {
  const undefinedType = checker.getUndefinedType();
  const members = element.isUnion() ? element.types : [element];
  return members.some(
    (t) =>
      !(optional && t.flags & ts.TypeFlags.Undefined && t !== undefinedType) && containsUndefined(checker, t),
  );
}

/**
 * The `any` the checker gives a name it cannot resolve. TypeScript has no public test for it; its intrinsic name
 * ('error', where a written `any` has 'any') is the one the checker itself uses.
 */
function isErrorType(type: ts.Type): boolean {
  return 'intrinsicName' in type && type.intrinsicName === 'error';
}

/** A property name that is an array index (`0`, `12`), which an intersection with an array only narrows. */
const NUMERIC_NAME = /^(?:0|[1-9]\d*)$/;

/**
 * A brand: a member that only tags a type for the checker and that no value can really have, so it is not an added
 * property of an array or a built-in, nor a property an object carries. What tells one apart is its key or its type,
 * never its name (a real field may be called `__total`):
 * - a symbol key (`[brand]: true`, zod's `[z.$brand]`, type-fest's `Tagged` and `Opaque`): neither JSON nor V8 writes
 *   one, and the run-time check refuses a plain object or an array that really has one;
 * - a `unique symbol` type declared by the member itself (`readonly __brand: unique symbol`), which no value has;
 * - `never`, which no value has either.
 * A string-named member of any other type (`__brand: 'Id'`, ts-brand's `__type__`) may be a real field, so it is one
 * here; on a primitive (`string & { __brand: 'Id' }`) the whole object part is a brand anyway (see `fill`).
 */
function isBrand(checker: ts.TypeChecker, property: ts.Symbol): boolean {
  return isSymbolKeyed(property) || hasNoValue(checker, property);
}

/** A member no value can have: typed `never`, or with a `unique symbol` it declares itself. */
function hasNoValue(checker: ts.TypeChecker, property: ts.Symbol): boolean {
  const type = checker.getTypeOfSymbol(property);
  if (type.flags & ts.TypeFlags.Never) return true;
  if (!(type.flags & ts.TypeFlags.UniqueESSymbol)) return false;
  // `typeof marker` (a symbol a variable or a static field holds) is a real value; a fresh one is declared here.
  const declaration = type.getSymbol()?.valueDeclaration;
  return declaration !== undefined && ts.isPropertySignature(declaration);
}

/** Property names as they appear in a path: `.name`, or `["odd-name"]`. */
export function propertySegment(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

function isObjectType(type: ts.Type): type is ts.ObjectType {
  return (type.flags & ts.TypeFlags.Object) !== 0;
}

/**
 * How many instances of one declaration (not a lib container, see LIB_CONTAINERS) may be open at once in a walk.
 * Real types nest one generic a few times (`Box<Box<T>>`); only a type that grows at each level reaches this.
 */
const MAX_REPEATS = 24;
/** Shapes open at once in a walk, for any other walk that would not end (or would overflow the stack). */
const MAX_DEPTH = 400;

/**
 * The lib's containers, which a finite type written out by hand nests as deep as it likes (30 levels of
 * `Array<{ items: Array<...> }>` are 30 Array instances). A type that grows without end does so through a
 * declaration of its own, which is still counted; MAX_DEPTH bounds the rest.
 */
const LIB_CONTAINERS = new Set([
  'Array',
  'ReadonlyArray',
  'Map',
  'ReadonlyMap',
  'Set',
  'ReadonlySet',
  'Promise',
]);

/** Whether a walk counts the open instances of `origin` against MAX_REPEATS: not a lib container's. */
function countsRepeats(origin: ts.Symbol): boolean {
  if (!isLibSymbol(origin)) return true;
  if (LIB_CONTAINERS.has(origin.name)) return false;
  // The lib's mapped aliases (Record, Partial, Readonly, Pick...) are containers too.
  const declaration = origin.declarations?.[0];
  return !(
    declaration !== undefined &&
    ts.isTypeAliasDeclaration(declaration) &&
    ts.isMappedTypeNode(declaration.type)
  );
}

/** A walk from one top-level type: what it has open and which nodes it cached, to drop them if it gives up. */
interface Walk {
  depth: number;
  readonly open: Map<ts.Symbol, { readonly first: ts.Type; readonly count: number }>;
  readonly added: ts.Type[];
}

/** Thrown inside a walk that cannot finish, naming the outermost instance of the type that kept growing. */
class TooDeep extends Error {
  constructor(readonly type: ts.Type) {
    super('type too deep to check');
  }
}

/** Builds and caches shape nodes for one type checker (type objects are unique per checker). */
export class ShapeBuilder {
  private readonly cache = new Map<ts.Type, ShapeNode>();
  /** An object type to relate mapped types to (see mappedTemplate). */
  private probe: ts.Type | undefined;
  private walking: Walk | undefined;

  /** `transferTypes`: the declarations of the config's `transferTypes`, which a transfer handler carries. */
  constructor(
    private readonly checker: ts.TypeChecker,
    readonly transferTypes: ReadonlySet<ts.Symbol> = new Set(),
  ) {}

  /** Whether a top-level parameter of this type is a handle or an AbortSignal, which the runtime lifts out. */
  topLevelKind(type: ts.Type): TopLevelKind | undefined {
    if (!isObjectType(type)) return undefined;
    const kind = this.builtinOf(type)?.kind;
    return kind === 'handle' || kind === 'abort-signal' || kind === 'error' ? kind : undefined;
  }

  /**
   * What an Error type lifted out of a child's arguments adds to Error: it travels as a thrown error does, rebuilt as
   * the nearest built-in class with its own fields, so a method of its own (of a subclass, or of an intersection)
   * would be missing in the parent. Its fields are not judged: whatever V8 cannot carry arrives described.
   */
  errorAdditions(type: ts.Type): ShapeNode {
    const added = this.checker.getPropertiesOfType(type).filter((p) => !isLibSymbol(p));
    const behaviour = added.filter(
      (p) => isClassBehaviour(p) || this.checker.getTypeOfSymbol(p).getCallSignatures().length > 0,
    );
    if (behaviour.length === 0) return { findings: [], edges: [] };
    const symbol = type.getSymbol();
    const isUserClass =
      symbol !== undefined && (symbol.flags & ts.SymbolFlags.Class) !== 0 && !isLibSymbol(symbol);
    const subject = withBehaviour(this.objectName(type, isUserClass), behaviour);
    return { findings: [{ rule: 'class-instance', subject, segment: '' }], edges: [] };
  }

  /** A type the config names in `transferTypes` (by its declaration): a registered handler carries it. */
  private isTransferType(type: ts.Type): boolean {
    if (this.transferTypes.size === 0) return false;
    const symbol = referenceTarget(type).getSymbol();
    return (
      (type.aliasSymbol !== undefined && this.transferTypes.has(type.aliasSymbol)) ||
      (symbol !== undefined && this.transferTypes.has(symbol))
    );
  }

  shapeOf(type: ts.Type): ShapeNode {
    const cached = this.cache.get(type);
    if (cached) return cached;
    if (this.walking !== undefined) return this.walk(type, this.walking);
    const walk: Walk = { depth: 0, open: new Map(), added: [] };
    this.walking = walk;
    try {
      return this.walk(type, walk);
    } catch (error) {
      // The last resort, when no type kept growing but the walk still overflowed (the checker's own recursion can
      // too): the whole type is reported, since a crash would hide every other diagnostic.
      if (!(error instanceof TooDeep) && !(error instanceof RangeError)) throw error;
      return this.tooDeep(type, walk, 0);
    } finally {
      this.walking = undefined;
    }
  }

  /** Drops the nodes a walk cached from `mark` on (they are half-built) and reports `type` as too deep instead. */
  private tooDeep(type: ts.Type, walk: Walk, mark: number): ShapeNode {
    for (const added of walk.added.splice(mark)) this.cache.delete(added);
    const subject = this.checker.typeToString(type);
    const node: ShapeNode = { findings: [{ rule: 'too-deep', subject, segment: '' }], edges: [] };
    this.cache.set(type, node);
    walk.added.push(type);
    return node;
  }

  private walk(type: ts.Type, walk: Walk): ShapeNode {
    // The cache ends recursive types, since each level is the same type object; a generic that grows at each level
    // (`Nest<T[]>` inside `Nest<T>`) is a new type every time, so it is bounded by its declaration instead.
    const symbol = isObjectType(type) ? (type.aliasSymbol ?? type.getSymbol()) : undefined;
    const origin = symbol !== undefined && countsRepeats(symbol) ? symbol : undefined;
    const open = origin === undefined ? undefined : walk.open.get(origin);
    if (open !== undefined && open.count >= MAX_REPEATS) throw new TooDeep(open.first);
    if (walk.depth >= MAX_DEPTH) throw new TooDeep(type);
    if (origin !== undefined)
      walk.open.set(origin, { first: open?.first ?? type, count: (open?.count ?? 0) + 1 });
    walk.depth++;
    const findings: Finding[] = [];
    const edges: Edge[] = [];
    const node: ShapeNode = { findings, edges };
    // Cached before walking the members, so a recursive type reaches this node instead of walking forever.
    const mark = walk.added.length;
    this.cache.set(type, node);
    walk.added.push(type);
    try {
      this.fill(type, findings, edges);
    } catch (error) {
      // The outermost instance of the growing type reports it, at the path that reaches it.
      if (error instanceof TooDeep && error.type === type) return this.tooDeep(type, walk, mark);
      throw error;
    } finally {
      walk.depth--;
      if (origin !== undefined) {
        if (open === undefined) walk.open.delete(origin);
        else walk.open.set(origin, open);
      }
    }
    if (findings.length === 0 && edges.length === 0) {
      this.cache.set(type, OK);
      return OK;
    }
    return node;
  }

  private fill(type: ts.Type, findings: Finding[], edges: Edge[]): void {
    const flags = type.flags;
    const find: Find = (rule, subject, segment = '', hint) =>
      findings.push(hint === undefined ? { rule, subject, segment } : { rule, subject, segment, hint });
    const walk = (segment: string, inner: ts.Type) => edges.push({ segment, node: this.shapeOf(inner) });
    if (flags & ts.TypeFlags.Any) return void find(isErrorType(type) ? 'unresolved' : 'any', 'any');
    if (flags & ts.TypeFlags.Unknown) return void find('unknown', 'unknown');
    if (this.isTransferType(type)) return;
    if (flags & valueFlags && !(flags & ts.TypeFlags.Union)) return;
    if (flags & ts.TypeFlags.BigIntLike) return void find('bigint-json', 'bigint');
    if (flags & ts.TypeFlags.ESSymbolLike) return void find('symbol', 'a symbol');
    if (flags & ts.TypeFlags.NonPrimitive) return void find('untyped-object', 'object');
    if (flags & ts.TypeFlags.TypeParameter) {
      const constraint = this.checker.getBaseConstraintOfType(type);
      if (constraint === undefined || constraint.flags & ts.TypeFlags.Unknown || constraint === type) {
        return void find('unconstrained-generic', this.checker.typeToString(type));
      }
      return void walk('', constraint);
    }
    if (flags & ts.TypeFlags.Union) {
      const members = (type as ts.UnionType).types;
      // `ArrayBufferLike` (ArrayBuffer | SharedArrayBuffer) may be either, as a view's default buffer type is: only a
      // value that is shared memory is refused, at run time. A SharedArrayBuffer on its own is refused here.
      const kinds = members.map((m) => this.builtinOf(m));
      const either = kinds.some((k) => k?.kind === 'binary' && k.name === 'ArrayBuffer');
      members.forEach((member, i) => {
        if (!(either && kinds[i]?.kind === 'shared-array-buffer')) walk('', member);
      });
      return;
    }
    if (flags & ts.TypeFlags.Intersection) {
      // `T & {}` (what `NonNullable<T>` is) is a T: the empty `{}` only takes null and undefined away.
      const all = (type as ts.IntersectionType).types;
      const nonEmpty = all.filter((m) => !isEmptyObject(m));
      const members = nonEmpty.length > 0 ? nonEmpty : all;
      // `string & { __brand: 'Id' }` is a string at run time: the object part is a compile-time brand.
      const primitives = members.filter((m) => m.flags & primitiveFlags);
      if (primitives.length > 0) {
        for (const member of primitives) walk('', member);
        return;
      }
      this.addedProperties(members, find);
      // A brand is on no value (`Item & { readonly [brand]: true }`), so a member of brands only is not walked, and
      // one that mixes them with data is walked for its data; one that is nothing but brands accepts any object.
      const data = members.map((m) => this.dataBesideBrands(m));
      if (data.every((d) => d?.length === 0)) {
        for (const member of members) walk('', member);
        return;
      }
      members.forEach((member, i) => {
        const properties = data[i];
        if (properties === undefined) walk('', member);
        else for (const p of properties) walk(propertySegment(p.name), this.checker.getTypeOfSymbol(p));
      });
      return;
    }
    if (flags & ts.TypeFlags.Instantiable) {
      // `Awaited<V>` (a generic return, awaited; or a parameter typed so) is what V's constraint resolves to, not V:
      // `T extends Promise<number>` gives a number. An unconstrained V is reported as itself.
      const awaited = type.aliasSymbol?.name === 'Awaited' && isLibSymbol(type.aliasSymbol);
      const [argument] = type.aliasTypeArguments ?? [];
      if (awaited && argument !== undefined) {
        const base = this.checker.getBaseConstraintOfType(argument);
        if (base === undefined || base === argument || base.flags & ts.TypeFlags.Unknown) {
          return void walk('', argument);
        }
        return void walk('', this.checker.getAwaitedType(base) ?? base);
      }
      const constraint = this.checker.getBaseConstraintOfType(type);
      if (constraint === undefined || constraint === type) {
        return void find('unconstrained-generic', this.checker.typeToString(type));
      }
      return void walk('', constraint);
    }
    if (isObjectType(type)) this.fillObject(type, find, walk);
  }

  /**
   * The data properties of an intersection's member that carries brands; undefined for one without brands, or that is
   * judged as a whole whatever it carries (a class, a function, one with methods or an index signature).
   */
  private dataBesideBrands(member: ts.Type): ts.Symbol[] | undefined {
    if (!isObjectType(member) || member.getCallSignatures().length > 0) return undefined;
    if (member.getConstructSignatures().length > 0 || this.checker.getIndexInfosOfType(member).length > 0) {
      return undefined;
    }
    const symbol = member.getSymbol();
    if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Class) return undefined;
    const properties = this.checker.getPropertiesOfType(member);
    const data = properties.filter((p) => !isBrand(this.checker, p));
    if (data.length === properties.length || data.some((p) => p.flags & ts.SymbolFlags.Method))
      return undefined;
    return data;
  }

  private fillObject(type: ts.ObjectType, find: Find, walk: (segment: string, inner: ts.Type) => void): void {
    const checker = this.checker;
    if (checker.isTupleType(type)) {
      const target = (type as ts.TypeReference).target as ts.TupleType;
      checker.getTypeArguments(type as ts.TypeReference).forEach((element, i) => {
        const segment = target.elementFlags[i]! & ts.ElementFlags.Variable ? '[]' : `[${i}]`;
        const optional = (target.elementFlags[i]! & ts.ElementFlags.Optional) !== 0;
        if (elementAdmitsUndefined(checker, element, optional))
          find('undefined-in-array-json', 'a tuple', segment);
        walk(segment, element);
      });
      return;
    }
    if (checker.isArrayType(type)) {
      const element = checker.getTypeArguments(type as ts.TypeReference)[0];
      if (element === undefined) return;
      if (containsUndefined(checker, element)) find('undefined-in-array-json', 'an array', '[]');
      walk('[]', element);
      return;
    }
    const source = this.mappedSource(type);
    if (source !== undefined) return void walk('', source);
    const arrayBase = this.arrayBaseOf(type);
    if (arrayBase !== undefined) return this.fillArrayInterface(type, arrayBase, find, walk);
    const properties = checker.getPropertiesOfType(type);
    const symbol = type.getSymbol();
    const isUserClass =
      symbol !== undefined && (symbol.flags & ts.SymbolFlags.Class) !== 0 && !isLibSymbol(symbol);
    // V8 writes an Array subclass's instance as a plain array (JSON too): its class and methods are lost, and the
    // run-time check refuses it in both modes, so only the members the class declares are named, not Array's.
    if (isUserClass && this.extendsArray(type)) {
      const own = properties.filter((p) => isClassBehaviour(p) && !isLibSymbol(p));
      const lost = own.length > 0 ? `its class and its ${describeMembers(own)}` : 'its class';
      const subject = `an instance of class '${symbol!.name}' (an Array subclass) arrives as a plain array, without ${lost}`;
      return void find('class-instance', subject, '', arraySubclassHint);
    }
    // A subclass of a built-in (an Error, a Map) is judged as that built-in, as the run-time check judges it; one of a
    // carried-as-itself built-in (a Map, a Date, binary data) that adds methods is refused, as they would be lost. So
    // is an interface extending one with methods: its values are such subclasses, or built-ins given functions of
    // their own, which the run-time check refuses too.
    const builtin = this.builtinOf(type);
    const isUserInterface =
      symbol !== undefined && (symbol.flags & ts.SymbolFlags.Interface) !== 0 && !isLibSymbol(symbol);
    if (builtin && (isUserClass || isUserInterface) && subclassable.has(builtin.kind)) {
      // An interface that redeclares one of the built-in's own methods (a narrower `get`) only retypes it.
      const own = isUserClass
        ? undefined
        : new Set(checker.getPropertiesOfType(builtin.type).map((p) => p.escapedName));
      const added = properties.filter(
        (p) => isClassBehaviour(p) && !isLibSymbol(p) && !own?.has(p.escapedName),
      );
      if (added.length > 0) {
        const base = builtin.type.getSymbol()?.name ?? builtin.name;
        const subject = isUserClass
          ? `an instance of class '${symbol!.name}' (a ${base} subclass)`
          : `interface '${symbol!.name}' (a ${base})`;
        return void find('class-instance', withBehaviour(subject, added));
      }
    }
    if (builtin && symbol !== undefined && !isLibSymbol(symbol))
      this.subclassFields(builtin, type, symbol, find);
    if (builtin) return this.fillBuiltin(builtin, type, find, walk);
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
      return void find('function', 'a function');
    }
    const libDeclared = symbol !== undefined && isLibSymbol(symbol);
    if (libDeclared && properties.some(isClassBehaviour)) {
      return void find('class-instance', `an instance of the built-in '${symbol.name}' has methods`);
    }
    // Classes lose prototype members and private fields; any object type loses its method members (one finding,
    // not one per method: a ts.Node-like interface would otherwise print dozens). An interface extending a class
    // has its values, so it loses the same: the class's getters and setters too.
    const classBase = isUserInterface ? this.classBaseOf(type) : undefined;
    const behaviour = properties.filter(
      isUserClass
        ? isClassBehaviour
        : classBase !== undefined
          ? (p) => isClassBehaviour(p) && (p.flags & ts.SymbolFlags.Method || declaredInClass(p))
          : (p) => (p.flags & ts.SymbolFlags.Method) !== 0,
    );
    const name =
      classBase === undefined
        ? this.objectName(type, isUserClass)
        : `${this.objectName(type, false)} (extends class '${classBase.name}')`;
    if (behaviour.length > 0) return void find('class-instance', withBehaviour(name, behaviour));
    // Data-only instances survive structured clone as plain objects, but json mode refuses any class instance.
    if (isUserClass) find('class-instance-json', `class '${symbol!.name}'`);
    if (classBase !== undefined) {
      const subject = `class '${classBase.name}' (through ${this.objectName(type, false)})`;
      const hint = `Declare the fields in the interface instead of extending class '${classBase.name}', or use serialization: 'advanced'.`;
      find('class-instance-json', subject, '', hint);
    }
    const indexInfos = checker.getIndexInfosOfType(type);
    if (properties.length === 0 && indexInfos.length === 0) {
      // A mapped type over a type parameter (`Partial<T>`, `Record<K, Date>`, `{ [P in K]: Date }`) has no members
      // the checker can list yet: judge what it is built from, so T is checked through its constraint and Date is
      // still seen. One built from concrete types with no keys left (`Record<never, string>`) is {}.
      const built = type.aliasTypeArguments ?? [];
      if (type.objectFlags & ts.ObjectFlags.Mapped && (built.length === 0 || built.some(isGeneric))) {
        for (const argument of built) walk('', argument);
        // A homomorphic one (`Partial<T>`, `{ [P in keyof T]: ... }`) holds T's properties, however its template
        // changes them (`DeepReadonly<T>` recurses without end as a template): judged as T is.
        const source = this.homomorphicSource(type);
        if (source !== undefined) {
          if (!built.includes(source)) walk('', source);
          return;
        }
        const template = this.mappedTemplate(type);
        if (template !== undefined && !built.includes(template)) walk('', template);
        return;
      }
      if (type.objectFlags & ts.ObjectFlags.Mapped) {
        return void find('untyped-object', checker.typeToString(type));
      }
      if (isAnonymous(type)) return void find('untyped-object', '{}');
    }
    // Several function-valued properties are one finding at the object (a type built from a class's methods would
    // otherwise print one per method); a single one is reported at its own path.
    const functions = properties.filter(
      (p) => !isSymbolKeyed(p) && isFunctionValued(checker.getNonNullableType(checker.getTypeOfSymbol(p))),
    );
    if (functions.length > 1) {
      const names = functions.map(declaredName);
      const shown = firstFew(names);
      find('function', `the functions in ${this.objectName(type, false)} (${shown})`);
    }
    for (const property of properties) {
      if (hasNoValue(checker, property)) continue;
      if (isSymbolKeyed(property)) {
        find('symbol', `the symbol-keyed property '${declaredName(property)}'`);
        continue;
      }
      if (functions.length > 1 && functions.includes(property)) continue;
      walk(propertySegment(property.name), checker.getTypeOfSymbol(property));
    }
    for (const info of indexInfos) {
      if (info.keyType.flags & ts.TypeFlags.ESSymbolLike) {
        find('symbol', 'a symbol-keyed index signature');
        continue;
      }
      walk(info.keyType.flags & ts.TypeFlags.NumberLike ? '[number]' : '[string]', info.type);
    }
  }

  /**
   * Properties an intersection adds to an array, a tuple or a built-in that arrives as itself (`string[] & { total:
   * number }`, `Date & { tag: string }`): JSON writes only an array's elements, and a Date, Map, Set, RegExp or binary
   * data is rebuilt as the built-in, so the added properties are lost on the way.
   */
  private addedProperties(members: readonly ts.Type[], find: Find): void {
    const checker = this.checker;
    const carrier = members.find(
      (m) =>
        isObjectType(m) &&
        (checker.isArrayType(m) ||
          checker.isTupleType(m) ||
          subclassable.has(this.builtinOf(m)?.kind ?? 'object')),
    );
    if (carrier === undefined) return;
    const isArray = checker.isArrayType(carrier) || checker.isTupleType(carrier);
    const added = members
      .filter((m) => m !== carrier && isObjectType(m))
      .flatMap((m) => checker.getPropertiesOfType(m).filter((p) => !isLibSymbol(p)))
      // Elements and the length of an array are what JSON and V8 write (`T[] & { 0: T }` is a non-empty array).
      .filter((p) => !(isArray && (p.name === 'length' || NUMERIC_NAME.test(p.name))))
      .filter((p) => !isBrand(checker, p));
    if (added.length === 0) return;
    const names = added.map(declaredName);
    const listed = firstFew(names);
    if (isArray) {
      const what = checker.isTupleType(carrier) ? 'a tuple' : 'an array';
      return void find('array-properties-json', `${what} with added properties (${listed})`);
    }
    const builtin = this.builtinOf(carrier)!;
    find(
      'builtin-properties',
      `a ${builtin.type.getSymbol()?.name ?? builtin.name} with added properties (${listed})`,
    );
  }

  /**
   * What a mapped type is at run time when it is made from a built-in or a class. `Readonly<Date>` and
   * `Partial<Map<K, V>>` are the built-in itself, not an object of its methods. A mapped type that keeps a class's
   * members as they are (`Readonly<Settings>`, `Partial`, `Required`, `Pick`, `Omit`, a user's own `{ readonly [K in
   * keyof T]: T[K] }`), methods or accessors among them, describes instances of the class, which it hides (a getter
   * becomes a readonly property, and the class is gone), so it is judged as the class is. One that keeps only data
   * fields (`Omit<User, 'greet'>`, `Partial<Point>`) is the usual type of a plain object of the class's data.
   */
  private mappedSource(type: ts.ObjectType): ts.Type | undefined {
    if (!(type.objectFlags & ts.ObjectFlags.Mapped)) return undefined;
    const alias = type.aliasSymbol;
    const [argument] = type.aliasTypeArguments ?? [];
    if (
      argument !== undefined &&
      alias !== undefined &&
      isLibSymbol(alias) &&
      (alias.name === 'Readonly' || alias.name === 'Partial') &&
      this.builtinOf(argument) !== undefined
    ) {
      return argument;
    }
    const properties = this.checker.getPropertiesOfType(type);
    // What `keyof T` maps over. No public API gives it; the checker stores it on the type while resolving its
    // members (just done), and an alias that was not renamed still names it.
    const source = (type as { modifiersType?: ts.Type }).modifiersType ?? argument;
    if (source === undefined || !isUserClassType(source) || properties.length === 0) return undefined;
    const checker = this.checker;
    const same = (property: ts.Symbol) => {
      const original = checker.getPropertyOfType(source, property.name);
      return (
        original !== undefined &&
        checker.getNonNullableType(checker.getTypeOfSymbol(property)) ===
          checker.getNonNullableType(checker.getTypeOfSymbol(original))
      );
    };
    const behaviour = (property: ts.Symbol) => {
      const original = checker.getPropertyOfType(source, property.name);
      return original !== undefined && isClassBehaviour(original);
    };
    return properties.every(same) && properties.some(behaviour) ? source : undefined;
  }

  /** T of a mapped type over `keyof T` (as the checker resolved it for this instance, or as declared). */
  private homomorphicSource(type: ts.ObjectType): ts.Type | undefined {
    const constraint = mappedDeclaration(type)?.typeParameter.constraint;
    if (
      constraint === undefined ||
      !ts.isTypeOperatorNode(constraint) ||
      constraint.operator !== ts.SyntaxKind.KeyOfKeyword
    ) {
      return undefined;
    }
    // What `keyof T` maps over: no public API gives it; the checker keeps it on the type once its members resolved.
    return (
      (type as { modifiersType?: ts.Type }).modifiersType ?? this.checker.getTypeFromTypeNode(constraint.type)
    );
  }

  /**
   * What each property of a mapped type holds (`Date` in `{ [P in K]: Date }`, in `Keyed<K, Date>['data']`), as this
   * type holds it. No public API gives it: the checker works it out, and keeps it on the type, when it relates a type
   * to this one (any object type will do). Failing that, the declaration's, where it means the same here: the
   * declared type itself, or an instance of it whose template names no type parameter around it.
   */
  private mappedTemplate(type: ts.ObjectType): ts.Type | undefined {
    const mapped = type as { templateType?: ts.Type };
    const checker = this.checker;
    if (mapped.templateType === undefined) {
      this.probe ??= checker.getApparentType(checker.getStringType());
      checker.isTypeAssignableTo(this.probe, type);
    }
    if (mapped.templateType !== undefined) return mapped.templateType;
    const node = mappedDeclaration(type);
    if (node?.type === undefined) return undefined;
    if (checker.getTypeFromTypeNode(node) !== type && namesOuterTypeParameter(checker, node.type, node)) {
      return undefined;
    }
    return checker.getTypeFromTypeNode(node.type);
  }

  /**
   * The user class an interface extends, directly or through other interfaces (`interface SettingsView extends
   * Settings {}`): its values are that class's instances, whose getters live on the prototype.
   */
  private classBaseOf(type: ts.ObjectType, seen = new Set<ts.Type>()): ts.Symbol | undefined {
    const target = referenceTarget(type);
    if (seen.has(target) || !isObjectType(target)) return undefined;
    if (!(target.objectFlags & ts.ObjectFlags.ClassOrInterface)) return undefined;
    seen.add(target);
    for (const base of this.checker.getBaseTypes(target as ts.InterfaceType)) {
      if (isUserClassType(base)) return base.getSymbol();
      const found = isObjectType(base) ? this.classBaseOf(base, seen) : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /**
   * The array or tuple an interface extends, directly or through other interfaces (`interface Page extends
   * Array<Item>`, the lib's RegExpMatchArray); undefined for any other type. A class extending Array is not one: its
   * instances arrive as plain arrays, without their class, and are judged as class instances.
   */
  private arrayBaseOf(type: ts.ObjectType): ts.Type | undefined {
    const symbol = type.getSymbol();
    if (symbol === undefined || (symbol.flags & ts.SymbolFlags.Interface) === 0) return undefined;
    if (symbol.flags & ts.SymbolFlags.Class) return undefined;
    return this.arrayBaseOfInterface(referenceTarget(type), new Set());
  }

  /** Whether a class extends Array, directly or through classes of its own. */
  private extendsArray(type: ts.ObjectType, seen = new Set<ts.Type>()): boolean {
    const target = referenceTarget(type);
    if (seen.has(target) || !isObjectType(target)) return false;
    if (!(target.objectFlags & ts.ObjectFlags.ClassOrInterface)) return false;
    seen.add(target);
    return this.checker
      .getBaseTypes(target as ts.InterfaceType)
      .some(
        (base) => this.checker.isArrayType(base) || (isObjectType(base) && this.extendsArray(base, seen)),
      );
  }

  private arrayBaseOfInterface(target: ts.Type, seen: Set<ts.Type>): ts.Type | undefined {
    if (seen.has(target) || !isObjectType(target)) return undefined;
    if (!(target.objectFlags & ts.ObjectFlags.ClassOrInterface)) return undefined;
    seen.add(target);
    for (const base of this.checker.getBaseTypes(target as ts.InterfaceType)) {
      if (this.checker.isArrayType(base) || this.checker.isTupleType(base)) return base;
      const found = this.arrayBaseOfInterface(referenceTarget(base), seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /**
   * An interface extending an array: its elements are judged as an array's, and the members it adds to the array
   * (not its indices, its length or a brand) as an object's properties. JSON writes only an array's elements, so
   * they are lost in json mode (PRX1025); V8 writes an array's own properties, so advanced mode carries them, and
   * only what they hold is judged there. Methods would arrive in neither (PRX1002).
   */
  private fillArrayInterface(
    type: ts.ObjectType,
    base: ts.Type,
    find: Find,
    walk: (segment: string, inner: ts.Type) => void,
  ): void {
    const checker = this.checker;
    const what = checker.isTupleType(base) ? 'a tuple' : 'an array';
    const inherited = new Set(checker.getPropertiesOfType(base).map((p) => p.escapedName));
    const added = checker
      .getPropertiesOfType(type)
      .filter(
        (p) =>
          !inherited.has(p.escapedName) &&
          p.name !== 'length' &&
          !NUMERIC_NAME.test(p.name) &&
          !isBrand(checker, p),
      );
    const subject = `${this.objectName(type, false)} (${what})`;
    const behaviour = added.filter(isClassBehaviour);
    if (behaviour.length > 0) return void find('class-instance', withBehaviour(subject, behaviour));
    const element = type.getNumberIndexType();
    if (element !== undefined) {
      if (containsUndefined(checker, element)) find('undefined-in-array-json', what, '[]');
      walk('[]', element);
    }
    if (added.length === 0) return;
    find('array-properties-json', `${subject} with added properties (${firstFew(added.map(declaredName))})`);
    for (const property of added) walk(propertySegment(property.name), checker.getTypeOfSymbol(property));
  }

  /**
   * The fields a subclass of a Date, Map, Set, RegExp or binary data declares (or an interface extending one adds),
   * lost as an intersection's added properties are: V8 writes only the built-in's contents, and the run-time check
   * refuses such a value with its property's name.
   */
  private subclassFields(
    builtin: { kind: BuiltinKind; name: string; type: ts.Type },
    type: ts.Type,
    symbol: ts.Symbol,
    find: Find,
  ): void {
    if (!subclassable.has(builtin.kind)) return;
    const fields = this.dataFields(type);
    if (fields.length === 0) return;
    const names = fields.map(declaredName);
    const listed = firstFew(names);
    const base = builtin.type.getSymbol()?.name ?? builtin.name;
    const subject =
      symbol.flags & ts.SymbolFlags.Class
        ? `an instance of class '${symbol.name}' (a ${base} subclass)`
        : `interface '${symbol.name}' (a ${base})`;
    find('builtin-properties', `${subject} with added properties (${listed})`);
  }

  private objectName(type: ts.Type, isClass: boolean): string {
    if (isClass) return `an instance of class '${type.getSymbol()!.name}'`;
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (symbol === undefined || symbol.name.startsWith('__')) return 'an object type';
    // `Pick<Date, 'getTime'>` rather than 'Pick', which says nothing of what was picked.
    if (type.aliasSymbol !== undefined && (type.aliasTypeArguments?.length ?? 0) > 0) {
      return `type '${this.checker.typeToString(type)}'`;
    }
    return `${symbol.flags & ts.SymbolFlags.Interface ? 'interface' : 'type'} '${symbol.name}'`;
  }

  /** Whether a class or interface type is an Error, or derives from one (an error class exported beside a worker). */
  isError(type: ts.Type): boolean {
    return this.builtinOf(type)?.kind === 'error';
  }

  /**
   * The built-in a type is (by its own lib declaration) or derives from (through user classes and interfaces, and lib
   * ones: `NodeJS.ErrnoException` and `DOMException` are Errors; through a mixin's base, an intersection, too).
   */
  private builtinOf(
    type: ts.Type,
    seen = new Set<ts.Type>(),
  ): { kind: BuiltinKind; name: string; type: ts.Type } | undefined {
    if (type.isIntersection()) {
      for (const member of type.types) {
        const found = this.builtinOf(member, seen);
        if (found) return found;
      }
      return undefined;
    }
    const symbol = type.getSymbol();
    if (symbol !== undefined && isLibSymbol(symbol)) {
      const handle = handleName(symbol);
      if (handle !== undefined) return { kind: 'handle', name: handle, type };
      const kind = builtinKinds.get(symbol.name);
      if (kind !== undefined) return { kind, name: symbol.name, type };
    }
    const target = referenceTarget(type);
    if (
      seen.has(target) ||
      !isObjectType(target) ||
      !(target.objectFlags & ts.ObjectFlags.ClassOrInterface)
    ) {
      return undefined;
    }
    seen.add(target);
    for (const base of this.checker.getBaseTypes(target as ts.InterfaceType)) {
      const found = this.builtinOf(base, seen);
      if (found) return { ...found, name: symbol?.name ?? found.name };
    }
    return undefined;
  }

  /**
   * The element types of a Map or Set: its type arguments, or for a subclass (`class Registry<V> extends
   * Map<string, V>`) the parameters of its instantiated `set`/`add`, since the base type is not instantiated.
   */
  private collectionArguments(
    builtin: { name: string; type: ts.Type },
    type: ts.Type,
    adder: string,
  ): readonly ts.Type[] {
    if (builtin.type === type) {
      return isObjectType(type) && type.objectFlags & ts.ObjectFlags.Reference
        ? this.checker.getTypeArguments(type as ts.TypeReference)
        : [];
    }
    const method = this.checker.getPropertyOfType(type, adder);
    const [signature] = method ? this.checker.getTypeOfSymbol(method).getCallSignatures() : [];
    return signature ? signature.getParameters().map((p) => this.checker.getTypeOfSymbol(p)) : [];
  }

  /**
   * The data properties a type adds to the built-in it derives from: declared fields, parameter properties and an
   * interface's properties, not the built-in's own (declared in the libs), nor methods, accessors and #private fields,
   * which live on the prototype or in private slots. Symbol-keyed ones are left out, as the run-time check lists
   * string keys only (for-in, Object.getOwnPropertyNames).
   */
  private dataFields(type: ts.Type): ts.Symbol[] {
    return this.checker
      .getPropertiesOfType(type)
      .filter((p) => !isLibSymbol(p) && !isClassBehaviour(p) && !isSymbolKeyed(p));
  }

  /** Whether a typed array, DataView or Buffer type is over a SharedArrayBuffer (its buffer type argument). */
  private isSharedView(type: ts.Type): boolean {
    if (!isObjectType(type) || !(type.objectFlags & ts.ObjectFlags.Reference)) return false;
    const [buffer] = this.checker.getTypeArguments(type as ts.TypeReference);
    const symbol = buffer?.getSymbol();
    return (
      buffer !== undefined &&
      !buffer.isUnion() &&
      symbol !== undefined &&
      isLibSymbol(symbol) &&
      builtinKinds.get(symbol.name) === 'shared-array-buffer'
    );
  }

  private fillBuiltin(
    builtin: { kind: BuiltinKind; name: string; type: ts.Type },
    type: ts.Type,
    find: Find,
    walk: (segment: string, inner: ts.Type) => void,
  ): void {
    switch (builtin.kind) {
      case 'function':
        return find('function', 'a function');
      case 'date':
        return find('date-json', builtin.name);
      case 'map': {
        find('map-set-json', builtin.name);
        const [key, value] = this.collectionArguments(builtin, type, 'set');
        if (key) walk('<key>', key);
        if (value) walk('<value>', value);
        return;
      }
      case 'set': {
        find('map-set-json', builtin.name);
        const [item] = this.collectionArguments(builtin, type, 'add');
        if (item) walk('<item>', item);
        return;
      }
      case 'regexp':
        return find('regexp-json', builtin.name);
      case 'binary':
        find('binary-json', builtin.name);
        // A view over shared memory (`Uint8Array<SharedArrayBuffer>`) is refused at run time as the memory is; the
        // default ArrayBufferLike may be either, so only a view that is over shared memory by its type is refused.
        if (this.isSharedView(builtin.type)) {
          const article = /^[AEIOU]/.test(builtin.name) ? 'an' : 'a';
          find('shared-array-buffer', `${article} ${builtin.name} over a SharedArrayBuffer`);
        }
        return;
      case 'error': {
        find('error-json', builtin.name);
        // The run-time check describes an Error inside a value (advanced mode) as a thrown one, its own fields and
        // cause checked as values at their paths (runtime/procxiable.ts: visitError): a function- or Promise-valued
        // field is refused there, so here too. Its methods stay behind (documented under PRX1008), as does a
        // symbol-keyed field; name, message and stack are written as strings, whatever they hold.
        for (const field of this.dataFields(type)) {
          if (describedAsStrings.has(field.name)) continue;
          const fieldType = this.checker.getTypeOfSymbol(field);
          // Error's own cause is `unknown` and not checked: one redeclared as unknown (a parameter property
          // `override readonly cause: unknown`) says no more, so it is not reported as uncheckable either.
          if (field.name === 'cause' && fieldType.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) continue;
          walk(propertySegment(field.name), fieldType);
        }
        return;
      }
      case 'promise':
        return find('promise-in-value', builtin.name);
      case 'weak':
        return find('weak-reference', builtin.name);
      case 'shared-array-buffer':
        return find('shared-array-buffer', builtin.name);
      case 'object':
        return find('untyped-object', builtin.name);
      case 'handle':
        return find('handle-not-top-level', `a ${builtin.name}`);
      case 'abort-signal':
        return find('abort-signal-not-last', builtin.name);
    }
  }
}

/** "a, b, c and 2 more": the first three names, and how many others there are (`total`, all names by default). */
function firstFew(names: readonly string[], total = names.length): string {
  const shown = names.slice(0, 3).join(', ');
  const more = total - Math.min(3, names.length);
  return more > 0 ? `${shown} and ${more} more` : shown;
}

/** "an instance of class 'Logger' has methods (log(), get level, flush() and 2 more)": the first few members. */
function withBehaviour(subject: string, members: readonly ts.Symbol[]): string {
  return `${subject} has ${describeMembers(members)}`;
}

/** "methods (log(), get level, flush() and 2 more)", "private fields (#count)", or "methods and private fields". */
function describeMembers(members: readonly ts.Symbol[]): string {
  const isField = (m: ts.Symbol) => !(m.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.Accessor));
  // The user's own members first, methods before fields; symbol-keyed ones (EventEmitter's captureRejectionSymbol)
  // only when nothing else.
  const ordered = [...members].sort(
    (a, b) => Number(isLibSymbol(a)) - Number(isLibSymbol(b)) || Number(isField(a)) - Number(isField(b)),
  );
  const named = ordered.filter((m) => !isSymbolKeyed(m));
  const names = (named.length > 0 ? named : ordered).map((m) => {
    const name = declaredName(m);
    if (m.flags & ts.SymbolFlags.Method) return `${name}()`;
    if (m.flags & ts.SymbolFlags.Accessor)
      return `${m.flags & ts.SymbolFlags.GetAccessor ? 'get' : 'set'} ${name}`;
    return name;
  });
  const fields = members.filter(isField).length;
  const what =
    fields === members.length ? 'private fields' : fields > 0 ? 'methods and private fields' : 'methods';
  return `${what} (${firstFew(names, members.length)})`;
}

/** A class declared outside the libs (a package's counts): its instances arrive without it. */
function isUserClassType(type: ts.Type): boolean {
  const symbol = type.getSymbol();
  return symbol !== undefined && (symbol.flags & ts.SymbolFlags.Class) !== 0 && !isLibSymbol(symbol);
}

/** A member a class declares (not an interface's accessor signature, which a plain object can have as data). */
function declaredInClass(property: ts.Symbol): boolean {
  return (property.declarations ?? []).some((d) => ts.isClassLike(d.parent));
}

/** Members that live on the prototype or in private slots, so neither JSON nor structured clone carries them. */
function isClassBehaviour(property: ts.Symbol): boolean {
  return (
    (property.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.Accessor)) !== 0 ||
    property.escapedName.toString().startsWith('__#')
  );
}

/** `[marker]` as written, rather than the checker's internal `__@marker@550`. */
function declaredName(property: ts.Symbol): string {
  const declaration = property.declarations?.[0];
  const name = declaration && ts.getNameOfDeclaration(declaration);
  return name ? name.getText() : property.name;
}

/** The `{ [P in K]: X }` a mapped type was declared by. */
function mappedDeclaration(type: ts.Type): ts.MappedTypeNode | undefined {
  const node = type.symbol?.declarations?.[0];
  return node !== undefined && ts.isMappedTypeNode(node) ? node : undefined;
}

/** Whether `node` names a type parameter declared outside `scope` (not the mapped type's own, nor an `infer` in it). */
function namesOuterTypeParameter(checker: ts.TypeChecker, node: ts.Node, scope: ts.Node): boolean {
  if (ts.isTypeReferenceNode(node)) {
    const symbol = checker.getSymbolAtLocation(node.typeName);
    const declaration = symbol?.declarations?.[0];
    if (
      symbol !== undefined &&
      symbol.flags & ts.SymbolFlags.TypeParameter &&
      (declaration === undefined ||
        declaration.getSourceFile() !== scope.getSourceFile() ||
        declaration.pos < scope.pos ||
        declaration.end > scope.end)
    ) {
      return true;
    }
  }
  return (
    ts.forEachChild(node, (child) => namesOuterTypeParameter(checker, child, scope) || undefined) ?? false
  );
}

/** A type parameter, or a type still waiting for one (`keyof T`, `T[K]`, `K | 'a'`). */
function isGeneric(type: ts.Type): boolean {
  return (
    (type.flags & ts.TypeFlags.Instantiable) !== 0 ||
    (type.isUnionOrIntersection() && type.types.some(isGeneric))
  );
}

/** A function type (a property holding one is a method the value would lose). */
function isFunctionValued(type: ts.Type): boolean {
  if (type.isUnion()) return type.types.every(isFunctionValued);
  return type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0;
}

/** `{}` itself: no properties, index signatures or signatures. */
function isEmptyObject(type: ts.Type): boolean {
  return (
    isObjectType(type) &&
    isAnonymous(type) &&
    type.getProperties().length === 0 &&
    type.getStringIndexType() === undefined &&
    type.getNumberIndexType() === undefined &&
    type.getCallSignatures().length === 0 &&
    type.getConstructSignatures().length === 0
  );
}

/** `{}` written as a type literal: it accepts every value but null and undefined. */
function isAnonymous(type: ts.ObjectType): boolean {
  return (type.objectFlags & ts.ObjectFlags.Anonymous) !== 0;
}

const builders = new WeakMap<ts.TypeChecker, ShapeBuilder>();
const noTransferTypes: ReadonlySet<ts.Symbol> = new Set();

/**
 * One builder per checker, so every signature of a program (and both modes) shares the walked shapes; a different
 * set of transfer types judges differently, so it replaces the builder.
 */
export function shapeBuilderFor(
  checker: ts.TypeChecker,
  transferTypes: ReadonlySet<ts.Symbol> = noTransferTypes,
): ShapeBuilder {
  let builder = builders.get(checker);
  if (!builder || builder.transferTypes !== transferTypes) {
    builder = new ShapeBuilder(checker, transferTypes);
    builders.set(checker, builder);
  }
  return builder;
}
