// A generated-style child entry that imports the worker module before procxy/child, as esbuild orders a bundle: the
// base class the module puts on globalThis is already there when procxy's child runtime loads.
// biome-ignore-all assist/source/organizeImports: the order of these imports is what the fixture is about
import { FromGlobal } from './builtin-bases.mjs';
import { serve } from 'procxy/child';

serve({ Class: FromGlobal, methods: ['own', 'shared'] });
