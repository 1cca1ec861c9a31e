// Argument checks shared by every Backend implementation, so that all of them reject the same
// inputs with the same errors (test/unit/store/compliance.ts holds them to it).
import { InvalidArgumentError } from '../errors.js'
import { isPackId } from '../../protocol/ids.js'
import type { ByteRange, OperationOptions } from './types.js'

/** Record keys: lower-case, no dots or slashes, so a key is always a safe file name. */
export const RECORD_KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,127}$/

/** IDs become file names: anything but a canonical pack ID could escape the store. */
export function checkPackId (id: string): void {
  if (typeof id !== 'string' || !isPackId(id)) {
    throw new InvalidArgumentError(`${JSON.stringify(printable(id))} is not a pack ID`, {
      hint: 'pass the ID returned by packIdOf(bytes): a lower-case CIDv1 (raw, sha2-256) such as bafkrei…'
    })
  }
}

export function checkRecordKey (key: string): void {
  if (typeof key !== 'string' || !RECORD_KEY_PATTERN.test(key)) {
    throw new InvalidArgumentError(`${JSON.stringify(printable(key))} is not a valid record key`, {
      hint: 'use 1 to 128 characters from a-z, 0-9 and "-", starting with a letter or digit'
    })
  }
}

/** Throws unless `range` lies inside an object of `size` bytes (a zero-length range at the end is fine). */
export function checkRange (id: string, range: ByteRange, size: number): void {
  const { offset, length } = range
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new InvalidArgumentError(`range (offset ${String(offset)}, length ${String(length)}) lies outside object ${id} of ${size} bytes`, {
      hint: 'ask for whole, non-negative integers with offset + length <= the size given by stat()'
    })
  }
}

export function checkAborted (options: OperationOptions | undefined): void {
  options?.signal?.throwIfAborted()
}

/** Keeps error messages short and on one line whatever a caller passed. */
function printable (value: unknown): string {
  const s = String(value)
  return s.length > 80 ? `${s.slice(0, 80)}…` : s
}
