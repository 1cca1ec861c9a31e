// Five real swarm peers (libp2p over TCP on 127.0.0.1, real disks): the engine backs up through
// the swarm store with r = 3, every pack lands on exactly 3 holders in the places the placement
// predicts (read from the holders' disks), and a fresh machine restores byte-identical from the
// peers, also when a holder serves flipped bytes.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { backup } from '../../daemon/archiver.js'
import { check } from '../../daemon/checker.js'
import { initOwner, openOwner } from '../../daemon/owner.js'
import { restore } from '../../daemon/restorer.js'
import { createSwarmPeer } from '../../daemon/swarm/peer.js'
import type { SwarmPeer } from '../../daemon/swarm/peer.js'
import { loadOrCreateNodeKey, generateSwarmKey } from '../../daemon/swarm/index.js'
import { rankPeers } from '../../daemon/swarm/placement.js'
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

async function startPeer (i: number): Promise<SwarmPeer> {
  const stateDir = join(root, `peer-${i}`)
  const p = await createSwarmPeer({
    stateDir,
    node: {
      privateKey: await loadOrCreateNodeKey(stateDir),
      swarmKey,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: peers.flatMap(q => q.node.addresses().map(a => a.toString())),
      mdns: false
    },
    holder: { quota: 1e10, reserve: 0, domain: '' }
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
    const { mkdirSync } = await import('node:fs')
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
  })

  it('restores on a fresh machine from the peers, byte-identical, with the recovery key alone', async () => {
    const fresh = join(root, 'fresh-state')
    const { mkdirSync } = await import('node:fs')
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
    // Flip one byte in every pack held by peer 1.
    const base = join(root, 'peer-1', 'held', 'store', 'packs')
    let flipped = 0
    for (const s of readdirSync(base)) {
      for (const f of readdirSync(join(base, s))) {
        const path = join(base, s, f)
        const b = readFileSync(path)
        const at = Math.floor(b.length / 2)
        b[at] = b[at]! ^ 0x40
        writeFileSync(path, b)
        flipped++
      }
    }
    expect(flipped).toBeGreaterThan(0)
    const fresh = join(root, 'fresh-state-2')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(fresh, { recursive: true })
    const store = storeFor(peers[3]!, fresh)
    const failed = new Set<string>()
    store.on('holder-failed', e => failed.add(e.peer))
    const o = await openOwner({ stateDir: fresh, backend: store, ownerName: 'alice-laptop', passphrase: PASS })
    const target = join(root, 'restore-2')
    await restore(o.repo, await o.repo.findSnapshot('latest'), target)
    expect(compareTrees(src, join(target, src))).toEqual([])
    expect(failed.has(peers[1]!.peerId)).toBe(true)
    await o.close()
    await store.close()
  })
})
