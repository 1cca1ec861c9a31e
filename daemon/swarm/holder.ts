// The holder side of the swarm: packs this daemon keeps for other owners (DESIGN.md §5, §8).
// Packs live as files in a directory store (the same crash-safe layout as a local repository:
// temp → fsync → rename → fsync dir); who owns which pack is kept next to them, so that only the
// owner's signature can delete it. Space offered = min(quota − used, disk free − reserve).
import { createHash } from 'node:crypto'
import { statfsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Database as Db } from 'better-sqlite3'
import { isPackId, packIdHasher, packIdOf } from '../../protocol/ids.js'
import { decodeStripe, encodeStripe } from '../../protocol/index.js'
import type { StripeDescriptor } from '../../protocol/index.js'
import { verifySignature } from '../crypto/keys.js'
import { InvalidArgumentError, noSpaceError, ObjectNotFoundError } from '../errors.js'
import { openDirBackend } from '../store/index.js'
import { checkRecord, decodeEnvelope, mayReplace } from './records.js'
import type { DirStoreBackend, PackFileWriter } from '../store/index.js'

/** Largest pack a holder accepts (format.md §4: PACK_MAX_SIZE). */
export const HOLDER_MAX_PACK = 64 * 1024 * 1024
/** Deletes must be signed within this window of the holder's clock (replay protection). */
export const DELETE_CLOCK_WINDOW_MS = 24 * 60 * 60 * 1000

export interface HolderOptions {
  /** Directory for held packs (created). */
  dir: string
  /** Bytes offered to others. */
  quota: number
  /** Bytes always left free on the disk. */
  reserve: number
  /** Failure-domain label announced to peers. */
  domain: string
  /** Packs received at once (each is buffered while its hash is checked). Default 4. */
  maxConcurrentReceives?: number
  /** Free bytes of the disk (tests override it). Default: statfs. */
  diskFree?: (dir: string) => number
  /** A short-lived peer (a fresh-machine restore, docs/protocol.md §4 field 9): announced in `info`, takes nothing. Default false. */
  ephemeral?: boolean
}

export type AdmitResult = 'ready' | 'already-held' | 'quota-exceeded' | 'too-large' | 'busy'
export type ReceiveResult = 'durable' | 'hash-mismatch' | 'size-mismatch' | 'quota-exceeded' | 'no-space'
export type RemoveResult = 'deleted' | 'not-found' | 'forbidden'

export interface HolderInfo {
  free: number
  quota: number
  used: number
  domain: string
  /** A planned absence announced to peers (ms since the epoch; 0: none). */
  awayUntil: number
  /** Leaving the swarm (`p2pbak leave`): takes nothing new, announces no free space. */
  leaving: boolean
  /** A short-lived peer: peers never choose it as a holder and forget it when it disconnects. */
  ephemeral: boolean
}

export interface PackRequest {
  packId: string
  size: number
  ownerKey: Uint8Array
  from: string
  replicas?: number
  origin?: string
  /** Erasure mode: `packId` is shard `shardIndex` of this stripe. */
  stripe?: StripeDescriptor
  shardIndex?: number
}

export interface HeldPack {
  packId: string
  size: number
  /** Copies its owner wants (0: not said). */
  wanted: number
  /** ms since the epoch. */
  received: number
  verified: number
  claims: Array<{ ownerKey: Uint8Array, origin: string }>
}

/** Audits hashed at once (each reads a whole pack). */
export const MAX_AUDITS_AT_ONCE = 2

/** SHA-256(nonce ‖ pack): what an audited holder answers. */
export function auditDigest (nonce: Uint8Array, pack: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(nonce).update(pack).digest())
}

