// The printer's import bookkeeping (names never collide, output never depends on order of discovery) and templates.
import { describe, expect, it } from 'vitest';
import { GeneratedFile, relativeSpecifier } from '../../compiler/generated-file.js';
import { fill } from '../../compiler/template.js';

describe('GeneratedFile', () => {
  it('imports lazily, renames a name the body already uses, and groups imports per module', () => {
    const file = new GeneratedFile('/p/src/a.procxy.ts', ['Options']);
    const body = [
      file.print([
        'x: ',
        {
          kind: 'ref',
          module: { kind: 'file', path: '/p/src/types.js' },
          name: 'Options',
          preferred: 'Options',
        },
      ]),
      file.print([
        'y: ',
        { kind: 'ref', module: { kind: 'file', path: '/p/lib/b.js' }, name: 'default', preferred: 'B' },
        ' | import(',
        { kind: 'spec', module: { kind: 'file', path: '/p/lib/c.js' } },
        ').C',
      ]),
      `z: ${file.import({ kind: 'package', specifier: 'procxy/stub' }, 'spawnStub', 'spawnStub', false)}`,
      `w: ${file.import({ kind: 'package', specifier: 'procxy/stub' }, 'StubSpec', 'StubSpec')}`,
      file.print([
        { kind: 'ref', module: { kind: 'file', path: '/p/src/types.js' }, name: '*', preferred: 'types' },
      ]),
    ].join('\n');
    const { imports, body: text } = file.finish(body);
    expect(imports).toBe(
      [
        "import { type StubSpec, spawnStub } from 'procxy/stub';",
        "import type { default as B } from '../lib/b.js';",
        "import type { Options as Options_2 } from './types.js';",
        "import type * as types from './types.js';",
      ].join('\n'),
    );
    expect(text).toBe("x: Options_2\ny: B | import('../lib/c.js').C\nz: spawnStub\nw: StubSpec\ntypes");
  });
});

describe('relative specifiers', () => {
  it('start with ./ or ../, also for a folder or file whose name starts with a dot', () => {
    expect(relativeSpecifier('/p/src', '/p/src/.shared/types.js')).toBe('./.shared/types.js');
    expect(relativeSpecifier('/p/src', '/p/src/..types.js')).toBe('./..types.js');
    expect(relativeSpecifier('/p/src', '/p/.shared/types.js')).toBe('../.shared/types.js');
    expect(relativeSpecifier('/p/src', '/p/src/types.js')).toBe('./types.js');
  });

  it('sort after packages, a dotted folder among them', () => {
    const file = new GeneratedFile('/p/src/a.procxy.ts', []);
    const ref = (module: { kind: 'file'; path: string } | { kind: 'package'; specifier: string }) =>
      file.print([{ kind: 'ref', module, name: 'T', preferred: 'T' }]);
    const body = [
      ref({ kind: 'file', path: '/p/src/.shared/types.js' }),
      ref({ kind: 'package', specifier: 'zod' }),
    ].join('\n');
    expect(file.finish(body).imports).toBe(
      ["import type { T as T_2 } from 'zod';", "import type { T } from './.shared/types.js';"].join('\n'),
    );
  });
});

describe('fill', () => {
  it('fills every placeholder of a template', () => {
    const text = fill('child.ts.tpl', {
      workerModule: "'./a.ts'",
      classAccess: '.A',
      className: "'A'",
      methods: "['m']",
      voids: '',
    });
    expect(text).toContain(
      "serve({ load: async () => (await import('./a.ts')).A, className: 'A', methods: ['m'] });",
    );
  });

  it('throws on a missing value and on a value without placeholder', () => {
    expect(() => fill('child.ts.tpl', { workerModule: "'./a.ts'", classAccess: '.A' })).toThrow(
      'child.ts.tpl needs a value for {{className}}',
    );
    expect(() =>
      fill('child.ts.tpl', {
        workerModule: "'./a.ts'",
        classAccess: '.A',
        className: "'A'",
        methods: '[]',
        voids: '',
        extra: 'x',
      }),
    ).toThrow('child.ts.tpl has no placeholder for extra');
  });
});
