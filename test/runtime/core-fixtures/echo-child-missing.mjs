// A generated-style child entry whose worker module no longer exports the class (or declares it only).
import { serve } from 'procxy/child';

serve({ load: async () => (await import('./echo.mjs')).Gone, methods: ['echo'] });
