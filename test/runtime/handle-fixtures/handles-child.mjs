// A generated-style child entry for Handles: serves a fixed dispatch table.
import { serve } from 'procxy/child';
import { Handles } from './handles.mjs';

serve({ Class: Handles, methods: ['adopt', 'collected', 'log'] });
