// What is procxiable at build time: judges a method's or constructor's parameters and awaited return per mode.
import { ts } from 'ts-morph';
import { diagnosticAt, type ProcxyDiagnostic } from './diagnostics.js';
import {
  type Finding,
  isLibFile,
  isLibSymbol,
  propertySegment,
  type ShapeNode,
  shapeBuilderFor,
} from './procxiable-shape.js';
import { type RuleId, rules } from './rules.js';
import { isSymbolKeyed } from './symbols.js';

export type SerializationMode = 'json' | 'advanced';

/** The JSDoc tag on a method or constructor that accepts `any`, `unknown`, `object` and `{}` in its signature. */
export const UNCHECKED_TAG = 'procxyUnchecked';

export interface CheckSignatureInput {
  signature: ts.Signature;
  declaration: ts.SignatureDeclaration;
  /** 'Scheduler.at' */
  owner: string;
  mode: SerializationMode;
  checker: ts.TypeChecker;
  /** When true, a top-level function-typed parameter is a proxied callback if its own signature is procxiable. */
  allowCallbacks?: boolean;
  /** The declarations of the config's `transferTypes`: procxiable in both modes, at any depth. */
  transferTypes?: ReadonlySet<ts.Symbol>;
}

export interface CheckConstructorInput {
  /** Undefined when the class has no constructor of its own and no base constructor declares one. */
  declaration: ts.ConstructorDeclaration | undefined;
  params: readonly ts.ParameterDeclaration[];
  /** 'Scheduler' */
  owner: string;
  mode: SerializationMode;
  checker: ts.TypeChecker;
  /**
   * The worker class's construct signature. Optional, but pass it when the constructor is inherited from a generic
   * base class: its parameter types are instantiated (`Base<Date>`), the declarations' are not (`T`).
   */
  signature?: ts.Signature;
  transferTypes?: ReadonlySet<ts.Symbol>;
  /**
   * Where a finding points when the constructor is declared in a library (`class Counts extends Map<...> {}`): the
   * class name, since a span inside TypeScript's own libs tells the user nothing.
   */
  fallback?: ts.Node;
}

export interface CheckEventsInput {
  /** The event map the worker's `EventEmitter<Events>` base takes. */
  events: ts.Type;
  /** Where a finding about an event without a declaration of its own points (the class name). */
  fallback: ts.Node;
  /** 'Ticker' */
  owner: string;
  mode: SerializationMode;
  checker: ts.TypeChecker;
  transferTypes?: ReadonlySet<ts.Symbol>;
  /** The class carries `@procxyUnchecked`: `any`, `unknown` and `object` payloads are accepted. */
  unchecked?: boolean;
}

/** Every violation in the parameters and the awaited return type of one method signature. */
export function checkSignature(input: CheckSignatureInput): ProcxyDiagnostic[] {
  const { signature, declaration, owner, mode, checker } = input;
  const judge = new Judge(checker, mode, hasUncheckedTag(declaration, checker), input.transferTypes, {
    callbacks: input.allowCallbacks ?? false,
    methodParameters: true,
  });
  const declared = declaration.parameters.filter((p) => !isThisParameter(p));
  const symbols = signature.getParameters();
  symbols.forEach((symbol, i) => {
    const parameter = parameterDeclaration(symbol) ?? declared[i];
    if (parameter === undefined) return;
    judge.parameter(
      parameter,
      checker.getTypeOfSymbol(symbol),
      `parameter '${parameterLabel(parameter, i)}' of '${owner}'`,
      i,
      i === symbols.length - 1,
    );
  });
  const returned = checker.getReturnTypeOfSignature(signature);
  const awaited = checker.getAwaitedType(returned) ?? returned;
  const at = declaration.type ?? declaration.name ?? declaration;
  judge.value(at, [{ node: judge.shape(awaited), path: 'return' }], `return type of '${owner}'`, 'return');
  return judge.diagnostics;
}

