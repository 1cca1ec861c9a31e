// Erasure coding of packs (DESIGN.md §6, docs/erasure.md): Reed-Solomon over GF(2^8) with k data
// and m parity shards, computed by @ronomon/reed-solomon (a C addon that runs on libuv's thread
// pool; chosen after measuring the npm candidates, docs/dependencies.md). The data shards are
// the pack's bytes, zero-padded to k × shardSize, so a restorer with every data shard needs no
// decoding at all. Every shard is named by the SHA-256 of its bytes, and every shard and every
// rebuilt pack is checked against its name before it is used or sent.
import { createRequire } from 'node:module'
import { packIdOf } from '../protocol/ids.js'
import { STRIPE_CODE_RS, STRIPE_VERSION, stripeShardSize } from '../protocol/index.js'
import type { StripeDescriptor } from '../protocol/index.js'
import { IntegrityError, InvalidArgumentError } from './errors.js'

type Callback = (error: Error | undefined) => void
interface ReedSolomon {
  MAX_K: number
  MAX_M: number
  create: (k: number, m: number) => unknown
  encode: (context: unknown, sources: number, targets: number, buffer: Buffer, bufferOffset: number, bufferSize: number,
    parity: Buffer, parityOffset: number, paritySize: number, callback: Callback) => void
}

const rs = createRequire(import.meta.url)('@ronomon/reed-solomon') as ReedSolomon
const contexts = new Map<string, unknown>()

function context (k: number, m: number): unknown {
  const key = `${k}+${m}`
  let c = contexts.get(key)
  if (c === undefined) {
    if (k < 1 || k > rs.MAX_K || m < 1 || m > rs.MAX_M) throw new InvalidArgumentError(`erasure coding supports 1–${rs.MAX_K} data and 1–${rs.MAX_M} parity shards, not ${k}+${m}`)
    c = rs.create(k, m)
    contexts.set(key, c)
  }
  return c
}

/** Computes the shards in `targets` (bit i: shard i) from those in `sources`, in place. */
async function code (k: number, m: number, sources: number, targets: number, data: Buffer, parity: Buffer): Promise<void> {
  const ctx = context(k, m)
  await new Promise<void>((resolve, reject) => {
    rs.encode(ctx, sources, targets, data, 0, data.byteLength, parity, 0, parity.byteLength, (err) => { err === undefined || err === null ? resolve() : reject(err) })
  })
}

/** Cuts a pack into k data and m parity shards, and describes the stripe they form. */
export async function splitPack (packId: string, bytes: Uint8Array, dataShards: number, parityShards: number): Promise<{ stripe: StripeDescriptor, shards: Uint8Array[] }> {
  const shardSize = stripeShardSize(bytes.byteLength, dataShards)
  const data = Buffer.alloc(shardSize * dataShards)
  data.set(bytes)
  const parity = Buffer.alloc(shardSize * parityShards)
  let sources = 0
  for (let i = 0; i < dataShards; i++) sources |= 1 << i
  let targets = 0
  for (let i = dataShards; i < dataShards + parityShards; i++) targets |= 1 << i
  await code(dataShards, parityShards, sources, targets, data, parity)
  const shards: Uint8Array[] = []
  for (let i = 0; i < dataShards; i++) shards.push(data.subarray(i * shardSize, (i + 1) * shardSize))
  for (let i = 0; i < parityShards; i++) shards.push(parity.subarray(i * shardSize, (i + 1) * shardSize))
  const stripe: StripeDescriptor = {
    version: STRIPE_VERSION, code: STRIPE_CODE_RS, packId, packSize: bytes.byteLength,
    dataShards, parityShards, shardSize, shardIds: shards.map(s => packIdOf(s))
  }
  return { stripe, shards }
}

/** True when `bytes` is shard `index` of the stripe. */
export function isShardOf (stripe: StripeDescriptor, index: number, bytes: Uint8Array): boolean {
  return bytes.byteLength === stripe.shardSize && packIdOf(bytes) === stripe.shardIds[index]
}

/**
 * Computes the shards `wanted` from any k verified shards in `have` (index → bytes; each must
 * already have passed isShardOf). Every computed shard is checked against its ID: a stripe that
 * does not add up is an IntegrityError, never wrong bytes.
 */
export async function rebuildShards (stripe: StripeDescriptor, have: Map<number, Uint8Array>, wanted: number[]): Promise<Map<number, Uint8Array>> {
  const k = stripe.dataShards
  const m = stripe.parityShards
  const size = stripe.shardSize
  const out = new Map<number, Uint8Array>()
  const targetsList = wanted.filter(i => !have.has(i))
  for (const i of wanted) if (have.has(i)) out.set(i, have.get(i)!)
  if (targetsList.length === 0) return out
  if (have.size < k) throw new IntegrityError(`pack ${stripe.packId}: ${have.size} of the ${k} shards needed are available`, [stripe.packId])
  const data = Buffer.alloc(size * k)
  const parity = Buffer.alloc(size * m)
  let sources = 0
  for (const [i, bytes] of have) {
    if (bytes.byteLength !== size) throw new InvalidArgumentError(`shard ${i} of pack ${stripe.packId} is ${bytes.byteLength} bytes, not ${size}`)
    if (i < k) data.set(bytes, i * size)
    else parity.set(bytes, (i - k) * size)
    sources |= 1 << i
  }
  let targets = 0
  for (const i of targetsList) targets |= 1 << i
  await code(k, m, sources, targets, data, parity)
  for (const i of targetsList) {
    const shard = i < k ? data.subarray(i * size, (i + 1) * size) : parity.subarray((i - k) * size, (i - k + 1) * size)
    if (packIdOf(shard) !== stripe.shardIds[i]) {
      throw new IntegrityError(`pack ${stripe.packId}: rebuilt shard ${i} does not match its ID (the stripe's shards do not belong together)`, [stripe.packId])
    }
    out.set(i, shard)
  }
  return out
}

/** The pack from any k verified shards; checked against the pack ID. */
export async function joinPack (stripe: StripeDescriptor, have: Map<number, Uint8Array>): Promise<Uint8Array> {
  const k = stripe.dataShards
  const dataIdx = Array.from({ length: k }, (_, i) => i)
  const shards = await rebuildShards(stripe, have, dataIdx)
  const pack = new Uint8Array(stripe.packSize)
  let off = 0
  for (const i of dataIdx) {
    const s = shards.get(i)!
    const n = Math.min(s.byteLength, stripe.packSize - off)
    if (n <= 0) break
    pack.set(s.subarray(0, n), off)
    off += n
  }
  if (packIdOf(pack) !== stripe.packId) throw new IntegrityError(`pack ${stripe.packId}: the shards do not rebuild the pack`, [stripe.packId])
  return pack
}
