// The repository's own procxy config: generates the stubs of examples/.
import { defineConfig } from 'procxy/config';

export default defineConfig({
  workers: ['examples/**/*.ts', '!examples/**/{mood,counter}.ts', '!examples/bad/**', '!examples/bundled/**'],
  serialization: 'json',
});
