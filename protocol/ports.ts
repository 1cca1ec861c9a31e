// What the protocol handlers need from the daemon (STYLE.md §3: the consumer owns the interface).
// The daemon implements these over its held-pack store and record store; tests use in-memory fakes.
// `from` is always the remote peer ID (string form), authenticated by noise.

import type { ByteRange, StripeDescriptor } from './messages.js'

export interface HolderInfo {
  /** Bytes this holder still accepts (quota minus used, capped by the disk's free space minus the reserve). */
  free: number
  /** Bytes offered to the swarm. */
  quota: number
  /** Bytes held for others. */
  used: number
  /** Failure domain label; '' when unset. */
  domain: string
  /** A planned absence: ms since the epoch until which this peer is away; 0 when none. */
  awayUntil?: number
  /** This peer is leaving the swarm for good (`p2pbak leave`). */
  leaving?: boolean
  /** A short-lived peer (a fresh-machine restore): never a holder, forgotten by peers when it disconnects. */
  ephemeral?: boolean
}

export interface PutAdmission {
  packId: string
  size: number
  /** The owner's Ed25519 public key (32 bytes); record it so only this key can delete the pack. */
  ownerKey: Uint8Array
  /** Copies the owner wants; 0 when the sender did not say. */
  replicas: number
  /** Peer ID of the owner's daemon; '' when the sender did not say. */
  origin: string
  /** Remote peer ID. */
  from: string
  /**
   * Erasure mode: the stripe this shard belongs to (already checked: `packId` is its shard
   * `shardIndex`, `size` its shard size). Keep it with the shard: it is how holders find the
   * other shards and rebuild a lost one.
   */
  stripe?: StripeDescriptor
  shardIndex?: number
}

export type AdmitDecision = 'ready' | 'already-held' | 'quota-exceeded' | 'too-large' | 'busy'
export type ReceiveOutcome = 'durable' | 'hash-mismatch' | 'size-mismatch' | 'quota-exceeded' | 'no-space'
export type RemoveOutcome = 'deleted' | 'not-found' | 'forbidden'

export interface RemoveRequest {
  packId: string
  ownerKey: Uint8Array
  timeMs: number
  /** Ed25519 over deleteSignedBytes(packId, ownerKey, timeMs); NOT verified by the handler. */
  signature: Uint8Array
  from: string
}

export interface PackRead {
  /** Exactly the number of bytes `chunks` yields (the range's length for a ranged read). */
  size: number
  /**
   * The bytes, in pieces of any size. Each piece must be a buffer the port never reuses: it is
   * queued for sending by reference. The handler stops iterating (calls `return()`) if the stream fails.
   */
  chunks: AsyncIterable<Uint8Array>
}

/** The held-pack store, as the pack and info handlers see it. */
export interface HolderPort {
  /**
   * SHA-256(nonce ‖ pack) of a held pack, undefined when it is not held, 'busy' when the holder
   * is hashing too many packs already (the audit handler).
   */
  audit?: (packId: string, nonce: Uint8Array, from: string) => Promise<Uint8Array | undefined | 'busy'>

  /** Current space figures for `info`; `from` is the peer asking. */
  info: (from?: string) => Promise<HolderInfo>

  /**
   * Before any byte flows: may this peer put this pack here? The handler has already checked
   * the shapes (pack ID, 0 ≤ size ≤ MAX_PACK_SIZE, 32-byte key). 'already-held' ends the
   * exchange successfully (the owner counts it as durable), so answer it only for a durable copy.
   * Every 'ready' is followed by exactly one `receive` call for the same request, even when the
   * stream dies first (then `chunks` throws at once), so a reservation taken here can be released
   * when `receive` settles.
   */
  admit: (req: PutAdmission) => Promise<AdmitDecision>

  /**
   * Takes the pack's bytes. `chunks` yields exactly `req.size` bytes in total and then ends, or
   * throws (ProtocolError SIZE_MISMATCH / TIMEOUT / UNEXPECTED_EOF, or a stream reset): the port
   * must then leave nothing behind and reject (rethrowing is fine). The port MUST verify SHA-256
   * against `packId` while streaming, write temp → fsync → rename → fsync dir, and resolve
   * 'durable' only once the pack survives a power cut. Other outcomes leave nothing behind.
   * It may stop iterating early (quota or disk full): the handler answers at once and resets the
   * stream. `signal` aborts when the stream dies; stop writing and clean up. Consume chunks one by
   * one (awaiting each write): the handler reads the next frame only when asked, so a slow disk
   * slows the sender down instead of filling memory.
   */
  receive: (req: PutAdmission, chunks: AsyncIterable<Uint8Array>, signal: AbortSignal) => Promise<ReceiveOutcome>

  /**
   * The shards this holder keeps of each pack (erasure mode): at most one hit per requested pack
   * ID (IDs are valid, at most MAX_STRIPE_BATCH), `index` its position in `packIds`. Optional: a
   * holder without it answers no hits.
   */
  stripes?: (packIds: string[]) => Promise<Array<{ index: number, shardIndexes: number[], stripe: StripeDescriptor }>>

  /** One answer per ID, in order. IDs are valid pack IDs, at most MAX_HAS_BATCH of them. */
  has: (packIds: string[]) => Promise<boolean[]>

  /**
   * A held pack's bytes, or undefined when it is not held. With a range, the port checks it and
   * throws RangeError when it does not lie inside the pack (the handler answers BAD_RANGE). The
   * handler checks that `chunks` yields exactly `size` bytes and resets the stream otherwise.
   */
  read: (packId: string, range?: ByteRange) => Promise<PackRead | undefined>

  /**
   * A signed delete. The port verifies the signature with `ownerKey`, checks that this key stored
   * the pack (else 'forbidden'), may refuse a stale `timeMs` (replay) with 'forbidden', and resolves
   * 'deleted' only once the pack is gone; an absent pack is 'not-found'.
   */
  remove: (req: RemoveRequest) => Promise<RemoveOutcome>
}

/** Small named records (root and key records) kept by holders. */
export interface RecordPort {
  /**
   * Stores `value` under `key` (keys match RECORD_KEY_PATTERN, values ≤ MAX_RECORD_SIZE, already
   * checked). The port decides which value may replace which (signature, sequence) and answers
   * 'rejected' when it refuses; 'stored' means durable.
   */
  put: (key: string, value: Uint8Array, from: string) => Promise<'stored' | 'rejected'>
  /** The record, or undefined. */
  get: (key: string) => Promise<Uint8Array | undefined>
}
