// The binary example's worker: hashes and transforms raw bytes that arrive as segments (advanced mode).
import { createHash } from 'node:crypto';
import { transfer } from 'procxy/transfer';

export class Hasher {
  /** SHA-256 of the bytes, hex. */
  sha256(bytes) {
    return createHash('sha256').update(bytes).digest('hex');
  }

  /** XORs every byte with `key` in place and moves the memory back to the parent without a copy. */
  xor(bytes, key) {
    for (let i = 0; i < bytes.length; i++) bytes[i] ^= key;
    return transfer(bytes, [bytes.buffer]);
  }
}
