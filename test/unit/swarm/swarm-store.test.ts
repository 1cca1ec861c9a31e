// The swarm store over an in-process swarm of real holders (real disks): the backend compliance
// suite, and placement, replication, degraded placement and lying holders.
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { deriveKeys, generateMasterKey } from '../../../daemon/crypto/index.js'
import { ObjectNotFoundError } from '../../../daemon/errors.js'
import { SwarmStore, NoHolderError } from '../../../daemon/swarm/swarm-store.js'
import { rankPeers } from '../../../daemon/swarm/placement.js'
import { deleteSignedBytes } from '../../../protocol/messages.js'
import { packIdOf } from '../../../protocol/ids.js'
import { createMemorySwarm, newPeerId } from '../../harness/memory-swarm.js'
import type { MemorySwarm } from '../../harness/memory-swarm.js'
import { tempDirs } from '../../harness/tmp.js'
import { runBackendCompliance } from '../store/compliance.js'

const dirs = tempDirs()

async function makeStore (n = 4, options: { quota?: number, domains?: string[], replicas?: number, erasure?: { dataShards: number, parityShards: number } } = {}): Promise<{ store: SwarmStore, swarm: MemorySwarm, self: string, dir: string }> {
  const dir = dirs.make('p2pbak-swarmstore-')
  const swarm = await createMemorySwarm(dir, n, options)
  const self = await newPeerId()
  const keys = deriveKeys(generateMasterKey())
  const store = new SwarmStore({
    transport: swarm.transport(self), owner: keys, stateDir: dir, replicas: options.replicas ?? 3, deleteSignedBytes, waitForPeersMs: 0,
    ...(options.erasure === undefined ? {} : { erasure: options.erasure })
  })
  return { store, swarm, self, dir }
}

runBackendCompliance('swarm store (in-process holders)', async () => {
  const { store, swarm } = await makeStore()
  return { backend: store, cleanup: async () => { await store.close(); await swarm.close() } }
})

/** Packs on each holder's disk, read from the directory store, not from any database. */
function census (swarm: MemorySwarm, dir: string): Map<string, string[]> {
  const byPack = new Map<string, string[]>()
  const ids = [...swarm.holders.keys()]
  ids.forEach((peer, i) => {
    const root = join(dir, `holder-${i}`, 'store', 'packs')
    for (const shard of readdirSync(root)) {
      for (const f of readdirSync(join(root, shard))) byPack.set(f, [...(byPack.get(f) ?? []), peer])
    }
  })
  return byPack
}

// The same storage contract with every pack stored as 2 + 1 Reed-Solomon shards.
runBackendCompliance('swarm store, erasure 2 + 1 (in-process holders)', async () => {
  const { store, swarm } = await makeStore(4, { erasure: { dataShards: 2, parityShards: 1 } })
  return { backend: store, cleanup: async () => { await store.close(); await swarm.close() } }
})

describe('swarm store, erasure mode', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => { for (const c of cleanups.splice(0)) await c(); dirs.cleanup() })

  it('a put that got fewer than k shards durable fails, and the pack does not count as stored (a later backup sends it again)', async () => {
    const dir = dirs.make('p2pbak-swarmstore-')
    const swarm = await createMemorySwarm(dir, 6)
    const t = swarm.transport(await newPeerId())
    // Every holder's disk fills up after the first two shards it is sent.
    const putPack = t.putPack
    t.putPack = async (p, id, bytes, key, o) => (o?.shardIndex ?? 0) >= 2 ? 'no-space' : await putPack(p, id, bytes, key, o)
    const store = new SwarmStore({ transport: t, owner: deriveKeys(generateMasterKey()), stateDir: dir, deleteSignedBytes, waitForPeersMs: 0, erasure: { dataShards: 4, parityShards: 2 } })
    cleanups.push(async () => { await store.close(); await swarm.close() })
    const pack = Buffer.from('a pack of some length '.repeat(500))
    const id = packIdOf(pack)
    await expect(store.put(id, pack)).rejects.toMatchObject({ name: 'NoHolderError', message: expect.stringMatching(/only 2 of the 4 shards/) })
    expect(await store.has([id])).toEqual([false])
    const listed: string[] = []
    for await (const o of store.list()) listed.push(o.id)
    expect(listed).toEqual([])
  })

  it('with fewer peers than shards, every shard is stored (some peers take two) and the pack reads back', async () => {
    const { store, swarm } = await makeStore(4, { erasure: { dataShards: 4, parityShards: 2 } })
    cleanups.push(async () => { await store.close(); await swarm.close() })
    const degraded: string[] = []
    store.on('degraded', e => degraded.push(e.packId))
    const pack = Buffer.from('another pack '.repeat(800))
    const id = packIdOf(pack)
    await store.put(id, pack)
    expect(degraded).toEqual([id])
    expect(store.stripeOf(id)!.holders.every(h => h.length === 1)).toBe(true)
    expect(Buffer.from(await store.get(id)).equals(pack)).toBe(true)
  })
})

