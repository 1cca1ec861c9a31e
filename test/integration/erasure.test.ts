// Erasure coding over real swarm peers (libp2p over TCP on 127.0.0.1, real disks): the owner
// stores every pack as 4 + 2 Reed-Solomon shards, one per holder; a fresh machine that knows
// nothing but the recovery key finds the shards (the stripe protocol) and restores byte-identical,
// also with two holders stopped and with a holder serving a damaged shard; with three holders
// unusable the restore fails with a named error instead of wrong bytes.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { backup } from '../../daemon/archiver.js'
import { initOwner, openOwner } from '../../daemon/owner.js'
import { restore } from '../../daemon/restorer.js'
import { createSwarmPeer } from '../../daemon/swarm/peer.js'
import type { SwarmPeer } from '../../daemon/swarm/peer.js'
import { loadOrCreateNodeKey, generateSwarmKey } from '../../daemon/swarm/index.js'
import { SwarmStore } from '../../daemon/swarm/swarm-store.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { deleteSignedBytes, packIdOf } from '../../protocol/index.js'
import { tempDirs } from '../harness/tmp.js'
import { makeSpecialTree, prngBytes } from '../harness/tree.js'

const dirs = tempDirs()
const swarmKey = generateSwarmKey()
const peers: SwarmPeer[] = []
let root: string
let src: string
let recoveryKey: string
const owner = { publicKey: new Uint8Array(32).fill(5), sign: () => new Uint8Array(64) }

async function startPeer (i: number): Promise<SwarmPeer> {
  const stateDir = join(root, `peer-${i}`)
  const p = await createSwarmPeer({
    stateDir,
    node: {
      privateKey: await loadOrCreateNodeKey(stateDir),
      swarmKey,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: peers.filter(q => q.node.libp2p.status === 'started').flatMap(q => q.node.addresses().map(a => a.toString())),
      mdns: false
    },
    holder: { quota: 1e10, reserve: 0, domain: '' }
  })
  await p.start()
  return p
}

function heldFiles (i: number): string[] {
  const base = join(root, `peer-${i}`, 'held', 'store', 'packs')
  if (!existsSync(base)) return []
  return readdirSync(base).flatMap(s => readdirSync(join(base, s)).map(f => join(base, s, f)))
}

/** Flips the first byte of each file; returns the original contents. */
function flip (files: string[]): Map<string, Buffer> {
  const originals = new Map<string, Buffer>()
  for (const f of files) {
    const b = readFileSync(f)
    originals.set(f, Buffer.from(b))
    b[0] = b[0]! ^ 0xff
    writeFileSync(f, b)
  }
  return originals
}

async function freshRestore (via: SwarmPeer, name: string, failed?: Set<string>): Promise<unknown[]> {
  const state = join(root, `${name}-state`)
  mkdirSync(state, { recursive: true })
  // A fresh machine in replicate mode: it must still find and read striped packs.
  const store = new SwarmStore({ transport: via.transport, owner, stateDir: state, replicas: 3, deleteSignedBytes })
  store.on('holder-failed', e => failed?.add(e.peer))
  try {
    const o = await openOwner({ stateDir: state, backend: store, recoveryKey })
    try {
      const target = join(root, name)
      await restore(o.repo, await o.repo.findSnapshot('latest'), target)
      return compareTrees(src, join(target, src))
    } finally {
      await o.close()
    }
  } finally {
    await store.close()
  }
}

beforeAll(async () => {
  root = dirs.make('p2pbak-erasure-')
  src = join(root, 'src')
  makeSpecialTree(src, { largeSize: 2 * 1024 * 1024 })
  writeFileSync(join(src, 'more.bin'), prngBytes('more', 3 * 1024 * 1024))
  for (let i = 0; i < 7; i++) peers.push(await startPeer(i))
  await vi.waitFor(() => { for (const p of peers) expect(p.node.libp2p.getPeers().length).toBe(6) }, { timeout: 30_000, interval: 100 })
}, 90_000)

