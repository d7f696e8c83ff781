// Keeps one instance of each class the codec makes per message alive, so that V8 keeps the layout of its instances.
/*
 * An instance gets its layout (V8's map) by transitions from its constructor's initial map, and V8 holds the maps
 * those transitions lead to only weakly: a map no live object has had through a couple of full collections is
 * dropped, and every optimized function that handled objects of that map is deoptimized with it. The codec's
 * writers, readers and segment tables live for one message, so none is alive between messages, and where large
 * binaries cross, full collections come often (V8 starts one every few tens of MiB of them): each deoptimized nearly
 * all of the codec, and the next calls ran it several times slower until V8 optimized it again. One idle instance
 * of each, made when the codec loads, keeps its map.
 */
const kept: object[] = [];

/** Keeps `instance` alive as long as the process, for its layout; it is never used. */
export function keepLayout(instance: object): void {
  kept.push(instance);
}
