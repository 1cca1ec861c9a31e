// Repair coordination under races, against a scripted swarm whose peers behave like real holders
// (one transfer of a pack at a time: BUSY to a second sender; ALREADY_HELD once it is there;
// audits answered from the bytes). Two holders running their check rounds at the same moment make
// exactly the missing copies, and a surplus made by a race is trimmed at once, but only once the
// other copies proved themselves, and not when a holder just came back.
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { silentLog } from '../../../daemon/log.js'
import { PeerBook } from '../../../daemon/peer-book.js'
import { Repairer } from '../../../daemon/repair.js'
import { auditDigest, Holder } from '../../../daemon/swarm/holder.js'
import { rankPeers } from '../../../daemon/swarm/placement.js'
import type { SwarmTransport } from '../../../daemon/swarm/swarm-store.js'
import { packIdOf } from '../../../protocol/ids.js'
import { tempDirs } from '../../harness/tmp.js'

const dirs = tempDirs()
const SEC = 1000
let ids: string[]

beforeAll(async () => {
  ids = []
  for (let i = 0; i < 8; i++) ids.push(peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(70 + i))).toString())
})
afterEach(() => { dirs.cleanup() })

interface World {
  now: number
  online: Set<string>
  holds: Map<string, Set<string>>
  blobs: Map<string, Uint8Array>
  inFlight: Set<string>
  /** Transfers that ended DURABLE: copies made. */
  durable: Array<{ from: string, peer: string, packId: string }>
  /** "self>peer": info calls from self to peer time out. */
  infoFails: Set<string>
  /** Peers that answer audits with a wrong digest. */
  liars: Set<string>
}

function world (): World {
  return { now: Date.now(), online: new Set(ids.slice(1)), holds: new Map(ids.map(p => [p, new Set<string>()])), blobs: new Map(), inFlight: new Set(), durable: [], infoFails: new Set(), liars: new Set() }
}

async function setup (selfIndex: number, w: World, domain = ''): Promise<{ repairer: Repairer, holder: Holder, book: PeerBook, self: string }> {
  const dir = dirs.make('p2pbak-repair-race-')
  const self = ids[selfIndex]!
  const holder = new Holder({ dir: join(dir, 'held'), quota: 1e9, reserve: 0, domain, diskFree: () => 1e12 })
  await holder.open()
  const book = new PeerBook({ path: join(dir, 'peers.db'), goneAfter: 10 * SEC, now: () => w.now })
  const transport: SwarmTransport = {
    self,
    onlinePeers: () => [...w.online].filter(p => p !== self),
    info: async (peer) => {
      if (w.infoFails.has(`${self}>${peer}`)) throw new Error('info timed out')
      return { free: 1e9, domain: '' }
    },
    putPack: async (peer, packId) => {
      const held = w.holds.get(peer)!
      if (held.has(packId)) return 'already-held'
      const key = `${peer}/${packId}`
      if (w.inFlight.has(key)) return 'busy'
      w.inFlight.add(key)
      await new Promise(resolve => setTimeout(resolve, 40)) // the bytes travel
      w.inFlight.delete(key)
      held.add(packId)
      w.durable.push({ from: self, peer, packId })
      return 'durable'
    },
    getPack: async (peer, id) => w.holds.get(peer)?.has(id) === true ? w.blobs.get(id) : undefined,
    hasPacks: async (peer, packIds) => packIds.map(id => w.holds.get(peer)?.has(id) === true),
    auditPack: async (peer, packId, nonce) => {
      if (w.holds.get(peer)?.has(packId) !== true) return { status: 'not-found', digest: new Uint8Array() }
      const digest = auditDigest(nonce, w.blobs.get(packId)!)
      if (w.liars.has(peer)) digest[0]! ^= 1
      return { status: 'ok', digest }
    },
    deletePack: async () => 'deleted',
    putRecord: async () => 'stored',
    getRecord: async () => undefined,
    findProviders: async () => []
  }
  const repairer = new Repairer({ holder, transport, peerBook: book, log: silentLog }, {
    defaultReplicas: 3, goneAfter: 10 * SEC, urgentGrace: 5 * SEC, trimAfter: 60 * SEC, escalateAfter: 30 * SEC, now: () => w.now
  })
  return { repairer, holder, book, self }
}

async function give (h: { holder: Holder }, bytes: Uint8Array, replicas = 3): Promise<void> {
  const packId = packIdOf(bytes)
  const r = await h.holder.receive({ packId, size: bytes.byteLength, ownerKey: new Uint8Array(32).fill(9), from: ids[0]!, replicas, origin: ids[0]! }, (async function * () { yield bytes })())
  expect(r).toBe('durable')
}