/** Every violation in a worker class's constructor parameters: they cross the boundary when the worker is spawned. */
export function checkConstructor(input: CheckConstructorInput): ProcxyDiagnostic[] {
  const { declaration, params, owner, mode, checker, signature } = input;
  const unchecked = declaration !== undefined && hasUncheckedTag(declaration, checker);
  const judge = new Judge(checker, mode, unchecked, input.transferTypes, {
    callbacks: false,
    methodParameters: false,
  });
  params.forEach((parameter, i) => {
    const symbol = signature?.getParameters()[i];
    const type = symbol ? checker.getTypeOfSymbol(symbol) : checker.getTypeAtLocation(parameter);
    const inLibrary = isLibFile(parameter.getSourceFile()) && input.fallback !== undefined;
    judge.parameter(
      parameter,
      type,
      `parameter '${parameterLabel(parameter, i)}' of the constructor of '${owner}'`,
      i,
      false,
      inLibrary ? input.fallback : undefined,
    );
  });
  return judge.diagnostics;
}

/** Every violation in the payloads of an event map: a listener's arguments cross from the child as one array. */
export function checkEvents(input: CheckEventsInput): ProcxyDiagnostic[] {
  const { events, fallback, owner, mode, checker } = input;
  const judge = new Judge(checker, mode, input.unchecked ?? false, input.transferTypes, {
    callbacks: false,
    methodParameters: false,
  });
  for (const property of checker.getPropertiesOfType(events)) {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    const at = declaration !== undefined && !isLibFile(declaration.getSourceFile()) ? declaration : fallback;
    const name = isSymbolKeyed(property) ? undefined : property.name;
    if (name === undefined) {
      judge.value(at, [{ node: symbolNode, path: 'events' }], `the event map of '${owner}'`, 'events');
      continue;
    }
    judge.value(
      at,
      judge.eventArguments(checker.getTypeOfSymbol(property), name),
      `event '${name}' of '${owner}'`,
      name,
    );
  }
  // `Record<string, [number]>`: every event name, one payload type.
  for (const info of checker.getIndexInfosOfType(events)) {
    const at =
      info.declaration !== undefined && !isLibFile(info.declaration.getSourceFile())
        ? info.declaration
        : fallback;
    const symbolKeyed = (info.keyType.flags & ts.TypeFlags.ESSymbolLike) !== 0;
    const roots = symbolKeyed
      ? [{ node: symbolNode, path: '[string]' }]
      : judge.eventArguments(info.type, '[string]');
    judge.value(at, roots, `the events of '${owner}'`, '[string]');
  }
  return judge.diagnostics;
}

/** A symbol-keyed event: the runtime forwards only string-named events. */
/**
 * TypeScript's codes for a name it cannot resolve: cannot find name, module or namespace (with the "do you need to
 * install type definitions" variants, 2580-2593), no exported member, "did you mean", and no declaration file for a
 * module (TS7016, under noImplicitAny).
 */
const RESOLUTION_CODES = new Set([
  2304, 2305, 2307, 2503, 2552, 2580, 2581, 2582, 2583, 2584, 2591, 2592, 2593, 2614, 2694, 2724, 2792, 7016,
]);
const programs = new WeakMap<ts.TypeChecker, ts.Program>();
const resolutionErrors = new WeakMap<ts.Program, boolean>();

/** Lets the checks ask the program of a checker whether tsc reports an unresolved name (see `reportsUnresolved`). */
export function registerProgram(program: ts.Program): void {
  programs.set(program.getTypeChecker(), program);
}

/**
 * Whether tsc itself reports an unresolved name in the program. The checker gives the same `any` to a missing import
 * and to a type from an untyped JS package under `noImplicitAny: false`, which tsc accepts; only the former is
 * PRX1024, the latter is an `any` that @procxyUnchecked may cover. The unresolved type is one object for every
 * name, so the program's diagnostics decide; they are computed once, and only when such a type is met. Without a
 * registered program (direct calls), it stays PRX1024.
 */
