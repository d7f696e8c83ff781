// A worker that echoes and describes what it received, for the serialization tests.
export class Echo {
  constructor(...args) {
    this.ctorArgs = args;
  }
  echo(value) {
    return value;
  }
  describe(...args) {
    return args.map((a) => ({
      type: a === null ? 'null' : typeof a,
      isBuffer: Buffer.isBuffer(a),
      ctor: typeof a === 'object' && a !== null ? (a.constructor?.name ?? 'null-proto') : undefined,
    }));
  }
  defaults(a = 'default-a', b = 'default-b') {
    return [a, b];
  }
  argCount(...args) {
    return args.length;
  }
  constructorArgs() {
    return this.ctorArgs;
  }
  returnsDate() {
    return new Date(0);
  }
  returnsUndefined() {}
  buffer(size) {
    return Buffer.alloc(size, 7);
  }
  pid() {
    return process.pid;
  }
  argv() {
    return process.argv.slice(2);
  }
  cwd() {
    return process.cwd();
  }
}

export default class DefaultWorker {
  hello() {
    return 'from the default export';
  }
}
