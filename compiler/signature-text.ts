// Writes one signature or constructor of a worker class as stub text, naming every type it uses.
import path from 'node:path';
import { ts } from 'ts-morph';
import { diagnosticAt, type ProcxyDiagnostic } from './diagnostics.js';
import type { NameResult, NameScope, Part, RefPart, TypeNamer, TypeText } from './type-text.js';

/** Where a signature's own diagnostics (PRX9031) go. */
export interface SignatureContext {
  readonly checker: ts.TypeChecker;
  readonly diagnostics: ProcxyDiagnostic[];
}

/** A single-quoted string literal. */
export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** Whether `name` can be written bare (ASCII identifiers only: the stub never needs more). */
export function isIdentifierName(name: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(name);
}

/** A property key as a stub member name: identifiers as they are, anything else quoted. */
export function memberKey(name: string): string {
  return isIdentifierName(name) ? name : quote(name);
}

/**
 * A method's name as a member of the proxy interface (and of the stub spec's objects, alike): as memberKey, but `new`
 * quoted, which bare would start a construct signature (`new(a: string): R` is what `new proxy(a)` returns, not a
 * method `proxy.new(a)`). No other identifier changes meaning there: `get`, `set` and `readonly` followed by `(` are
 * method names, and `constructor` is never a worker's method (Object.prototype has it).
 */
export function methodKey(name: string): string {
  return name === 'new' ? quote(name) : memberKey(name);
}

const KEYWORDS = new Set([
  'string',
  'number',
  'boolean',
  'bigint',
  'symbol',
  'object',
  'void',
  'undefined',
  'null',
  'never',
  'unknown',
  'any',
  'readonly',
]);

/**
 * Whether `Awaited<text>` is `text` itself, for keywords, literals, arrays and unions of them; anything naming
 * another type keeps the Awaited (it might be a thenable).
 */
function neverThenable(text: string): boolean {
  const withoutLiterals = text.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\b\d[\d_.eE+-]*n?\b/g, ' ');
  if (/[^\w\s|()[\]]/.test(withoutLiterals)) return false;
  return (withoutLiterals.match(/\w+/g) ?? []).every(
    (word) => KEYWORDS.has(word) || word === 'true' || word === 'false',
  );
}

/** The parameters that cross the boundary (a `this` parameter does not). */
export function parametersOf(decl: ts.SignatureDeclaration): ts.ParameterDeclaration[] {
  return decl.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'));
}

/**
 * A parameter name a method signature can repeat: an identifier, or a destructuring pattern of shorthand names
 * (defaults dropped). Renames (`{ id: userId }`), quoted or computed keys cannot be written in a signature
 * (TS2842), so such a pattern gets no text and the parameter a positional name.
 */
export function bindingText(name: ts.BindingName): string | undefined {
  if (ts.isIdentifier(name)) return name.text;
  const elements: string[] = [];
  for (const element of name.elements) {
    if (ts.isOmittedExpression(element)) {
      elements.push('');
      continue;
    }
    if (element.propertyName !== undefined) return undefined;
    const inner = bindingText(element.name);
    if (inner === undefined) return undefined;
    elements.push(`${element.dotDotDotToken ? '...' : ''}${inner}`);
  }
  return ts.isObjectBindingPattern(name) ? `{ ${elements.join(', ')} }` : `[${elements.join(', ')}]`;
}

/** `[a: number, b: typeof a]` cannot be written: a tuple of constructor arguments has no parameters in scope. */
const IN_TUPLE: NameScope = { parameters: false };

/** A tuple element label must be an identifier: a destructured parameter gets a positional one. */
function tupleLabel(name: ts.BindingName): string | undefined {
  return ts.isIdentifier(name) ? name.text : undefined;
}

/** Every name a parameter binds, patterns included. */
function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : boundNames(e.name)));
}

/** A parameter a caller may leave out: optional, defaulted or rest. */
function isOptional(parameter: ts.ParameterDeclaration): boolean {
  return (
    parameter.questionToken !== undefined ||
    parameter.initializer !== undefined ||
    parameter.dotDotDotToken !== undefined
  );
}

/**
 * `text` with everything inside brackets and string literals blanked out, references as a placeholder name: what
 * is left is the type's top level, where a `=>` or `?` decides how a union after it binds.
 */
