// The bad example's own config: kept apart from the repository's, whose generate --check must stay green.
import { defineConfig } from 'procxy/config';

export default defineConfig({ workers: ['clock.ts'], serialization: 'json' });
