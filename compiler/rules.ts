// The table of procxiable rules: one stable PRX code per rule, the modes it applies to, and what to do instead.
import type { SerializationMode } from './procxiable.js';

export type RuleId =
  | 'function'
  | 'class-instance'
  | 'date-json'
  | 'map-set-json'
  | 'bigint-json'
  | 'regexp-json'
  | 'binary-json'
  | 'error-json'
  | 'undefined-in-array-json'
  | 'symbol'
  | 'promise-in-value'
  | 'weak-reference'
  | 'shared-array-buffer'
  | 'any'
  | 'unknown'
  | 'unconstrained-generic'
  | 'never-parameter'
  | 'untyped-object'
  | 'class-instance-json'
  | 'handle-not-top-level'
  | 'abort-signal-not-last'
  | 'too-deep'
  | 'callback-property'
  | 'unresolved'
  | 'array-properties-json'
  | 'builtin-properties'
  | 'callback-result'
  | 'callback-this';

export interface Rule {
  readonly code: string;
  /** The modes in which a value of this kind is rejected. */
  readonly modes: readonly SerializationMode[];
  readonly category: 'error' | 'warning';
  /** Whether the per-method `@procxyUnchecked` JSDoc tag silences it: only rules about types too loose to check. */
  readonly uncheckable: boolean;
  /** What is wrong, given the offending type's name as the subject ("Date", "class 'Logger'", "T"). */
  readonly problem: (subject: string) => string;
  /** What to do instead; one or two sentences ending with a period. */
  readonly hint: string;
}

const both: readonly SerializationMode[] = ['json', 'advanced'];
const jsonOnly: readonly SerializationMode[] = ['json'];
const optOut =
  'tag the method (or, for event payloads, the class) with @procxyUnchecked to opt out (values are still validated at run time)';

function rule(
  code: string,
  modes: readonly SerializationMode[],
  problem: (subject: string) => string,
  hint: string,
  extra: { category?: 'error' | 'warning'; uncheckable?: boolean } = {},
): Rule {
  return {
    code,
    modes,
    problem,
    hint,
    category: extra.category ?? 'error',
    uncheckable: extra.uncheckable ?? false,
  };
}

