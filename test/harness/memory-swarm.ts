// An in-process swarm for the fast layers: real Holder instances (real disks) behind a transport
// that calls them directly. Real libp2p over TCP is tested in test/integration/swarm*.test.ts.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { join } from 'node:path'
import { Holder } from '../../daemon/swarm/holder.js'
import type { SwarmTransport } from '../../daemon/swarm/swarm-store.js'
import { deleteSignedBytes } from '../../protocol/messages.js'

export interface MemorySwarm {
  holders: Map<string, Holder>
  online: Set<string>
  transport: (self: string) => SwarmTransport
  close: () => Promise<void>
}

export async function newPeerId (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

export async function createMemorySwarm (dir: string, n: number, options: { quota?: number, domains?: string[] } = {}): Promise<MemorySwarm> {
  const holders = new Map<string, Holder>()
  for (let i = 0; i < n; i++) {
    const id = await newPeerId()
    const h = new Holder({ dir: join(dir, `holder-${i}`), quota: options.quota ?? 1e10, reserve: 0, domain: options.domains?.[i] ?? '', diskFree: () => 1e12 })
    await h.open()
    holders.set(id, h)
  }
  const online = new Set(holders.keys())
  const holder = (peer: string): Holder => {
    const h = holders.get(peer)
    if (h === undefined || !online.has(peer)) throw new Error(`peer ${peer} is offline`)
    return h
  }
  async function * once (bytes: Uint8Array): AsyncIterable<Uint8Array> { yield bytes }
  return {
    holders,
    online,
    transport: (self) => ({
      self,
      onlinePeers: () => [...online],
      info: async (p) => holder(p).info(),
      putPack: async (p, packId, bytes, ownerKey, o) => {
        const h = holder(p)
        const striped = o?.stripe === undefined ? {} : { stripe: o.stripe, shardIndex: o.shardIndex ?? 0 }
        const admitted = h.admit({ packId, size: bytes.byteLength, ownerKey, from: self })
        if (admitted === 'already-held') return 'durable'
        if (admitted !== 'ready') return admitted
        return await h.receive({ packId, size: bytes.byteLength, ownerKey, from: self, ...striped }, once(bytes))
      },
      findStripes: async (p, ids) => holder(p).stripes(ids),
      getPack: async (p, packId) => await holder(p).read(packId),
      hasPacks: async (p, ids) => holder(p).has(ids),
      deletePack: async (p, packId, ownerKey, timeMs, signature) => {
        return await holder(p).remove({ packId, ownerKey, timeMs, signature, signed: deleteSignedBytes(packId, ownerKey, timeMs) })
      },
      putRecord: async (p, key, value) => await holder(p).putRecord(key, value),
      getRecord: async (p, key) => await holder(p).getRecord(key),
      findProviders: async (packId) => [...holders.entries()].filter(([p, h]) => online.has(p) && h.isHeld(packId)).map(([p]) => p)
    }),
    close: async () => { for (const h of holders.values()) await h.close() }
  }
}
