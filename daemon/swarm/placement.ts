// Placement by distance and free space (DESIGN.md §5, docs/swarm.md §Placement). Deterministic,
// so a restorer can predict the holders of a pack before it asks the DHT.
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import { peerIdFromString } from '@libp2p/peer-id'

export interface Candidate {
  peerId: string
  /** Reachable now. */
  online: boolean
  /** Bytes the peer offers now (already net of its reserve). */
  free: number
  /** Failure-domain label; '' means none (the peer is its own domain). */
  domain: string
}

export interface PlacementOptions {
  replicas: number
  /** The owner never holds its own packs. */
  owner: string
  /** Peers to leave out (e.g. they failed or lied during this put). */
  exclude?: Set<string>
  /** Domains that copies already held elsewhere use (repair adds to an existing replica set). */
  usedDomains?: Set<string>
}

export interface Placement {
  /** Chosen holders, nearest first. */
  holders: string[]
  /** Fewer eligible peers than replicas. */
  degraded: boolean
  /** The domain rule had to be relaxed (fewer domains than replicas). */
  relaxedDomains: boolean
}

/** SHA-256 of a pack ID's binary CID: the pack's position in the keyspace. */
export function packKey (packId: string): Buffer {
  return createHash('sha256').update(CID.parse(packId).bytes).digest()
}

/** SHA-256 of a peer ID's multihash bytes: the peer's position in the keyspace. */
export function peerKey (peerId: string): Buffer {
  return createHash('sha256').update(peerIdFromString(peerId).toMultihash().bytes).digest()
}

const peerKeys = new Map<string, Buffer>()
function cachedPeerKey (peerId: string): Buffer {
  let k = peerKeys.get(peerId)
  if (k === undefined) {
    k = peerKey(peerId)
    if (peerKeys.size > 10_000) peerKeys.clear()
    peerKeys.set(peerId, k)
  }
  return k
}

/** Compares XOR distances to `target` of two keys (Kademlia's metric). */
function compareDistance (target: Buffer, a: Buffer, b: Buffer): number {
  for (let i = 0; i < target.length; i++) {
    const da = (a[i]! ^ target[i]!)
    const db = (b[i]! ^ target[i]!)
    if (da !== db) return da - db
  }
  return 0
}

/** Peers sorted by XOR distance between SHA-256(pack ID) and SHA-256(peer ID), nearest first. */
export function rankPeers<T extends { peerId: string }> (packId: string, peers: T[]): T[] {
  const target = packKey(packId)
  return [...peers].sort((a, b) => compareDistance(target, cachedPeerKey(a.peerId), cachedPeerKey(b.peerId)) || (a.peerId < b.peerId ? -1 : 1))
}

/**
 * Walks the ranking and takes a peer only if it is online, is not the owner, has room for the
 * pack, and brings a failure domain not yet used; when too few domains exist, a second walk
 * relaxes the domain rule. Fewer eligible peers than wanted: degraded, never an error.
 */
export function choosePlacement (packId: string, size: number, candidates: Candidate[], options: PlacementOptions): Placement {
  const eligible = rankPeers(packId, candidates).filter(c =>
    c.online && c.peerId !== options.owner && c.free >= size && options.exclude?.has(c.peerId) !== true)
  const holders: string[] = []
  const domains = new Set<string>(options.usedDomains ?? [])
  for (const c of eligible) {
    if (holders.length >= options.replicas) break
    if (c.domain !== '' && domains.has(c.domain)) continue
    holders.push(c.peerId)
    if (c.domain !== '') domains.add(c.domain)
  }
  let relaxedDomains = false
  for (const c of eligible) {
    if (holders.length >= options.replicas) break
    if (holders.includes(c.peerId)) continue
    holders.push(c.peerId)
    relaxedDomains = true
  }
  return { holders, degraded: holders.length < options.replicas, relaxedDomains }
}