function reportsUnresolved(checker: ts.TypeChecker): boolean {
  const program = programs.get(checker);
  if (program === undefined) return true;
  let found = resolutionErrors.get(program);
  if (found === undefined) {
    found = program
      .getSourceFiles()
      .filter((f) => !program.isSourceFileDefaultLibrary(f) && !program.isSourceFileFromExternalLibrary(f))
      .some((f) => program.getSemanticDiagnostics(f).some((d) => RESOLUTION_CODES.has(d.code)));
    resolutionErrors.set(program, found);
  }
  return found;
}

const symbolNode: ShapeNode = {
  findings: [{ rule: 'symbol', subject: 'a symbol-named event', segment: '' }],
  edges: [],
};

/** Whether a top-level parameter of the signature is an OS handle: its worker then needs `supportHandles`. */
export function takesHandles(
  signature: ts.Signature,
  checker: ts.TypeChecker,
  transferTypes?: ReadonlySet<ts.Symbol>,
): boolean {
  const builder = shapeBuilderFor(checker, transferTypes);
  return signature.getParameters().some((symbol) => {
    const declared = checker.getTypeOfSymbol(symbol);
    // A rest parameter's arguments are the method's own too: the runtime sends a handle among them as one.
    const type =
      parameterDeclaration(symbol)?.dotDotDotToken !== undefined
        ? (checker.getIndexTypeOfType(declared, ts.IndexKind.Number) ?? declared)
        : declared;
    return (type.isUnion() ? type.types : [type]).some((m) => builder.topLevelKind(m) === 'handle');
  });
}

interface Root {
  node: ShapeNode;
  path: string;
}

/** What the runtime lifts out of a call's top-level arguments, so the value check does not see it. */
interface Lifted {
  /** Function arguments become proxied callbacks. */
  readonly callbacks: boolean;
  /** A method's (not a constructor's) handles, and its last parameter's AbortSignal. */
  readonly methodParameters: boolean;
}

