// What the child runs: the dispatch table of a no-build worker, and the calls still running when it is disposed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { procxy, TerminatedError } from 'procxy';
import { describe, expect, it } from 'vitest';
import { guardLeaks } from '../reliability/helpers.js';
import { Disposing } from './fixtures/disposing.mjs';
import { TypedEmitter } from './fixtures/emitters.mjs';

guardLeaks();

describe('the dispatch table', () => {
  it("does not serve an EventEmitter worker's overrides of EventEmitter members: the proxy keeps those names for events", async () => {
    const w = await procxy(TypedEmitter, new URL('./fixtures/emitters.mjs', import.meta.url));
    try {
      const proxy = w as unknown as Record<string, unknown>;
      for (const name of ['emit', 'removeAllListeners']) expect(proxy[name], name).toBeUndefined();
      const heard: unknown[] = [];
      w.on('progress', (n) => heard.push(n));
      expect(await w.work()).toBe('done');
      expect(heard).toEqual([1]);
      expect(await w.attached('progress')).toBe(1);
    } finally {
      await w.$terminate();
    }
  });
});

describe('$terminate()', () => {
  it("aborts the signals of the calls still running before the worker's dispose runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procxy-dispose-'));
    const log = join(dir, 'log');
    try {
      const w = await procxy(Disposing, new URL('./fixtures/disposing.mjs', import.meta.url), {}, log);
      const call = w.wait(new AbortController().signal).catch((error: unknown) => error);
      while (!existsSync(log)) await new Promise((resolve) => setTimeout(resolve, 5));
      await w.$terminate();
      expect(await call).toBeInstanceOf(TerminatedError);
      expect(readFileSync(log, 'utf8').split('\n')).toEqual([
        'waiting',
        'aborted TerminatedError PROCXY_TERMINATED',
        'disposed',
        '',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