function topLevel(text: TypeText): string {
  const literal = text.map((part) => (typeof part === 'string' ? part : 'R')).join('');
  let out = '';
  let depth = 0;
  for (let i = 0; i < literal.length; i++) {
    const c = literal[i]!;
    if (c === "'" || c === '"' || c === '`') {
      // A string (or template) literal type: its brackets are not structure. Escapes skip the next character.
      let j = i + 1;
      while (j < literal.length && literal[j] !== c) j += literal[j] === '\\' ? 2 : 1;
      out += depth === 0 ? ' ' : '';
      i = j;
    } else if (c === '=' && literal[i + 1] === '>') {
      out += depth === 0 ? '=>' : '';
      i++;
    } else if ('([{<'.includes(c)) {
      out += depth === 0 ? ' ' : '';
      depth++;
    } else if (')]}>'.includes(c)) {
      depth--;
    } else if (depth === 0) out += c;
  }
  return out;
}

/** `T | undefined`, with `T` in parentheses where a union would bind inside it (`() => T`, conditionals). */
function orUndefined(text: TypeText): TypeText {
  const top = topLevel(text);
  // Tested first: `() => string | undefined` ends with `| undefined`, but inside the function's return type.
  const loose = /=>|\?|^\s*(?:abstract\s+)?new\b|\b(?:extends|infer)\b/.test(top);
  if (loose) return ['(', ...text, ') | undefined'];
  if (/\|\s*undefined\s*$/.test(top)) return text;
  return [...text, ' | undefined'];
}

/** The stub names of parameters: `keep`'s text, else `argN`, made unique against every name they bind. */
function parameterNames(
  parameters: readonly ts.ParameterDeclaration[],
  keep: (name: ts.BindingName, index: number) => string | undefined,
): string[] {
  const taken = new Set(parameters.flatMap((p) => boundNames(p.name)));
  return parameters.map((parameter, index) => {
    const kept = keep(parameter.name, index);
    if (kept !== undefined) return kept;
    let name = `arg${index}`;
    for (let n = 2; taken.has(name); n++) name = `arg${index}_${n}`;
    taken.add(name);
    return name;
  });
}

export function unnameable(
  context: SignatureContext,
  node: ts.Node,
  owner: string,
  what: string,
  result: NameResult,
  hint: string,
): undefined {
  if (result.ok) return undefined;
  const why =
    result.reason === 'not-exported'
      ? `'${result.name}' is not exported from ${path.basename(result.file ?? node.getSourceFile().fileName)}`
      : result.reason === 'external'
        ? `'${result.name}' comes from a package the stub cannot import it from`
        : result.reason === 'class-type-parameter'
          ? `it uses the class type parameter '${result.name}'`
          : result.reason === 'outer-type-parameter'
            ? `it uses the type parameter '${result.name}' of an enclosing function`
            : result.reason === 'parameter'
              ? `it refers to the parameter '${result.name}', which the tuple of constructor arguments cannot`
              : `'${result.name}' cannot be resolved`;
  context.diagnostics.push(
    diagnosticAt(
      node,
      'PRX9031',
      `${what} of '${owner}' cannot be written in the generated stub: ${why}. ${hint}`,
      'error',
    ),
  );
  return undefined;
}

/**
 * Text of a written type, or the checker's type when the written one cannot be used. When neither can, the
 * checker's reason is the one to tell: a base class's `T` is only why the written type could not serve, not what
 * keeps the type it stands for (`Store<Local>`'s `Local`) out of the stub.
 */
function typeAt(
  namer: TypeNamer,
  written: ts.TypeNode | undefined,
  inferred: () => ts.Type,
  enclosing: ts.Node,
  scope?: NameScope,
): NameResult {
  const first = written === undefined ? undefined : namer.written(written, scope);
  if (first?.ok) return first;
  const second = namer.inferred(inferred(), enclosing, scope);
  return second.ok || first === undefined || second.reason !== 'unresolved' ? second : first;
}

/** One crossing parameter as stub text: `...name?: ` and its type, or why its type cannot be written. */
interface ParameterText {
  readonly parameter: ts.ParameterDeclaration;
  readonly index: number;
  readonly name: string;
  readonly rest: boolean;
  readonly head: string;
  readonly type: NameResult;
}

