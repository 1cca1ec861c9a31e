// One swarm peer (docs/swarm.md): the libp2p node, the holder that keeps packs for others behind
// the wire protocols, the announcements of held packs in the DHT, and a transport through which
// this peer's owner stores its own packs on the others (the SwarmStore).
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import {
  auditPack, deleteSignedBytes, deletePack, findStripes, getInfo, getPack, getRecord, hasPacks, putPack, putRecord, registerProtocols
} from '../../protocol/index.js'
import type { HolderPort, RecordPort, Unregister } from '../../protocol/index.js'
import { Holder } from './holder.js'
import type { HolderOptions } from './holder.js'
import { createSwarmNode } from './node.js'
import type { SwarmNode, SwarmNodeOptions } from './node.js'
import type { SwarmTransport } from './swarm-store.js'
import { DHT_RECORD_NAMESPACE, createDhtValidator, dhtRecordKey, dhtSelector } from './records.js'

const log = logger('p2pbak:swarm')

export interface SwarmPeerOptions {
  node: Omit<SwarmNodeOptions, 'privateKey'> & { privateKey: PrivateKey }
  holder: Omit<HolderOptions, 'dir'> & { dir?: string }
  /** Where held packs live when holder.dir is not given. */
  stateDir: string
  /** Per-message timeout of the wire protocols (tests shorten it). */
  messageTimeoutMs?: number
  /** Called when a peer asks for this peer's info (the daemon asks back: docs/daemon.md). */
  onInfoRequest?: (from: string) => void
  /** Awaited before each frame of an outgoing pack (the bandwidth limit). */
  pace?: (bytes: number, signal?: AbortSignal) => Promise<void>
}

export interface SwarmPeer {
  node: SwarmNode
  holder: Holder
  transport: SwarmTransport
  peerId: string
  start: () => Promise<void>
  stop: () => Promise<void>
}

export async function createSwarmPeer (options: SwarmPeerOptions): Promise<SwarmPeer> {
  const holder = new Holder({ ...options.holder, dir: options.holder.dir ?? join(options.stateDir, 'held') })
  await holder.open()
  const node = await createSwarmNode({
    ...options.node,
    validators: { ...options.node.validators, [DHT_RECORD_NAMESPACE]: createDhtValidator() },
    selectors: { ...options.node.selectors, [DHT_RECORD_NAMESPACE]: dhtSelector },
    start: false
  })
  const libp2p = node.libp2p
  let unregister: Unregister | undefined
  let stopped = false

  const provide = (packId: string): void => {
    if (stopped) return
    libp2p.contentRouting.provide(CID.parse(packId), { signal: AbortSignal.timeout(30_000) })
      .catch((err: Error) => { log('provide of %s failed: %s', packId, err.message) })
  }

  holder.onDropped = (packId) => {
    libp2p.contentRouting.cancelReprovide(CID.parse(packId)).catch(() => {})
  }
  const holderPort: HolderPort = {
    info: async (from) => {
      if (from !== undefined) options.onInfoRequest?.(from)
      return holder.info()
    },
    admit: async (req) => holder.admit(req),
    receive: async (req, chunks, signal) => {
      const r = await holder.receive(req, chunks, signal)
      if (r === 'durable') provide(req.packId)
      return r
    },
    has: async (ids) => holder.has(ids),
    stripes: async (ids) => holder.stripes(ids),
    audit: async (packId, nonce) => await holder.audit(packId, nonce),
    read: async (packId, range) => {
      const bytes = await holder.read(packId, range)
      if (bytes === undefined) return undefined
      return { size: bytes.byteLength, chunks: slices(bytes) }
    },
    remove: async (req) => await holder.remove({ ...req, signed: deleteSignedBytes(req.packId, req.ownerKey, req.timeMs) })
  }
  const recordPort: RecordPort = {
    put: async (key, value) => await holder.putRecord(key, value),
    get: async (key) => await holder.getRecord(key)
  }

  const peer = (p: string): PeerId => peerIdFromString(p)
  const transport: SwarmTransport = {
    self: node.peerId.toString(),
    onlinePeers: () => libp2p.getPeers().map(p => p.toString()),
    info: async (p, o) => await getInfo(libp2p, peer(p), o),
    putPack: async (p, packId, bytes, ownerKey, o) => {
      const { replicas, origin, stripe, shardIndex, onSent, ...rest } = o ?? {}
      const pace = options.pace
      // The frame goes out right after pace resolves: counted then.
      const paced = onSent === undefined ? pace : async (n: number, signal?: AbortSignal) => { await pace?.(n, signal); onSent(n) }
      const { status } = await putPack(libp2p, peer(p), {
        packId, bytes, ownerKey, ...(replicas === undefined ? {} : { replicas }), ...(origin === undefined ? {} : { origin }), ...(stripe === undefined ? {} : { stripe, shardIndex: shardIndex ?? 0 })
      },
        { ...rest, ...(paced === undefined ? {} : { pace: paced }) })
      return status // 'already-held' too: the swarm store counts it as durable, repair as no bytes sent
    },
    getPack: async (p, packId, o) => await getPack(libp2p, peer(p), packId, undefined, o),
    hasPacks: async (p, ids, o) => await hasPacks(libp2p, peer(p), ids, o),
    findStripes: async (p, ids, o) => await findStripes(libp2p, peer(p), ids, o),
    auditPack: async (p, packId, nonce, o) => await auditPack(libp2p, peer(p), packId, nonce, o),
    deletePack: async (p, packId, ownerKey, timeMs, signature, o) => await deletePack(libp2p, peer(p), { packId, ownerKey, timeMs, signature }, o),
    putRecord: async (p, key, value, o) => await putRecord(libp2p, peer(p), key, value, o),
    getRecord: async (p, key, o) => await getRecord(libp2p, peer(p), key, o),
    dhtPut: async (key, value, o) => {
      for await (const _ of libp2p.services.dht.put(dhtRecordKey(key), value, o)) { /* drain the query */ }
    },
    dhtGet: async (key, o) => {
      try {
        return await libp2p.contentRouting.get(dhtRecordKey(key), o)
      } catch {
        return undefined // NotFound (an AggregateError from the content routers)
      }
    },
    findProviders: async (packId, o) => {
      const out: string[] = []
      for await (const prov of libp2p.contentRouting.findProviders(CID.parse(packId), { signal: o?.signal ?? AbortSignal.timeout(10_000) })) {
        out.push(prov.id.toString())
        if (out.length >= 8) break
      }
      return out
    }
  }

  return {
    node,
    holder,
    transport,
    peerId: node.peerId.toString(),
    start: async () => {
      await node.start()
      unregister = await registerProtocols(libp2p, { holder: holderPort, records: recordPort }, {
        agent: 'p2pbak',
        ...(options.messageTimeoutMs === undefined ? {} : { messageTimeoutMs: options.messageTimeoutMs })
      })
      // Announce what we hold (after a restart the DHT has forgotten it).
      for (const id of holder.heldPacks()) provide(id)
    },
    stop: async () => {
      stopped = true
      await unregister?.()
      await node.stop()
      await holder.close()
    }
  }
}

async function * slices (bytes: Uint8Array): AsyncIterable<Uint8Array> {
  const FRAME = 1024 * 1024
  for (let off = 0; off < bytes.byteLength; off += FRAME) yield bytes.subarray(off, Math.min(bytes.byteLength, off + FRAME))
}
