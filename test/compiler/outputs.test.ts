// Where generated files go and how they refer to each other: odd file names, specifiers, headers, orphans.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../compiler/generate.js';
import { writeOutput } from '../../compiler/outputs.js';
import { readProjectFile, removeTempProjects, repoRoot, scratchProject, typeCheck } from './project.js';

afterAll(removeTempProjects);

/** A worker class `name` with one method `twice(n)`. */
function twiceWorker(name: string): string {
  return `export class ${name} {\n  twice(n: number): number {\n    return n * 2;\n  }\n}\n`;
}

interface TwiceProxy extends AsyncDisposable {
  twice(n: number): Promise<number>;
}

describe('file names', () => {
  it('finds the child of a worker file whose name has #, %, ? or a space (a real child answers)', async () => {
    const names = ['c#', '100%25', 'q?', 'sp ace'];
    const dir = scratchProject(
      Object.fromEntries(names.map((name, i) => [`src/${name}.worker.ts`, twiceWorker(`W${i}`)])),
    );
    const result = await generate({ cwd: dir });
    expect(result.diagnostics).toEqual([]);
    expect(readProjectFile(dir, 'src/c#.worker.procxy.ts')).toContain(
      "child: new URL('./c%23.worker.procxy.child.mjs', import.meta.url),",
    );
    expect(typeCheck(dir)).toBe('');
    for (const [i, name] of names.entries()) {
      // Vite cannot import a module whose path has # or ?: the same bytes beside it under a plain name can.
      const stub = path.join(dir, `src/stub${i}.ts`);
      writeFileSync(stub, readProjectFile(dir, `src/${name}.worker.procxy.ts`));
      const module = (await import(pathToFileURL(stub).href)) as Record<string, () => Promise<TwiceProxy>>;
      const spawn = module[`spawnW${i}`]!;
      await using worker = await spawn();
      expect(await worker.twice(i + 1)).toBe(2 * (i + 1));
    }
  });
});

describe('names in one file', () => {
  it('gives each class of a file its own spec constant, even where one would be named like another’s spawn', async () => {
    const dir = scratchProject({ 'src/multi.worker.ts': twiceWorker('SpawnFoo') + twiceWorker('FooSpec') });
    const result = await generate({ cwd: dir });
    expect(result.diagnostics).toEqual([]);
    const stub = readProjectFile(dir, 'src/multi.worker.procxy.ts');
    expect(stub).toContain('const spawnFooSpec_2: StubSpec = {');
    expect(stub).toContain('export function spawnFooSpec(');
    expect(typeCheck(dir)).toBe('');
  });

  it('refuses classes whose child files differ only in case (PRX9042), which is documented', async () => {
    const dir = scratchProject({ 'src/multi.worker.ts': twiceWorker('Foo') + twiceWorker('foo') });
    const result = await generate({ cwd: dir });
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      "6:14 PRX9042 classes 'Foo' and 'foo' of src/multi.worker.ts would generate child files whose names differ only in case (src/multi.worker.foo.procxy.child.mjs), one file where case does not count (macOS, Windows); rename one of them",
    ]);
    expect(result.written).toEqual([]);
    expect(readFileSync(path.join(repoRoot, 'docs/diagnostics.md'), 'utf8')).toContain('| PRX9042 |');
  });
});

describe('names across files', () => {
  it('refuses worker files whose outputs differ only in case (PRX9042), once per pair of files', async () => {
    const dir = scratchProject({
      'src/Foo.worker.ts': twiceWorker('A'),
      'src/foo.worker.ts': twiceWorker('B'),
      'src/Jobs/x.worker.ts': twiceWorker('C'),
      'src/jobs/x.worker.ts': twiceWorker('D'),
      'src/other.worker.ts': twiceWorker('E'),
    });
    const result = await generate({ cwd: dir });
    expect(
      result.diagnostics.map(
        (d) => `${path.relative(dir, d.file)}:${d.line}:${d.column} ${d.code} ${d.message}`,
      ),
    ).toEqual([
      'src/foo.worker.ts:1:14 PRX9042 src/Foo.worker.ts and src/foo.worker.ts would generate files whose names differ only in case (src/Foo.worker.procxy.ts, src/foo.worker.procxy.ts), one file where case does not count (macOS, Windows); rename one of them',
      'src/jobs/x.worker.ts:1:14 PRX9042 src/Jobs/x.worker.ts and src/jobs/x.worker.ts would generate files whose names differ only in case (src/Jobs/x.worker.procxy.ts, src/jobs/x.worker.procxy.ts), one file where case does not count (macOS, Windows); rename one of them',
    ]);
    expect(result.written).toEqual([]);
  });
});

