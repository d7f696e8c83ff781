import { serve } from 'procxy/child';
import * as worker from {{workerModule}};

serve({ Class: worker{{classAccess}}, methods: {{methods}}{{voids}} });
