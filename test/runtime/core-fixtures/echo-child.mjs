// A hand-written generated-style child entry for Echo, to test what the child does with a stale dispatch table.
import { serve } from 'procxy/child';
import { Echo } from './echo.mjs';

serve({ Class: Echo, methods: ['echo'] });