describe('line ends', () => {
  const worker = [
    '/** Reads options. */',
    'export class L {',
    '  m(o: {',
    '    a: number;',
    '    b: string;',
    '  }): number {',
    '    return o.a;',
    '  }',
    '}',
    '',
  ];

  it('generates the same bytes from a worker checked out with CRLF line ends', async () => {
    const lf = scratchProject({ 'src/l.worker.ts': worker.join('\n') });
    const crlf = scratchProject({ 'src/l.worker.ts': worker.join('\r\n') });
    await generate({ cwd: lf });
    await generate({ cwd: crlf });
    const stub = readProjectFile(lf, 'src/l.worker.procxy.ts');
    expect(stub).toContain('  m(o: {\n    a: number;\n    b: string;\n  }): Promise<number>;');
    expect(readProjectFile(crlf, 'src/l.worker.procxy.ts')).toBe(stub);
  });

  it('finds an orphan whose header line ends in CRLF', async () => {
    const dir = scratchProject({
      'src/l.worker.ts': worker.join('\n'),
      'src/gone.worker.procxy.ts':
        '// Code generated by procxy from src/gone.worker.ts. DO NOT EDIT.\r\nexport {};\r\n',
    });
    const check = await generate({ cwd: dir, check: true });
    expect(check.orphans.map((file) => path.relative(dir, file))).toEqual([
      path.join('src', 'gone.worker.procxy.ts'),
    ]);
    expect(check.ok).toBe(false);
  });
});

