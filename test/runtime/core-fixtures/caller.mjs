// A module that defines, exports and spawns its own worker class without naming its path.
import { procxy } from 'procxy';

export class SelfSpawned {
  where() {
    return import.meta.url;
  }
}

export async function spawnSelf() {
  return procxy(SelfSpawned);
}

class Hidden {
  where() {
    return 'hidden';
  }
}

export async function spawnHidden() {
  return procxy(Hidden);
}
