// What `status` says about the owner's data (DESIGN.md §6): each pack's health from its holders'
// liveness and failure domains, and how much of the latest snapshot the peers online right now
// could restore. The second needs the snapshot's trees; they are walked once per snapshot into a
// footprint (files grouped by the set of packs they need), after which any set of online peers is
// evaluated without touching the network.
import { NodeType } from './repository/pb/repo.js'
import type { Repository, SnapshotInfo } from './repository/repository.js'
import type { Liveness } from './peer-book.js'

export interface PackHealthCounts { total: number, healthy: number, degraded: number, atRisk: number, lost: number }

export interface PlacedPack {
  packId: string
  size: number
  holders: string[]
  /** Erasure mode: the pack is k data + m parity shards; `shards[i]` are the holders of shard i. */
  stripe?: { dataShards: number, shards: string[][] }
}

export type PackState = 'healthy' | 'degraded' | 'atRisk' | 'lost'

/**
 * Holders that are not gone count (an absent laptop comes back). Healthy: at least `replicas` of
 * them, spread over as many failure domains as the swarm offers (up to `replicas`).
 */
export function packState (
  holders: string[], replicas: number, liveness: (peer: string) => Liveness, domainOf: (peer: string) => string, domainsAvailable: number
): PackState {
  const alive = holders.filter(h => liveness(h) !== 'gone')
  if (alive.length === 0) return 'lost'
  if (alive.length === 1) return replicas <= 1 ? 'healthy' : 'atRisk'
  if (alive.length < replicas) return 'degraded'
  const domains = new Set(alive.map(domainOf)).size
  return domains >= Math.min(replicas, Math.max(1, domainsAvailable)) ? 'healthy' : 'degraded'
}

/**
 * Assigns each shard a distinct holder from its candidates where possible (a maximum bipartite
 * matching; stripes have at most 30 shards): a holder keeping two shards of a stripe covers only
 * one of them, since losing it loses both. undefined: the shard has no holder of its own.
 */
export function matchShards (holders: string[][]): Array<string | undefined> {
  const owner = new Map<string, number>()
  const assign = (j: number, seen: Set<string>): boolean => {
    for (const p of holders[j]!) {
      if (seen.has(p)) continue
      seen.add(p)
      const current = owner.get(p)
      if (current === undefined || assign(current, seen)) { owner.set(p, j); return true }
    }
    return false
  }
  for (let j = 0; j < holders.length; j++) assign(j, new Set())
  const out: Array<string | undefined> = holders.map(() => undefined)
  for (const [p, j] of owner) out[j] = p
  return out
}

/**
 * A stripe of k + m shards: healthy with every shard on a live holder of its own, degraded with
 * fewer (or with a holder keeping two), at risk with exactly k left (one more loss loses the
 * pack), lost below k.
 */
export function stripeState (stripe: { dataShards: number, shards: string[][] }, liveness: (peer: string) => Liveness): PackState {
  const live = stripe.shards.map(h => h.filter(p => liveness(p) !== 'gone'))
  const covered = live.filter(h => h.length > 0).length
  if (covered < stripe.dataShards) return 'lost'
  if (covered === stripe.dataShards) return 'atRisk'
  if (covered < stripe.shards.length) return 'degraded'
  const distinct = matchShards(live).filter(p => p !== undefined).length
  return distinct < stripe.shards.length ? 'degraded' : 'healthy'
}

/** Whether the peers online now can deliver the pack (one whole copy, or k shards). */
export function reachableNow (p: PlacedPack, liveness: (peer: string) => Liveness): boolean {
  if (p.stripe !== undefined) return p.stripe.shards.filter(h => h.some(x => liveness(x) === 'online')).length >= p.stripe.dataShards
  return p.holders.some(h => liveness(h) === 'online')
}

export function classifyPacks (
  packs: Iterable<PlacedPack>, replicas: number, liveness: (peer: string) => Liveness, domainOf: (peer: string) => string, domainsAvailable: number
): PackHealthCounts {
  const out: PackHealthCounts = { total: 0, healthy: 0, degraded: 0, atRisk: 0, lost: 0 }
  for (const p of packs) {
    out.total++
    out[p.stripe !== undefined ? stripeState(p.stripe, liveness) : packState(p.holders, replicas, liveness, domainOf, domainsAvailable)]++
  }
  return out
}

/** The latest snapshot reduced to: these files (count, bytes) need exactly these packs. */
export interface Footprint {
  snapshot: string
  groups: Array<{ packs: string[], files: number, bytes: number }>
  /** Files whose tree could not be read now (counted as not restorable). */
  unreadFiles: number
  totalFiles: number
  totalBytes: number
}

export async function snapshotFootprint (repo: Repository, snap: SnapshotInfo, signal?: AbortSignal): Promise<Footprint> {
  const groups = new Map<string, { packs: string[], files: number, bytes: number }>()
  let files = 0
  const add = (packs: Set<string>, bytes: number): void => {
    const list = [...packs].sort()
    const key = list.join(',')
    const g = groups.get(key)
    if (g === undefined) groups.set(key, { packs: list, files: 1, bytes })
    else { g.files++; g.bytes += bytes }
    files++
  }
  const walk = async (treeId: Uint8Array, above: Set<string>): Promise<void> => {
    signal?.throwIfAborted()
    const loc = repo.lookup(treeId)
    const here = new Set(above)
    if (loc !== undefined) here.add(loc.pack)
    const tree = await repo.loadTree(treeId)
    for (const n of tree.nodes) {
      if (n.type === NodeType.DIR) { await walk(n.subtree, here); continue }
      if (n.type !== NodeType.FILE) continue
      const need = new Set(here)
      for (const c of n.content) {
        if (c.blob.byteLength === 0) continue // a hole
        const l = repo.lookup(c.blob)
        need.add(l === undefined ? 'unknown' : l.pack)
      }
      add(need, n.size)
    }
  }
  const summary = snap.snapshot.summary
  let unread = 0
  try {
    await walk(snap.snapshot.tree, new Set())
  } catch (err) {
    if (signal?.aborted === true) throw err
    unread = Math.max(0, (summary?.totalFiles ?? files) - files)
  }
  return {
    snapshot: snap.id,
    groups: [...groups.values()],
    unreadFiles: unread,
    totalFiles: summary?.totalFiles ?? files,
    totalBytes: summary?.totalBytes ?? [...groups.values()].reduce((a, g) => a + g.bytes, 0)
  }
}

export function restorableShare (fp: Footprint, reachable: (packId: string) => boolean): { files: number, filesRestorable: number, bytes: number, bytesRestorable: number, share: number } {
  let files = 0
  let bytes = 0
  for (const g of fp.groups) {
    if (g.packs.every(reachable)) { files += g.files; bytes += g.bytes }
  }
  const share = fp.totalBytes > 0 ? bytes / fp.totalBytes : (fp.totalFiles > 0 ? files / fp.totalFiles : 1)
  return { files: fp.totalFiles, filesRestorable: files, bytes: fp.totalBytes, bytesRestorable: bytes, share: Math.min(1, share) }
}
