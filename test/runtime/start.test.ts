// A start obeys the call deadline (a module or constructor that never finishes does not hang procxy()) and loads only
// the built-ins the link needs.

import { procxy, TimeoutError } from 'procxy';
import { describe, expect, it } from 'vitest';
import { Loaded } from './core-fixtures/loaded.mjs';
import { StuckConstructor } from './core-fixtures/stuck.mjs';
import { guardLeaks, isGone, waitGone } from './reliability/helpers.js';

guardLeaks();

const module = new URL('./core-fixtures/stuck.mjs', import.meta.url);

describe('start deadline', () => {
  it('rejects a constructor that never returns with TimeoutError and ends the child', async () => {
    const started = Date.now();
    let error: unknown;
    try {
      await procxy(StuckConstructor, module, { startTimeout: 300 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).method).toBe('constructor');
    expect((error as TimeoutError).timeoutMs).toBe(300);
    const pid = (error as TimeoutError).pid!;
    await waitGone(pid);
    expect(isGone(pid)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('built-ins a child loads', () => {
  // What an ESM import of node:fs, node:util or node:module would load, and node:v8, which only V8 frames need.
  const avoidable = [
    'v8',
    'internal/fs/streams',
    'internal/util/parse_args/parse_args',
    'internal/mime',
    'module',
  ];
  const loaded = new URL('./core-fixtures/loaded.mjs', import.meta.url);

  it('a json-mode child serves calls without any of them', async () => {
    const worker = await procxy(Loaded, loaded, { serialization: 'json' });
    try {
      expect(await worker.echo({ list: [1, 'two', null] })).toEqual({ list: [1, 'two', null] });
      expect(await worker.builtins(avoidable)).toEqual([]);
    } finally {
      await worker.$terminate();
    }
  });

  it('an advanced-mode child loads node:v8 with its first V8 frame', async () => {
    const worker = await procxy(Loaded, loaded, { serialization: 'advanced' });
    try {
      expect(await worker.builtins(avoidable)).toEqual([]);
      expect(await worker.echo(new Map([[1, 2n]]))).toEqual(new Map([[1, 2n]]));
      expect(await worker.builtins(avoidable)).toEqual(['v8']);
    } finally {
      await worker.$terminate();
    }
  });
});
