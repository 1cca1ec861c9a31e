// The storage port of the repository engine (docs/format.md §"Storage interface"). The engine
// writes only through these two interfaces; the memory store (tests), the directory store (a local
// folder) and the swarm store (peers) implement them, and test/unit/store/compliance.ts checks
// every implementation against the same contract.

export interface ByteRange {
  /** First byte. */
  offset: number
  /** Number of bytes; the range must lie inside the object. */
  length: number
}

export interface ObjectInfo {
  id: string
  size: number
}

export interface OperationOptions {
  signal?: AbortSignal
}

export interface PutOptions extends OperationOptions {
  /**
   * The caller has just computed packIdOf(bytes) itself (a holder hashes while receiving): skip
   * the second hash. Never set it for bytes of unknown origin.
   */
  verified?: boolean
}

/**
 * Immutable, content-addressed objects (packs). An object's ID is `packIdOf(bytes)`.
 *
 * Contract:
 * - `put` is atomic and durable: when it resolves, the whole object is on stable storage and any
 *   later `get` returns exactly these bytes; if it rejects or the process crashes, the object is
 *   either absent or whole, never partial, and no temporary file is visible to `get`/`list`/`has`.
 * - `put` verifies that the bytes hash to the ID and rejects with IntegrityError otherwise,
 *   storing nothing. Putting an ID that is already stored is a no-op.
 * - A full disk rejects with NoSpaceError and leaves nothing behind.
 * - `get` of an absent ID rejects with ObjectNotFoundError; a range outside the object rejects
 *   with InvalidArgumentError. `get` returns what the medium holds: callers verify the hash
 *   (`packIdOf`) themselves, because a store cannot vouch for bit rot.
 * - `has` answers for a batch, in order. `list` yields every stored object once, in no order.
 * - `delete` is idempotent; after it resolves the object is gone from `get`, `has` and `list`.
 * - Malformed IDs (not a pack ID) reject with InvalidArgumentError: IDs become file names.
 */
export interface PackStore {
  put: (id: string, bytes: Uint8Array, options?: PutOptions) => Promise<void>
  get: (id: string, range?: ByteRange, options?: OperationOptions) => Promise<Uint8Array>
  stat: (id: string, options?: OperationOptions) => Promise<ObjectInfo>
  has: (ids: string[], options?: OperationOptions) => Promise<boolean[]>
  list: (options?: OperationOptions) => AsyncIterable<ObjectInfo>
  delete: (id: string, options?: OperationOptions) => Promise<void>
}

/**
 * Small named, mutable records (an owner's root record and wrapped key record). Keys are
 * `[a-z0-9-]` strings of at most 128 characters.
 *
 * Contract: `put` atomically replaces the record (a crash leaves the old or the new value, never
 * a mix) and is durable when it resolves; `get` returns the last value put, or undefined. Which
 * value may replace which (signature, sequence) is decided by the caller before `put`.
 */
export interface RecordStore {
  putRecord: (key: string, value: Uint8Array, options?: OperationOptions) => Promise<void>
  getRecord: (key: string, options?: OperationOptions) => Promise<Uint8Array | undefined>
}

/** Everything a repository is stored in. */
export interface Backend extends PackStore, RecordStore {
  /** Releases file handles and connections. */
  close: () => Promise<void>
}
