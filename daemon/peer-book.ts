// The peer book (DESIGN.md §7): every swarm member this daemon has met, persisted, with when it was
// last seen and what it last announced (free space, quota, domain). A peer is online while
// connected, absent when it was seen less than `goneAfter` ago, gone after that. Laptops sleep: an
// absent peer is normal and triggers nothing. A short-lived peer (a fresh-machine restore, which
// announces `ephemeral` in its info) is kept only while connected: it is never listed, and it is
// forgotten when it disconnects, so it never shows as absent or gone. `forget` removes a peer for
// good (`p2pbak peers forget`).
import Database from 'better-sqlite3'
import type { Database as Db } from 'better-sqlite3'

export type Liveness = 'online' | 'absent' | 'gone'

export interface PeerRecord {
  peerId: string
  /** Last addresses it was reached on. */
  addrs: string[]
  /** ms since the epoch; first and last time it was connected. */
  firstSeen: number
  lastSeen: number
  /** Last announced info (undefined until it answered once). */
  free: number | undefined
  quota: number | undefined
  used: number | undefined
  domain: string | undefined
  infoAt: number | undefined
  auditFailures: number
  auditPasses: number
  /** A planned absence it announced: away until then (ms since the epoch); undefined when none. */
  awayUntil: number | undefined
  /** It announced that it leaves the swarm (`p2pbak leave`): gone as soon as it disconnects. */
  leaving: boolean
  /** It announced that it is short-lived (a fresh-machine restore): not listed, forgotten when it disconnects. */
  ephemeral: boolean
}

export interface PeerEntry extends PeerRecord {
  liveness: Liveness
}

export interface PeerBookOptions {
  /** SQLite file. */
  path: string
  /** After this long without a connection a peer is gone (ms). */
  goneAfter: number
  now?: () => number
}

/** Failed audits after which a peer is not trusted with copies any more. */
export const UNTRUSTED_AFTER = 3

/** The longest planned absence honoured: a longer announcement counts up to this (a forgotten laptop must not block repair forever). */
export const MAX_PLANNED_ABSENCE_MS = 60 * 24 * 60 * 60 * 1000

/** lastSeen of a connected peer is written at most this often. */
const TOUCH_EVERY_MS = 10_000

export class PeerBook {
  private readonly db: Db
  private readonly now: () => number
  private readonly online = new Set<string>()
  private readonly touched = new Map<string, number>()
  private readonly knownAddrs = new Map<string, string>()

  constructor (private readonly options: PeerBookOptions) {
    this.now = options.now ?? Date.now
    this.db = new Database(options.path)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(`CREATE TABLE IF NOT EXISTS peers (
      peer TEXT PRIMARY KEY, addrs TEXT NOT NULL DEFAULT '[]', first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
      free INTEGER, quota INTEGER, used INTEGER, domain TEXT, info_at INTEGER) WITHOUT ROWID`)
    const cols = (this.db.prepare('PRAGMA table_info(peers)').all() as Array<{ name: string }>).map(c => c.name)
    if (!cols.includes('audit_failures')) this.db.exec('ALTER TABLE peers ADD COLUMN audit_failures INTEGER NOT NULL DEFAULT 0')
    if (!cols.includes('audit_passes')) this.db.exec('ALTER TABLE peers ADD COLUMN audit_passes INTEGER NOT NULL DEFAULT 0')
    if (!cols.includes('away_until')) this.db.exec('ALTER TABLE peers ADD COLUMN away_until INTEGER NOT NULL DEFAULT 0')
    if (!cols.includes('leaving')) this.db.exec('ALTER TABLE peers ADD COLUMN leaving INTEGER NOT NULL DEFAULT 0')
    if (!cols.includes('ephemeral')) this.db.exec('ALTER TABLE peers ADD COLUMN ephemeral INTEGER NOT NULL DEFAULT 0')
    // Nothing is connected yet: a short-lived peer left over from a crash is forgotten now.
    this.db.exec('DELETE FROM peers WHERE ephemeral = 1')
  }

  /** A connection to `peerId` opened (or is still open). */
  connected (peerId: string, addrs: string[] = []): void {
    this.online.add(peerId)
    const t = this.now()
    const last = this.touched.get(peerId)
    const addrsJson = JSON.stringify(addrs)
    const newAddrs = addrs.length > 0 && this.knownAddrs.get(peerId) !== addrsJson
    if (last !== undefined && t - last < TOUCH_EVERY_MS && !newAddrs) return
    this.touched.set(peerId, t)
    if (addrs.length > 0) this.knownAddrs.set(peerId, addrsJson)
    this.db.prepare(`INSERT INTO peers (peer, addrs, first_seen, last_seen) VALUES (?, ?, ?, ?)
      ON CONFLICT (peer) DO UPDATE SET last_seen = excluded.last_seen,
        addrs = CASE WHEN excluded.addrs = '[]' THEN addrs ELSE excluded.addrs END`)
      .run(peerId, addrsJson, t, t)
  }

