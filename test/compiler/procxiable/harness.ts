// Runs fixtures through the real generator (generate --check per fixture config) or the direct checks.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClassDeclaration, Project, Scope, ts } from 'ts-morph';
import { formatDiagnostics, type ProcxyDiagnostic, sortDiagnostics } from '../../../compiler/diagnostics.js';
import { emitterOf } from '../../../compiler/emitter.js';
import { type GenerateResult, generate } from '../../../compiler/generate.js';
import {
  checkConstructor,
  checkEvents,
  checkSignature,
  type SerializationMode,
} from '../../../compiler/procxiable.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixturesDir = path.join(repoRoot, 'test/compiler/procxiable/fixtures');
export const modes: readonly SerializationMode[] = ['json', 'advanced'];

/** The failing fixtures, `fail/<rule>.ts`, in a stable order. */
export const failing = readdirSync(path.join(fixturesDir, 'fail'))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .map((f) => `fail/${f}`);

export type GeneratorRun = `${'fail' | 'pass'}-${SerializationMode}`;

/** `procxy generate --check --config fixtures/<run>.config.ts`: analyses and renders, writes nothing. */
export async function runGenerator(run: GeneratorRun): Promise<GenerateResult> {
  return generate({ config: path.join(fixturesDir, `${run}.config.ts`), cwd: repoRoot, check: true });
}

/** The procxiable diagnostics (PRX1xxx) a generator run reports inside one fixture file, in printing order. */
export function procxiableDiagnostics(result: GenerateResult, file: string): ProcxyDiagnostic[] {
  const absolute = path.join(fixturesDir, file);
  return sortDiagnostics(result.diagnostics.filter((d) => d.file === absolute && d.code.startsWith('PRX1')));
}

/** One fixture's diagnostics in both modes, as the CLI prints them without color, paths relative to the repo. */
export function formatBothModes(byMode: (mode: SerializationMode) => readonly ProcxyDiagnostic[]): string {
  return modes
    .map((mode) => {
      const text = formatDiagnostics(byMode(mode), { cwd: repoRoot, color: false });
      return `=== ${mode} ===\n${text || '(no diagnostics)\n'}`;
    })
    .join('\n');
}

/** The compiler options a user's strict NodeNext project would have; `types: ['node']` makes Buffer resolve. */
export function createFixtureProject(files: readonly string[]): Project {
  const project = new Project({
    compilerOptions: {
      strict: true,
      target: ts.ScriptTarget.ES2023,
      lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      skipLibCheck: true,
      noEmit: true,
    },
    skipAddingFilesFromTsConfig: true,
  });
  project.addSourceFilesAtPaths(files.map((f) => path.join(fixturesDir, f)));
  return project;
}

export interface CheckOptions {
  allowCallbacks?: boolean;
  transferTypes?: ReadonlySet<ts.Symbol>;
}

export function checkFixture(
  project: Project,
  file: string,
  mode: SerializationMode,
  options: CheckOptions = {},
): ProcxyDiagnostic[] {
  const sourceFile = project.getSourceFileOrThrow(path.join(fixturesDir, file));
  const checker = project.getTypeChecker().compilerObject;
  const diagnostics: ProcxyDiagnostic[] = [];
  for (const cls of sourceFile.getClasses().filter((c) => c.isExported())) {
    const name = cls.getName() ?? 'default';
    diagnostics.push(...checkClassConstructor(cls, name, mode, checker));
    const events = emitterOf(checker, cls.getType().compilerType)?.map;
    if (events !== undefined) {
      const fallback = cls.getNameNode()?.compilerNode ?? cls.compilerNode;
      diagnostics.push(...checkEvents({ events, fallback, owner: name, mode, checker }));
    }
    for (const method of cls.getMethods()) {
      if (method.isStatic() || method.getScope() !== Scope.Public || method.getName().startsWith('#'))
        continue;
      const overloads = method.getOverloads();
      for (const declaration of overloads.length > 0 ? overloads : [method]) {
        const signature = checker.getSignatureFromDeclaration(declaration.compilerNode);
        if (signature === undefined) continue;
        diagnostics.push(
          ...checkSignature({
            signature,
            declaration: declaration.compilerNode,
            owner: `${name}.${method.getName()}`,
            mode,
            checker,
            allowCallbacks: options.allowCallbacks ?? false,
            ...(options.transferTypes === undefined ? {} : { transferTypes: options.transferTypes }),
          }),
        );
      }
    }
  }
  return diagnostics;
}

function checkClassConstructor(
  cls: ClassDeclaration,
  name: string,
  mode: SerializationMode,
  checker: ts.TypeChecker,
): ProcxyDiagnostic[] {
  const declarations = cls.getConstructors().flatMap((c) => {
    const overloads = c.getOverloads();
    return overloads.length > 0 ? overloads : [c];
  });
  return declarations.flatMap((c) =>
    checkConstructor({
      declaration: c.compilerNode,
      params: c.getParameters().map((p) => p.compilerNode),
      owner: name,
      mode,
      checker,
    }),
  );
}

/** Both modes' diagnostics of the direct checks, printed like the generator's. */
export function report(project: Project, file: string, options: CheckOptions = {}): string {
  return formatBothModes((mode) => checkFixture(project, file, mode, options));
}
