// The swarm store: the engine's storage port (daemon/store/types.ts) over peers (docs/swarm.md).
// put → placement by distance and free space → the pack streams to all chosen holders in
// parallel → resolves when each answered "durable" (or, with too few peers, with what was
// possible, recorded as degraded). get → the recorded holders, then the holders the placement
// predicts, then DHT providers; every whole pack is checked against its ID, and a holder that
// serves wrong bytes or fails is skipped and reported.
import { EventEmitter, setMaxListeners } from 'node:events'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Database as Db } from 'better-sqlite3'
import { isPackId, packIdOf } from '../../protocol/ids.js'
import { decodeStripe, encodeStripe } from '../../protocol/index.js'
import { isShardOf, joinPack, splitPack } from '../erasure.js'
import { IntegrityError, InvalidArgumentError, ObjectNotFoundError, P2pbakError } from '../errors.js'
import type { Backend, ByteRange, ObjectInfo, OperationOptions } from '../store/types.js'
import { choosePlacement, rankPeers } from './placement.js'
import type { Candidate } from './placement.js'
import { encodeEnvelope, selectRecord } from './records.js'
import type { StripeDescriptor, StripeHit } from '../../protocol/index.js'

/** What the swarm store needs from the network; daemon/swarm/transport.ts implements it over libp2p. */
export interface SwarmTransport {
  /** This node's peer ID. */
  readonly self: string
  /** Peers connected now. */
  onlinePeers: () => string[]
  info: (peer: string, options?: OperationOptions) => Promise<{ free: number, domain: string, ephemeral?: boolean }>
  /** `onSent` is called with each data frame's size as it is handed to the stream (progress: bytes actually sent). */
  putPack: (peer: string, packId: string, bytes: Uint8Array, ownerKey: Uint8Array, options?: OperationOptions & PutMeta & { onSent?: (bytes: number) => void }) => Promise<string>
  /** SHA-256(nonce ‖ pack) as the peer computes it ('not-found', 'busy' otherwise). Optional: repair's audits. */
  auditPack?: (peer: string, packId: string, nonce: Uint8Array, options?: OperationOptions) => Promise<{ status: string, digest: Uint8Array }>
  getPack: (peer: string, packId: string, options?: OperationOptions) => Promise<Uint8Array | undefined>
  hasPacks: (peer: string, packIds: string[], options?: OperationOptions) => Promise<boolean[]>
  /** Erasure mode: the shards of these packs the peer holds, with their stripes (`index`: position in `packIds`). */
  findStripes?: (peer: string, packIds: string[], options?: OperationOptions) => Promise<StripeHit[]>
  deletePack: (peer: string, packId: string, ownerKey: Uint8Array, timeMs: number, signature: Uint8Array, options?: OperationOptions) => Promise<string>
  putRecord: (peer: string, key: string, value: Uint8Array, options?: OperationOptions) => Promise<string>
  getRecord: (peer: string, key: string, options?: OperationOptions) => Promise<Uint8Array | undefined>
  /** DHT providers of a pack (may be empty, may include dead peers). */
  findProviders: (packId: string, options?: OperationOptions) => Promise<string[]>
  /** Best effort: the record in the DHT too (it expires there after 48 h; holders keep it). */
  dhtPut?: (key: string, value: Uint8Array, options?: OperationOptions) => Promise<void>
  dhtGet?: (key: string, options?: OperationOptions) => Promise<Uint8Array | undefined>
}

/** What a put tells the holder besides the bytes (protocol PutRequest fields 4 and 5). */
export interface PutMeta {
  /** Copies the owner wants. */
  replicas?: number
  /** Peer ID of the owner's daemon. */
  origin?: string
  /** Erasure mode: the bytes are shard `shardIndex` of this stripe. */
  stripe?: StripeDescriptor
  shardIndex?: number
}

export interface SwarmOwner {
  publicKey: Uint8Array
  sign: (data: Uint8Array) => Uint8Array
}

export interface SwarmStoreOptions {
  transport: SwarmTransport
  owner: SwarmOwner
  /** Where the placements table lives (the owner's state directory). */
  stateDir: string
  /** Replicas per pack (default 3). */
  replicas?: number
  /** Signs a delete request: deleteSignedBytes from protocol/. */
  deleteSignedBytes: (packId: string, ownerKey: Uint8Array, timeMs: number) => Uint8Array
  /** How long a peer's announced free space is trusted (default 10 s). */
  infoTtlMs?: number
  /** How long a put waits for an eligible peer to appear before failing (default 10 s). */
  waitForPeersMs?: number
  /**
   * Erasure mode (redundancy.mode = "erasure"): each new pack is cut into k data + m parity
   * shards, each on its own holder (docs/erasure.md). Packs stored either way are read either way.
   */
  erasure?: { dataShards: number, parityShards: number }
}

/** Where the shards of a pack are: its stripe and, per shard index, the peers holding it. */
export interface StripeLocation {
  stripe: StripeDescriptor
  holders: string[][]
}

