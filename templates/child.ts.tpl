import { serve } from 'procxy/child';

serve({ load: async () => (await import({{workerModule}})){{classAccess}}, methods: {{methods}}{{voids}} });
