// A start obeys the call deadline: a module or constructor that never finishes does not hang procxy().

import { procxy, TimeoutError } from 'procxy';
import { describe, expect, it } from 'vitest';
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
