// Types a transfer handler carries: declared once in TransferHandledTypes, they cross in Procxy<T> in both modes.

import type { Procxy } from 'procxy';
import { describe, expectTypeOf, it } from 'vitest';

declare class HandledPoint {
  x: number;
  y: number;
  norm(): number;
}

declare class UnhandledPoint {
  x: number;
  norm(): number;
}

declare module 'procxy' {
  interface TransferHandledTypes {
    handledPoint: HandledPoint;
  }
}

declare class Geo {
  mid(a: HandledPoint, b: HandledPoint): HandledPoint;
  all(points: HandledPoint[]): Map<string, HandledPoint>;
  other(p: UnhandledPoint): void;
}

describe('types a transfer handler carries', () => {
  it('cross in both modes, inside values too, once declared in TransferHandledTypes', () => {
    const advanced = {} as Procxy<Geo, 'advanced'>;
    expectTypeOf(advanced.mid).toEqualTypeOf<(a: HandledPoint, b: HandledPoint) => Promise<HandledPoint>>();
    expectTypeOf(advanced.all).toEqualTypeOf<
      (points: HandledPoint[]) => Promise<Map<string, HandledPoint>>
    >();
    const json = {} as Procxy<Geo, 'json'>;
    expectTypeOf(json.mid).toEqualTypeOf<(a: HandledPoint, b: HandledPoint) => Promise<HandledPoint>>();
    // A Map is still no JSON.
    expectTypeOf(json.all).toBeNever();
  });

  it('leave a class with methods that no handler carries uncallable', () => {
    expectTypeOf(({} as Procxy<Geo, 'advanced'>).other).toBeNever();
  });
});
