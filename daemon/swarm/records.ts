// Records kept by the swarm (docs/swarm.md §Records): the owner's root record and its wrapped key
// record, plus opaque records. Every record travels in an envelope with a sequence number, so any
// holder or reader can tell the newest; the known kinds are also checked by content:
// - `root-<ownerId>`: a root record signed by the key whose ID is in the name, never replaced by a
//   lower sequence (rollback);
// - `key-<hash>`: a key file whose owner name hashes to the name; the first claimant keeps the name
//   (a later record must carry the same public key).
import { createHash } from 'node:crypto'
import { decodeKeyFile, ownerIdOf } from '../crypto/index.js'
import { verifyRootRecord } from '../repository/repository.js'

export const RECORD_ENVELOPE_MAGIC = 0x70 // 'p'
const ENVELOPE_HEADER = 9 // magic ‖ u64be(seq)

export interface Envelope { seq: bigint, value: Uint8Array }

export function encodeEnvelope (e: Envelope): Uint8Array {
  const out = Buffer.alloc(ENVELOPE_HEADER + e.value.byteLength)
  out[0] = RECORD_ENVELOPE_MAGIC
  out.writeBigUInt64BE(e.seq, 1)
  out.set(e.value, ENVELOPE_HEADER)
  return out
}

export function decodeEnvelope (bytes: Uint8Array): Envelope | undefined {
  if (bytes.byteLength < ENVELOPE_HEADER || bytes[0] !== RECORD_ENVELOPE_MAGIC) return undefined
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { seq: b.readBigUInt64BE(1), value: Uint8Array.from(b.subarray(ENVELOPE_HEADER)) }
}

/** Why a record is refused, or undefined when it is acceptable on its own. */
const ROOT_KEY = /^root-[a-z2-7]{32}$/
const KEY_KEY = /^key-[0-9a-f]{40}$/

export function checkRecord (key: string, value: Uint8Array): string | undefined {
  if (ROOT_KEY.test(key)) {
    try {
      const r = verifyRootRecord(value)
      if (`root-${ownerIdOf(r.ownerKey)}` !== key) return 'root record signed by another owner than its name says'
    } catch (err) {
      return `invalid root record: ${(err as Error).message}`
    }
  } else if (KEY_KEY.test(key)) {
    try {
      const kf = decodeKeyFile(value)
      const expected = 'key-' + createHash('sha256').update(kf.owner, 'utf8').digest('hex').slice(0, 40)
      if (expected !== key) return 'key record stored under another owner name'
    } catch (err) {
      return `invalid key record: ${(err as Error).message}`
    }
  }
  return undefined
}

/**
 * Whether `incoming` may replace `current` (both enveloped and individually valid): a higher
 * envelope sequence, and for root records a sequence not lower than the current one, and for key
 * records the same owner public key (first claimant keeps the name).
 */
export function mayReplace (key: string, current: Envelope | undefined, incoming: Envelope): boolean {
  if (current === undefined) return true
  if (incoming.seq <= current.seq) return false
  if (ROOT_KEY.test(key)) {
    return verifyRootRecord(incoming.value).seq >= verifyRootRecord(current.value).seq
  }
  if (KEY_KEY.test(key)) {
    return decodeKeyFile(incoming.value).publicKey === decodeKeyFile(current.value).publicKey
  }
  return true
}

/** The newest valid envelope among several answers, or undefined. */
export function selectRecord (key: string, candidates: Uint8Array[]): Envelope | undefined {
  let best: Envelope | undefined
  for (const c of candidates) {
    const e = decodeEnvelope(c)
    if (e === undefined || checkRecord(key, e.value) !== undefined) continue
    if (best === undefined || (mayReplace(key, best, e))) best = e
  }
  return best
}

/** DHT namespace of p2pbak records: keys are `/p2pbak-rec/<record key>` (docs/swarm.md §Records). */
export const DHT_RECORD_NAMESPACE = 'p2pbak-rec'

export function dhtRecordKey (key: string): Uint8Array {
  return new TextEncoder().encode(`/${DHT_RECORD_NAMESPACE}/${key}`)
}

function recordKeyOfDhtKey (dhtKey: Uint8Array): string {
  return new TextDecoder().decode(dhtKey).slice(DHT_RECORD_NAMESPACE.length + 2)
}

/**
 * The DHT validator: an enveloped, individually valid record. It remembers the newest envelope
 * it has accepted per key, so a replayed older record (validly signed) cannot roll a node back
 * (research libp2p.md §6.3: PUT_VALUE handlers overwrite whatever passes the validator).
 */
export function createDhtValidator (): (key: Uint8Array, value: Uint8Array) => void {
  const newest = new Map<string, Envelope>()
  return (dhtKey, value) => {
    const key = recordKeyOfDhtKey(dhtKey)
    const env = decodeEnvelope(value)
    if (env === undefined) throw new Error('not a p2pbak record envelope')
    const why = checkRecord(key, env.value)
    if (why !== undefined) throw new Error(why)
    const seen = newest.get(key)
    if (seen !== undefined && seen.seq !== env.seq && !mayReplace(key, seen, env)) throw new Error('older or conflicting record')
    newest.set(key, env)
    if (newest.size > 100_000) newest.delete(newest.keys().next().value!)
  }
}

/** The DHT selector: the index of the newest valid record. */
export function dhtSelector (dhtKey: Uint8Array, records: Uint8Array[]): number {
  const key = recordKeyOfDhtKey(dhtKey)
  const best = selectRecord(key, records)
  if (best === undefined) return 0
  return Math.max(0, records.findIndex(r => { const e = decodeEnvelope(r); return e !== undefined && e.seq === best.seq }))
}