describe('orphans', () => {
  it('include a file a killed run left half-written, not one a living run is writing', async () => {
    const dir = scratchProject({ 'src/a.worker.ts': twiceWorker('A') });
    expect((await generate({ cwd: dir })).ok).toBe(true);
    // A pid no process has (above the kernel's highest); this process's own, which an earlier run in a container (pid
    // 1 each time) may have had; and a living other process's.
    const left = path.join(dir, 'src/a.worker.procxy.child.mjs.4194305.partial');
    const mine = path.join(dir, `src/a.worker.procxy.ts.${process.pid}.partial`);
    const writing = path.join(dir, `src/a.worker.procxy.ts.${process.ppid}.partial`);
    writeFileSync(left, '// Code generated by procxy from src/a.worker.ts. DO NOT EDIT.\nexport const cut');
    writeFileSync(mine, '');
    writeFileSync(writing, '');
    const orphans = [left, mine].sort();
    const check = await generate({ cwd: dir, check: true });
    expect(check.orphans).toEqual(orphans);
    expect(check.ok).toBe(false);
    expect((await generate({ cwd: dir })).orphans).toEqual(orphans);
    expect(existsSync(left) || existsSync(mine)).toBe(false);
    expect(existsSync(writing)).toBe(true);
  });

  it('belong to the config whose workers select their source: two configs over one folder keep each other’s files', async () => {
    const dir = scratchProject({
      'procxy.config.ts': "export default { workers: ['src/a.worker.ts'], serialization: 'json' };\n",
      'procxy.advanced.config.ts':
        "export default { workers: ['src/b.worker.ts'], serialization: 'advanced' };\n",
      'src/a.worker.ts': twiceWorker('A'),
      'src/b.worker.ts': twiceWorker('B'),
    });
    expect((await generate({ cwd: dir })).ok).toBe(true);
    expect((await generate({ cwd: dir, config: 'procxy.advanced.config.ts' })).ok).toBe(true);
    for (const config of ['procxy.config.ts', 'procxy.advanced.config.ts']) {
      const check = await generate({ cwd: dir, config, check: true });
      expect(check.orphans).toEqual([]);
      expect(check.ok).toBe(true);
    }
    expect(readProjectFile(dir, 'src/a.worker.procxy.ts')).toContain("serialization: 'json',");
    expect(readProjectFile(dir, 'src/b.worker.procxy.ts')).toContain("serialization: 'advanced',");
  });

  it('are looked for in linked folders by the names the worker scan gives them, and only where they are not produced', async () => {
    const dir = scratchProject({
      'src/keep.worker.ts': twiceWorker('Keep'),
      'shared/a.worker.ts': twiceWorker('A'),
      'shared/b.worker.ts': twiceWorker('B'),
    });
    symlinkSync('../shared', path.join(dir, 'src/shared'));
    const first = await generate({ cwd: dir });
    expect(first.ok).toBe(true);
    expect(first.outputs.map((file) => path.relative(dir, file))).toContain(
      path.join('src', 'shared', 'a.worker.procxy.ts'),
    );
    // The outputs written through the link are this run's, not orphans of the same files under another name.
    expect((await generate({ cwd: dir, check: true })).ok).toBe(true);
    rmSync(path.join(dir, 'shared/b.worker.ts'));
    const check = await generate({ cwd: dir, check: true });
    expect(check.orphans.map((file) => path.relative(dir, file))).toEqual(
      ['b.worker.procxy.child.mjs', 'b.worker.procxy.ts'].map((f) => path.join('src', 'shared', f)),
    );
    expect((await generate({ cwd: dir })).orphans).toHaveLength(2);
    expect(existsSync(path.join(dir, 'shared/b.worker.procxy.ts'))).toBe(false);
    expect(existsSync(path.join(dir, 'shared/a.worker.procxy.ts'))).toBe(true);
  });
});

describe('writing', () => {
  it('replaces an output whole, through a file of its own that it leaves nowhere, even when it fails', () => {
    const dir = scratchProject({});
    const file = path.join(dir, 'gen/a.procxy.ts');
    writeOutput(file, 'first\n');
    writeOutput(file, 'second\n');
    expect(readFileSync(file, 'utf8')).toBe('second\n');
    expect(readdirSync(path.dirname(file))).toEqual(['a.procxy.ts']);
    // A folder where the output goes: the rename fails, the partial file is removed.
    const folder = path.join(dir, 'gen/b.procxy.ts');
    mkdirSync(path.join(folder, 'inside'), { recursive: true });
    expect(() => writeOutput(folder, 'text\n')).toThrow();
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['a.procxy.ts', 'b.procxy.ts']);
  });

  it('writes an output in place where its user may write it but may not add a file beside it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'procxy-readonly-'));
    try {
      const file = path.join(dir, 'a.procxy.ts');
      writeFileSync(file, 'old\n');
      if (process.getuid?.() === 0) {
        // Root may add files anywhere: the write runs as nobody, who owns the output and not its folder.
        chownSync(file, 65534, 65534);
        chmodSync(dir, 0o755);
        const outputs = pathToFileURL(path.join(repoRoot, 'dist/compiler/outputs.js')).href;
        const run = spawnSync(
          'setpriv',
          [
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            process.execPath,
            '--input-type=module',
            '-e',
            `import { writeOutput } from '${outputs}'; writeOutput(${JSON.stringify(file)}, 'new\\n');`,
          ],
          { encoding: 'utf8', timeout: 30_000 },
        );
        expect(run.stderr).toBe('');
      } else {
        chmodSync(dir, 0o555);
        writeOutput(file, 'new\n');
        chmodSync(dir, 0o755);
      }
      expect(readFileSync(file, 'utf8')).toBe('new\n');
      expect(readdirSync(dir)).toEqual(['a.procxy.ts']);
    } finally {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
