// A worker that tells which of the given Node built-ins its process has loaded.
export class Loaded {
  builtins(names) {
    return names.filter((name) => process.moduleLoadList.includes(`NativeModule ${name}`));
  }
  echo(value) {
    return value;
  }
}
