// The repair logic of one holder against a scripted swarm: which holder acts on a deficit (the
// nearest, then down the ranking when it persists), that young copies are left alone, that surplus
// is trimmed by the farthest holder only after trimAfter, and that an audit failure sticks.
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { silentLog } from '../../../daemon/log.js'
import { PeerBook } from '../../../daemon/peer-book.js'
import { Repairer } from '../../../daemon/repair.js'
import { Holder } from '../../../daemon/swarm/holder.js'
import { rankPeers } from '../../../daemon/swarm/placement.js'
import type { SwarmTransport } from '../../../daemon/swarm/swarm-store.js'
import { splitPack } from '../../../daemon/erasure.js'
import { packIdOf } from '../../../protocol/ids.js'
import { tempDirs } from '../../harness/tmp.js'

const dirs = tempDirs()
const SEC = 1000
let ids: string[]

beforeAll(async () => {
  ids = []
  for (let i = 0; i < 6; i++) ids.push(peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(40 + i))).toString())
})

interface World {
  now: number
  online: Set<string>
  /** Which peers hold which packs (what `has` answers). */
  holds: Map<string, Set<string>>
  puts: Array<{ peer: string, packId: string, bytes?: Uint8Array, shardIndex?: number }>
  /** Object bytes by ID, served by getPack to a peer that holds them. */
  blobs?: Map<string, Uint8Array>
}

async function setup (selfIndex: number, world: World): Promise<{ repairer: Repairer, holder: Holder, book: PeerBook, self: string }> {
  const dir = dirs.make('p2pbak-repair-')
  const self = ids[selfIndex]!
  const holder = new Holder({ dir: join(dir, 'held'), quota: 1e9, reserve: 0, domain: '', diskFree: () => 1e12 })
  await holder.open()
  const book = new PeerBook({ path: join(dir, 'peers.db'), goneAfter: 10 * SEC, now: () => world.now })
  const transport: SwarmTransport = {
    self,
    onlinePeers: () => [...world.online].filter(p => p !== self),
    info: async () => ({ free: 1e9, domain: '' }),
    putPack: async (peer, packId, bytes, _key, o) => {
      world.puts.push({ peer, packId, ...(o?.stripe === undefined ? {} : { bytes, shardIndex: o.shardIndex! }) })
      world.holds.get(peer)?.add(packId)
      return 'durable'
    },
    getPack: async (peer, id) => world.holds.get(peer)?.has(id) === true ? world.blobs?.get(id) : undefined,
    hasPacks: async (peer, packIds) => packIds.map(id => world.holds.get(peer)?.has(id) === true),
    deletePack: async () => 'deleted',
    putRecord: async () => 'stored',
    getRecord: async () => undefined,
    findProviders: async () => []
  }
  const repairer = new Repairer({ holder, transport, peerBook: book, log: silentLog }, {
    defaultReplicas: 3, goneAfter: 10 * SEC, urgentGrace: 5 * SEC, trimAfter: 60 * SEC, escalateAfter: 30 * SEC, now: () => world.now
  })
  return { repairer, holder, book, self }
}

async function give (holder: Holder, bytes: Uint8Array, from: string): Promise<string> {
  const packId = packIdOf(bytes)
  const r = await holder.receive({ packId, size: bytes.byteLength, ownerKey: new Uint8Array(32).fill(9), from, replicas: 3, origin: from }, (async function * () { yield bytes })())
  expect(r).toBe('durable')
  return packId
}

afterEach(() => { dirs.cleanup() })

