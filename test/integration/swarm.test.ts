// Five real swarm peers (libp2p over TCP on 127.0.0.1, real disks): the engine backs up through
// the swarm store with r = 3, every pack lands on exactly 3 holders in the places the placement
// predicts (read from the holders' disks), and a fresh machine restores byte-identical from the
// peers, also when a holder serves flipped bytes.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { backup } from '../../daemon/archiver.js'
import { check } from '../../daemon/checker.js'
import { initOwner, openOwner } from '../../daemon/owner.js'
import { restore } from '../../daemon/restorer.js'
import { createSwarmPeer } from '../../daemon/swarm/peer.js'
import type { SwarmPeer } from '../../daemon/swarm/peer.js'
import { loadOrCreateNodeKey, generateSwarmKey } from '../../daemon/swarm/index.js'
import { rankPeers } from '../../daemon/swarm/placement.js'
import { decodeEnvelope, dhtRecordKey } from '../../daemon/swarm/records.js'
import { verifyRootRecord } from '../../daemon/repository/repository.js'
import { rootRecordKey } from '../../daemon/repository/constants.js'
import { getPack } from '../../protocol/index.js'
import { SwarmStore } from '../../daemon/swarm/swarm-store.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { deleteSignedBytes } from '../../protocol/index.js'
import { tempDirs } from '../harness/tmp.js'
import { makeSpecialTree, prngBytes } from '../harness/tree.js'

const dirs = tempDirs()
const swarmKey = generateSwarmKey()
const peers: SwarmPeer[] = []
let root: string
let src: string
const PASS = 'swarm passphrase'

async function startPeer (i: number, options: { quota?: number, key?: Uint8Array, list?: SwarmPeer[] } = {}): Promise<SwarmPeer> {
  const stateDir = join(root, `peer-${i}`)
  const list = options.list ?? peers
  const p = await createSwarmPeer({
    stateDir,
    node: {
      privateKey: await loadOrCreateNodeKey(stateDir),
      swarmKey: options.key ?? swarmKey,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: list.flatMap(q => q.node.addresses().map(a => a.toString())),
      mdns: false
    },
    holder: { quota: options.quota ?? 1e10, reserve: 0, domain: '' }
  })
  await p.start()
  return p
}

function storeFor (p: SwarmPeer, stateDir: string): SwarmStore {
  return new SwarmStore({ transport: p.transport, owner: { publicKey: new Uint8Array(32), sign: () => new Uint8Array(64) }, stateDir, replicas: 3, deleteSignedBytes })
}

/** Pack files on a holder's disk (not its database). */
function heldOnDisk (i: number): string[] {
  const base = join(root, `peer-${i}`, 'held', 'store', 'packs')
  if (!existsSync(base)) return []
  return readdirSync(base).flatMap(s => readdirSync(join(base, s)))
}

function heldBytes (i: number): number {
  const base = join(root, `peer-${i}`, 'held', 'store', 'packs')
  if (!existsSync(base)) return 0
  return readdirSync(base).flatMap(s => readdirSync(join(base, s)).map(f => statSync(join(base, s, f)).size)).reduce((a, b) => a + b, 0)
}

beforeAll(async () => {
  root = dirs.make('p2pbak-swarm-')
  src = join(root, 'src')
  makeSpecialTree(src, { largeSize: 3 * 1024 * 1024 })
  writeFileSync(join(src, 'more.bin'), prngBytes('more', 5 * 1024 * 1024))
  for (let i = 0; i < 5; i++) peers.push(await startPeer(i))
  // Everyone knows everyone (bootstrap lists name the earlier peers; they dial back).
  await vi.waitFor(() => { for (const p of peers) expect(p.node.libp2p.getPeers().length).toBe(4) }, { timeout: 20_000, interval: 100 })
}, 60_000)

afterAll(async () => {
  for (const p of peers) await p.stop()
  dirs.cleanup()
})