class Judge {
  readonly diagnostics: ProcxyDiagnostic[] = [];
  private readonly builder;

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly mode: SerializationMode,
    private readonly unchecked: boolean,
    transferTypes: ReadonlySet<ts.Symbol> | undefined,
    private readonly lifted: Lifted,
  ) {
    this.builder = shapeBuilderFor(checker, transferTypes);
  }

  shape(type: ts.Type): ShapeNode {
    return this.builder.shapeOf(type);
  }

  parameter(
    parameter: ts.ParameterDeclaration,
    type: ts.Type,
    where: string,
    index: number,
    last: boolean,
    site?: ts.Node,
  ): void {
    const at = site ?? parameter.type ?? parameter;
    const label = parameterLabel(parameter, index);
    if (type.flags & ts.TypeFlags.Never) {
      this.report(at, { rule: 'never-parameter', subject: '', segment: '' }, where, label, label);
      return;
    }
    if (parameter.dotDotDotToken !== undefined && this.spreadArguments(at, type, where, label)) return;
    this.value(at, this.topLevel(at, type, where, label, { rest: false, last }), where, label);
  }

  /**
   * The value roots of one top-level argument, after what the runtime lifts out of it: callbacks (checked here),
   * handles and the last AbortSignal. A rest parameter's arguments lift callbacks and handles, as the runtime does
   * for every argument of a call, but no signal, which only the last declared parameter takes.
   */
  private topLevel(
    at: ts.Node,
    type: ts.Type,
    where: string,
    path: string,
    position: { rest: boolean; last: boolean },
  ): Root[] {
    const members = type.isUnion() ? type.types : [type];
    const isLifted = (member: ts.Type): boolean => {
      if (this.lifted.callbacks && this.isCallback(member)) return true;
      if (!this.lifted.methodParameters) return false;
      const kind = this.builder.topLevelKind(member);
      return kind === 'handle' || (kind === 'abort-signal' && position.last && !position.rest);
    };
    if (!members.some(isLifted)) return [{ node: this.shape(type), path }];
    const values: Root[] = [];
    for (const member of members) {
      if (!isLifted(member)) values.push({ node: this.shape(member), path });
      else if (this.isCallback(member)) this.callback(at, member, where, path);
    }
    return values;
  }

  /**
   * Rest elements are separate arguments, so `undefined` among them is not an array element in json mode, and a
   * function among them is a callback like any other top-level argument.
   */
  private spreadArguments(at: ts.Node, type: ts.Type, where: string, label: string): boolean {
    const position = { rest: true, last: false };
    const roots = this.spread(
      type,
      (i, variable) => `${label}${variable ? '[]' : `[${i}]`}`,
      (element, path) => this.topLevel(at, element, where, path, position),
    );
    if (roots === undefined) return false;
    this.value(at, roots, where, label);
    return true;
  }

  private isCallback(type: ts.Type): boolean {
    return type.getCallSignatures().length > 0 && type.getConstructSignatures().length === 0;
  }

  /**
   * An argument the child sends the parent (a callback's, an event's): an Error among its types travels as a thrown
   * one does, in either mode, so only what it adds to Error is judged (no methods), and the other types as values.
   */
  private argument(type: ts.Type, path: string): Root[] {
    const members = type.isUnion() ? type.types : [type];
    const isError = (member: ts.Type): boolean =>
      this.builder.topLevelKind(member) === 'error' ||
      (member.isIntersection() && member.types.some(isError));
    if (!members.some(isError)) return [{ node: this.shape(type), path }];
    return members.map((member) => ({
      node: isError(member) ? this.builder.errorAdditions(member) : this.shape(member),
      path,
    }));
  }

  /**
   * The roots of an event's payload: each element of its tuple, or of its array (`(string | undefined)[]`), is an
   * argument, since the runtime sends a listener's arguments as arguments; anything else is one value.
   */
  eventArguments(payload: ts.Type, path: string): Root[] {
    return (
      this.spread(payload, (i, variable) => `${path}${variable ? '[]' : `[${i}]`}`) ?? [
        { node: this.shape(payload), path },
      ]
    );
  }

  /**
   * A list of arguments (a rest parameter's or a listener's type) as one root per argument, each judged by `judge`
   * (by default as the arguments the child sends are, so undefined among them is fine); undefined when the type is
   * not a list.
   */
  private spread(
    list: ts.Type,
    pathOf: (index: number, variable: boolean) => string,
    judge: (element: ts.Type, path: string) => Root[] = (element, path) => this.argument(element, path),
  ): Root[] | undefined {
    const checker = this.checker;
    if (list.flags & ts.TypeFlags.TypeParameter) {
      const constraint = restConstraint(checker, list);
      return constraint === list ? undefined : this.spread(constraint, pathOf, judge);
    }
    if (list.isUnion()) {
      // `...args: [visit: Visit] | [opts: Opts, visit: Visit]`: each form's elements are arguments too.
      const forms = list.types.map((form) => this.spread(form, pathOf, judge));
      return forms.every((roots) => roots !== undefined) ? forms.flat() : undefined;
    }
    if (!(list.flags & ts.TypeFlags.Object)) return undefined;
    const reference = list as ts.TypeReference;
    if (checker.isArrayType(list)) {
      const [element] = checker.getTypeArguments(reference);
      return element === undefined ? undefined : judge(element, pathOf(0, true));
    }
    if (!checker.isTupleType(list)) return undefined;
    const target = reference.target as ts.TupleType;
    return checker.getTypeArguments(reference).flatMap((element, i) => {
      const variable = (target.elementFlags[i]! & ts.ElementFlags.Variable) !== 0;
      return judge(element, pathOf(i, variable));
    });
  }

  /** A callback's arguments travel from the child back to the parent, and its awaited result the other way. */
  private callback(at: ts.Node, type: ts.Type, where: string, label: string): void {
    // The child gets a function that forwards calls: whatever else the parent's function carries stays behind.
    for (const property of this.checker.getPropertiesOfType(type)) {
      if (isLibSymbol(property)) continue;
      const member = property.flags & ts.SymbolFlags.Method ? 'method' : 'property';
      const name = isSymbolKeyed(property) ? undefined : property.name;
      const subject = `${member} '${name ?? 'symbol-keyed'}'`;
      const path = name === undefined ? label : `${label}${propertySegment(name)}`;
      this.report(at, { rule: 'callback-property', subject, segment: '' }, where, label, path);
    }
    for (const signature of type.getCallSignatures()) {
      const self = thisParameterType(this.checker, signature);
      if (self !== undefined) {
        const subject = this.checker.typeToString(self);
        this.report(at, { rule: 'callback-this', subject, segment: '' }, where, label, `${label}(this)`);
      }
      const roots: Root[] = signature.getParameters().flatMap((symbol, i) => {
        const type = this.checker.getTypeOfSymbol(symbol);
        // Rest arguments are arguments too, not an array: `cb(arg 1...)` for the ones from index 1 on.
        const rest =
          parameterDeclaration(symbol)?.dotDotDotToken !== undefined
            ? this.spread(type, (k, variable) => `${label}(arg ${i + k}${variable ? '...' : ''})`)
            : undefined;
        return rest ?? this.argument(type, `${label}(arg ${i})`);
      });
      const returned = signature.getReturnType();
      if (!resultAwaitable(this.checker, returned)) {
        const subject = this.checker.typeToString(returned);
        this.report(at, { rule: 'callback-result', subject, segment: '' }, where, label, `${label}(result)`);
      }
      roots.push({
        node: this.shape(this.checker.getAwaitedType(returned) ?? returned),
        path: `${label}(result)`,
      });
      this.value(at, roots, where, label);
    }
  }

  /**
   * Reports every finding reachable from the roots that applies in this mode. Each edge is followed once, so a shared
   * or recursive type is reported at the first (shortest) path that reaches it, and the walk stays linear.
   */
  value(at: ts.Node, roots: readonly Root[], where: string, label: string): void {
    const followed = new Set<object>();
    const queue: Root[] = [...roots];
    for (let i = 0; i < queue.length; i++) {
      const next = queue[i]!;
      for (const finding of next.node.findings) {
        this.report(at, finding, where, label, next.path + finding.segment);
      }
      for (const edge of next.node.edges) {
        if (followed.has(edge)) continue;
        followed.add(edge);
        queue.push({ node: edge.node, path: next.path + edge.segment });
      }
    }
  }

  private report(at: ts.Node, finding: Finding, where: string, label: string, path: string): void {
    let id: RuleId = finding.rule;
    if (id === 'unresolved' && !reportsUnresolved(this.checker)) id = 'any';
    const rule = rules[id];
    if (!rule.modes.includes(this.mode) || (this.unchecked && rule.uncheckable)) return;
    const location = path === label ? where : `${where} at '${path}'`;
    // The hint never depends on allowCallbacks, so a message reads the same before and after callbacks exist.
    const message = `${location}: ${rule.problem(finding.subject)}. ${finding.hint ?? rule.hint}`;
    if (this.diagnostics.some((d) => d.code === rule.code && d.message === message)) return;
    this.diagnostics.push(diagnosticAt(at, rule.code, message, rule.category));
  }
}