  /** The last connection to `peerId` closed. */
  disconnected (peerId: string): void {
    if (!this.online.delete(peerId)) return
    this.touched.delete(peerId)
    this.db.prepare('UPDATE peers SET last_seen = ? WHERE peer = ?').run(this.now(), peerId)
    this.db.prepare('DELETE FROM peers WHERE peer = ? AND ephemeral = 1').run(peerId)
  }

  /** Removes a peer from the book (`p2pbak peers forget`); true when it was there. It comes back if it connects again. */
  forget (peerId: string): boolean {
    this.online.delete(peerId)
    this.touched.delete(peerId)
    this.knownAddrs.delete(peerId)
    return this.db.prepare('DELETE FROM peers WHERE peer = ?').run(peerId).changes > 0
  }

  /** What the peer announced over /p2pbak/info. */
  info (peerId: string, info: { free: number, quota: number, used: number, domain: string, awayUntil?: number, leaving?: boolean, ephemeral?: boolean }): void {
    this.db.prepare('UPDATE peers SET free = ?, quota = ?, used = ?, domain = ?, info_at = ?, away_until = ?, leaving = ?, ephemeral = ? WHERE peer = ?')
      .run(info.free, info.quota, info.used, info.domain, this.now(), info.awayUntil ?? 0, info.leaving === true ? 1 : 0, info.ephemeral === true ? 1 : 0, peerId)
    // It may have gone between the question and the answer.
    if (info.ephemeral === true && !this.online.has(peerId)) this.db.prepare('DELETE FROM peers WHERE peer = ?').run(peerId)
  }

  /** The outcome of an audit of one of `peerId`'s copies. */
  auditResult (peerId: string, passed: boolean): void {
    const now = this.now()
    this.db.prepare(`INSERT INTO peers (peer, first_seen, last_seen) VALUES (?, ?, ?) ON CONFLICT (peer) DO NOTHING`).run(peerId, now, 0)
    this.db.prepare(`UPDATE peers SET ${passed ? 'audit_passes = audit_passes + 1' : 'audit_failures = audit_failures + 1'} WHERE peer = ?`).run(peerId)
  }

  /** A peer that failed UNTRUSTED_AFTER audits: its copies do not count and placement avoids it. */
  untrusted (peerId: string): boolean {
    const n = this.db.prepare('SELECT audit_failures FROM peers WHERE peer = ?').pluck().get(peerId) as number | undefined
    return (n ?? 0) >= UNTRUSTED_AFTER
  }

  /**
   * Online while connected. Otherwise absent for goneAfter after it was last seen, or until the
   * end of a planned absence it announced (at most MAX_PLANNED_ABSENCE_MS after it was last seen);
   * gone after that, and at once when it announced that it leaves the swarm.
   */
  liveness (peerId: string): Liveness {
    if (this.online.has(peerId)) return 'online'
    const row = this.db.prepare('SELECT last_seen, away_until, leaving FROM peers WHERE peer = ?').get(peerId) as { last_seen: number, away_until: number, leaving: number } | undefined
    if (row === undefined) return 'gone' // never met: nothing says it will come back
    if (row.leaving !== 0) return 'gone'
    const now = this.now()
    if (now - row.last_seen < this.options.goneAfter) return 'absent'
    return now < Math.min(row.away_until, row.last_seen + MAX_PLANNED_ABSENCE_MS) ? 'absent' : 'gone'
  }

  get (peerId: string): PeerEntry | undefined {
    const row = this.db.prepare('SELECT * FROM peers WHERE peer = ?').get(peerId) as Row | undefined
    return row === undefined ? undefined : this.entry(row)
  }

  /** Every peer met, short-lived ones (ephemeral) left out. */
  list (): PeerEntry[] {
    return (this.db.prepare('SELECT * FROM peers WHERE ephemeral = 0 ORDER BY peer').all() as Row[]).map(r => this.entry(r))
  }

  private entry (r: Row): PeerEntry {
    const rec: PeerRecord = {
      peerId: r.peer,
      addrs: JSON.parse(r.addrs) as string[],
      firstSeen: r.first_seen,
      lastSeen: this.online.has(r.peer) ? this.now() : r.last_seen,
      free: r.free ?? undefined,
      quota: r.quota ?? undefined,
      used: r.used ?? undefined,
      domain: r.domain ?? undefined,
      infoAt: r.info_at ?? undefined,
      auditFailures: r.audit_failures,
      auditPasses: r.audit_passes,
      awayUntil: r.away_until > this.now() ? r.away_until : undefined,
      leaving: r.leaving !== 0,
      ephemeral: r.ephemeral !== 0
    }
    return { ...rec, liveness: this.liveness(r.peer) }
  }

  close (): void {
    const t = this.now()
    for (const p of this.online) this.db.prepare('UPDATE peers SET last_seen = ? WHERE peer = ?').run(t, p)
    this.db.close()
  }
}

interface Row {
  peer: string
  addrs: string
  first_seen: number
  last_seen: number
  free: number | null
  quota: number | null
  used: number | null
  domain: string | null
  info_at: number | null
  audit_failures: number
  audit_passes: number
  away_until: number
  leaving: number
  ephemeral: number
}