describe('swarm replication', () => {
  let ownerStore: SwarmStore
  let recoveryKey: string

  it('backs up through the swarm with r = 3: exactly 3 copies of every pack, in the predicted places', async () => {
    const owner = peers[0]!
    const stateDir = join(root, 'owner-state')
    mkdirSync(stateDir, { recursive: true })
    ownerStore = new SwarmStore({ transport: owner.transport, owner: { publicKey: new Uint8Array(32), sign: () => new Uint8Array(64) }, stateDir, replicas: 3, deleteSignedBytes })
    recoveryKey = (await initOwner({ stateDir, backend: ownerStore, ownerName: 'alice-laptop', passphrase: PASS })).recoveryKey
    const o = await openOwner({ stateDir, backend: ownerStore, passphrase: PASS, repository: { packTargetSize: 512 * 1024 } })
    const { summary } = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'alice-laptop' })
    expect(summary.packsAdded).toBeGreaterThan(5)
    await o.close()

    const ids = new Set<string>()
    for await (const { id } of ownerStore.list()) ids.add(id)
    expect(ids.size).toBeGreaterThan(5)
    const holders = peers.slice(1).map(p => p.peerId)
    const onDisk = peers.map((_, i) => new Set(heldOnDisk(i)))
    expect(onDisk[0]!.size).toBe(0) // the owner never holds its own packs
    for (const id of ids) {
      const where = peers.map((p, i) => onDisk[i]!.has(id) ? p.peerId : undefined).filter(x => x !== undefined)
      expect(where.length, id).toBe(3)
      const expected = rankPeers(id, holders.map(peerId => ({ peerId }))).slice(0, 3).map(x => x.peerId)
      expect(new Set(where)).toEqual(new Set(expected))
    }
    expect(ownerStore.degradedPacks()).toEqual([])

    // Holders announce what they hold: the DHT names the holders of a pack.
    const somePack = [...ids][0]!
    const expectedHolders = new Set(peers.filter((_, i) => onDisk[i]!.has(somePack)).map(p => p.peerId))
    await vi.waitFor(async () => {
      const found = new Set<string>()
      for await (const prov of peers[0]!.node.libp2p.contentRouting.findProviders(CID.parse(somePack), { signal: AbortSignal.timeout(5000) })) found.add(prov.id.toString())
      for (const h of expectedHolders) expect(found.has(h)).toBe(true)
    }, { timeout: 30_000, interval: 500 })

    // The signed root record is also in the DHT, readable from any peer.
    const envelope = decodeEnvelope(await peers[2]!.node.libp2p.contentRouting.get(dhtRecordKey(rootRecordKey(o.keys.ownerId)), { signal: AbortSignal.timeout(10_000) }))
    expect(envelope).toBeDefined()
    expect(verifyRootRecord(envelope!.value).seq).toBeGreaterThanOrEqual(1n)
  })

  it('a node without the swarm key can neither connect nor fetch a pack', async () => {
    const outsider = await startPeer(9, { key: generateSwarmKey(), list: [] })
    try {
      const [anyPack] = heldOnDisk(1)
      await expect(getPack(outsider.node.libp2p, peers[1]!.node.addresses()[0]!, anyPack!, undefined, { signal: AbortSignal.timeout(5000) })).rejects.toThrow()
      expect(outsider.node.libp2p.getPeers()).toHaveLength(0)
      expect(peers[1]!.node.libp2p.getPeers().map(p => p.toString())).not.toContain(outsider.peerId)
    } finally {
      await outsider.stop()
    }
  })

  it('restores on a fresh machine from the peers, byte-identical, with the recovery key alone', async () => {
    const fresh = join(root, 'fresh-state')
    mkdirSync(fresh, { recursive: true })
    // The "new laptop" is peer 4's daemon, with no knowledge of the owner's placements.
    const store = storeFor(peers[4]!, fresh)
    const o = await openOwner({ stateDir: fresh, backend: store, recoveryKey })
    const target = join(root, 'restore-1')
    await restore(o.repo, await o.repo.findSnapshot('latest'), target)
    expect(compareTrees(src, join(target, src))).toEqual([])
    const report = await check(o.repo, { readData: true })
    expect(report.problems).toEqual([])
    await o.close()
    await store.close()
  })

  it('a holder that flips a byte is detected, and the restore still succeeds from another replica', async () => {
    // For every pack, flip a byte in the copy the restoring machine (peer 3, no placement table)
    // will ask first: the nearest holder among its peers. One bad copy per pack, so another
    // replica always remains.
    const asker = peers[3]!
    const candidates = peers.filter(p => p !== asker).map(p => ({ peerId: p.peerId }))
    const liars = new Set<string>()
    for (const [i, p] of peers.entries()) {
      const base = join(root, `peer-${i}`, 'held', 'store', 'packs')
      if (!existsSync(base)) continue
      for (const s of readdirSync(base)) {
        for (const f of readdirSync(join(base, s))) {
          const first = rankPeers(f, candidates).find(c => peers.findIndex(q => q.peerId === c.peerId) >= 0 && heldOnDisk(peers.findIndex(q => q.peerId === c.peerId)).includes(f))
          if (first?.peerId !== p.peerId) continue
          const path = join(base, s, f)
          const b = readFileSync(path)
          const at = Math.floor(b.length / 2)
          b[at] = b[at]! ^ 0x40
          writeFileSync(path, b)
          liars.add(p.peerId)
        }
      }
    }
    expect(liars.size).toBeGreaterThan(0)
    const fresh = join(root, 'fresh-state-2')
    mkdirSync(fresh, { recursive: true })
    const store = storeFor(asker, fresh)
    const failed = new Set<string>()
    store.on('holder-failed', e => failed.add(e.peer))
    const o = await openOwner({ stateDir: fresh, backend: store, ownerName: 'alice-laptop', passphrase: PASS })
    const target = join(root, 'restore-2')
    await restore(o.repo, await o.repo.findSnapshot('latest'), target)
    expect(compareTrees(src, join(target, src))).toEqual([])
    for (const liar of liars) expect(failed.has(liar)).toBe(true)
    await o.close()
    await store.close()
  })
})

