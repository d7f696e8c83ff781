// Helpers the runtime tests share: a promise's rejection as a value, workers ended and scratch folders removed after each test.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProxyControls } from 'procxy';
import { afterEach, onTestFinished } from 'vitest';

/** What `promise` rejected with; fails the test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A function that starts a proxy and remembers it; every proxy it started is terminated after each test. */
export function terminatedAfterEach(): <P extends ProxyControls<unknown>>(proxy: Promise<P>) => Promise<P> {
  const started: ProxyControls<unknown>[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.$terminate()));
  });
  return async (proxy) => {
    const started_ = await proxy;
    started.push(started_);
    return started_;
  };
}

/** A new folder under the system's temporary one (its real path), removed with what it holds once the test ends. */
export function scratchDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
