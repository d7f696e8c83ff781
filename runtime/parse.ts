// Checks that a decoded value from a child is a well-formed child message; anything else is a protocol violation.
import { isThrown, thrownBudget } from './error-descriptor.js';
import { isServedName } from './method-names.js';
import { everyItem, isArgumentList } from './peer-arrays.js';
import type { ChildMessage, InitFailureKind } from './protocol.js';
import { TransportError } from './transport.js';

const initFailureKinds = new Set<InitFailureKind>(['resolution', 'import', 'arguments', 'construct']);

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** No `x`, or ascending indices of arguments in `args` that each hold a Thrown. */
function areErrorArgs(x: unknown, args: readonly unknown[]): boolean {
  if (x === undefined) return true;
  if (!Array.isArray(x) || x.length === 0) return false;
  const b = thrownBudget();
  let previous = -1;
  for (const index of x as unknown[]) {
    if (!isIndex(index) || index <= previous || index >= args.length || !isThrown(args[index], b))
      return false;
    previous = index;
  }
  return true;
}

export function parseChildMessage(value: unknown): ChildMessage {
  const m = value as Record<string, unknown> | null;
  if (typeof m === 'object' && m !== null) {
    switch (m.t) {
      case 'ok':
        if (isId(m.id)) return m as unknown as ChildMessage;
        break;
      case 'err':
        if (isId(m.id) && isThrown(m.e, thrownBudget())) return m as unknown as ChildMessage;
        break;
      case 'ready':
        if (
          Array.isArray(m.methods) &&
          // Only what a child's table serves: a `then` would make the parent's proxy look like a promise.
          everyItem(m.methods, (name) => typeof name === 'string' && isServedName(name)) &&
          (m.emitter === undefined || typeof m.emitter === 'boolean')
        )
          return m as unknown as ChildMessage;
        break;
      case 'cb':
        if (isId(m.id) && isIndex(m.f) && isId(m.n) && isArgumentList(m.a) && areErrorArgs(m.x, m.a))
          return m as unknown as ChildMessage;
        break;
      case 'ev':
        if (typeof m.e === 'string' && isArgumentList(m.a) && areErrorArgs(m.x, m.a))
          return m as unknown as ChildMessage;
        break;
      case 'init-error':
        if (initFailureKinds.has(m.kind as InitFailureKind) && isThrown(m.e, thrownBudget()))
          return m as unknown as ChildMessage;
        break;
      case 'fatal':
        if (isThrown(m.e, thrownBudget())) return m as unknown as ChildMessage;
        break;
      case 'disposed':
      case 'handle-taken':
      case 'ipc-closed':
        return m as unknown as ChildMessage;
    }
  }
  throw new TransportError(`not a child message: ${preview(value)}`);
}

/** A few words on a value that is not a message; not the whole of it, which a hostile child makes huge. */
function preview(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value).slice(0, 80);
  const t = (value as { t?: unknown }).t;
  return typeof t === 'string'
    ? `a '${t.slice(0, 40)}' message of the wrong shape`
    : 'an object with no message type';
}
