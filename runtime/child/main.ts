// Entry of a no-build child: imports the worker module named by the parent and serves the class it exports.
import {
  allowList,
  markLoaded,
  markServing,
  ResolutionFailure,
  startChild,
  type WorkerClass,
} from './link.js';

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
  if (typeof inner === 'function') return inner as WorkerClass;
  // Exported under another name (`export { CalcImpl as Calc }`, as bundlers rename): the one class of that name.
  const values = [...Object.values(exports), ...Object.values(Object(fallback) as Record<string, unknown>)];
  const same = new Set(values.filter((v) => typeof v === 'function' && v.name === className));
  return same.size === 1 ? ([...same][0] as WorkerClass) : undefined;
}

/** A function that `new` can make an instance of: not an arrow function, a method or a bound function. */
function constructible(fn: WorkerClass): boolean {
  return typeof fn.prototype === 'object' && fn.prototype !== null;
}

startChild(async (init) => {
  if (init.module === undefined) throw new ResolutionFailure('The parent named no worker module');
  markServing(init.module, init.className);
  const exports = (await import(init.module)) as Record<string, unknown>;
  markLoaded();
  const Class = findClass(exports, init.className);
  if (Class === undefined) {
    const names = Object.keys(exports).join(', ') || 'nothing';
    throw new ResolutionFailure(
      `${init.module} does not export a class named '${init.className}' (it exports: ${names})`,
    );
  }
  if (!constructible(Class)) {
    throw new ResolutionFailure(
      `${init.module} exports '${Class.name || init.className}', but it is not a class: it has no prototype to construct an instance from`,
    );
  }
  return { Class, methods: allowList(Class) };
});
