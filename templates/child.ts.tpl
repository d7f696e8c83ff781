import { serve } from 'procxy/child';

serve({ load: async () => (await import({{workerModule}})){{classAccess}}, className: {{className}}, methods: {{methods}}{{voids}} });
