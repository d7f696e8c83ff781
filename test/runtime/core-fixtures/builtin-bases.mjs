// Worker classes extending built-ins (a Map, a stream): the built-in's methods are not the worker's, an override is.
import { Writable } from 'node:stream';

// Served as a worker itself (an odd input): EventEmitter's members are never the worker's methods.
export { EventEmitter } from 'node:events';

export class Registry extends Map {
  lookup(key) {
    return super.get(key) ?? null;
  }
  get(key) {
    return super.get(key) ?? 0;
  }
}

export class Sink extends Writable {
  #chunks = [];
  constructor() {
    super({
      write: (chunk, _encoding, done) => {
        this.#chunks.push(String(chunk));
        done();
      },
    });
  }
  push(text) {
    this.write(text);
    return this.#chunks.length;
  }
}

/** A class of a package's (here of this file) between the worker and the built-in: its methods are served. */
class PackageBase extends Writable {
  fromPackage() {
    return 'package';
  }
}

export class Layered extends PackageBase {
  own() {
    return 'own';
  }
}

/** A web global as the base: its methods are the built-in's. */
export class Hub extends EventTarget {
  ping() {
    return 'pong';
  }
}

class Instrumented {
  traced() {
    return 'traced';
  }
}
// Its constructor seen through a Proxy (as instrumentation wraps classes), whose source reads as native code, as a
// native addon's class does: a package's class all the same, whose methods are served.
Instrumented.prototype.constructor = new Proxy(Instrumented, {});

export class Wrapped extends Instrumented {
  own() {
    return 'own';
  }
}

// A library's base class put on globalThis: still no built-in.
globalThis.ProcxyFixtureBase ??= class ProcxyFixtureBase {
  shared() {
    return 'shared';
  }
};

export class FromGlobal extends globalThis.ProcxyFixtureBase {
  own() {
    return 'own';
  }
}

/** Node's web stream as the base: its methods are the built-in's. */
export class Source extends ReadableStream {
  ping() {
    return 'pong';
  }
}

/** A class of the worker's own named like a lazy global (fetch's Request), which must stay unread. */
class Request {
  url() {
    return 'own';
  }
}

export class Api extends Request {
  fetchLoaded() {
    return process.moduleLoadList.some((entry) => entry.includes('undici'));
  }
}