/**
 * The crossing parameters of a signature, named by `keep` (see parameterNames), their types written for `scope`.
 * Lazy, so that a caller giving up at an unnameable parameter names no types after it (naming a type reserves the
 * names it uses).
 */
function* parameterTexts(
  context: SignatureContext,
  namer: TypeNamer,
  signature: ts.Signature,
  declaration: ts.SignatureDeclaration,
  keep: (name: ts.BindingName) => string | undefined,
  scope?: NameScope,
): Generator<ParameterText, void, undefined> {
  const { checker } = context;
  const symbols = signature.getParameters();
  const crossing = parametersOf(declaration);
  // `lead(a = 1, b: number)`: a required parameter after `a?` is TS1016 (a tuple: TS1257), so `a` stays
  // required and takes undefined, which is what the caller passes to get the default.
  const takesUndefined = crossing.map(
    (parameter, index) =>
      parameter.dotDotDotToken === undefined &&
      (parameter.questionToken !== undefined || parameter.initializer !== undefined) &&
      !crossing.slice(index + 1).every(isOptional),
  );
  // A pattern cannot destructure `T | undefined` (TS2339), so such a parameter gets its positional name.
  const names = parameterNames(crossing, (name, index) =>
    takesUndefined[index] && !ts.isIdentifier(name) ? undefined : keep(name),
  );
  for (const [index, parameter] of crossing.entries()) {
    const symbol = symbols[index];
    const name = names[index]!;
    const rest = parameter.dotDotDotToken !== undefined;
    const defaulted = !rest && (parameter.questionToken !== undefined || parameter.initializer !== undefined);
    const optional = defaulted && !takesUndefined[index];
    const type = typeAt(
      namer,
      parameter.type,
      () => (symbol === undefined ? checker.getAnyType() : checker.getTypeOfSymbol(symbol)),
      declaration,
      scope,
    );
    yield {
      parameter,
      index,
      name,
      rest,
      head: `${rest ? '...' : ''}${name}${optional ? '?' : ''}: `,
      type: defaulted && !optional && type.ok ? { ok: true, text: orUndefined(type.text) } : type,
    };
  }
}

function isPromiseReference(checker: ts.TypeChecker, node: ts.TypeNode): ts.TypeNode | undefined {
  if (!ts.isTypeReferenceNode(node) || !ts.isIdentifier(node.typeName) || node.typeName.text !== 'Promise')
    return;
  if (node.typeArguments?.length !== 1) return undefined;
  const symbol = checker.getSymbolAtLocation(node.typeName);
  const global = symbol?.declarations?.every((d) => !ts.isExternalModule(d.getSourceFile()));
  return global ? node.typeArguments[0] : undefined;
}

/** `<T>(a: X, b?: Y): Promise<Awaited<R>>`, or undefined after a PRX9031 (then the method is left out). */
export function signatureText(
  context: SignatureContext,
  namer: TypeNamer,
  signature: ts.Signature,
  declaration: ts.SignatureDeclaration,
  owner: string,
  indexed: TypeText | undefined,
): TypeText | undefined {
  const hint = indexed
    ? 'Export the type'
    : 'Export the type (this method is generic or overloaded, so the stub cannot refer to it through the class)';
  const parts: Part[] = [];
  const typeParameters = declaration.typeParameters ?? [];
  if (typeParameters.length > 0) {
    parts.push('<');
    for (const [index, parameter] of typeParameters.entries()) {
      if (index > 0) parts.push(', ');
      const isConst = parameter.modifiers?.some((m) => m.kind === ts.SyntaxKind.ConstKeyword);
      parts.push(`${isConst ? 'const ' : ''}${parameter.name.text}`);
      namer.reserve(parameter.name.text);
      // The signature's own type parameters are instantiated for this class (a base's `T` is known there).
      const instantiated = signature.getTypeParameters()?.[index];
      for (const [keyword, node, type] of [
        [' extends ', parameter.constraint, () => instantiated?.getConstraint()],
        [' = ', parameter.default, () => instantiated?.getDefault()],
      ] as const) {
        if (node === undefined) continue;
        const result = typeAt(namer, node, () => type() ?? context.checker.getUnknownType(), declaration);
        if (!result.ok)
          return unnameable(context, node, owner, `type parameter '${parameter.name.text}'`, result, hint);
        parts.push(keyword, ...result.text);
      }
    }
    parts.push('>');
  }
  const params: Part[] = [];
  const parameters = parameterTexts(context, namer, signature, declaration, bindingText);
  for (const { parameter, index, name, rest, head, type } of parameters) {
    if (index > 0) params.push(', ');
    params.push(head);
    if (type.ok) params.push(...type.text);
    else if (indexed !== undefined && !rest) params.push('Parameters<', ...indexed, `>[${index}]`);
    else if (indexed !== undefined)
      return [
        '(...args: Parameters<',
        ...indexed,
        '>)',
        ...returnText(context, namer, signature, declaration, indexed)!,
      ];
    else return unnameable(context, parameter, owner, `parameter '${name}'`, type, hint);
  }
  const returns = returnText(context, namer, signature, declaration, indexed);
  if (returns === undefined) {
    const node = declaration.type ?? declaration.name ?? declaration;
    const result = typeAt(namer, declaration.type, () => signature.getReturnType(), declaration);
    return unnameable(
      context,
      node,
      owner,
      'the return type',
      result,
      `${hint}, or annotate the return type`,
    );
  }
  return [...parts, '(', ...params, ')', ...returns];
}