afterAll(async () => {
  for (const p of peers) if (p.node.libp2p.status === 'started') await p.stop()
  dirs.cleanup()
})

describe('erasure coding 4 + 2', () => {
  let packs: string[] = []

  it('stores each pack as 6 shards on 6 distinct holders, each with its stripe', async () => {
    const stateDir = join(root, 'owner-state')
    mkdirSync(stateDir, { recursive: true })
    const store = new SwarmStore({ transport: peers[0]!.transport, owner, stateDir, replicas: 3, deleteSignedBytes, erasure: { dataShards: 4, parityShards: 2 } })
    recoveryKey = (await initOwner({ stateDir, backend: store, ownerName: 'erin', passphrase: 'pw' })).recoveryKey
    const o = await openOwner({ stateDir, backend: store, passphrase: 'pw', repository: { packTargetSize: 512 * 1024 } })
    await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'erin' })
    await o.close()
    const placements = store.placements()
    packs = placements.map(p => p.packId)
    expect(packs.length).toBeGreaterThan(4)
    for (const p of placements) {
      expect(p.stripe?.dataShards).toBe(4)
      expect(p.stripe!.shards.map(h => h.length)).toEqual([1, 1, 1, 1, 1, 1])
      expect(new Set(p.holders).size).toBe(6)
      expect(p.holders).not.toContain(peers[0]!.peerId)
      // Every holder keeps its shard with the stripe, and the shard is what the stripe names.
      for (const [i, [peer]] of p.stripe!.shards.entries()) {
        const h = peers.find(q => q.peerId === peer)!
        const at = h.holder.stripeOf(h.holder.stripes([p.packId])[0]!.stripe.shardIds[i]!)
        expect(at?.index).toBe(i)
        expect(at?.stripe.packId).toBe(p.packId)
        const bytes = await h.holder.read(at!.stripe.shardIds[i]!)
        expect(packIdOf(bytes!)).toBe(at!.stripe.shardIds[i])
      }
    }
    // Storage: 1.5× the packs (plus padding to 8-byte words), not 3×.
    const packBytes = placements.reduce((a, p) => a + p.size, 0)
    const heldBytes = [...store.bytesByHolder().values()].reduce((a, b) => a + b, 0)
    expect(heldBytes / packBytes).toBeGreaterThanOrEqual(1.5)
    expect(heldBytes / packBytes).toBeLessThan(1.51)
    await store.close()
  })

  it('a fresh machine with the recovery key alone restores byte-identical from the shards', async () => {
    const fresh = await startPeer(7)
    peers.push(fresh)
    await vi.waitFor(() => expect(fresh.node.libp2p.getPeers().length).toBe(7), { timeout: 20_000, interval: 100 })
    expect(await freshRestore(fresh, 'restore-all')).toEqual([])
  })

  it('a holder serving damaged shards is detected, and the restore uses other shards', async () => {
    const originals = flip(heldFiles(3))
    expect(originals.size).toBeGreaterThan(0)
    const failed = new Set<string>()
    expect(await freshRestore(peers[7]!, 'restore-damaged', failed)).toEqual([])
    expect(failed.has(peers[3]!.peerId)).toBe(true)
    for (const [f, b] of originals) writeFileSync(f, b)
  })

  it('restores byte-identical with two of the six shard holders stopped', async () => {
    await peers[1]!.stop()
    await peers[2]!.stop()
    await vi.waitFor(() => expect(peers[7]!.node.libp2p.getPeers().length).toBe(5), { timeout: 20_000, interval: 100 })
    expect(await freshRestore(peers[7]!, 'restore-two-down')).toEqual([])
  })

  it('with three shards of a pack out of reach, the restore fails with a named error, never wrong bytes', async () => {
    flip(heldFiles(3)) // with peers 1 and 2 stopped: three of six shards unusable
    await expect(freshRestore(peers[7]!, 'restore-too-few')).rejects.toMatchObject({ name: 'ObjectNotFoundError' })
  })
})
