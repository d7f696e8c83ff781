// A hand-written generated-style child entry whose table names a method procxy never serves.
import { serve } from 'procxy/child';
import { Echo } from './echo.mjs';

serve({ Class: Echo, methods: ['echo', 'toString'] });
