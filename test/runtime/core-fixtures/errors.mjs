// A worker that throws every kind of thing, for the error-fidelity tests.
export class CustomError extends Error {
  code = 'E_X';
  extra = 42;
}

export class Thrower {
  custom() {
    throw new CustomError('custom failure', { cause: new RangeError('root cause') });
  }
  builtin(kind) {
    const classes = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };
    throw new classes[kind](`a ${kind}`);
  }
  aggregate() {
    throw new AggregateError([new TypeError('first'), 'second'], 'many', { cause: 'why' });
  }
  chain() {
    const c = new Error('level 3');
    const b = new Error('level 2', { cause: c });
    throw new Error('level 1', { cause: b });
  }
  value(v) {
    throw v;
  }
  nothing() {
    throw undefined;
  }
  /** Values no mode can carry, made here (an argument holding them would be refused before it is sent). */
  functionHolder() {
    throw { retry: () => 1 };
  }
  taggedBytes() {
    throw Object.assign(new Uint8Array(2), { unit: 'ms' });
  }
  /** An Error whose `cause` (or `message`) is a getter that throws. */
  unreadableError(part) {
    const e = new Error('e');
    Object.defineProperty(e, part, {
      get() {
        throw new Error(`${part} getter`);
      },
    });
    throw e;
  }
  /** V8 writes neither (a Symbol object), or cannot read back what it wrote (a WebAssembly.Module). */
  boxedSymbol() {
    throw Object(Symbol('boxed'));
  }
  returnsWasmModule() {
    return { module: new WebAssembly.Module(Buffer.from('0061736d01000000', 'hex')) };
  }
  async rejects() {
    await null;
    const e = new Error('async failure');
    e.errno = -2;
    e.syscall = 'open';
    throw e;
  }
  /** A result whose `then` throws: the call rejects with that, as `await` would. */
  brokenThenable() {
    return {
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the case
      then() {
        throw new RangeError('then threw');
      },
    };
  }
  cyclic() {
    const e = new Error('self cause');
    e.cause = e;
    throw e;
  }
  fieldWithFunction() {
    const e = new Error('has a function field');
    e.callback = () => 1;
    e.when = new Date(0);
    throw e;
  }
}