describe('repair coordination', () => {
  it('on a deficit only the nearest online holder copies; a young copy waits; with the nearest offline the next acts', async () => {
    const bytes = new Uint8Array(1000).fill(7)
    const packId = packIdOf(bytes)
    // Holders of the pack: ids[1], ids[2], ids[3]; ids[3] will go away. ids[4], ids[5] are spare.
    const order = rankPeers(packId, [1, 2].map(i => ({ peerId: ids[i]! }))).map(r => r.peerId)
    const nearest = ids.indexOf(order[0]!)
    const second = ids.indexOf(order[1]!)
    const world: World = { now: Date.now(), online: new Set(ids.slice(1)), holds: new Map(ids.map(p => [p, new Set<string>()])), puts: [] }
    for (const i of [1, 2, 3]) world.holds.get(ids[i]!)!.add(packId)
    const a = await setup(nearest, world)
    const b = await setup(second, world)
    for (const h of [a, b]) {
      await give(h.holder, bytes, ids[0]!)
      for (const p of world.online) if (p !== h.self) h.book.connected(p)
    }
    // Young: judged only after min(goneAfter, 10 min) = 10 s, even with a holder gone.
    world.online.delete(ids[3]!)
    for (const h of [a, b]) h.book.disconnected(ids[3]!)
    await a.repairer.checkAll()
    expect(world.puts).toEqual([])
    world.now += 11 * SEC // ids[3] is gone now (10 s), and the copies are old enough
    for (const h of [a, b]) for (const p of world.online) if (p !== h.self) h.book.connected(p)
    // The second in line does not act at first ...
    await b.repairer.checkAll()
    expect(world.puts).toEqual([])
    // ... the nearest does, exactly once, to a spare peer.
    await a.repairer.checkAll()
    expect(world.puts).toHaveLength(1)
    expect([ids[4], ids[5]]).toContain(world.puts[0]!.peer)
    expect(world.puts[0]!.packId).toBe(packId)
    await a.repairer.checkAll()
    expect(world.puts).toHaveLength(1) // three copies again: nothing more
    expect(a.repairer.stats).toMatchObject({ copiesMade: 1, bytesSent: 1000, deficient: 0 })

    // Another deficit while the nearest is offline: the next online holder is the coordinator.
    world.holds.get(world.puts[0]!.peer)!.delete(packId) // the new copy is lost again
    world.online.delete(ids[nearest]!)
    b.book.disconnected(ids[nearest]!)
    world.puts = []
    await b.repairer.checkAll() // nearest is not online: b is first among the online holders now
    expect(world.puts).toHaveLength(1)
  })

  it('a deficit the nearest holder leaves alone (its view differs) passes to the next after escalateAfter', async () => {
    const bytes = new Uint8Array(800).fill(5)
    const packId = packIdOf(bytes)
    const order = rankPeers(packId, [1, 2].map(i => ({ peerId: ids[i]! }))).map(r => r.peerId)
    const second = ids.indexOf(order[1]!)
    const world: World = { now: Date.now(), online: new Set(ids.slice(1)), holds: new Map(ids.map(p => [p, new Set<string>()])), puts: [] }
    for (const i of [1, 2]) world.holds.get(ids[i]!)!.add(packId) // two copies of three: a deficit
    const b = await setup(second, world)
    await give(b.holder, bytes, ids[0]!)
    world.now += 11 * SEC
    for (const p of world.online) if (p !== b.self) b.book.connected(p)
    await b.repairer.checkAll() // the nearest (online, never acting here) is the coordinator
    expect(world.puts).toEqual([])
    world.now += 20 * SEC
    for (const p of world.online) if (p !== b.self) b.book.connected(p)
    await b.repairer.checkAll()
    expect(world.puts).toEqual([]) // 20 s < 1 × escalateAfter (30 s)
    world.now += 11 * SEC
    for (const p of world.online) if (p !== b.self) b.book.connected(p)
    await b.repairer.checkAll()
    expect(world.puts).toHaveLength(1)
    expect([ids[3], ids[4], ids[5]]).toContain(world.puts[0]!.peer)
  })

  it('surplus: only the farthest online holder drops its copy, and only after trimAfter', async () => {
    const bytes = new Uint8Array(500).fill(3)
    const packId = packIdOf(bytes)
    const holdersOf = [1, 2, 3, 4]
    const farthest = ids.indexOf(rankPeers(packId, holdersOf.map(i => ({ peerId: ids[i]! }))).at(-1)!.peerId)
    const other = holdersOf.find(i => i !== farthest)!
    const world: World = { now: Date.now(), online: new Set(ids.slice(1)), holds: new Map(ids.map(p => [p, new Set<string>()])), puts: [] }
    for (const i of holdersOf) world.holds.get(ids[i]!)!.add(packId)
    const far = await setup(farthest, world)
    const near = await setup(other, world)
    for (const h of [far, near]) {
      await give(h.holder, bytes, ids[0]!)
      for (const p of world.online) if (p !== h.self) h.book.connected(p)
    }
    world.now += 20 * SEC // the copies are settled
    for (const h of [far, near]) for (const p of world.online) if (p !== h.self) h.book.connected(p)
    await far.repairer.checkAll() // surplus noticed: 4 copies online, 3 wanted
    await near.repairer.checkAll()
    expect(far.holder.has([packId])).toEqual([true])
    world.now += 61 * SEC
    for (const h of [far, near]) for (const p of world.online) if (p !== h.self) h.book.connected(p)
    await near.repairer.checkAll()
    expect(near.holder.has([packId])).toEqual([true]) // not the farthest: keeps its copy
    await far.repairer.checkAll()
    expect(far.holder.has([packId])).toEqual([false])
    expect(far.repairer.stats.trimmed).toBe(1)
    expect(world.puts).toEqual([])
  })

  it('a co-holder that failed an audit is not believed again until it takes the bytes', async () => {
    const dir = dirs.make('p2pbak-repair-')
    const holder = new Holder({ dir, quota: 1e9, reserve: 0, domain: '', diskFree: () => 1e12 })
    await holder.open()
    const packId = await give(holder, new Uint8Array(100).fill(1), ids[0]!)
    holder.recordCoholders(ids[2]!, [packId], [true])
    expect(holder.coholders(packId).map(c => c.peer)).toEqual([ids[2]])
    holder.forgetCoholder(packId, ids[2]!, true)
    holder.recordCoholders(ids[2]!, [packId], [true]) // it says "yes" again
    expect(holder.coholders(packId)).toEqual([])
    expect(holder.auditFailures(packId)).toEqual([ids[2]])
    holder.clearAuditFailure(packId, ids[2]!)
    holder.recordCoholders(ids[2]!, [packId], [true])
    expect(holder.coholders(packId).map(c => c.peer)).toEqual([ids[2]])
    await holder.close()
  })
  it('erasure 2+1: when a shard holder is gone, the nearest shard holder rebuilds the shard from k others and places it anew', async () => {
    const pack = new Uint8Array(3000).map((_, i) => (i * 31) & 0xff)
    const { stripe, shards } = await splitPack(packIdOf(pack), pack, 2, 1)
    // Shards 0, 1, 2 on ids[1], ids[2], ids[3]; ids[3] goes for good; ids[4], ids[5] are spare.
    const nearest = ids.indexOf(rankPeers(stripe.packId, [1, 2].map(i => ({ peerId: ids[i]! })))[0]!.peerId)
    const other = nearest === 1 ? 2 : 1
    const world: World = { now: Date.now(), online: new Set(ids.slice(1)), holds: new Map(ids.map(p => [p, new Set<string>()])), puts: [], blobs: new Map() }
    for (const [j, i] of [1, 2, 3].entries()) {
      world.holds.get(ids[i]!)!.add(stripe.shardIds[j]!)
      world.blobs!.set(stripe.shardIds[j]!, shards[j]!)
    }
    const a = await setup(nearest, world)
    const mine = nearest - 1
    const r = await a.holder.receive({ packId: stripe.shardIds[mine]!, size: stripe.shardSize, ownerKey: new Uint8Array(32).fill(9), from: ids[0]!, replicas: 1, origin: ids[0]!, stripe, shardIndex: mine }, (async function * () { yield shards[mine]! })())
    expect(r).toBe('durable')
    for (const p of world.online) if (p !== a.self) a.book.connected(p)
    world.now += 20 * SEC
    for (const p of world.online) if (p !== a.self) a.book.connected(p)
    await a.repairer.checkAll()
    expect(world.puts).toEqual([]) // every shard has a live holder

    world.online.delete(ids[3]!)
    a.book.disconnected(ids[3]!)
    world.now += 11 * SEC // ids[3] is gone now
    for (const p of world.online) if (p !== a.self) a.book.connected(p)
    await a.repairer.checkAll()
    expect(world.puts).toHaveLength(1)
    const put = world.puts[0]!
    expect([ids[4], ids[5]]).toContain(put.peer)
    expect(put.packId).toBe(stripe.shardIds[2])
    expect(put.shardIndex).toBe(2)
    expect(Buffer.from(put.bytes!).equals(Buffer.from(shards[2]!))).toBe(true)
    expect(a.repairer.stats).toMatchObject({ copiesMade: 1, bytesSent: stripe.shardSize, bytesFetched: stripe.shardSize })
    await a.repairer.checkAll()
    expect(world.puts).toHaveLength(1) // all three shards live again: nothing more
    expect(a.repairer.stats.deficient).toBe(0)

    // Holders that serve a wrong shard fail the audit (one random other shard per audited
    // stripe); the liar's shard no longer counts, so the next check rebuilds it elsewhere.
    for (const j of [0, 1, 2]) if (j !== mine) world.blobs!.set(stripe.shardIds[j]!, new Uint8Array(stripe.shardSize))
    await a.repairer.auditRound()
    expect(a.repairer.stats.auditsFailed).toBe(1)
    const failedShard = [0, 1, 2].find(j => a.holder.auditFailures(stripe.shardIds[j]!).length > 0)!
    expect(failedShard).not.toBe(mine)
    world.puts = []
    world.now += 31 * SEC
    for (const p of world.online) if (p !== a.self) a.book.connected(p)
    await a.repairer.checkAll()
    // Rebuilding needs k = 2 good shards: ours, and the other one (its bytes are wrong too, so
    // the gather finds that as well, and the repair waits instead of spreading wrong bytes).
    expect(world.puts).toEqual([])
    expect(a.repairer.stats.auditsFailed + [0, 1, 2].filter(j => a.holder.auditFailures(stripe.shardIds[j]!).length > 0).length).toBeGreaterThanOrEqual(2)
  })
  it('drain (p2pbak leave): a pack with enough copies elsewhere is dropped, one without is copied first, a shard goes to a peer outside its stripe', async () => {
    const world: World = { now: Date.now(), online: new Set(ids.slice(1)), holds: new Map(ids.map(p => [p, new Set<string>()])), puts: [], blobs: new Map() }
    const a = await setup(1, world)
    for (const p of world.online) if (p !== a.self) a.book.connected(p)
    // P1: three other copies online (ids 2, 3, 4) besides ours: just dropped.
    const p1 = await give(a.holder, new Uint8Array(400).fill(1), ids[0]!)
    for (const i of [2, 3, 4]) world.holds.get(ids[i]!)!.add(p1)
    // P2: one other copy (ids 2): copied to a peer that lacks it, then dropped.
    const p2 = await give(a.holder, new Uint8Array(400).fill(2), ids[0]!)
    world.holds.get(ids[2]!)!.add(p2)
    // A shard: shard 0 ours, shards 1 and 2 on ids 2 and 3: it must go to ids 4 or 5.
    const pack = new Uint8Array(999).fill(3)
    const { stripe, shards } = await splitPack(packIdOf(pack), pack, 2, 1)
    expect(await a.holder.receive({ packId: stripe.shardIds[0]!, size: stripe.shardSize, ownerKey: new Uint8Array(32).fill(9), from: ids[0]!, replicas: 1, origin: ids[0]!, stripe, shardIndex: 0 }, (async function * () { yield shards[0]! })())).toBe('durable')
    world.holds.get(ids[2]!)!.add(stripe.shardIds[1]!)
    world.holds.get(ids[3]!)!.add(stripe.shardIds[2]!)
    const steps: number[] = []
    const r = await a.repairer.drain(p => steps.push(p.done))
    expect(r).toMatchObject({ moved: 2, dropped: 1, kept: [] })
    expect(steps.at(-1)).toBe(3)
    expect(a.holder.heldPacks()).toEqual([])
    expect(world.puts.find(x => x.packId === p1)).toBeUndefined()
    const p2put = world.puts.find(x => x.packId === p2)!
    expect([ids[3], ids[4], ids[5]]).toContain(p2put.peer)
    const shardPut = world.puts.find(x => x.packId === stripe.shardIds[0])!
    expect([ids[4], ids[5]]).toContain(shardPut.peer)
    expect(shardPut.shardIndex).toBe(0)
    // While draining, check rounds do nothing.
    world.puts = []
    await a.repairer.checkAll()
    expect(world.puts).toEqual([])
  })
  it('erasure: a shard held twice is trimmed after trimAfter by the holder that keeps another shard of the stripe', async () => {
    const pack = new Uint8Array(2000).map((_, i) => (i * 7) & 0xff)
    const { stripe, shards } = await splitPack(packIdOf(pack), pack, 2, 1)
    // ids[1] keeps shards 0 and 1 (a put that found too few peers); shard 1 was since moved to
    // ids[2] as well; shard 2 is on ids[3]. ids[1] is the one whose copy of shard 1 adds nothing.
    const world: World = { now: Date.now(), online: new Set(ids.slice(1)), holds: new Map(ids.map(p => [p, new Set<string>()])), puts: [], blobs: new Map() }
    world.holds.get(ids[1]!)!.add(stripe.shardIds[0]!).add(stripe.shardIds[1]!)
    world.holds.get(ids[2]!)!.add(stripe.shardIds[1]!)
    world.holds.get(ids[3]!)!.add(stripe.shardIds[2]!)
    const a = await setup(1, world)
    const b = await setup(2, world)
    for (const [h, js] of [[a, [0, 1]], [b, [1]]] as const) {
      for (const j of js) {
        expect(await h.holder.receive({ packId: stripe.shardIds[j]!, size: stripe.shardSize, ownerKey: new Uint8Array(32).fill(9), from: ids[0]!, replicas: 1, origin: ids[0]!, stripe, shardIndex: j }, (async function * () { yield shards[j]! })())).toBe('durable')
      }
    }
    const tick = async (ms: number): Promise<void> => {
      world.now += ms
      for (const h of [a, b]) {
        for (const p of world.online) if (p !== h.self) h.book.connected(p)
        await h.repairer.checkAll()
      }
    }
    await tick(20 * SEC) // settled; shard 1 surplus noticed
    expect(a.holder.has([stripe.shardIds[1]!])).toEqual([true])
    await tick(61 * SEC) // past trimAfter
    expect(a.holder.has([stripe.shardIds[1]!, stripe.shardIds[0]!])).toEqual([false, true])
    expect(b.holder.has([stripe.shardIds[1]!])).toEqual([true])
    expect(a.repairer.stats.trimmed + b.repairer.stats.trimmed).toBe(1)
    expect(world.puts).toEqual([])
  })
})