describe('swarm store', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => { for (const c of cleanups.splice(0)) await c(); dirs.cleanup() })

  it('stores every pack on exactly r holders, the nearest eligible ones, and reads it back', async () => {
    const { store, swarm, dir } = await makeStore(5)
    cleanups.push(async () => { await store.close(); await swarm.close() })
    const packs = Array.from({ length: 12 }, (_, i) => Buffer.from(`pack number ${i} `.repeat(100 + i)))
    for (const p of packs) await store.put(packIdOf(p), p)
    const c = census(swarm, dir)
    for (const p of packs) {
      const id = packIdOf(p)
      const expected = rankPeers(id, [...swarm.holders.keys()].map(peerId => ({ peerId }))).slice(0, 3).map(x => x.peerId)
      expect(new Set(c.get(id))).toEqual(new Set(expected))
      expect(Buffer.from(await store.get(id))).toEqual(p)
    }
    expect(store.degradedPacks()).toEqual([])
  })

  it('a holder at its quota refuses, and the pack goes to the next peer', async () => {
    const { store, swarm, dir } = await makeStore(5, { quota: 10_000 })
    cleanups.push(async () => { await store.close(); await swarm.close() })
    const big = Buffer.alloc(6000, 1)
    const id = packIdOf(big)
    const ranked = rankPeers(id, [...swarm.holders.keys()].map(peerId => ({ peerId }))).map(x => x.peerId)
    // Fill the nearest holder so it has no room left.
    const filler = Buffer.alloc(9000, 2)
    await swarm.holders.get(ranked[0]!)!.receive({ packId: packIdOf(filler), size: filler.length, ownerKey: new Uint8Array(32), from: 'x' }, (async function * () { yield filler })())
    await store.put(id, big)
    expect(new Set(census(swarm, dir).get(id))).toEqual(new Set(ranked.slice(1, 4)))
  })

  it('with fewer peers than replicas it stores what it can and reports the pack degraded; with none it fails clearly', async () => {
    const { store, swarm } = await makeStore(2)
    cleanups.push(async () => { await store.close(); await swarm.close() })
    const events: unknown[] = []
    store.on('degraded', e => events.push(e))
    const p = Buffer.from('lonely pack')
    await store.put(packIdOf(p), p)
    expect(store.degradedPacks()).toEqual([{ packId: packIdOf(p), holders: 2, wanted: 3 }])
    expect(events).toHaveLength(1)
    swarm.online.clear()
    const q = Buffer.from('no one to hold it')
    await expect(store.put(packIdOf(q), q)).rejects.toThrow(NoHolderError)
  })

  it('a holder that serves flipped bytes is skipped and the pack comes from another replica', async () => {
    const { store, swarm, dir } = await makeStore(4)
    cleanups.push(async () => { await store.close(); await swarm.close() })
    const p = Buffer.from('important data '.repeat(1000))
    const id = packIdOf(p)
    await store.put(id, p)
    const holders = census(swarm, dir).get(id)!
    // Flip a byte in the nearest holder's file.
    const nearest = rankPeers(id, holders.map(peerId => ({ peerId })))[0]!.peerId
    const i = [...swarm.holders.keys()].indexOf(nearest)
    const shardDirs = readdirSync(join(dir, `holder-${i}`, 'store', 'packs'))
    const file = shardDirs.map(s => join(dir, `holder-${i}`, 'store', 'packs', s, id)).find(f => { try { readdirSync(f); return false } catch (e) { return (e as NodeJS.ErrnoException).code === 'ENOTDIR' } })!
    const bad = Buffer.from(p)
    bad[100] = bad[100]! ^ 0xff
    writeFileSync(file, bad)
    const failed: string[] = []
    store.on('holder-failed', e => failed.push(e.peer))
    expect(Buffer.from(await store.get(id))).toEqual(p)
    expect(failed).toContain(nearest)
  })

  it('a pack whose holders are all offline is a clear ObjectNotFoundError', async () => {
    const { store, swarm } = await makeStore(3)
    cleanups.push(async () => { await store.close(); await swarm.close() })
    const p = Buffer.from('offline')
    await store.put(packIdOf(p), p)
    swarm.online.clear()
    await expect(store.get(packIdOf(p))).rejects.toThrow(ObjectNotFoundError)
  })
})
