// The built child runtime: one file, which imports only Node's modules and the runtime modules a worker shares.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const built = (file: string) =>
  readFileSync(new URL(`../../dist/runtime/child/${file}`, import.meta.url), 'utf8');

/** The specifiers of a module's static imports and re-exports. */
const imports = (source: string) =>
  [...source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/gms)].map((m) => m[1]);

describe('the bundled child runtime', () => {
  it('link.js holds the whole child runtime but the modules a worker shares with it', () => {
    const specifiers = new Set(imports(built('link.js')));
    const own = [...specifiers].filter((s) => !s.startsWith('node:')).sort();
    expect(own).toEqual(['../errors.js', '../transfer-handlers.js', '../transfer.js']);
    // What the bundle replaced: had these stayed imports, a child would load each as a file again.
    for (const inlined of ['../transport.js', '../procxiable.js', './dispatch.js', './handles.js']) {
      expect(specifiers.has(inlined)).toBe(false);
    }
  });

  it('both child entries load the runtime through link.js alone', () => {
    expect(imports(built('main.js'))).toEqual(['./link.js']);
    expect(new Set(imports(built('index.js')))).toEqual(new Set(['./link.js']));
  });
});