export class Holder {
  readonly store: DirStoreBackend
  private readonly db: Db
  private readonly options: HolderOptions
  private used = 0
  /** Bytes promised to transfers in flight, so that parallel puts cannot overrun the quota. */
  private reserved = 0
  private receiving = 0
  /**
   * Packs being received, by sender. A pack counts from the moment its sender was told READY, not
   * only once its bytes flow: otherwise two senders (two repair coordinators) admitted in the same
   * instant would both be READY, and the second would be refused instead of told BUSY.
   */
  private readonly inFlight = new Map<string, { sender: string, since: number, receiving: boolean }>()
  /** Called when a pack file is gone (to stop announcing it). */
  onDropped: ((packId: string) => void) | undefined

  constructor (options: HolderOptions) {
    this.options = options
    this.store = openDirBackend(join(options.dir, 'store'), { create: true })
    this.db = new Database(join(options.dir, 'holder.db'))
    this.db.pragma('journal_mode = WAL')
    // NORMAL for the bookkeeping of every check round (co-holders, verification times: cheap to
    // lose, costly to fsync several times a second); the commit that precedes a DURABLE answer
    // runs under FULL (durably()), so it survives a power failure.
    this.db.pragma('synchronous = NORMAL')
    // A pack may be claimed by several owner keys: each claim was earned by sending the bytes
    // (proof of possession), and a delete removes only the signer's claim; the file goes with the
    // last claim. So a peer that obtained a pack's bytes cannot delete the owner's copy.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS held (pack TEXT PRIMARY KEY, size INTEGER NOT NULL, received INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS claims (pack TEXT NOT NULL, owner BLOB NOT NULL, PRIMARY KEY (pack, owner)) WITHOUT ROWID;`)
    // Schema 2: who sent each claim and whose daemon owns it (for `p2pbak peers`, and so that
    // repair never places a copy on the owner's own machine); the copies the owner wants; and the
    // other holders of each pack, learned by asking (repair.ts).
    const cols = (table: string): string[] => (this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map(c => c.name)
    if (!cols('claims').includes('sender')) this.db.exec("ALTER TABLE claims ADD COLUMN sender TEXT NOT NULL DEFAULT ''")
    if (!cols('claims').includes('origin')) this.db.exec("ALTER TABLE claims ADD COLUMN origin TEXT NOT NULL DEFAULT ''")
    if (!cols('held').includes('wanted')) this.db.exec('ALTER TABLE held ADD COLUMN wanted INTEGER NOT NULL DEFAULT 0')
    if (!cols('held').includes('verified')) this.db.exec('ALTER TABLE held ADD COLUMN verified INTEGER NOT NULL DEFAULT 0')
    this.db.exec('CREATE TABLE IF NOT EXISTS coholders (pack TEXT NOT NULL, peer TEXT NOT NULL, confirmed INTEGER NOT NULL, PRIMARY KEY (pack, peer)) WITHOUT ROWID')
    // A peer whose copy failed an audit is not believed when it later says it holds the pack.
    this.db.exec('CREATE TABLE IF NOT EXISTS audit_failed (pack TEXT NOT NULL, peer TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (pack, peer)) WITHOUT ROWID')
    // Erasure mode: a held object may be a shard of a stripe; the stripe (the encoded descriptor)
    // is kept with it, so this holder can find the other shards and rebuild lost ones.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS shards (shard TEXT PRIMARY KEY, pack TEXT NOT NULL, idx INTEGER NOT NULL, stripe BLOB NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS shards_by_pack ON shards (pack);`)
    this.used = this.sumHeld()
  }

  /**
   * Runs `fn` as one transaction whose commit fsyncs the WAL (synchronous = FULL), so it survives
   * a power failure: a pack answered DURABLE keeps its row and claims. (NORMAL may lose the last
   * commits, and the file would then have no row.)
   */
  private durably<T> (fn: () => T): T {
    this.db.pragma('synchronous = FULL')
    try {
      return this.db.transaction(fn)()
    } finally {
      this.db.pragma('synchronous = NORMAL')
    }
  }

  private sumHeld (): number {
    return this.db.prepare('SELECT COALESCE(SUM(size), 0) FROM held').pluck().get() as number
  }

  /**
   * Reconciles the tables with the files on disk after a crash or a power failure (temporary
   * files of interrupted receives are already gone: the directory store empties tmp/ on open).
   * - A row whose file is missing, or whose file has another size, goes (with the file).
   * - A file without a row (a crash between its rename and the insert, or a database that lost
   *   its last commits) is hashed: it is adopted when its SHA-256 matches its name, and deleted
   *   otherwise. An adopted pack has no claim yet (the put that sent it was never answered
   *   DURABLE, so its sender retries and earns one); it counts as a copy meanwhile.
   */
  async open (): Promise<{ adopted: string[], removed: string[] }> {
    const onDisk = new Map<string, number>()
    for await (const { id, size } of this.store.list()) onDisk.set(id, size)
    const rows = this.db.prepare('SELECT pack, size FROM held').all() as Array<{ pack: string, size: number }>
    const removed: string[] = []
    const forget = (id: string): void => {
      this.db.transaction(() => {
        for (const t of ['held', 'claims', 'coholders', 'audit_failed']) this.db.prepare(`DELETE FROM ${t} WHERE pack = ?`).run(id)
        this.db.prepare('DELETE FROM shards WHERE shard = ?').run(id)
      })()
    }
    for (const { pack, size } of rows) {
      const actual = onDisk.get(pack)
      onDisk.delete(pack)
      if (actual === size) continue
      if (actual !== undefined) await this.store.delete(pack)
      forget(pack)
      removed.push(pack)
    }
    const adopted: string[] = []
    for (const [id, size] of onDisk) {
      let ok = false
      try {
        ok = packIdOf(await this.store.get(id)) === id
      } catch (err) {
        if (!(err instanceof ObjectNotFoundError)) throw err
        continue
      }
      if (!ok) { await this.store.delete(id); removed.push(id); continue }
      const now = Date.now()
      this.db.prepare('INSERT OR IGNORE INTO held (pack, size, received, wanted, verified) VALUES (?, ?, ?, 0, ?)').run(id, size, now, now)
      adopted.push(id)
    }
    this.used = this.sumHeld()
    return { adopted, removed }
  }

  private announced = { awayUntil: 0, leaving: false }

  /** What this holder tells peers about its plans (`p2pbak away`, `p2pbak leave`). */
  announce (a: { awayUntil: number, leaving: boolean }): void {
    this.announced = { ...a }
  }

  info (): HolderInfo {
    const leaving = this.announced.leaving
    const awayUntil = this.announced.awayUntil > Date.now() ? this.announced.awayUntil : 0
    const ephemeral = this.options.ephemeral === true
    return { free: leaving || ephemeral ? 0 : this.free(), quota: this.options.quota, used: this.used, domain: this.options.domain, awayUntil, leaving, ephemeral }
  }

  private free (): number {
    const disk = (this.options.diskFree ?? statfsFree)(this.options.dir) - this.options.reserve
    return Math.max(0, Math.min(this.options.quota - this.used - this.reserved, disk - this.reserved))
  }

  isHeld (packId: string): boolean {
    return this.db.prepare('SELECT 1 FROM held WHERE pack = ?').get(packId) !== undefined
  }

  private hasClaim (packId: string, ownerKey: Uint8Array): boolean {
    return this.db.prepare('SELECT 1 FROM claims WHERE pack = ? AND owner = ?').get(packId, Buffer.from(ownerKey)) !== undefined
  }

  admit (req: PackRequest): AdmitResult {
    const decision = this.decide(req)
    if (decision === 'ready') this.inFlight.set(req.packId, { sender: senderOf(req), since: Date.now(), receiving: false })
    return decision
  }

  private decide (req: PackRequest): AdmitResult {
    if (!isPackId(req.packId) || req.size > HOLDER_MAX_PACK) return 'too-large'
    if (this.isHeld(req.packId) && this.hasClaim(req.packId, req.ownerKey)) return 'already-held'
    // Leaving the swarm: nothing new (a repair or an owner then picks another peer).
    if (this.announced.leaving || this.options.ephemeral === true) return 'quota-exceeded'
    // One transfer of a pack at a time: a second sender retries and then finds it held.
    const flight = this.inFlight.get(req.packId)
    const ours = flight !== undefined && !flight.receiving && flight.sender === senderOf(req) // admitted, its bytes come now
    const stale = flight !== undefined && !flight.receiving && Date.now() - flight.since > ADMITTED_TTL_MS // told READY, never sent
    if (flight !== undefined && !ours && !stale) return 'busy'
    if (this.receiving >= (this.options.maxConcurrentReceives ?? 4)) return 'busy'
    // Held for another owner: this owner must still send the bytes to earn its claim, but they
    // take no new space.
    if (!this.isHeld(req.packId) && req.size > this.free()) return 'quota-exceeded'
    return 'ready'
  }

  /**
   * Receives exactly `req.size` bytes, hashing them as they arrive; stores the pack only when the
   * size and the hash match, and resolves 'durable' only once it is on disk and claimed.
   */
  async receive (req: PackRequest, chunks: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<ReceiveResult> {
    const admitted = this.decide(req)
    if (admitted === 'already-held') return 'durable'
    if (admitted !== 'ready') return admitted === 'busy' || admitted === 'quota-exceeded' ? 'quota-exceeded' : 'size-mismatch'
    const alreadyOnDisk = this.isHeld(req.packId)
    this.receiving++
    this.inFlight.set(req.packId, { sender: senderOf(req), since: Date.now(), receiving: true })
    if (!alreadyOnDisk) this.reserved += req.size
    // Chunks go straight to a temp file while they are hashed: no pack-sized buffer, and the
    // file becomes visible (rename) only after the size and the hash matched and it was fsynced.
    let writer: PackFileWriter | undefined
    try {
      const hasher = packIdHasher()
      if (!alreadyOnDisk) writer = await this.store.createWriter(req.packId)
      let got = 0
      for await (const chunk of chunks) {
        signal?.throwIfAborted()
        if (got + chunk.byteLength > req.size) return 'size-mismatch'
        hasher.update(chunk)
        got += chunk.byteLength
        if (writer !== undefined) await writer.write(chunk)
      }
      if (got !== req.size) return 'size-mismatch'
      if (hasher.digest() !== req.packId) return 'hash-mismatch'
      if (writer !== undefined) {
        const w = writer
        writer = undefined
        await w.commit()
      }
      let added = false
      const record = (): void => this.durably(() => {
        const now = Date.now()
        added = false
        if (this.db.prepare('INSERT OR IGNORE INTO held (pack, size, received, wanted, verified) VALUES (?, ?, ?, ?, ?)').run(req.packId, req.size, now, req.replicas ?? 0, now).changes > 0) added = true
        else if ((req.replicas ?? 0) > 0) this.db.prepare('UPDATE held SET wanted = MAX(wanted, ?) WHERE pack = ?').run(req.replicas, req.packId)
        this.db.prepare('INSERT OR IGNORE INTO claims (pack, owner, sender, origin) VALUES (?, ?, ?, ?)').run(req.packId, Buffer.from(req.ownerKey), req.from, req.origin ?? '')
        if (req.stripe !== undefined && req.stripe.shardIds[req.shardIndex ?? -1] === req.packId) {
          this.db.prepare('INSERT OR IGNORE INTO shards VALUES (?, ?, ?, ?)').run(req.packId, req.stripe.packId, req.shardIndex, Buffer.from(encodeStripe(req.stripe)))
        }
        // Whoever sent it holds it too, unless it is the owner's own daemon.
        if (req.from !== '' && req.from !== (req.origin ?? '')) this.db.prepare('INSERT OR REPLACE INTO coholders VALUES (?, ?, ?)').run(req.packId, req.from, now)
      })
      try {
        record()
      } catch (err) {
        // Not recorded (a full disk: SQLITE_FULL): the file goes too, so no unclaimed copy stays.
        if (!alreadyOnDisk) await this.store.delete(req.packId).catch(() => {})
        throw err
      }
      if (added) this.used += req.size
      return 'durable'
    } catch (err) {
      // A full disk while writing the pack or while recording it (SQLITE_FULL) is an answer,
      // NO_SPACE, not an internal error.
      if (noSpaceError(err) !== undefined) return 'no-space'
      throw err
    } finally {
      await writer?.abort()
      this.receiving--
      this.inFlight.delete(req.packId)
      if (!alreadyOnDisk) this.reserved -= req.size
    }
  }

  has (packIds: string[]): boolean[] {
    return packIds.map(id => isPackId(id) && this.isHeld(id))
  }

  /** A range outside the pack is a RangeError (the get handler answers BAD_RANGE). */
  async read (packId: string, range?: { offset: number, length: number }): Promise<Uint8Array | undefined> {
    if (!this.isHeld(packId)) return undefined
    try {
      return await this.store.get(packId, range)
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw new RangeError(err.message)
      throw err
    }
  }

  /** Removes the signer's claim on a pack (signed, recent); the file goes with the last claim. */
  async remove (req: { packId: string, ownerKey: Uint8Array, timeMs: number, signature: Uint8Array, signed: Uint8Array }): Promise<RemoveResult> {
    if (!this.isHeld(req.packId)) return 'not-found'
    if (!this.hasClaim(req.packId, req.ownerKey)) return 'forbidden'
    if (Math.abs(Date.now() - req.timeMs) > DELETE_CLOCK_WINDOW_MS) return 'forbidden'
    if (!verifySignature(req.ownerKey, req.signed, req.signature)) return 'forbidden'
    this.db.prepare('DELETE FROM claims WHERE pack = ? AND owner = ?').run(req.packId, Buffer.from(req.ownerKey))
    const left = this.db.prepare('SELECT COUNT(*) FROM claims WHERE pack = ?').pluck().get(req.packId) as number
    if (left > 0) return 'deleted'
    await this.drop(req.packId)
    return 'deleted'
  }

  /**
   * Removes a held pack and everything about it (a damaged copy found by scrub, a surplus copy
   * trimmed, a deleted pack). Not a wire operation: only this daemon decides it.
   */
  async drop (packId: string): Promise<void> {
    const size = this.db.prepare('SELECT size FROM held WHERE pack = ?').pluck().get(packId) as number | undefined
    if (size === undefined) return
    await this.store.delete(packId)
    const striped = this.stripeOf(packId)
    this.db.transaction(() => {
      // The last shard of a stripe held here: what this holder knew of the other shards goes too.
      if (striped !== undefined && (this.db.prepare('SELECT COUNT(*) FROM shards WHERE pack = ?').pluck().get(striped.stripe.packId) as number) <= 1) {
        const forget = this.db.prepare('DELETE FROM coholders WHERE pack = ?')
        for (const id of striped.stripe.shardIds) forget.run(id)
      }
      this.db.prepare('DELETE FROM held WHERE pack = ?').run(packId)
      this.db.prepare('DELETE FROM claims WHERE pack = ?').run(packId)
      this.db.prepare('DELETE FROM coholders WHERE pack = ?').run(packId)
      this.db.prepare('DELETE FROM audit_failed WHERE pack = ?').run(packId)
      this.db.prepare('DELETE FROM shards WHERE shard = ?').run(packId)
    })()
    this.used -= size
    this.onDropped?.(packId)
  }

  private hashing = 0

  /** SHA-256(nonce ‖ pack) for an audit by another holder; 'busy' beyond MAX_AUDITS_AT_ONCE. */
  async audit (packId: string, nonce: Uint8Array): Promise<Uint8Array | undefined | 'busy'> {
    if (!isPackId(packId) || !this.isHeld(packId)) return undefined
    if (this.hashing >= MAX_AUDITS_AT_ONCE) return 'busy'
    this.hashing++
    try {
      const bytes = await this.store.get(packId)
      return auditDigest(nonce, bytes)
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined
      throw err
    } finally {
      this.hashing--
    }
  }

  /** Re-reads a held pack and checks it against its ID (scrub). False: the copy is damaged. */
  async verify (packId: string): Promise<boolean> {
    let ok: boolean
    try {
      ok = packIdOf(await this.store.get(packId)) === packId
    } catch (err) {
      if (!(err instanceof ObjectNotFoundError)) throw err
      ok = false
    }
    if (ok) this.db.prepare('UPDATE held SET verified = ? WHERE pack = ?').run(Date.now(), packId)
    return ok
  }

  /** What repair needs to know about a held pack. */
  packInfo (packId: string): HeldPack | undefined {
    const row = this.db.prepare('SELECT size, wanted, received, verified FROM held WHERE pack = ?').get(packId) as { size: number, wanted: number, received: number, verified: number } | undefined
    if (row === undefined) return undefined
    const claims = this.db.prepare('SELECT owner, origin FROM claims WHERE pack = ?').all(packId) as Array<{ owner: Buffer, origin: string }>
    return { packId, size: row.size, wanted: row.wanted, received: row.received, verified: row.verified, claims: claims.map(c => ({ ownerKey: new Uint8Array(c.owner), origin: c.origin })) }
  }

  /** Held packs, least recently verified first (scrub order). */
  packsByVerification (limit: number): string[] {
    return this.db.prepare('SELECT pack FROM held ORDER BY verified, pack LIMIT ?').pluck().all(limit) as string[]
  }

  /** The other holders of a pack this holder knows of, with when each was last confirmed. */
  coholders (packId: string): Array<{ peer: string, confirmed: number }> {
    return this.db.prepare('SELECT peer, confirmed FROM coholders WHERE pack = ?').all(packId) as Array<{ peer: string, confirmed: number }>
  }

  /** Records what a survey learned: `peer` holds (or no longer holds) each of `packIds`. */
  recordCoholders (peer: string, packIds: string[], held: boolean[], at = Date.now()): void {
    const failed = this.db.prepare('SELECT 1 FROM audit_failed WHERE pack = ? AND peer = ?').pluck()
    const upsert = this.db.prepare('INSERT OR REPLACE INTO coholders VALUES (?, ?, ?)')
    const remove = this.db.prepare('DELETE FROM coholders WHERE pack = ? AND peer = ?')
    this.db.transaction(() => {
      for (const [i, id] of packIds.entries()) {
        if (held[i] === true && failed.get(id, peer) === undefined) upsert.run(id, peer, at)
        else remove.run(id, peer)
      }
    })()
  }

  /** Peers whose copy of `packId` failed an audit. */
  auditFailures (packId: string): string[] {
    return this.db.prepare('SELECT peer FROM audit_failed WHERE pack = ?').pluck().all(packId) as string[]
  }

  /** `peer` proved it holds `packId` again (it took the bytes, or passed an audit). */
  clearAuditFailure (packId: string, peer: string): void {
    this.db.prepare('DELETE FROM audit_failed WHERE pack = ? AND peer = ?').run(packId, peer)
  }

  /** Forgets that `peer` holds `packId`; after a failed audit, its later claims to hold it are ignored. */
  forgetCoholder (packId: string, peer: string, failedAudit = false): void {
    this.db.prepare('DELETE FROM coholders WHERE pack = ? AND peer = ?').run(packId, peer)
    if (failedAudit) this.db.prepare('INSERT OR REPLACE INTO audit_failed VALUES (?, ?, ?)').run(packId, peer, Date.now())
  }

  /** Stores an enveloped record if it is valid and newer than what we hold (records.ts). */
  async putRecord (key: string, bytes: Uint8Array): Promise<'stored' | 'rejected'> {
    const incoming = decodeEnvelope(bytes)
    if (incoming === undefined || checkRecord(key, incoming.value) !== undefined) return 'rejected'
    const held = await this.store.getRecord(key)
    const current = held === undefined ? undefined : decodeEnvelope(held)
    if (current !== undefined && !mayReplace(key, current, incoming)) {
      // The same record again is fine; an older or conflicting one is not.
      return Buffer.from(held!).equals(Buffer.from(bytes)) ? 'stored' : 'rejected'
    }
    await this.store.putRecord(key, bytes)
    return 'stored'
  }

  async getRecord (key: string): Promise<Uint8Array | undefined> {
    return await this.store.getRecord(key)
  }

  /** Bytes held per owner's daemon (the claim's origin, else its sender); a pack claimed by several counts for each. */
  bytesBySender (): Map<string, number> {
    const rows = this.db.prepare("SELECT CASE WHEN c.origin <> '' THEN c.origin ELSE c.sender END AS peer, SUM(h.size) AS bytes FROM claims c JOIN held h ON h.pack = c.pack GROUP BY 1").all() as Array<{ peer: string, bytes: number }>
    return new Map(rows.map(r => [r.peer, r.bytes]))
  }

  /** The stripe a held shard belongs to, and its index there; undefined for a whole pack. */
  stripeOf (shardId: string): { stripe: StripeDescriptor, index: number } | undefined {
    const row = this.db.prepare('SELECT idx, stripe FROM shards WHERE shard = ?').get(shardId) as { idx: number, stripe: Buffer } | undefined
    return row === undefined ? undefined : { stripe: decodeStripe(row.stripe), index: row.idx }
  }

  /** Every stripe of which this holder keeps shards: which ones, and when the newest arrived. */
  heldStripes (): Array<{ stripe: StripeDescriptor, indexes: number[], received: number }> {
    const rows = this.db.prepare('SELECT s.pack, s.idx, s.stripe, h.received FROM shards s JOIN held h ON h.pack = s.shard ORDER BY s.pack, s.idx').all() as Array<{ pack: string, idx: number, stripe: Buffer, received: number }>
    // By stripe, not by pack ID: shards of one pack under two stripes (the owner changed k or m)
    // are two stripes.
    const out = new Map<string, { stripe: StripeDescriptor, indexes: number[], received: number }>()
    for (const r of rows) {
      const key = r.stripe.toString('base64')
      const e = out.get(key)
      if (e === undefined) out.set(key, { stripe: decodeStripe(r.stripe), indexes: [r.idx], received: r.received })
      else { e.indexes.push(r.idx); e.received = Math.max(e.received, r.received) }
    }
    return [...out.values()]
  }

  /** For each pack ID, the shards of it held here (the `stripe` protocol); `index` is the position in `packIds`. */
  stripes (packIds: string[]): Array<{ index: number, shardIndexes: number[], stripe: StripeDescriptor }> {
    const q = this.db.prepare('SELECT idx, stripe FROM shards WHERE pack = ? ORDER BY idx')
    const out: Array<{ index: number, shardIndexes: number[], stripe: StripeDescriptor }> = []
    for (const [index, packId] of packIds.entries()) {
      const all = q.all(packId) as Array<{ idx: number, stripe: Buffer }>
      if (all.length === 0) continue
      const rows = all.filter(r => r.stripe.equals(all[0]!.stripe)) // one stripe per answer
      out.push({ index, shardIndexes: rows.map(r => r.idx), stripe: decodeStripe(rows[0]!.stripe) })
    }
    return out
  }

  /** Every held pack ID (for announcing them in the DHT). */
  heldPacks (): string[] {
    return this.db.prepare('SELECT pack FROM held').pluck().all() as string[]
  }

  async close (): Promise<void> {
    this.db.close()
    await this.store.close()
  }
}

function statfsFree (dir: string): number {
  const s = statfsSync(dir)
  return Number(s.bavail) * Number(s.bsize)
}

/** How long a sender told READY keeps its place before it sends its first byte. */
const ADMITTED_TTL_MS = 60_000

function senderOf (req: PackRequest): string {
  return `${req.from}\0${Buffer.from(req.ownerKey).toString('hex')}`
}
