{{classDoc}}export interface {{proxyName}} extends {{ProxyControls}}<{{proxyName}}>{{events}} {
{{members}}}

const {{specName}}: {{StubSpec}} = {
  className: {{className}},
  source: {{source}},
  child: {{child}},
  serialization: {{serialization}},
  methods: {{methods}},
  idempotent: {{idempotent}},
{{voidCallbacks}}{{supportHandles}}};

{{spawnDoc}}export function {{spawnName}}(options?: {{StubOptions}}, ...args: {{constructorArgs}}): Promise<{{proxyName}}> {
  return {{spawnStub}}<{{proxyName}}>({{specName}}, options, args);
}