/** `: Promise<Awaited<R>>`, simplified where that changes nothing. */
function returnText(
  context: SignatureContext,
  namer: TypeNamer,
  signature: ts.Signature,
  declaration: ts.SignatureDeclaration,
  indexed: TypeText | undefined,
): TypeText | undefined {
  const written = declaration.type;
  if (written !== undefined && ts.isTypePredicateNode(written)) {
    return [written.assertsModifier ? ': Promise<void>' : ': Promise<boolean>'];
  }
  if (written !== undefined) {
    const inner = isPromiseReference(context.checker, written) ?? written;
    const result = namer.written(inner);
    if (result.ok) return wrap(result.text);
  }
  const awaited = context.checker.getAwaitedType(signature.getReturnType()) ?? signature.getReturnType();
  const result = namer.inferred(awaited, declaration);
  if (result.ok) return [': Promise<', ...result.text, '>'];
  if (indexed !== undefined) return [': Promise<Awaited<ReturnType<', ...indexed, '>>>'];
  return undefined;
}

function wrap(text: TypeText): TypeText {
  const only = text.length === 1 ? text[0] : undefined;
  if (typeof only === 'string' && neverThenable(only)) return [`: Promise<${only.trim()}>`];
  return [': Promise<Awaited<', ...text, '>>'];
}

/** The constructor's parameters as a labelled tuple (a union for overloads), or through the class when unnameable. */
export function constructorText(
  context: SignatureContext,
  namer: TypeNamer,
  signatures: readonly ts.Signature[],
  className: string,
  classRef: RefPart,
): TypeText {
  const whole: TypeText = ['ConstructorParameters<typeof ', classRef, '>'];
  const tuples: Part[][] = [];
  for (const signature of signatures) {
    const declaration = signature.getDeclaration() as ts.ConstructorDeclaration | undefined;
    if (
      declaration !== undefined &&
      (ts.getCombinedModifierFlags(declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !==
        0
    ) {
      context.diagnostics.push(
        diagnosticAt(
          declaration,
          'PRX9030',
          `the constructor of worker class '${className}' is not public, so the child cannot construct it; make it public or do not export the class`,
          'error',
        ),
      );
      return whole;
    }
    const tuple: Part[] = ['['];
    const parameters =
      declaration === undefined
        ? []
        : parameterTexts(context, namer, signature, declaration, tupleLabel, IN_TUPLE);
    for (const { parameter, index, name, head, type } of parameters) {
      if (index > 0) tuple.push(', ');
      tuple.push(head);
      if (type.ok) tuple.push(...type.text);
      else if (signatures.length === 1) return whole;
      else {
        unnameable(context, parameter, className, `constructor parameter '${name}'`, type, 'Export the type');
        return whole;
      }
    }
    tuple.push(']');
    tuples.push(tuple);
  }
  if (tuples.length === 0) return ['[]'];
  return tuples.flatMap((tuple, index) => (index === 0 ? tuple : [' | ', ...tuple]));
}
