// Worker classes extending built-ins (a Map, a stream): the built-in's methods are not the worker's, an override is.
import { Writable } from 'node:stream';

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
