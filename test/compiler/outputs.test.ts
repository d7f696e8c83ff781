// Where generated files go and how they refer to each other: odd file names, specifiers, headers, orphans.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../compiler/generate.js';
import { readProjectFile, removeTempProjects, scratchProject, typeCheck } from './project.js';

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
