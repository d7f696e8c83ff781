// The bundled example's own config, read by the esbuild plugin (the repository's config excludes this folder).
import { defineConfig } from 'procxy/config';

export default defineConfig({ workers: ['*.worker.ts'], serialization: 'json' });