/**
 * Whether a callback's declared result lets the worker take what the child's callback gives, a Promise: it holds a
 * Promise (a thenable: `T | Promise<T>` has the worker await it too), or nothing the worker would use (void,
 * undefined). `any`/`unknown` is let be; a type parameter is judged by its constraint (`T extends string` is a
 * string to the worker, as `Procxy<T>` sees it), an unconstrained one let be.
 */
function resultAwaitable(checker: ts.TypeChecker, returned: ts.Type): boolean {
  const loose =
    ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Never | ts.TypeFlags.Any | ts.TypeFlags.Unknown;
  const members = constrainedMembers(checker, returned);
  return (
    members.some((t) => checker.getAwaitedType(t) !== t) || members.every((t) => (t.flags & loose) !== 0)
  );
}

/**
 * The members of a union, a type parameter (or a type made of one) as those of its constraint, unknown if none; a
 * template literal or `Uppercase<...>` type is a string whatever it is made of.
 */
function constrainedMembers(checker: ts.TypeChecker, type: ts.Type): ts.Type[] {
  return (type.isUnion() ? type.types : [type]).flatMap((t) => {
    if (t.flags & (ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping))
      return [checker.getStringType()];
    if ((t.flags & ts.TypeFlags.Instantiable) === 0) return [t];
    const constraint = checker.getBaseConstraintOfType(t);
    if (constraint === undefined || constraint === t || (constraint.flags & ts.TypeFlags.Instantiable) !== 0)
      return [checker.getUnknownType()];
    return constrainedMembers(checker, constraint);
  });
}

