// A child entry as the generator writes it for Geometry: it imports the worker module, and so its handlers, first.
import { serve } from 'procxy/child';
import { Geometry } from './point.mjs';

serve({ Class: Geometry, methods: ['made'] });
