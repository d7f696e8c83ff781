// How a step of a path into a value is spelled in error messages: `args[0].list[2]["a b"].<key 1>`.

/** The step to property `key`: `.name`, or `["a b"]` for a key that is no identifier. */
export function propertyStep(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** The step to entry `i` of a Map (its key or value) or a Set (its item). */
export function entryStepText(part: 'key' | 'value' | 'item', i: number): string {
  return `.<${part} ${i}>`;
}
