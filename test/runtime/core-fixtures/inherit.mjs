// A worker class with a user base class, private-by-convention members and Object.prototype overrides.
import { EventEmitter } from 'node:events';

class Base extends EventEmitter {
  inherited() {
    return 'base';
  }
  overridden() {
    return 'base';
  }
}

export class Derived extends Base {
  overridden() {
    return 'derived';
  }
  own() {
    return 'own';
  }
  _secret() {
    return 'secret';
  }
  $dollar() {
    return 'dollar';
  }
  toString() {
    return 'custom toString';
  }
  get getter() {
    return 'getter';
  }
  static staticMethod() {
    return 'static';
  }
}
