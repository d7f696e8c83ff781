// The no-build API: procxy(Class, modulePath?, options?, ...constructorArgs) starts the class in a child process.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fs } from './builtins.js';
import { AbortError, ModuleResolutionError, OptionsValidationError, SpawnError } from './errors.js';
import { type LinkTarget, ParentLink } from './link.js';
import type { SerializationMode } from './modes.js';
import { type CallOptions, type ProcxyOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { createProxy, WorkerHandle } from './proxy.js';
import { callSites, findCallerModule, resolveModulePath } from './resolve.js';
import { refuseRecursion } from './serving.js';
import { movedCount, releaseMarks } from './transfer.js';
import type { ConstructorArgs, Procxy } from './types.js';

/** A class whose instances a worker serves. */
export type WorkerConstructor = abstract new (...args: never[]) => object;

const childMain = fileURLToPath(new URL('./child/main.js', import.meta.url));
/** Whether childMain was found once: looked for again only while it is not. */
let childMainFound = false;

/** Starts a worker for `target` and waits until it is ready; shared by the no-build API and generated stubs. */
export async function startProxy<P>(
  target: LinkTarget,
  options: ResolvedOptions,
  args: readonly unknown[],
): Promise<P> {
  // Also for the fresh worker of a retry: a worker whose signal aborted is not started again.
  const spawn = () => {
    if (options.signal?.aborted) {
      throw new AbortError(`The worker ${target.className} was not started: its signal is already aborted`, {
        cause: options.signal.reason,
      });
    }
    return new ParentLink(target, options, args);
  };
  const moved = movedCount();
  let link: ParentLink;
  try {
    link = spawn();
  } catch (error) {
    // Refused before anything was sent: the buffers the arguments marked stay the caller's, unmarked.
    releaseMarks(args);
    throw error;
  }
  // Constructor arguments whose memory moved to this worker cannot build another: no retry then, as for a call
  // that moved memory (a retry would fail on the detached buffer and hide the crash it retries).
  const rebuildable = movedCount() === moved;
  await link.ready;
  const unserved = [...options.idempotent].filter((name) => !link.methods.includes(name));
  if (unserved.length > 0) {
    await link.terminate();
    const names = unserved.map((name) => `'${name}'`).join(', ');
    throw new OptionsValidationError(
      'idempotent',
      `no method ${names} in ${target.className}, so no call would be retried; the worker serves: ${link.methods.join(', ') || 'no method'}`,
    );
  }
  return createProxy(
    new WorkerHandle(link, spawn, rebuildable ? options : { ...options, retries: 0 }),
    Object.create(null) as CallOptions,
  ) as P;
}

function isOptionsObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !(value instanceof URL) && !Array.isArray(value);
}

export function procxy<C extends WorkerConstructor, Mode extends SerializationMode = 'json'>(
  Class: C,
  modulePath?: string | URL,
  options?: ProcxyOptions<Mode>,
  // ConstructorParameters too: a generic wrapper's `...args: ConstructorParameters<C>` passes on as it is.
  ...args: ConstructorArgs<C> | ConstructorParameters<C>
): Promise<Procxy<InstanceType<C>, Mode>>;
export function procxy<C extends WorkerConstructor, Mode extends SerializationMode = 'json'>(
  Class: C,
  options: ProcxyOptions<Mode>,
  // ConstructorParameters too: a generic wrapper's `...args: ConstructorParameters<C>` passes on as it is.
  ...args: ConstructorArgs<C> | ConstructorParameters<C>
): Promise<Procxy<InstanceType<C>, Mode>>;
export async function procxy(Class: WorkerConstructor, ...rest: unknown[]): Promise<unknown> {
  let modulePath: unknown;
  let options: unknown;
  let args: unknown[];
  if (isOptionsObject(rest[0])) {
    [options, ...args] = rest;
  } else {
    [modulePath, options, ...args] = rest;
  }
  let module: string;
  let resolved: ResolvedOptions;
  try {
    if (typeof Class !== 'function') {
      throw new OptionsValidationError('Class', `expected the worker class, got ${typeof Class}`);
    }
    if (Class.name === '') {
      // The child finds the class by its name in the module: without one, it would take another export.
      throw new ModuleResolutionError(
        'The worker class has no name (a class expression returned or passed as it is, or a class decorator that returns an anonymous class), so its module cannot be searched for it: declare it with a name and export it, have the decorator return a named class, or use its generated stub',
      );
    }
    if (modulePath !== undefined && typeof modulePath !== 'string' && !(modulePath instanceof URL)) {
      throw new OptionsValidationError(
        'modulePath',
        `expected a file path or a file: URL, got ${typeof modulePath}`,
      );
    }
    resolved = resolveOptions(options);
    // The caller's call sites are taken before anything is awaited: after an await it is gone from the stack.
    const file =
      modulePath === undefined ? findCallerModule(Class, callSites(procxy)) : resolveModulePath(modulePath);
    module = pathToFileURL(file).href;
    refuseRecursion(module, Class.name);
    childMainFound ||= fs.existsSync(childMain);
    if (!childMainFound) {
      // procxy was bundled into the app: its child entry is a file of the package, looked for beside the bundle.
      throw new SpawnError(
        `Could not start the worker ${Class.name}: procxy's child entry ${childMain} does not exist, as happens when procxy is bundled into the app; keep procxy a package installed where the app runs (esbuild: procxyPlugin does, or external: ['procxy'])`,
        '',
      );
    }
  } catch (error) {
    // Refused before a worker started: the buffers the arguments marked stay the caller's, unmarked.
    releaseMarks(args);
    throw error;
  }
  return startProxy({ entry: childMain, className: Class.name, module }, resolved, args);
}
