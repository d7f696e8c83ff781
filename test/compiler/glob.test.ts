// The small glob matcher behind "workers": patterns, negation, and which folders a scan reads.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GlobSet, globToRegExp } from '../../compiler/glob.js';

describe('globToRegExp', () => {
  it.each([
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/sub/a.ts', false],
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/x/y/a.ts', true],
    ['src/**', 'src/x/y/a.ts', true],
    ['**/*.worker.ts', 'a.worker.ts', true],
    ['**/*.worker.ts', 'deep/b.worker.ts', true],
    ['src/?.ts', 'src/ab.ts', false],
    ['src/{a,b}.ts', 'src/b.ts', true],
    ['src/{a,b}.ts', 'src/c.ts', false],
    ['src/*.{ts,mts}', 'src/x.mts', true],
    ['src/[ab].ts', 'src/a.ts', true],
    ['src/[!ab].ts', 'src/a.ts', false],
    ['./src/a.ts', 'src/a.ts', true],
    ['src/a.ts', 'srcXa.ts', false],
    ['src/a+b.ts', 'src/a+b.ts', true],
    // Braces are expanded before the pattern is split into folders, so an alternative may hold a `/` or `**`.
    ['src/{a,b/c}.ts', 'src/b/c.ts', true],
    ['src/{a,b/c}.ts', 'src/a.ts', true],
    ['src/{a,b/c}.ts', 'src/b.ts', false],
    ['{src/**,lib}/*.ts', 'src/x/y/a.ts', true],
    ['{src/**,lib}/*.ts', 'lib/x/a.ts', false],
    ['src/{a,{b,c}/d}.ts', 'src/c/d.ts', true],
    ['src/{a,b}/{x,y}.ts', 'src/b/y.ts', true],
    ['src/[{]a.ts', 'src/{a.ts', true],
    ['src/{a.ts', 'src/{a.ts', true],
  ])('%s matches %s: %s', (glob, file, expected) => {
    expect(globToRegExp(glob).test(file)).toBe(expected);
  });
});