export const rules: { readonly [K in RuleId]: Rule } = {
  function: rule(
    'PRX1001',
    both,
    (subject) => `${subject} cannot cross the process boundary`,
    'Pass the data the function needs instead, or return a value and act on it in the caller.',
  ),
  'class-instance': rule(
    'PRX1002',
    both,
    (subject) => `${subject}, which cannot cross the process boundary`,
    "Pass only its data, as a plain object (an interface without methods), and rebuild the behaviour on the other side, or list the type in the config's transferTypes when a transfer handler carries it.",
  ),
  'date-json': rule(
    'PRX1003',
    jsonOnly,
    () => 'Date becomes a string in json mode',
    "Use serialization: 'advanced' or pass an ISO string.",
  ),
  'map-set-json': rule(
    'PRX1004',
    jsonOnly,
    (subject) => `${subject} becomes {} in json mode`,
    "Use serialization: 'advanced', or pass an array (of [key, value] entries for a Map) or a Record<string, T>.",
  ),
  'bigint-json': rule(
    'PRX1005',
    jsonOnly,
    () => 'bigint cannot be written as JSON (JSON.stringify throws)',
    "Use serialization: 'advanced' or pass it as a string.",
  ),
  'regexp-json': rule(
    'PRX1006',
    jsonOnly,
    () => 'RegExp becomes {} in json mode',
    "Use serialization: 'advanced' or pass its source and flags as strings.",
  ),
  'binary-json': rule(
    'PRX1007',
    jsonOnly,
    (subject) => `${subject} becomes a plain object in json mode`,
    "Use serialization: 'advanced' (binary data then travels as raw bytes) or pass a base64 string.",
  ),
  'error-json': rule(
    'PRX1008',
    jsonOnly,
    (subject) => `${subject} becomes {} in json mode (its name, message and stack are lost)`,
    "Use serialization: 'advanced' or pass { name, message } as a plain object.",
  ),
  'undefined-in-array-json': rule(
    'PRX1009',
    jsonOnly,
    (subject) => `undefined inside ${subject} becomes null in json mode`,
    "Use null instead of undefined, or serialization: 'advanced'.",
  ),
  symbol: rule(
    'PRX1010',
    both,
    (subject) => `${subject} cannot cross the process boundary`,
    'Use a string or a union of string literals instead.',
  ),
  'promise-in-value': rule(
    'PRX1011',
    both,
    (subject) => `a ${subject} inside a value cannot cross the process boundary`,
    'Await it before passing it; only the return value itself may be a Promise.',
  ),
  'weak-reference': rule(
    'PRX1012',
    both,
    (subject) => `${subject} cannot cross the process boundary (its contents cannot be enumerated)`,
    'Pass the data it holds as a plain object or array (or a Map/Set in advanced mode).',
  ),
  'shared-array-buffer': rule(
    'PRX1013',
    both,
    (subject) => `${subject} cannot be shared between processes`,
    "Copy the data into an ArrayBuffer or a Uint8Array and use serialization: 'advanced'.",
  ),
  any: rule(
    'PRX1014',
    both,
    (subject) => `type '${subject}' cannot be checked`,
    `Give it a procxiable type, or ${optOut}.`,
    { uncheckable: true },
  ),
  unknown: rule(
    'PRX1015',
    both,
    (subject) => `type '${subject}' cannot be checked`,
    `Give it a procxiable type, or ${optOut}.`,
    { uncheckable: true },
  ),
  'unconstrained-generic': rule(
    'PRX1016',
    both,
    (subject) => `type parameter '${subject}' has no constraint, so any value could be passed`,
    'Constrain it to a procxiable type, for example <T extends string | number>.',
  ),
  'never-parameter': rule(
    'PRX1017',
    both,
    () => "the parameter's type is 'never', so the method can never be called",
    "Fix the parameter's type; 'never' usually comes from an impossible intersection such as string & number.",
    { category: 'warning' },
  ),
  'untyped-object': rule(
    'PRX1018',
    both,
    (subject) => `type '${subject}' accepts any object, including functions and class instances`,
    `Use an interface or Record<string, T> with procxiable values, or ${optOut}.`,
    { uncheckable: true },
  ),
  'class-instance-json': rule(
    'PRX1019',
    jsonOnly,
    (subject) => `an instance of ${subject} arrives as a plain object in json mode`,
    "Type it as an interface (a plain object), or use serialization: 'advanced'.",
  ),
  'handle-not-top-level': rule(
    'PRX1020',
    both,
    (subject) => `${subject} is an OS handle, which crosses only as a top-level parameter of a method`,
    'Pass it as a parameter of its own; a handle inside a value, a returned handle, or one given to a constructor or a callback cannot be sent.',
  ),
  'abort-signal-not-last': rule(
    'PRX1021',
    both,
    () => "an AbortSignal crosses only as a method's last parameter",
    'Make it the last parameter of the method (the child then gets a signal that aborts when this one does); anywhere else it cannot be sent.',
  ),
  'too-deep': rule(
    'PRX1022',
    both,
    (subject) =>
      `type '${subject}' is too deep to check: it nests without end, a new type at every level (as Nest<T[]> inside Nest<T> does)`,
    `Let the recursion repeat the same type (inner: Nest<T> | null), or ${optOut}.`,
    { uncheckable: true },
  ),
  'callback-property': rule(
    'PRX1023',
    both,
    (subject) => `a callback crosses as a call only, so its ${subject} would be missing on the child's side`,
    'Pass the value as a parameter of its own, or type the callback as a plain function.',
  ),
  unresolved: rule(
    'PRX1024',
    both,
    () =>
      'the type cannot be resolved (a missing module or export, or a name that is not declared), so nothing can be checked',
    'Fix the import or declare the type; tsc reports the same error. @procxyUnchecked does not cover it.',
  ),
  'array-properties-json': rule(
    'PRX1025',
    jsonOnly,
    (subject) => `${subject} loses them in json mode, where an array is written as its elements only`,
    "Put the array and the properties side by side in an object ({ items, total }), or use serialization: 'advanced'.",
  ),
  'builtin-properties': rule(
    'PRX1026',
    both,
    (subject) => `${subject} loses them: it is rebuilt as the built-in on the other side`,
    'Put the value and the properties side by side in an object ({ at, tag }).',
  ),
  'callback-result': rule(
    'PRX1027',
    both,
    (subject) =>
      `a callback is typed to return ${subject}, but the child's callback returns a Promise of the parent's answer`,
    'Type its result as Promise<T> or T | Promise<T> and await it in the worker, or as void when the worker does not use it.',
  ),
  'callback-this': rule(
    'PRX1028',
    both,
    (subject) =>
      `a callback is typed with \`this: ${subject}\`, but only its arguments cross: the parent's function is called with \`this\` undefined`,
    'Pass that value as an argument of the callback, or type it `this: void`.',
  ),
};

const byCode = new Map<string, Rule>(Object.values(rules).map((r) => [r.code, r]));

/** The rule for a PRX code, if it is one of the procxiable rules. */
export function ruleForCode(code: string): Rule | undefined {
  return byCode.get(code);
}
