// Backend kept in memory, for tests and the in-process network. Same checks and errors as the
// directory store; bytes are copied in and out so a caller can never change what is stored.
import { IntegrityError, ObjectNotFoundError } from '../errors.js'
import { packIdOf } from '../../protocol/ids.js'
import { checkAborted, checkPackId, checkRange, checkRecordKey } from './validate.js'
import type { Backend, ByteRange, ObjectInfo, OperationOptions } from './types.js'

export class MemoryBackend implements Backend {
  private readonly packs = new Map<string, Uint8Array>()
  private readonly records = new Map<string, Uint8Array>()

  async put (id: string, bytes: Uint8Array, options?: OperationOptions): Promise<void> {
    checkPackId(id)
    checkAborted(options)
    if (packIdOf(bytes) !== id) {
      throw new IntegrityError(`bytes do not hash to ${id}; nothing was stored`, [id], {
        hint: 'compute the ID with packIdOf(bytes) or re-read the bytes from their source'
      })
    }
    // new Uint8Array(x) copies; Buffer#slice would not.
    if (!this.packs.has(id)) this.packs.set(id, new Uint8Array(bytes))
  }

  async get (id: string, range?: ByteRange, options?: OperationOptions): Promise<Uint8Array> {
    const stored = this.lookup(id, options)
    if (range === undefined) return stored.slice()
    checkRange(id, range, stored.byteLength)
    return stored.slice(range.offset, range.offset + range.length)
  }

  async stat (id: string, options?: OperationOptions): Promise<ObjectInfo> {
    return { id, size: this.lookup(id, options).byteLength }
  }

  async has (ids: string[], options?: OperationOptions): Promise<boolean[]> {
    for (const id of ids) checkPackId(id)
    checkAborted(options)
    return ids.map(id => this.packs.has(id))
  }

  async * list (options?: OperationOptions): AsyncIterable<ObjectInfo> {
    // A snapshot, so that deleting while iterating neither skips nor repeats.
    const entries = [...this.packs].map(([id, bytes]) => ({ id, size: bytes.byteLength }))
    for (const entry of entries) {
      checkAborted(options)
      yield entry
    }
  }

  async delete (id: string, options?: OperationOptions): Promise<void> {
    checkPackId(id)
    checkAborted(options)
    this.packs.delete(id)
  }

  async putRecord (key: string, value: Uint8Array, options?: OperationOptions): Promise<void> {
    checkRecordKey(key)
    checkAborted(options)
    this.records.set(key, new Uint8Array(value))
  }

  async getRecord (key: string, options?: OperationOptions): Promise<Uint8Array | undefined> {
    checkRecordKey(key)
    checkAborted(options)
    return this.records.get(key)?.slice()
  }

  async close (): Promise<void> {}

  private lookup (id: string, options: OperationOptions | undefined): Uint8Array {
    checkPackId(id)
    checkAborted(options)
    const stored = this.packs.get(id)
    if (stored === undefined) throw new ObjectNotFoundError(id, { hint: 'check the ID, or fetch the object from another holder' })
    return stored
  }
}
