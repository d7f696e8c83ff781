// Turns a class instance into a plain { name: boundFunction } table for peers that dispatch by property lookup.
export function methodsOf(instance) {
  const table = {};
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype; ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = proto[name];
      if (name !== 'constructor' && typeof value === 'function' && !(name in table)) {
        table[name] = value.bind(instance);
      }
    }
    proto = Object.getPrototypeOf(proto);
  }
  return table;
}
