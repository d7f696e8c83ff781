// The Node built-ins of the modules a child runs, taken with process.getBuiltinModule instead of ESM imports.
/*
 * An ESM import of a built-in builds the module's namespace from all its exports, which loads what the built-in
 * keeps lazy: node:fs its promises API and file streams, node:util its argument parser and MIME types. A child pays
 * that at every start, before its first answer; taken as they are, the modules cost next to nothing, as Node's own
 * bootstrap has loaded most of them already. node:v8 is taken on first use: a child whose messages all travel as
 * JSON (every one in json mode) never needs it.
 */
import type * as V8 from 'node:v8';

export const fs = process.getBuiltinModule('node:fs');
export const net = process.getBuiltinModule('node:net');
export const { types, inspect } = process.getBuiltinModule('node:util');
export const { EventEmitter } = process.getBuiltinModule('node:events');

let loadedV8: typeof V8 | undefined;

export function v8(): typeof V8 {
  loadedV8 ??= process.getBuiltinModule('node:v8');
  return loadedV8;
}
