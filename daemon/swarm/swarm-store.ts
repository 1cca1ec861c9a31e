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
import { IntegrityError, InvalidArgumentError, ObjectNotFoundError, P2pbakError } from '../errors.js'
import type { Backend, ByteRange, ObjectInfo, OperationOptions } from '../store/types.js'
import { choosePlacement, rankPeers } from './placement.js'
import type { Candidate } from './placement.js'
import { encodeEnvelope, selectRecord } from './records.js'

/** What the swarm store needs from the network; daemon/swarm/transport.ts implements it over libp2p. */
export interface SwarmTransport {
  /** This node's peer ID. */
  readonly self: string
  /** Peers connected now. */
  onlinePeers: () => string[]
  info: (peer: string, options?: OperationOptions) => Promise<{ free: number, domain: string }>
  putPack: (peer: string, packId: string, bytes: Uint8Array, ownerKey: Uint8Array, options?: OperationOptions & PutMeta) => Promise<string>
  /** SHA-256(nonce ‖ pack) as the peer computes it ('not-found', 'busy' otherwise). Optional: repair's audits. */
  auditPack?: (peer: string, packId: string, nonce: Uint8Array, options?: OperationOptions) => Promise<{ status: string, digest: Uint8Array }>
  getPack: (peer: string, packId: string, options?: OperationOptions) => Promise<Uint8Array | undefined>
  hasPacks: (peer: string, packIds: string[], options?: OperationOptions) => Promise<boolean[]>
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
      CREATE TABLE IF NOT EXISTS holders (pack TEXT NOT NULL, peer TEXT NOT NULL, PRIMARY KEY (pack, peer)) WITHOUT ROWID;`)
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
        this.infos.set(p, { at: Date.now(), free: i.free, domain: i.domain })
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
  placements (): Array<{ packId: string, size: number, holders: string[] }> {
    const rows = this.db.prepare("SELECT p.pack, p.size, COALESCE(group_concat(h.peer), '') AS holders FROM packs p LEFT JOIN holders h ON h.pack = p.pack GROUP BY p.pack").all() as Array<{ pack: string, size: number, holders: string }>
    return rows.map(r => ({ packId: r.pack, size: r.size, holders: r.holders === '' ? [] : r.holders.split(',') }))
  }

  /**
   * Asks every online peer which of this owner's packs it holds, and records the answers: holders
   * added by repair appear, and an online peer that no longer holds a pack (trimmed, dropped after
   * a failed scrub, lost) is forgotten for it. Absent peers keep their entries.
   */
  async refreshHolders (options: OperationOptions = {}): Promise<void> {
    const ids = (this.db.prepare('SELECT pack FROM packs').pluck().all() as string[])
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

  /** Bytes of this owner's packs each holder keeps. */
  bytesByHolder (): Map<string, number> {
    const rows = this.db.prepare('SELECT h.peer, SUM(p.size) AS bytes FROM holders h JOIN packs p ON p.pack = h.pack GROUP BY h.peer').all() as Array<{ peer: string, bytes: number }>
    return new Map(rows.map(r => [r.peer, r.bytes]))
  }

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
  private async putWithRetry (peer: string, id: string, bytes: Uint8Array, options: OperationOptions): Promise<string> {
    const release = await this.slot(peer)
    try {
      return await this.putAttempts(peer, id, bytes, options)
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

  private async putAttempts (peer: string, id: string, bytes: Uint8Array, options: OperationOptions): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const raw = await this.t.putPack(peer, id, bytes, this.owner.publicKey, { ...options, replicas: this.replicas, origin: this.t.self })
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
      if (cache) {
        this.cache.set(id, bytes)
        if (this.cache.size > 2) this.cache.delete(this.cache.keys().next().value!)
      }
      return bytes
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
    if (size !== undefined && this.holdersOf(id).length > 0) return { id, size }
    return { id, size: (await this.fetch(id, options.signal)).byteLength }
  }

  /**
   * Packs with a recorded holder; the others are asked of every online peer (in batches), and
   * holders found that way are recorded, so a fresh machine learns where its packs are.
   */
  async has (ids: string[], options: OperationOptions = {}): Promise<boolean[]> {
    ids.forEach(checkId)
    options.signal?.throwIfAborted()
    const unknown = [...new Set(ids.filter(id => this.holdersOf(id).length === 0))]
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
    return ids.map(id => this.holdersOf(id).length > 0)
  }

  /** Packs this owner placed (or learned the holders of); a fresh machine knows none yet. */
  async * list (): AsyncIterable<ObjectInfo> {
    for (const r of this.db.prepare('SELECT p.pack AS id, p.size FROM packs p WHERE EXISTS (SELECT 1 FROM holders h WHERE h.pack = p.pack)').all() as ObjectInfo[]) yield r
  }

  /** Asks every holder to drop the pack, signed with the owner key; forgets it here. */
  async delete (id: string, options: OperationOptions = {}): Promise<void> {
    checkId(id)
    const timeMs = Date.now()
    const signature = this.owner.sign(this.opts.deleteSignedBytes(id, this.owner.publicKey, timeMs))
    const holders = new Set([...this.holdersOf(id)])
    await Promise.allSettled([...holders].map(async p => await this.t.deletePack(p, id, this.owner.publicKey, timeMs, signature, options)))
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
