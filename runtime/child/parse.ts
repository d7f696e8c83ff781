// Checks that a decoded value from the parent is a well-formed parent message before the child acts on it.
import { serializationModes } from '../modes.js';
import type { ParentMessage } from '../protocol.js';
import { TransportError } from '../transport.js';

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isArgIndex(value: unknown, args: unknown): boolean {
  return isIndex(value) && value < (args as unknown[]).length;
}

export function parseParentMessage(value: unknown): ParentMessage {
  const m = value as Record<string, unknown> | null;
  if (typeof m === 'object' && m !== null) {
    switch (m.t) {
      case 'call':
        // A bad method index is the call's problem (MethodNotFoundError), not the link's.
        if (
          isIndex(m.id) &&
          Array.isArray(m.a) &&
          (m.f === undefined || (Array.isArray(m.f) && m.f.every((i) => isArgIndex(i, m.a)))) &&
          (m.s === undefined || isArgIndex(m.s, m.a)) &&
          (m.h === undefined || (Array.isArray(m.h) && m.h.every((i) => isArgIndex(i, m.a))))
        )
          return m as unknown as ParentMessage;
        break;
      case 'abort':
        if (isIndex(m.id) && typeof m.r === 'object' && m.r !== null) return m as unknown as ParentMessage;
        break;
      case 'cb-ok':
        if (isIndex(m.n)) return m as unknown as ParentMessage;
        break;
      case 'cb-err':
        if (isIndex(m.n) && typeof m.e === 'object' && m.e !== null) return m as unknown as ParentMessage;
        break;
      case 'sub':
      case 'unsub':
        if (typeof m.e === 'string') return m as unknown as ParentMessage;
        break;
      case 'init':
        if (
          serializationModes.includes(m.mode as never) &&
          typeof m.className === 'string' &&
          (m.module === undefined || typeof m.module === 'string') &&
          Array.isArray(m.args) &&
          isIndex(m.maxMessageBytes) &&
          (m.parent === undefined || isIndex(m.parent))
        ) {
          return m as unknown as ParentMessage;
        }
        break;
      case 'dispose':
        return m as unknown as ParentMessage;
    }
  }
  throw new TransportError('not a parent message');
}