export interface SwarmStoreEvents {
  /** A pack has fewer durable replicas than wanted. */
  degraded: [{ packId: string, holders: string[], wanted: number }]
  /** A holder failed or served wrong bytes. */
  'holder-failed': [{ peer: string, packId: string, reason: string }]
}

/** Puts in flight to one peer (below the protocol's 8 inbound put streams per connection). */
const PUTS_PER_PEER = 4
/** With no eligible peer, look again this often before failing a put. */
const NO_CANDIDATE_WAIT_MS = 1000

/** No peer could take a pack (none online, all full, all failed). */
export class NoHolderError extends P2pbakError {
  override name = 'NoHolderError'
}

export class SwarmStore extends EventEmitter<SwarmStoreEvents> implements Backend {
  private readonly t: SwarmTransport
  private readonly owner: SwarmOwner
  private readonly replicas: number
  private readonly db: Db
  private readonly infos = new Map<string, { at: number, free: number, domain: string }>()
  private readonly cache = new Map<string, Uint8Array>()
  private readonly opts: SwarmStoreOptions
  private recordSeq = 0n

  constructor (options: SwarmStoreOptions) {
    super()
    this.opts = options
    this.t = options.transport
    this.owner = options.owner
    this.replicas = options.replicas ?? 3
    this.db = new Database(join(options.stateDir, 'placements.db'))
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS packs (pack TEXT PRIMARY KEY, size INTEGER NOT NULL, wanted INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS holders (pack TEXT NOT NULL, peer TEXT NOT NULL, PRIMARY KEY (pack, peer)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS stripes (pack TEXT PRIMARY KEY, shard_size INTEGER NOT NULL, data_shards INTEGER NOT NULL, stripe BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS shard_holders (pack TEXT NOT NULL, idx INTEGER NOT NULL, peer TEXT NOT NULL, PRIMARY KEY (pack, idx, peer)) WITHOUT ROWID;`)
  }

  // ---- stripes (erasure mode) ----

  /** The stripe of a pack stored as shards, with the holders recorded for each shard. */
  stripeOf (packId: string): StripeLocation | undefined {
    const row = this.db.prepare('SELECT stripe FROM stripes WHERE pack = ?').pluck().get(packId) as Buffer | undefined
    if (row === undefined) return undefined
    const stripe = decodeStripe(row)
    const holders: string[][] = stripe.shardIds.map(() => [])
    for (const r of this.db.prepare('SELECT idx, peer FROM shard_holders WHERE pack = ?').all(packId) as Array<{ idx: number, peer: string }>) holders[r.idx]?.push(r.peer)
    return { stripe, holders }
  }

  /**
   * A striped pack counts as stored only with at least k of its shards on record: a put that
   * placed fewer failed (and keeps what it placed, so a retry sends only the rest).
   */
  private stripeStored (packId: string): boolean {
    const loc = this.stripeOf(packId)
    return loc !== undefined && loc.holders.filter(h => h.length > 0).length >= loc.stripe.dataShards
  }

  private recordStripe (stripe: StripeDescriptor, found: Array<{ index: number, peer: string }>): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO packs VALUES (?, ?, ?)').run(stripe.packId, stripe.packSize, stripe.shardIds.length)
      this.db.prepare('INSERT OR REPLACE INTO stripes VALUES (?, ?, ?, ?)').run(stripe.packId, stripe.shardSize, stripe.dataShards, Buffer.from(encodeStripe(stripe)))
      const add = this.db.prepare('INSERT OR IGNORE INTO shard_holders VALUES (?, ?, ?)')
      for (const f of found) add.run(stripe.packId, f.index, f.peer)
    })()
  }

  /**
   * Asks every online peer which shards of these packs it holds (the `stripe` protocol) and
   * records the answers; where peers disagree about a pack's stripe, the one most peers report
   * wins (a wrong stripe cannot pass the checks of joinPack anyway).
   */
  private async discoverStripes (packIds: string[], signal?: AbortSignal): Promise<void> {
    const find = this.t.findStripes
    if (find === undefined || packIds.length === 0) return
    const peers = this.t.onlinePeers().filter(p => p !== this.t.self)
    const answers = await Promise.allSettled(peers.map(async p => ({ p, hits: await find(p, packIds, { signal: signal ?? AbortSignal.timeout(15_000) }) })))
    const byPack = new Map<string, Map<string, { stripe: StripeDescriptor, found: Array<{ index: number, peer: string }> }>>()
    for (const a of answers) {
      if (a.status !== 'fulfilled') continue
      for (const hit of a.value.hits) {
        if (hit.stripe.packId !== packIds[hit.index]) continue // an answer about another pack
        const key = Buffer.from(encodeStripe(hit.stripe)).toString('base64')
        let versions = byPack.get(hit.stripe.packId)
        if (versions === undefined) { versions = new Map(); byPack.set(hit.stripe.packId, versions) }
        let v = versions.get(key)
        if (v === undefined) { v = { stripe: hit.stripe, found: [] }; versions.set(key, v) }
        for (const index of hit.shardIndexes) v.found.push({ index, peer: a.value.p })
      }
    }
    for (const versions of byPack.values()) {
      const best = [...versions.values()].sort((a, b) => b.found.length - a.found.length)[0]!
      const known = this.stripeOf(best.stripe.packId)
      if (known === undefined) { this.recordStripe(best.stripe, best.found); continue }
      // Holders of the stripe we know of (one we stored or found before) are added; others ignored.
      const same = versions.get(Buffer.from(encodeStripe(known.stripe)).toString('base64'))
      if (same !== undefined) this.recordStripe(known.stripe, same.found)
    }
  }

  /** Puts each shard of a new pack on its own holder (erasure mode); resolves once at least k are durable. */
  private async putStripe (id: string, bytes: Uint8Array, k: number, m: number, options: OperationOptions): Promise<void> {
    const signal = options.signal!
    const n = k + m
    let known = this.stripeOf(id)
    if (known !== undefined && known.holders.every(h => h.length > 0)) return
    if (known !== undefined && (known.stripe.dataShards !== k || known.stripe.parityShards !== m)) {
      // An incomplete stripe of another shape (the settings changed): start a new one.
      this.db.prepare('DELETE FROM shard_holders WHERE pack = ?').run(id)
      known = undefined
    }
    const { stripe, shards } = await splitPack(id, bytes, k, m)
    const holders: string[][] = stripe.shardIds.map((_, i) => known !== undefined && known.stripe.shardIds[i] === stripe.shardIds[i] ? [...known.holders[i]!] : [])
    const failed = new Set<string>()
    const reasons: string[] = []
    for (let round = 0, waits = 0; round < 4; round++) {
      const pending = holders.flatMap((h, i) => h.length === 0 ? [i] : [])
      if (pending.length === 0) break
      const used = new Set(holders.flat())
      const candidates = (await this.candidates(signal)).filter(c => !failed.has(c.peerId))
      const placement = choosePlacement(id, stripe.shardSize, candidates, { replicas: pending.length, owner: this.t.self, exclude: used })
      let targets = placement.holders
      if (targets.length < pending.length && waits * NO_CANDIDATE_WAIT_MS < (this.opts.waitForPeersMs ?? 10_000)) {
        // Peers online whose space we do not know yet (an info answer slow under load): ask again
        // shortly rather than put two shards on one peer.
        const known = new Set(candidates.map(c => c.peerId))
        const unknown = this.t.onlinePeers().filter(p => p !== this.t.self && !known.has(p) && !failed.has(p) && !used.has(p))
        if (unknown.length > 0) {
          waits++
          round--
          await new Promise(resolve => setTimeout(resolve, NO_CANDIDATE_WAIT_MS))
          signal.throwIfAborted()
          continue
        }
      }
      if (targets.length < pending.length) {
        // Fewer peers than shards: some take two (the pack is then degraded, not lost).
        const more = rankPeers(id, candidates).filter(c => c.peerId !== this.t.self && c.free >= stripe.shardSize && !targets.includes(c.peerId)).map(c => c.peerId)
        targets = [...targets, ...more]
      }
      if (targets.length === 0) {
        if (n - pending.length >= k || waits * NO_CANDIDATE_WAIT_MS >= (this.opts.waitForPeersMs ?? 10_000)) {
          if (candidates.length === 0) reasons.push(`no peer answered (${this.t.onlinePeers().length} connected)`)
          break
        }
        waits++
        round--
        await new Promise(resolve => setTimeout(resolve, NO_CANDIDATE_WAIT_MS))
        signal.throwIfAborted()
        continue
      }
      const assigned = pending.map((index, j) => ({ index, peer: targets[j % targets.length]! }))
      const results = await Promise.allSettled(assigned.map(async ({ index, peer }) =>
        await this.putWithRetry(peer, stripe.shardIds[index]!, shards[index]!, options, { replicas: 1, stripe, shardIndex: index })))
      signal.throwIfAborted()
      for (const [j, r] of results.entries()) {
        const { index, peer } = assigned[j]!
        if (r.status === 'fulfilled' && r.value === 'durable') {
          holders[index]!.push(peer)
        } else {
          const reason = r.status === 'fulfilled' ? r.value : (r.reason as Error).message
          reasons.push(`${peer.slice(-8)}: ${reason}`)
          failed.add(peer)
          this.infos.delete(peer)
          this.emit('holder-failed', { peer, packId: id, reason })
        }
      }
    }
    const stored = holders.filter(h => h.length > 0).length
    this.recordStripe(stripe, holders.flatMap((h, index) => h.map(peer => ({ index, peer }))))
    if (stored < k) {
      throw new NoHolderError(`only ${stored} of the ${k} shards needed to rebuild pack ${id} could be stored${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`, {
        hint: `erasure coding ${k}+${m} needs at least ${k} peers with free space online (${n} for full redundancy); start more daemons, or use redundancy.mode = "replicate"`
      })
    }
    const distinct = new Set(holders.flat()).size
    if (stored < n || distinct < n) this.emit('degraded', { packId: id, holders: [...new Set(holders.flat())], wanted: n })
  }

  /** The pack from any k of its shards, fetched in parallel (data shards first: no decoding then). */
  private async fetchStripe (loc: StripeLocation, failures: string[], signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const { stripe } = loc
    const k = stripe.dataShards
    const queue = stripe.shardIds.map((_, i) => i).filter(i => loc.holders[i]!.some(p => p !== this.t.self))
    const have = new Map<number, Uint8Array>()
    const worker = async (): Promise<void> => {
      while (have.size < k) {
        const index = queue.shift()
        if (index === undefined) return
        for (const peer of rankPeers(stripe.shardIds[index]!, loc.holders[index]!.map(peerId => ({ peerId })))) {
          signal?.throwIfAborted()
          try {
            const bytes = await this.t.getPack(peer.peerId, stripe.shardIds[index]!, { signal: signal ?? AbortSignal.timeout(60_000) })
            if (bytes !== undefined && isShardOf(stripe, index, bytes)) { have.set(index, bytes); break }
            if (bytes !== undefined) {
              failures.push(`${peer.peerId.slice(-8)}: served a wrong shard ${index}`)
              this.emit('holder-failed', { peer: peer.peerId, packId: stripe.packId, reason: 'wrong bytes' })
            }
          } catch (err) {
            failures.push(`${peer.peerId.slice(-8)}: ${(err as Error).message}`)
            this.emit('holder-failed', { peer: peer.peerId, packId: stripe.packId, reason: (err as Error).message })
          }
        }
      }
    }
    await Promise.all(Array.from({ length: k }, worker))
    if (have.size < k) {
      failures.push(`${have.size} of the ${k} shards needed could be fetched`)
      return undefined
    }
    try {
      return await joinPack(stripe, have)
    } catch (err) {
      failures.push((err as Error).message)
      return undefined
    }
  }

  // ---- placement ----

  private async candidates (signal?: AbortSignal): Promise<Candidate[]> {
    const ttl = this.opts.infoTtlMs ?? 10_000
    const peers = this.t.onlinePeers().filter(p => p !== this.t.self)
    await Promise.all(peers.map(async (p) => {
      const cached = this.infos.get(p)
      if (cached !== undefined && Date.now() - cached.at < ttl) return
      try {
        const i = await this.t.info(p, { signal: signal ?? AbortSignal.timeout(5000) })
        // A short-lived peer (a fresh-machine restore) is never a holder (docs/protocol.md §4).
        if (i.ephemeral === true) this.infos.delete(p)
        else this.infos.set(p, { at: Date.now(), free: i.free, domain: i.domain })
      } catch {
        this.infos.delete(p)
      }
    }))
    return peers.flatMap(p => {
      const i = this.infos.get(p)
      return i === undefined ? [] : [{ peerId: p, online: true, free: i.free, domain: i.domain }]
    })
  }

  holdersOf (packId: string): string[] {
    return this.db.prepare('SELECT peer FROM holders WHERE pack = ?').pluck().all(packId) as string[]
  }

  /** Every pack placed (or found) with its recorded holders. */
  placements (): Array<{ packId: string, size: number, holders: string[], stripe?: { dataShards: number, shards: string[][] } }> {
    const rows = this.db.prepare("SELECT p.pack, p.size, COALESCE(group_concat(h.peer), '') AS holders FROM packs p LEFT JOIN holders h ON h.pack = p.pack GROUP BY p.pack").all() as Array<{ pack: string, size: number, holders: string }>
    const stripes = new Map<string, { dataShards: number, shards: string[][] }>()
    for (const r of this.db.prepare('SELECT pack, stripe FROM stripes').all() as Array<{ pack: string, stripe: Buffer }>) {
      const st = decodeStripe(r.stripe)
      stripes.set(r.pack, { dataShards: st.dataShards, shards: st.shardIds.map(() => []) })
    }
    for (const r of this.db.prepare('SELECT pack, idx, peer FROM shard_holders').all() as Array<{ pack: string, idx: number, peer: string }>) stripes.get(r.pack)?.shards[r.idx]?.push(r.peer)
    return rows.map(r => {
      const holders = r.holders === '' ? [] : r.holders.split(',')
      const stripe = stripes.get(r.pack)
      // A pack kept whole somewhere counts as replicas; a pack kept only as shards as a stripe.
      return stripe !== undefined && holders.length === 0
        ? { packId: r.pack, size: r.size, holders: [...new Set(stripe.shards.flat())], stripe }
        : { packId: r.pack, size: r.size, holders }
    })
  }

  /**
   * Asks every online peer which of this owner's packs it holds, and records the answers: holders
   * added by repair appear, and an online peer that no longer holds a pack (trimmed, dropped after
   * a failed scrub, lost) is forgotten for it. Absent peers keep their entries.
   */
  async refreshHolders (options: OperationOptions = {}): Promise<void> {
    await this.refreshShardHolders(options)
    const ids = (this.db.prepare('SELECT p.pack FROM packs p WHERE NOT EXISTS (SELECT 1 FROM stripes s WHERE s.pack = p.pack)').pluck().all() as string[])
    if (ids.length === 0) return
    const peers = this.t.onlinePeers().filter(p => p !== this.t.self)
    await Promise.all(peers.map(async (peer) => {
      let held: boolean[]
      try {
        held = await this.t.hasPacks(peer, ids, { signal: options.signal ?? AbortSignal.timeout(30_000) })
      } catch {
        return
      }
      const add = this.db.prepare('INSERT OR IGNORE INTO holders VALUES (?, ?)')
      const remove = this.db.prepare('DELETE FROM holders WHERE pack = ? AND peer = ?')
      this.db.transaction(() => {
        for (const [i, id] of ids.entries()) {
          if (held[i] === true) add.run(id, peer)
          else remove.run(id, peer)
        }
      })()
    }))
  }

  /** The same for shards: which online peers hold which shard of each stripe (repairs move them). */
  private async refreshShardHolders (options: OperationOptions): Promise<void> {
    const stripes = (this.db.prepare('SELECT stripe FROM stripes').pluck().all() as Buffer[]).map(b => decodeStripe(b))
    if (stripes.length === 0) return
    const ids = stripes.flatMap(st => st.shardIds.map((shard, index) => ({ pack: st.packId, index, shard })))
    const peers = this.t.onlinePeers().filter(p => p !== this.t.self)
    await Promise.all(peers.map(async (peer) => {
      let held: boolean[]
      try {
        held = await this.t.hasPacks(peer, ids.map(i => i.shard), { signal: options.signal ?? AbortSignal.timeout(30_000) })
      } catch {
        return
      }
      const add = this.db.prepare('INSERT OR IGNORE INTO shard_holders VALUES (?, ?, ?)')
      const remove = this.db.prepare('DELETE FROM shard_holders WHERE pack = ? AND idx = ? AND peer = ?')
      this.db.transaction(() => {
        for (const [i, s] of ids.entries()) {
          if (held[i] === true) add.run(s.pack, s.index, peer)
          else remove.run(s.pack, s.index, peer)
        }
      })()
    }))
  }

  /** Bytes of this owner's packs (or shards) each holder keeps. */
  bytesByHolder (): Map<string, number> {
    const rows = this.db.prepare(`SELECT peer, SUM(bytes) AS bytes FROM (
      SELECT h.peer, p.size AS bytes FROM holders h JOIN packs p ON p.pack = h.pack
      UNION ALL SELECT sh.peer, s.shard_size AS bytes FROM shard_holders sh JOIN stripes s ON s.pack = sh.pack) GROUP BY peer`).all() as Array<{ peer: string, bytes: number }>
    return new Map(rows.map(r => [r.peer, r.bytes]))
  }

  /**
   * Forgets every record of `peer` holding a pack or shard (`p2pbak peers forget`); returns what it
   * was recorded as holding. If it comes back, refreshHolders records what it still holds.
   */
  forgetHolder (peer: string): { packs: number, bytes: number } {
    return this.db.transaction(() => {
      const p = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(p.size), 0) AS b FROM holders h JOIN packs p ON p.pack = h.pack WHERE h.peer = ?').get(peer) as { n: number, b: number }
      const s = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(s.shard_size), 0) AS b FROM shard_holders sh JOIN stripes s ON s.pack = sh.pack WHERE sh.peer = ?').get(peer) as { n: number, b: number }
      this.db.prepare('DELETE FROM holders WHERE peer = ?').run(peer)
      this.db.prepare('DELETE FROM shard_holders WHERE peer = ?').run(peer)
      this.infos.delete(peer)
      return { packs: p.n + s.n, bytes: p.b + s.b }
    })()
  }

  /** Pack bytes sent to holders so far (every data frame handed to a stream, retries included): progress and rates. */
  bytesSent = 0
  private readonly countSent = (n: number): void => { this.bytesSent += n }

  /** Packs with fewer recorded holders than wanted. */
  degradedPacks (): Array<{ packId: string, holders: number, wanted: number }> {
    return (this.db.prepare('SELECT p.pack, p.wanted, COUNT(h.peer) AS n FROM packs p LEFT JOIN holders h ON h.pack = p.pack GROUP BY p.pack HAVING n < p.wanted').all() as Array<{ pack: string, wanted: number, n: number }>)
      .map(r => ({ packId: r.pack, holders: r.n, wanted: r.wanted }))
  }

  private readonly closing = ((): AbortController => {
    const c = new AbortController()
    setMaxListeners(Infinity, c.signal) // one listener per put in flight
    return c
  })()

  /**
   * Stops every transfer in flight now (daemon shutdown): puts reject with `reason`; packs that
   * reached "durable" before stay recorded, so the next backup reuses them.
   */
  abort (reason: Error): void {
    this.closing.abort(reason)
  }

  async put (id: string, bytes: Uint8Array, callerOptions: OperationOptions = {}): Promise<void> {
    checkId(id)
    const signal = callerOptions.signal === undefined ? this.closing.signal : AbortSignal.any([callerOptions.signal, this.closing.signal])
    const options: OperationOptions = { ...callerOptions, signal }
    signal.throwIfAborted()
    if (packIdOf(bytes) !== id) throw new IntegrityError(`bytes do not hash to pack ${id}`, [id])
    if (this.opts.erasure !== undefined && this.holdersOf(id).length === 0) {
      await this.putStripe(id, bytes, this.opts.erasure.dataShards, this.opts.erasure.parityShards, options)
      return
    }
    const acks = this.holdersOf(id)
    if (acks.length >= this.replicas) return
    // No copy of `bytes`: they are only read until put resolves, and the holders keep their own.
    const exclude = new Set<string>(acks)
    const reasons: string[] = []
    for (let round = 0, waits = 0; round < 4 && acks.length < this.replicas; round++) {
      const candidates = await this.candidates(options.signal)
      const placement = choosePlacement(id, bytes.byteLength, candidates, { replicas: this.replicas - acks.length, owner: this.t.self, exclude })
      if (placement.holders.length === 0) {
        // Nobody eligible right now (a peer reconnecting, info answers slow under load): look
        // again for a while before giving up, unless some holders already took the pack.
        if (acks.length > 0 || waits * NO_CANDIDATE_WAIT_MS >= (this.opts.waitForPeersMs ?? 10_000)) {
          if (candidates.length === 0) reasons.push(`no peer answered (${this.t.onlinePeers().length} connected)`)
          break
        }
        waits++
        round--
        await new Promise(resolve => setTimeout(resolve, NO_CANDIDATE_WAIT_MS))
        options.signal?.throwIfAborted()
        continue
      }
      const results = await Promise.allSettled(placement.holders.map(async (peer) => ({ peer, status: await this.putWithRetry(peer, id, bytes, options) })))
      signal.throwIfAborted()
      for (const [i, r] of results.entries()) {
        const peer = placement.holders[i]!
        exclude.add(peer)
        if (r.status === 'fulfilled' && r.value.status === 'durable') {
          acks.push(peer)
        } else {
          const reason = r.status === 'fulfilled' ? r.value.status : (r.reason as Error).message
          reasons.push(`${peer.slice(-8)}: ${reason}`)
          this.infos.delete(peer) // its free space is stale
          this.emit('holder-failed', { peer, packId: id, reason })
        }
      }
    }
    if (acks.length === 0) {
      throw new NoHolderError(`no peer could store pack ${id}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ': no peer with enough free space is online'}`, {
        hint: 'start more p2pbak daemons in the office, or raise their storage quota'
      })
    }
    this.db.transaction(() => {
      this.db.prepare('INSERT OR REPLACE INTO packs VALUES (?, ?, ?)').run(id, bytes.byteLength, this.replicas)
      for (const peer of acks) this.db.prepare('INSERT OR IGNORE INTO holders VALUES (?, ?)').run(id, peer)
    })()
    if (acks.length < this.replicas) this.emit('degraded', { packId: id, holders: [...acks], wanted: this.replicas })
  }

  /**
   * A holder that is busy (receiving its maximum of packs at once) is asked again shortly. At most
   * PUTS_PER_PEER puts go to one peer at once: libp2p resets every stream of a burst beyond the
   * protocol's inbound stream limit, not just the extra ones (docs/protocol.md §2).
   */
  private async putWithRetry (peer: string, id: string, bytes: Uint8Array, options: OperationOptions, meta?: PutMeta): Promise<string> {
    const release = await this.slot(peer)
    try {
      return await this.putAttempts(peer, id, bytes, options, meta ?? { replicas: this.replicas })
    } finally {
      release()
    }
  }

  private readonly slots = new Map<string, { busy: number, waiting: Array<() => void> }>()

  private async slot (peer: string): Promise<() => void> {
    let s = this.slots.get(peer)
    if (s === undefined) { s = { busy: 0, waiting: [] }; this.slots.set(peer, s) }
    const state = s
    if (state.busy >= PUTS_PER_PEER) await new Promise<void>(resolve => state.waiting.push(resolve))
    else state.busy++
    return () => {
      const next = state.waiting.shift()
      if (next !== undefined) next() // hand the slot over
      else state.busy--
    }
  }

  private async putAttempts (peer: string, id: string, bytes: Uint8Array, options: OperationOptions, meta: PutMeta): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const raw = await this.t.putPack(peer, id, bytes, this.owner.publicKey, { ...options, ...meta, origin: this.t.self, onSent: this.countSent })
      const status = raw === 'already-held' ? 'durable' : raw
      if (status !== 'busy' || attempt >= 20) return status
      await new Promise(resolve => setTimeout(resolve, 20 + Math.random() * 30 * (attempt + 1)))
      options.signal?.throwIfAborted()
    }
  }

  /** Holders to try for a pack: recorded, then predicted by placement, then DHT providers. */
  private async sources (id: string, signal?: AbortSignal): Promise<string[]> {
    const out: string[] = []
    const add = (p: string): void => { if (p !== this.t.self && !out.includes(p)) out.push(p) }
    for (const c of rankPeers(id, this.holdersOf(id).map(peerId => ({ peerId })))) add(c.peerId)
    for (const c of rankPeers(id, this.t.onlinePeers().map(peerId => ({ peerId }))).slice(0, this.replicas + 2)) add(c.peerId)
    try {
      for (const p of await this.t.findProviders(id, { signal: signal ?? AbortSignal.timeout(10_000) })) add(p)
    } catch {}
    return out
  }

  /** A verified whole pack; kept in a small cache when `cache` (range reads come in series). */
  private async fetch (id: string, signal?: AbortSignal, cache = true): Promise<Uint8Array> {
    const hit = this.cache.get(id)
    if (hit !== undefined) return hit
    const failures: string[] = []
    const keep = (bytes: Uint8Array): Uint8Array => {
      if (cache) {
        this.cache.set(id, bytes)
        if (this.cache.size > 2) this.cache.delete(this.cache.keys().next().value!)
      }
      return bytes
    }
    // Shards first when the pack is known as a stripe, or when new packs are striped and no
    // whole copy is known; whole copies otherwise. Either way, the other kind is tried next.
    let triedStripe = false
    const tryStripe = async (): Promise<Uint8Array | undefined> => {
      triedStripe = true
      let loc = this.stripeOf(id)
      if (loc === undefined) {
        await this.discoverStripes([id], signal)
        loc = this.stripeOf(id)
      }
      return loc === undefined ? undefined : await this.fetchStripe(loc, failures, signal)
    }
    if (this.stripeOf(id) !== undefined || (this.opts.erasure !== undefined && this.holdersOf(id).length === 0)) {
      const bytes = await tryStripe()
      if (bytes !== undefined) return keep(bytes)
    }
    for (const peer of await this.sources(id, signal)) {
      signal?.throwIfAborted()
      let bytes: Uint8Array | undefined
      try {
        bytes = await this.t.getPack(peer, id, { signal: signal ?? AbortSignal.timeout(60_000) })
      } catch (err) {
        failures.push(`${peer.slice(-8)}: ${(err as Error).message}`)
        this.emit('holder-failed', { peer, packId: id, reason: (err as Error).message })
        continue
      }
      if (bytes === undefined) continue
      if (packIdOf(bytes) !== id) {
        failures.push(`${peer.slice(-8)}: served bytes that do not match the pack ID`)
        this.emit('holder-failed', { peer, packId: id, reason: 'wrong bytes' })
        continue
      }
      return keep(bytes)
    }
    if (!triedStripe) {
      const bytes = await tryStripe()
      if (bytes !== undefined) return keep(bytes)
    }
    throw new ObjectNotFoundError(id, {
      hint: failures.length > 0 ? `holders failed: ${failures.join('; ')}` : 'no holder of this pack is online; try again when more colleagues\' machines are on'
    })
  }

  async get (id: string, range?: ByteRange, options: OperationOptions = {}): Promise<Uint8Array> {
    checkId(id)
    if (range === undefined) {
      // Whole packs (restores) are cached by the caller; a fresh buffer unless it was cached here.
      const cached = this.cache.get(id)
      return cached !== undefined ? Uint8Array.from(cached) : await this.fetch(id, options.signal, false)
    }
    const bytes = await this.fetch(id, options.signal)
    if (!Number.isSafeInteger(range.offset) || !Number.isSafeInteger(range.length) || range.offset < 0 || range.length < 0 || range.offset + range.length > bytes.byteLength) {
      throw new InvalidArgumentError(`range ${range.offset}+${range.length} lies outside pack ${id} of ${bytes.byteLength} bytes`)
    }
    return Uint8Array.from(bytes.subarray(range.offset, range.offset + range.length))
  }

  async stat (id: string, options: OperationOptions = {}): Promise<ObjectInfo> {
    checkId(id)
    const size = this.db.prepare('SELECT size FROM packs WHERE pack = ?').pluck().get(id) as number | undefined
    if (size !== undefined && (this.holdersOf(id).length > 0 || this.stripeStored(id))) return { id, size }
    return { id, size: (await this.fetch(id, options.signal)).byteLength }
  }

  /**
   * Packs with a recorded holder; the others are asked of every online peer (in batches), and
   * holders found that way are recorded, so a fresh machine learns where its packs are.
   */
  async has (ids: string[], options: OperationOptions = {}): Promise<boolean[]> {
    ids.forEach(checkId)
    options.signal?.throwIfAborted()
    const known = (id: string): boolean => this.holdersOf(id).length > 0 || this.stripeStored(id)
    const unknown = [...new Set(ids.filter(id => !known(id)))]
    const peers = this.t.onlinePeers().filter(p => p !== this.t.self)
    for (let i = 0; i < unknown.length; i += 1024) {
      const batch = unknown.slice(i, i + 1024)
      const answers = await Promise.allSettled(peers.map(async p => ({ p, held: await this.t.hasPacks(p, batch, { signal: options.signal ?? AbortSignal.timeout(10_000) }) })))
      this.db.transaction(() => {
        for (const a of answers) {
          if (a.status !== 'fulfilled') continue
          a.value.held.forEach((held, j) => { if (held) this.db.prepare('INSERT OR IGNORE INTO holders VALUES (?, ?)').run(batch[j], a.value.p) })
        }
      })()
    }
    // What no peer holds whole may be stored as shards.
    const striped = unknown.filter(id => !known(id))
    for (let i = 0; i < striped.length; i += 1024) await this.discoverStripes(striped.slice(i, i + 1024), options.signal)
    return ids.map(known)
  }

  /** Packs this owner placed (or learned the holders of); a fresh machine knows none yet. */
  async * list (): AsyncIterable<ObjectInfo> {
    for (const r of this.db.prepare(`SELECT p.pack AS id, p.size FROM packs p WHERE EXISTS (SELECT 1 FROM holders h WHERE h.pack = p.pack)
      OR (SELECT COUNT(DISTINCT s.idx) FROM shard_holders s WHERE s.pack = p.pack) >= (SELECT t.data_shards FROM stripes t WHERE t.pack = p.pack)`).all() as ObjectInfo[]) yield r
  }

  /** Asks every holder to drop the pack, signed with the owner key; forgets it here. */
  async delete (id: string, options: OperationOptions = {}): Promise<void> {
    checkId(id)
    const timeMs = Date.now()
    const signature = this.owner.sign(this.opts.deleteSignedBytes(id, this.owner.publicKey, timeMs))
    const holders = new Set([...this.holdersOf(id)])
    await Promise.allSettled([...holders].map(async p => await this.t.deletePack(p, id, this.owner.publicKey, timeMs, signature, options)))
    const loc = this.stripeOf(id)
    if (loc !== undefined) {
      await Promise.allSettled(loc.stripe.shardIds.flatMap((shardId, i) => loc.holders[i]!.map(async (p) => {
        const t = Date.now()
        const sig = this.owner.sign(this.opts.deleteSignedBytes(shardId, this.owner.publicKey, t))
        return await this.t.deletePack(p, shardId, this.owner.publicKey, t, sig, options)
      })))
      this.db.prepare('DELETE FROM shard_holders WHERE pack = ?').run(id)
      this.db.prepare('DELETE FROM stripes WHERE pack = ?').run(id)
    }
    this.db.prepare('DELETE FROM holders WHERE pack = ?').run(id)
    this.db.prepare('DELETE FROM packs WHERE pack = ?').run(id)
    this.cache.delete(id)
  }

  // ---- records ----

  /** Sends the record to every online peer; resolves once at least one stored it. */
  async putRecord (key: string, value: Uint8Array, options: OperationOptions = {}): Promise<void> {
    checkKey(key)
    // A sequence above anything seen, so the newest put wins everywhere.
    const seen = selectRecord(key, await this.gather(key, options.signal))
    const now = BigInt(Date.now()) * 1000n
    this.recordSeq = [this.recordSeq + 1n, now, (seen?.seq ?? 0n) + 1n].reduce((a, b) => (a > b ? a : b))
    const env = encodeEnvelope({ seq: this.recordSeq, value: Uint8Array.from(value) })
    const peers = this.t.onlinePeers().filter(p => p !== this.t.self)
    const results = await Promise.allSettled(peers.map(async p => await this.t.putRecord(p, key, env, options)))
    let stored = results.filter(r => r.status === 'fulfilled' && r.value === 'stored').length
    if (this.t.dhtPut !== undefined) {
      try {
        await this.t.dhtPut(key, env, { signal: options.signal ?? AbortSignal.timeout(15_000) })
      } catch {
        // Holders keep the record; the DHT copy is an extra way to find it.
      }
      if (peers.length === 0) stored++ // a lone node keeps it in its own DHT store
    }
    if (stored === 0) {
      throw new NoHolderError(`no peer stored the record ${key} (${peers.length} online)`, { hint: 'start more p2pbak daemons in the office and try again' })
    }
  }

  private async gather (key: string, signal?: AbortSignal): Promise<Uint8Array[]> {
    const peers = this.t.onlinePeers().filter(p => p !== this.t.self)
    const asks: Array<Promise<Uint8Array | undefined>> = peers.map(async p => await this.t.getRecord(p, key, { signal: signal ?? AbortSignal.timeout(5000) }))
    if (this.t.dhtGet !== undefined) asks.push(this.t.dhtGet(key, { signal: signal ?? AbortSignal.timeout(10_000) }))
    const answers = await Promise.allSettled(asks)
    return answers.flatMap(a => a.status === 'fulfilled' && a.value !== undefined ? [a.value] : [])
  }

  async getRecord (key: string, options: OperationOptions = {}): Promise<Uint8Array | undefined> {
    checkKey(key)
    const best = selectRecord(key, await this.gather(key, options.signal))
    return best === undefined ? undefined : Uint8Array.from(best.value)
  }

  async close (): Promise<void> {
    this.db.close()
  }
}

function checkId (id: string): void {
  if (!isPackId(id)) throw new InvalidArgumentError(`"${String(id).slice(0, 80)}" is not a pack ID`)
}

function checkKey (key: string): void {
  if (typeof key !== 'string' || !/^[a-z0-9][a-z0-9-]{0,127}$/.test(key)) throw new InvalidArgumentError(`"${String(key).slice(0, 140)}" is not a record key`)
}
