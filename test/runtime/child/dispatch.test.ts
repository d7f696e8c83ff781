// The dispatch table of a no-build worker: which of its class's methods the child serves.
import { procxy } from 'procxy';
import { describe, expect, it } from 'vitest';
import { guardLeaks } from '../reliability/helpers.js';
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
