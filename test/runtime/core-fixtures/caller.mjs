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

// Exported as bindings, not declarations: the caller still exports them by their names.
export const Bound = class {
  where() {
    return 'bound';
  }
};

export async function spawnBound() {
  return procxy(Bound);
}

class Late {
  where() {
    return 'late';
  }
}
export default Late;

export async function spawnLate() {
  return procxy(Late);
}
