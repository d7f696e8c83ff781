// Types shared by the hello example's worker and its callers.
export type Mood = 'plain' | 'excited';
