// Screens what a child writes on Node's IPC channel (open with supportHandles) before Node acts on it.
/*
 * Node reads the IPC channel trusting the other end: a line that is not JSON throws out of its read callback, an
 * acknowledgement when no handle was sent fails an assertion on the next tick, a handle message of a type Node does
 * not know throws, a descriptor sent with no handle message is kept open, and a line without an end is kept whole,
 * however long. Each would end this process (or fill it) because of what a child wrote. So the read callback runs
 * inside a guard, the internal messages (`cmd`) are looked at before Node's own listener sees them, a descriptor
 * that comes is closed, and the line still open is measured after each read; what fails ends the worker as a
 * protocol violation. Reaching the channel's read callback and its open line takes two of Node's own symbols
 * (`kChannelHandle`, `kJSONBuffer`); where a Node version lacks them, that part of the guard is off.
 *
 * The worker's own messages (process.send) go to the `$process.on('message')` listeners there are when they arrive:
 * those it sends while none listens are dropped, where Node would keep them without bound for a listener to come.
 */
import type { ChildProcess } from 'node:child_process';
import { ProtocolError } from './errors.js';
import { messageOf } from './thrown.js';

type Emit = (event: string | symbol, ...args: unknown[]) => boolean;

function ownSymbol(holder: object, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(holder).find((s) => s.description === description);
}

/** The internal messages of a handle that Node's listener would choke on: for any other, undefined. */
function refusal(message: unknown, child: ChildProcess): string | undefined {
  const cmd = (message as { cmd?: unknown } | null)?.cmd;
  if (cmd === 'NODE_HANDLE_ACK' || cmd === 'NODE_HANDLE_NACK') {
    const queue = (child as unknown as { _handleQueue?: unknown })._handleQueue;
    return Array.isArray(queue) ? undefined : `a ${cmd} for no handle sent`;
  }
  // A handle the worker sends this process: not something procxy asks for, and Node's conversion trusts its fields.
  if (cmd === 'NODE_HANDLE') return 'a handle sent to the parent';
  return undefined;
}

/**
 * Guards the IPC channel of `child`; `fail` ends the worker. Messages longer than `maxMessageBytes` fail too.
 */
export function guardChannel(
  child: ChildProcess,
  maxMessageBytes: number,
  fail: (error: ProtocolError) => void,
): void {
  const emit = child.emit as Emit;
  child.emit = function screened(this: ChildProcess, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'internalMessage') {
      const refused = refusal(args[0], child);
      if (refused !== undefined) {
        // A handle that came with it is this process's to close: nothing else will.
        (args[1] as { close?: () => void } | undefined)?.close?.();
        fail(new ProtocolError(`its IPC channel carried ${refused}`));
        return false;
      }
    }
    return emit.call(this, event, ...args);
  } as typeof child.emit;
  child.on('message', dropUnheard);

  const handleSymbol = ownSymbol(child, 'kChannelHandle');
  const channel =
    handleSymbol && (child as unknown as Record<symbol, Record<string | symbol, unknown>>)[handleSymbol];
  const read = channel?.onread;
  if (channel === undefined || typeof read !== 'function') return;
  const openLine = ownSymbol(channel, 'kJSONBuffer');
  let failed = false;
  const refuse = (what: string) => {
    failed = true;
    fail(new ProtocolError(`its IPC channel carried ${what}`));
  };
  channel.onread = function guarded(this: unknown, ...args: unknown[]): void {
    // A descriptor the worker sent beside its bytes: Node keeps one until a handle message names it, and drops it,
    // open, when another comes first. procxy asks for none.
    const handle = channel.pendingHandle as { close?: () => void } | null | undefined;
    if (handle != null) {
      channel.pendingHandle = null;
      handle.close?.();
      if (!failed) refuse('a handle sent to the parent');
    }
    // Once refused, what else comes is not read (the worker is being ended); its end still closes the channel.
    if (failed && args[0] !== undefined) return;
    try {
      read.apply(this, args);
    } catch (error) {
      return refuse(`a line that is not a JSON message (${messageOf(error).slice(0, 200)})`);
    }
    const open = openLine === undefined ? undefined : channel[openLine];
    if (typeof open === 'string' && open.length > maxMessageBytes) {
      refuse(`a line grown past maxMessageBytes (${maxMessageBytes}) characters before its end`);
    }
  };
}

/** Node keeps a message no listener hears for one to come: this one hears them all, so that none is kept. */
function dropUnheard(): void {}
