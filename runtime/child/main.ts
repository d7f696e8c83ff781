// Entry of a no-build child: imports the worker module named by the parent and serves the class it exports.
import { allowList, markServing, ResolutionFailure, startChild, type WorkerClass } from './link.js';

function findClass(exports: Record<string, unknown>, className: string): WorkerClass | undefined {
  const named = exports[className];
  if (typeof named === 'function') return named as WorkerClass;
  const fallback = exports.default;
  if (
    typeof fallback === 'function' &&
    (fallback.name === className || className === '' || className === 'default')
  ) {
    return fallback as WorkerClass;
  }
  // A CommonJS module whose module.exports holds the class.
  const inner = (fallback as Record<string, unknown> | null | undefined)?.[className];
  return typeof inner === 'function' ? (inner as WorkerClass) : undefined;
}

startChild(async (init) => {
  if (init.module === undefined) throw new ResolutionFailure('The parent named no worker module');
  markServing(init.module, init.className);
  const exports = (await import(init.module)) as Record<string, unknown>;
  const Class = findClass(exports, init.className);
  if (Class === undefined) {
    const names = Object.keys(exports).join(', ') || 'nothing';
    throw new ResolutionFailure(
      `${init.module} does not export a class named '${init.className}' (it exports: ${names})`,
    );
  }
  return { Class, methods: allowList(Class) };
});