/**
 * Whether a function type's awaited result is nothing (void, undefined, or a union of them) in every signature: its
 * caller takes no value, so what the JavaScript returns anyway (a `set(): void` that returns `this`) is not sent.
 */
export function returnsNothing(checker: ts.TypeChecker, signatures: readonly ts.Signature[]): boolean {
  return (
    signatures.length > 0 &&
    signatures.every((signature) => {
      const returned = checker.getReturnTypeOfSignature(signature);
      const awaited = checker.getAwaitedType(returned) ?? returned;
      const members = awaited.isUnion() ? awaited.types : [awaited];
      return members.every((t) => (t.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) !== 0);
    })
  );
}

/** `...args: A` with `A extends [visit: Visit]`: its arguments are those of what A may be (itself if unconstrained). */
function restConstraint(checker: ts.TypeChecker, list: ts.Type): ts.Type {
  return list.flags & ts.TypeFlags.TypeParameter ? (checker.getBaseConstraintOfType(list) ?? list) : list;
}

/** One way to call a method: the type at each argument position, and where a variable-length rest begins. */
interface ArgumentForm {
  readonly types: ts.Type[];
  readonly rest: number;
}

/**
 * The forms of a signature: its parameters, and for a rest parameter typed as tuples (`...args: [visit: V] |
 * [opts: O, visit: V]`) one form per tuple, its elements as arguments; a rest of any other type (an array, a type
 * parameter) begins a variable-length rest.
 */
function argumentForms(checker: ts.TypeChecker, signature: ts.Signature): ArgumentForm[] {
  const types: ts.Type[] = [];
  for (const symbol of signature.getParameters()) {
    if (parameterDeclaration(symbol)?.dotDotDotToken === undefined) {
      types.push(checker.getTypeOfSymbol(symbol));
      continue;
    }
    const list = restConstraint(checker, checker.getTypeOfSymbol(symbol));
    const tuples = list.isUnion() ? list.types : [list];
    if (!tuples.every((t) => checker.isTupleType(t))) return [{ types, rest: types.length }];
    return tuples.map((tuple) => {
      const target = (tuple as ts.TypeReference).target as ts.TupleType;
      const elements = checker.getTypeArguments(tuple as ts.TypeReference);
      const variable = target.elementFlags.findIndex((flag) => (flag & ts.ElementFlags.Variable) !== 0);
      const fixed = variable === -1 ? elements : elements.slice(0, variable);
      return { types: [...types, ...fixed], rest: variable === -1 ? Infinity : types.length + variable };
    });
  }
  return [{ types, rest: Infinity }];
}

/**
 * The argument positions where a function can only be a callback whose result is nothing, so the parent answers the
 * worker's call of it without a value: some form of the method takes such a callback there, and none takes one with
 * a result or data a function fits (any, unknown, object, {}). A form that takes plain data there (`prefix: string`
 * in `each(prefix, visit)` beside `each(visit)`), or no argument at all, is not the one a function there calls. Where
 * a form's variable-length rest reaches, the position is left out.
 */
