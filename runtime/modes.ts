// The two serialization modes a worker can run in.
export type SerializationMode = 'json' | 'advanced';

export const serializationModes: readonly SerializationMode[] = ['json', 'advanced'];
