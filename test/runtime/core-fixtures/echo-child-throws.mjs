// A generated-style child entry whose worker module throws while it is imported.
import { serve } from 'procxy/child';

serve({ load: async () => (await import('../fixtures/throws-on-load.mjs')).Echo, methods: ['echo'] });