export function nothingCallbacks(checker: ts.TypeChecker, signatures: readonly ts.Signature[]): number[] {
  const nullish = ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void;
  const nothing = (m: ts.Type) =>
    m.getConstructSignatures().length === 0 && returnsNothing(checker, m.getCallSignatures());
  const forms = signatures.flatMap((signature) => argumentForms(checker, signature));
  /** By form and position: the members a function is (callbacks) and those it is not (data). */
  const membersAt = forms.map(({ types }) =>
    types.map((type) => {
      const members = (type.isUnion() ? type.types : [type]).filter((m) => !(m.flags & nullish));
      return {
        callbacks: members.filter((m) => m.getCallSignatures().length > 0),
        data: members.filter((m) => m.getCallSignatures().length === 0),
      };
    }),
  );
  /** Every function type some form takes at each position: what a function passed there may be. */
  const functionsAt = new Map<number, ts.Type[]>();
  for (const members of membersAt) {
    members.forEach(({ callbacks }, i) => {
      if (callbacks.length > 0) functionsAt.set(i, [...(functionsAt.get(i) ?? []), ...callbacks]);
    });
  }
  /** By form: at each position that takes a function, whether only as a callback that returns nothing. */
  const takes = membersAt.map((members) => {
    const found = new Map<number, boolean>();
    members.forEach(({ callbacks, data }, i) => {
      // Members that are data (`number` in `(() => void) | number`) are not called; one a function fits too (any,
      // unknown, object, {}, Object) leaves the answer to what the function returns, in this form or another.
      const functions = functionsAt.get(i) ?? [];
      if (data.some((d) => functions.some((f) => checker.isTypeAssignableTo(f, d)))) found.set(i, false);
      else if (callbacks.length > 0) found.set(i, callbacks.every(nothing));
    });
    return found;
  });
  return [...functionsAt.keys()]
    .filter((i) => forms.every(({ rest }, k) => i < rest && takes[k]!.get(i) !== false))
    .filter((i) => takes.some((found) => found.get(i) === true))
    .sort((a, b) => a - b);
}

function isThisParameter(parameter: ts.ParameterDeclaration): boolean {
  return ts.isIdentifier(parameter.name) && parameter.name.text === 'this';
}

function parameterDeclaration(symbol: ts.Symbol): ts.ParameterDeclaration | undefined {
  const declaration = symbol.valueDeclaration;
  return declaration !== undefined && ts.isParameter(declaration) ? declaration : undefined;
}

/** Destructured parameters have no name: they are labelled like the run-time check labels arguments. */
function parameterLabel(parameter: ts.ParameterDeclaration, index: number): string {
  return ts.isIdentifier(parameter.name) ? parameter.name.text : `args[${index}]`;
}

/** The tag counts on any declaration of the member, so one tag covers all overloads of a method. */
function hasUncheckedTag(declaration: ts.SignatureDeclaration, checker: ts.TypeChecker): boolean {
  let declarations: readonly ts.Declaration[] = [declaration];
  if (ts.isConstructorDeclaration(declaration)) {
    declarations = declaration.parent.members.filter(ts.isConstructorDeclaration);
  } else if (declaration.name !== undefined) {
    declarations = checker.getSymbolAtLocation(declaration.name)?.declarations ?? declarations;
  }
  return declarations.some((d) => ts.getJSDocTags(d).some((tag) => tag.tagName.text === UNCHECKED_TAG));
}

/**
 * The type a signature declares for `this`, unless it assumes nothing of it (void, undefined, unknown, any): the
 * parent's function is called without one.
 */
function thisParameterType(checker: ts.TypeChecker, signature: ts.Signature): ts.Type | undefined {
  // The instantiated one (`Handler<void>` of `type Handler<This> = (this: This) => void` has `this: void`), which
  // TypeScript keeps on the signature but does not declare in its public API.
  const self = (signature as ts.Signature & { thisParameter?: ts.Symbol }).thisParameter;
  if (self === undefined) return undefined;
  const type = checker.getTypeOfSymbol(self);
  const assumesNothing = ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Unknown | ts.TypeFlags.Any;
  return type.flags & assumesNothing ? undefined : type;
}