/** Each holder's peer book sees every peer that is online in the world (connections stay up). */
function touch (w: World, ...hs: Array<{ book: PeerBook, self: string }>): void {
  for (const h of hs) for (const p of w.online) if (p !== h.self) h.book.connected(p)
}

const copies = (w: World, packId: string): string[] => [...w.online].filter(p => w.holds.get(p)!.has(packId))

describe('repair races', () => {
  it('two holders running their rounds at the same moment make exactly the missing copy, even when their views of the spare peers differ', async () => {
    const bytes = new Uint8Array(1200).fill(11)
    const packId = packIdOf(bytes)
    const w = world()
    w.blobs.set(packId, bytes)
    const [nearest, second] = rankPeers(packId, [1, 2].map(i => ({ peerId: ids[i]! }))).map(r => ids.indexOf(r.peerId))
    const C = ids[3]!
    for (const i of [1, 2, 3]) w.holds.get(ids[i]!)!.add(packId)
    const a = await setup(nearest!, w)
    const b = await setup(second!, w)
    for (const h of [a, b]) await give(h, bytes)
    touch(w, a, b)
    await Promise.all([a.repairer.checkAll(), b.repairer.checkAll()]) // both learn who holds the pack
    // C's machine dies. b's connection to it closes at once; a's lingers for 35 s (a half-open
    // TCP connection), so a sees the loss much later than b.
    w.online.delete(C)
    b.book.disconnected(C)
    w.now += 11 * SEC
    touch(w, a, b)
    await Promise.all([a.repairer.checkAll(), b.repairer.checkAll()])
    expect(w.durable).toEqual([]) // a sees no deficit yet; b is second in line and waits
    w.now += 24 * SEC
    touch(w, a, b)
    a.book.disconnected(C)
    w.now += 11 * SEC // b has waited 35 s > escalateAfter: it acts; a now sees the deficit too
    touch(w, a, b)
    // a's info call to the first spare of the ranking times out this round (a loaded machine).
    const spares = rankPeers(packId, [4, 5, 6, 7].map(i => ({ peerId: ids[i]! }))).map(r => r.peerId)
    w.infoFails.add(`${a.self}>${spares[0]!}`)
    await Promise.all([a.repairer.checkAll(), b.repairer.checkAll()])
    expect(w.durable).toHaveLength(1)
    expect(copies(w, packId).sort()).toEqual([a.self, b.self, spares[0]!].sort())
    // And the next rounds agree: nothing more to do.
    w.now += 11 * SEC
    touch(w, a, b)
    await Promise.all([a.repairer.checkAll(), b.repairer.checkAll()])
    expect(w.durable).toHaveLength(1)
    expect(a.repairer.stats.copiesMade + b.repairer.stats.copiesMade).toBe(1)
  })

  it('two missing copies, both holders acting at once: exactly two copies, one per missing replica', async () => {
    const bytes = new Uint8Array(900).fill(12)
    const packId = packIdOf(bytes)
    const w = world()
    w.blobs.set(packId, bytes)
    const [nearest, second] = rankPeers(packId, [1, 2].map(i => ({ peerId: ids[i]! }))).map(r => ids.indexOf(r.peerId))
    for (const i of [1, 2, 3, 4]) w.holds.get(ids[i]!)!.add(packId) // four wanted, four held
    const a = await setup(nearest!, w)
    const b = await setup(second!, w)
    for (const h of [a, b]) await give(h, bytes, 4)
    touch(w, a, b)
    await Promise.all([a.repairer.checkAll(), b.repairer.checkAll()])
    w.online.delete(ids[3]!)
    w.online.delete(ids[4]!)
    b.book.disconnected(ids[3]!)
    b.book.disconnected(ids[4]!)
    w.now += 11 * SEC
    touch(w, a, b)
    await Promise.all([a.repairer.checkAll(), b.repairer.checkAll()])
    w.now += 24 * SEC
    touch(w, a, b)
    a.book.disconnected(ids[3]!)
    a.book.disconnected(ids[4]!)
    w.now += 11 * SEC
    touch(w, a, b)
    await Promise.all([a.repairer.checkAll(), b.repairer.checkAll()])
    expect(w.durable).toHaveLength(2)
    expect(new Set(w.durable.map(d => d.peer)).size).toBe(2)
    expect(copies(w, packId)).toHaveLength(4)
  })

  it('a surplus made by a race is trimmed at the next round by the farthest holder, once the others proved their copies', async () => {
    const bytes = new Uint8Array(700).fill(13)
    const packId = packIdOf(bytes)
    const w = world()
    w.blobs.set(packId, bytes)
    const holdersOf = [1, 2, 3, 4]
    const farthest = ids.indexOf(rankPeers(packId, holdersOf.map(i => ({ peerId: ids[i]! }))).at(-1)!.peerId)
    for (const i of holdersOf) w.holds.get(ids[i]!)!.add(packId)
    const far = await setup(farthest, w)
    await give(far, bytes)
    touch(w, far)
    w.now += 11 * SEC // settled
    touch(w, far)
    await far.repairer.checkAll() // four copies, three wanted: noticed
    expect(far.holder.isHeld(packId)).toBe(true)
    w.now += 5 * SEC // the next round, long before trimAfter (60 s)
    touch(w, far)
    await far.repairer.checkAll()
    expect(far.holder.isHeld(packId)).toBe(false)
    expect(far.repairer.stats).toMatchObject({ trimmed: 1, auditsPassed: 3 })
    expect(copies(w, packId).filter(p => p !== far.self)).toHaveLength(3)
  })

  it('no early trim on the others\' word alone: copies that fail the challenge do not count', async () => {
    const bytes = new Uint8Array(600).fill(14)
    const packId = packIdOf(bytes)
    const w = world()
    w.blobs.set(packId, bytes)
    const holdersOf = [1, 2, 3, 4]
    const ranked = rankPeers(packId, holdersOf.map(i => ({ peerId: ids[i]! }))).map(r => r.peerId)
    const farthest = ids.indexOf(ranked.at(-1)!)
    for (const i of holdersOf) w.holds.get(ids[i]!)!.add(packId)
    w.liars.add(ranked[0]!) // says it holds the pack, cannot prove it
    const far = await setup(farthest, w)
    await give(far, bytes)
    touch(w, far)
    w.now += 11 * SEC
    touch(w, far)
    await far.repairer.checkAll()
    w.now += 5 * SEC
    touch(w, far)
    await far.repairer.checkAll()
    expect(far.holder.isHeld(packId)).toBe(true) // two proven copies besides ours: ours stays
    expect(far.repairer.stats.auditsFailed).toBe(1)
  })

  it('a surplus because a holder came back waits trimAfter', async () => {
    const bytes = new Uint8Array(650).fill(15)
    const packId = packIdOf(bytes)
    const w = world()
    w.blobs.set(packId, bytes)
    const holdersOf = [1, 2, 3, 4]
    const ranked = rankPeers(packId, holdersOf.map(i => ({ peerId: ids[i]! }))).map(r => r.peerId)
    const farthest = ids.indexOf(ranked.at(-1)!)
    const traveller = ranked[0]!
    for (const i of holdersOf) w.holds.get(ids[i]!)!.add(packId)
    const far = await setup(farthest, w)
    await give(far, bytes)
    touch(w, far)
    await far.repairer.checkAll() // it learns who holds the pack
    w.online.delete(traveller) // a laptop on a trip
    far.book.disconnected(traveller)
    w.now += 11 * SEC
    touch(w, far)
    await far.repairer.checkAll() // three online, the traveller absent: nothing to do
    w.online.add(traveller) // back
    w.now += 5 * SEC
    touch(w, far)
    await far.repairer.checkAll() // surplus noticed
    w.now += 5 * SEC
    touch(w, far)
    await far.repairer.checkAll()
    expect(far.holder.isHeld(packId)).toBe(true) // not a race: the returning laptop is not made redundant at once
    w.now += 61 * SEC
    touch(w, far)
    await far.repairer.checkAll()
    expect(far.holder.isHeld(packId)).toBe(false)
  })

  it('a pack that cannot be handled (its file deleted behind the daemon\'s back) does not stop the round', async () => {
    const w = world()
    const a = await setup(1, w)
    const broken = new Uint8Array(300).fill(16)
    const fine = new Uint8Array(400).fill(17)
    for (const bytes of [broken, fine]) { w.blobs.set(packIdOf(bytes), bytes); await give(a, bytes) }
    touch(w, a)
    w.now += 11 * SEC // settled; nobody else holds either pack: two copies missing of each
    touch(w, a)
    await a.holder.store.delete(packIdOf(broken)) // the database still lists it
    await a.repairer.checkAll()
    expect(copies(w, packIdOf(fine)).filter(p => p !== a.self)).toHaveLength(2)
    expect(a.repairer.stats.lastCheck).toBe(w.now)
  })
})