describe('a holder at its quota', () => {
  const small: SwarmPeer[] = []
  afterAll(async () => { for (const p of small) await p.stop() })

  it('refuses, and the pack goes to the next peer in the ranking', async () => {
    const quota = 700 * 1024
    for (let i = 0; i < 5; i++) small.push(await startPeer(20 + i, { quota: i === 2 ? quota : undefined, list: small }))
    await vi.waitFor(() => { for (const p of small) expect(p.node.libp2p.getPeers().length).toBe(4) }, { timeout: 20_000, interval: 100 })
    const stateDir = join(root, 'quota-owner')
    mkdirSync(stateDir, { recursive: true })
    const store = new SwarmStore({ transport: small[0]!.transport, owner: { publicKey: new Uint8Array(32), sign: () => new Uint8Array(64) }, stateDir, replicas: 3, deleteSignedBytes })
    await initOwner({ stateDir, backend: store, ownerName: 'bob', passphrase: PASS })
    const o = await openOwner({ stateDir, backend: store, passphrase: PASS, repository: { packTargetSize: 256 * 1024, compression: false } })
    await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'bob' })
    await o.close()
    expect(heldBytes(22)).toBeLessThanOrEqual(quota)
    const full = small[2]!.peerId
    const holders = small.slice(1).map(p => p.peerId)
    const onDisk = small.map((_, i) => new Set(heldOnDisk(20 + i)))
    let displaced = 0
    for await (const { id } of store.list()) {
      const where = small.filter((_, i) => onDisk[i]!.has(id)).map(p => p.peerId)
      expect(where.length, id).toBe(3)
      const top3 = rankPeers(id, holders.map(peerId => ({ peerId }))).slice(0, 3).map(x => x.peerId)
      if (top3.includes(full) && !where.includes(full)) displaced++
    }
    expect(displaced).toBeGreaterThan(0)
    expect(store.degradedPacks()).toEqual([])
    await store.close()
  })
})
