// Child entries as the generator writes them (serve with a fixed dispatch table), for Tasks and Ticker.
import { serve } from 'procxy/child';
import { Tasks } from './callbacks.mjs';
import { Ticker } from './events.mjs';

const which = process.argv[2];
if (which === 'tasks') serve({ Class: Tasks, methods: ['ask', 'work', 'lastAbortSeen', 'callCount'] });
else serve({ Class: Ticker, methods: ['tick', 'attached'] });