describe('GlobSet', () => {
  it('applies negations after inclusions', () => {
    const set = new GlobSet(['src/**/*.ts', '!src/**/*.test.ts']);
    expect(set.matches('src/a.ts')).toBe(true);
    expect(set.matches('src/a.test.ts')).toBe(false);
    expect(set.matches('lib/a.ts')).toBe(false);
  });

  it('reads only the static folders of its globs', () => {
    expect(new GlobSet(['src/workers/*.ts', 'lib/**/x.ts', '!src/old/*.ts']).bases).toEqual([
      'lib',
      'src/workers',
    ]);
    expect(new GlobSet(['*.ts']).bases).toEqual(['']);
    expect(new GlobSet(['{src,lib/sub}/**/*.ts', 'src/{a,b/c}.ts']).bases).toEqual([
      'lib/sub',
      'src',
      'src/b',
    ]);
  });

  it('resolves the fixed leading folders of its globs against the root, as the paths it matches are', () => {
    const root = path.join(os.tmpdir(), 'project', 'app');
    const set = new GlobSet(
      [
        '../app/*.worker.ts',
        'x/../lib/calc.ts',
        './{src,../app/sub}/*.ts',
        '../shared/*.ts',
        '!../app/old.worker.ts',
      ],
      root,
    );
    for (const file of ['a.worker.ts', 'lib/calc.ts', 'src/b.ts', 'sub/c.ts', '../shared/d.ts'])
      expect(set.matches(file), file).toBe(true);
    expect(set.matches('old.worker.ts')).toBe(false);
    expect(set.matches('x/lib/calc.ts')).toBe(false);
    expect(set.bases).toEqual(['', '../shared', 'lib', 'src', 'sub']);
  });

  describe('scan', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'procxy-glob-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const file = (relative: string): void => {
      mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
      writeFileSync(path.join(root, relative), 'export class A {}\n');
    };
    file('shared/job.worker.ts');
    file('lib/deep/more.worker.ts');
    file('src/real/own.worker.ts');
    file('other/c.ts');
    file('other/b/c.ts');
    symlinkSync('../shared/job.worker.ts', path.join(root, 'src/job.worker.ts'));
    symlinkSync('../lib', path.join(root, 'src/lib'));
    // A second name for a folder the scan reads anyway, a loop, and a link to nothing.
    symlinkSync('real', path.join(root, 'src/again'));
    symlinkSync('..', path.join(root, 'src/real/loop'));
    symlinkSync('nowhere.worker.ts', path.join(root, 'src/gone.worker.ts'));
    // A second name for a worker the scan finds anyway, and a folder outside the project (as bazel links them).
    symlinkSync('real/own.worker.ts', path.join(root, 'src/alias.worker.ts'));
    const outside = mkdtempSync(path.join(os.tmpdir(), 'procxy-glob-outside-'));
    afterAll(() => rmSync(outside, { recursive: true, force: true }));
    writeFileSync(path.join(outside, 'far.worker.ts'), 'export class F {}\n');
    symlinkSync(outside, path.join(root, 'src/bazel-out'));
    // A glob base that is itself a link out of the project, and one linked inside it.
    symlinkSync(outside, path.join(root, 'vendor'));
    symlinkSync('shared', path.join(root, 'inner'));

    it('follows links to files and folders inside the root, reads each folder and file once, and survives loops and dangling links', () => {
      expect(new GlobSet(['src/**/*.worker.ts']).walk(root).files).toEqual(
        ['src/job.worker.ts', 'src/lib/deep/more.worker.ts', 'src/real/own.worker.ts'].map((f) =>
          path.join(root, f),
        ),
      );
    });

    it('lists the folders it read by the names it reached them by, as the watch mode and the orphan scan use them', () => {
      const { folders, linked } = new GlobSet(['src/**/*.worker.ts']).walk(root);
      expect(folders.map((folder) => path.relative(root, folder.path))).toEqual(
        ['src', 'src/real', 'src/lib', 'src/lib/deep'].map((f) => path.join(...f.split('/'))),
      );
      expect(linked).toEqual(
        new Map([
          [path.join(root, 'src/job.worker.ts'), path.join(realpathSync(root), 'shared/job.worker.ts')],
          [
            path.join(root, 'src/lib/deep/more.worker.ts'),
            path.join(realpathSync(root), 'lib/deep/more.worker.ts'),
          ],
        ]),
      );
    });

    it('does not count a file as linked because the root is reached through a link', () => {
      const linkedRoot = `${root}-link`;
      symlinkSync(root, linkedRoot);
      try {
        const { files, linked } = new GlobSet(['src/**/*.worker.ts']).walk(linkedRoot);
        expect(files).toContain(path.join(linkedRoot, 'src/real/own.worker.ts'));
        expect([...linked.keys()]).toEqual(
          ['src/job.worker.ts', 'src/lib/deep/more.worker.ts'].map((f) => path.join(linkedRoot, f)),
        );
      } finally {
        rmSync(linkedRoot);
      }
    });

    it('reads a glob base that is a link only when it stays inside the root, as it does a linked folder below one', () => {
      expect(new GlobSet(['vendor/**/*.worker.ts']).walk(root).files).toEqual([]);
      expect(new GlobSet(['vendor/**/*.worker.ts']).walk(root).folders).toEqual([]);
      expect(new GlobSet(['vendor/**/*.worker.ts', 'inner/*.ts']).walk(root).linkedOut).toEqual(['vendor']);
      expect(new GlobSet(['inner/*.worker.ts']).walk(root).files).toEqual([
        path.join(root, 'inner/job.worker.ts'),
      ]);
    });

    it('finds files through brace alternatives that hold a folder', () => {
      expect(new GlobSet(['other/{c,b/c}.ts']).walk(root).files).toEqual(
        ['other/b/c.ts', 'other/c.ts'].map((f) => path.join(root, f)),
      );
    });
  });
});
