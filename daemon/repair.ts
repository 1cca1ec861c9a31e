// Repair, audits and scrub, done by the holders (DESIGN.md §7, docs/repair.md). Needs no key and
// works with the owner offline: everything here is about packs as opaque, hash-named files.
//
// Every check round a holder
//   1. surveys: asks each online peer which of the packs it holds that peer holds too (has), and
//      records the answers as co-holders (a peer that answers "no" is forgotten for that pack);
//   2. for each held pack counts the copies that are alive: itself plus co-holders that are not
//      gone (absent laptops come back) and not untrusted. With fewer than the owner wanted, the
//      coordinator (the online live holder XOR-closest to the pack) copies it to the next eligible
//      peers in the placement ranking, once per missing copy. With more than wanted for longer
//      than trimAfter, the live holder farthest from the pack drops its copy;
// audits challenge co-holders (SHA-256(nonce ‖ pack)); scrub re-hashes what this holder stores.
import { randomBytes } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { packIdOf } from '../protocol/ids.js'
import type { OperatorLog } from './log.js'
import type { PeerBook } from './peer-book.js'
import { auditDigest } from './swarm/holder.js'
import type { Holder } from './swarm/holder.js'
import { choosePlacement, rankPeers } from './swarm/placement.js'
import type { Candidate } from './swarm/placement.js'
import type { SwarmTransport } from './swarm/swarm-store.js'

const debug = logger('p2pbak:repair')

/** The longest a fresh copy waits before its holder judges it (see checkAll). */
export const SETTLE_MAX_MS = 10 * 60_000
/** Scrub credit never accumulates beyond this (or one second's rate, if larger). */
const SCRUB_CREDIT_MAX = 64 * 1024 * 1024

export interface RepairOptions {
  /** Copies wanted when the owner did not say (redundancy.replicas). */
  defaultReplicas: number
  /** repair.gone_after. */
  goneAfter: number
  /** repair.urgent_grace: a pack down to this holder alone counts its absent co-holders gone after this. */
  urgentGrace: number
  /** repair.trim_after: surplus copies are trimmed only after being surplus this long. */
  trimAfter: number
  /** A deficit the nearest holder leaves unrepaired this long passes to the next (default 3 min; the daemon uses 3 check intervals). */
  escalateAfter?: number
  /** Packs audited per round (each against every online co-holder). Default 4. */
  auditsPerRound?: number
  now?: () => number
}

export interface RepairComponents {
  holder: Holder
  transport: SwarmTransport
  peerBook: PeerBook
  log: OperatorLog
}

export interface RepairStats {
  /** Copies made by this holder as coordinator. */
  copiesMade: number
  /** Bytes sent for them. */
  bytesSent: number
  /** Own copies dropped as surplus. */
  trimmed: number
  auditsPassed: number
  auditsFailed: number
  /** Packs re-hashed by scrub, and own copies found damaged (by scrub, or while auditing or repairing with them). */
  scrubbed: number
  damaged: number
  /** Damaged copies replaced by a good one from a co-holder. */
  healed: number
  /** ms since the epoch of the last finished check round. */
  lastCheck: number | undefined
  /** Packs held whose live copies are fewer than wanted, at the last check. */
  deficient: number
}

export class Repairer {
  readonly stats: RepairStats = { copiesMade: 0, bytesSent: 0, trimmed: 0, auditsPassed: 0, auditsFailed: 0, scrubbed: 0, damaged: 0, healed: 0, lastCheck: undefined, deficient: 0 }
  private readonly surplusSince = new Map<string, number>()
  private readonly deficitSince = new Map<string, number>()
  private readonly escalateMs: number
  private readonly now: () => number
  private running = false

  /** A copy is judged only once held this long: min(goneAfter, SETTLE_MAX_MS). */
  private readonly settleMs: number

  constructor (private readonly c: RepairComponents, private readonly o: RepairOptions) {
    this.now = o.now ?? Date.now
    this.settleMs = Math.min(o.goneAfter, SETTLE_MAX_MS)
    this.escalateMs = o.escalateAfter ?? 3 * 60_000
  }

  private get self (): string { return this.c.transport.self }

  /** Asks each online peer which of our packs it holds. */
  async survey (signal?: AbortSignal): Promise<void> {
    const held = this.c.holder.heldPacks()
    if (held.length === 0) return
    const peers = this.c.transport.onlinePeers().filter(p => p !== this.self)
    await Promise.all(peers.map(async (peer) => {
      try {
        const answers = await this.c.transport.hasPacks(peer, held, { signal: signal ?? AbortSignal.timeout(30_000) })
        this.c.holder.recordCoholders(peer, held, answers, this.now())
      } catch (err) {
        debug('survey of %s failed: %s', peer, (err as Error).message)
      }
    }))
  }

  private async resurvey (packId: string, signal?: AbortSignal): Promise<void> {
    const peers = this.c.transport.onlinePeers().filter(p => p !== this.self)
    await Promise.all(peers.map(async (peer) => {
      try {
        const [held] = await this.c.transport.hasPacks(peer, [packId], { signal: signal ?? AbortSignal.timeout(10_000) })
        this.c.holder.recordCoholders(peer, [packId], [held === true], this.now())
      } catch {}
    }))
  }

  private liveness (peer: string, urgent: boolean): 'online' | 'absent' | 'gone' {
    const l = this.c.peerBook.liveness(peer)
    if (l !== 'absent' || !urgent) return l
    const seen = this.c.peerBook.get(peer)?.lastSeen ?? 0
    return this.now() - seen >= this.o.urgentGrace ? 'gone' : 'absent'
  }

  /** One check round: survey, then every held pack repaired or trimmed as needed. Not re-entrant. */
  async checkAll (signal?: AbortSignal): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      const surveyed = this.now()
      await this.survey(signal)
      let deficient = 0
      // The packs with fewest live copies first: the most at risk are repaired first.
      const plans = this.c.holder.heldPacks().map(id => ({ id, plan: this.evaluate(id) })).filter(p => p.plan !== undefined)
      plans.sort((a, b) => a.plan!.alive.length - b.plan!.alive.length)
      for (const { id, plan } of plans) {
        signal?.throwIfAborted()
        if (plan!.alive.length < plan!.wanted) deficient++
        // A young copy is not acted on yet: the owner may still be sending the pack to the other
        // holders (they answer "no" until it is durable there), and a fresh repair copy's holder
        // does not know the others before its next survey.
        if (plan!.received >= surveyed || this.now() - plan!.received < this.settleMs) continue
        await this.act(id, plan!, signal)
      }
      this.stats.deficient = deficient
      this.stats.lastCheck = this.now()
    } finally {
      this.running = false
    }
  }

  private evaluate (packId: string): { wanted: number, alive: string[], online: string[], known: string[], received: number } | undefined {
    const info = this.c.holder.packInfo(packId)
    if (info === undefined) return undefined
    const wanted = info.wanted > 0 ? info.wanted : this.o.defaultReplicas
    const co = this.c.holder.coholders(packId).map(c => c.peer).filter(p => p !== this.self && !this.c.peerBook.untrusted(p))
    const aliveNormally = co.filter(p => this.liveness(p, false) !== 'gone')
    // Down to this copy alone: absent co-holders count as gone after the (shorter) urgent grace.
    const urgent = aliveNormally.filter(p => this.liveness(p, false) === 'online').length === 0
    const alive = [this.self, ...co.filter(p => this.liveness(p, urgent) !== 'gone')]
    const online = [this.self, ...co.filter(p => this.liveness(p, false) === 'online')]
    return { wanted, alive, online, known: co, received: info.received }
  }

  private async act (packId: string, plan: { wanted: number, alive: string[], online: string[], known: string[] }, signal?: AbortSignal): Promise<void> {
    const ranked = rankPeers(packId, plan.online.map(peerId => ({ peerId })))
    if (plan.alive.length < plan.wanted) {
      this.surplusSince.delete(packId)
      // One coordinator acts: the online live holder nearest the pack. Views can differ (only
      // this holder may know that a co-holder failed an audit), so a deficit that persists hands
      // the job down the ranking: the k-th nearest acts after k × escalateAfter.
      const since = this.deficitSince.get(packId) ?? this.now()
      this.deficitSince.set(packId, since)
      const rank = ranked.findIndex(r => r.peerId === this.self)
      if (rank < 0 || this.now() - since < rank * this.escalateMs) return
      // Views can lag (a survey that timed out, a copy made a moment ago): ask every online peer
      // about this one pack, then decide again on fresh answers.
      await this.resurvey(packId, signal)
      const fresh = this.evaluate(packId)
      if (fresh === undefined || fresh.alive.length >= fresh.wanted) { this.deficitSince.delete(packId); return }
      const freshRank = rankPeers(packId, fresh.online.map(peerId => ({ peerId }))).findIndex(r => r.peerId === this.self)
      if (freshRank < 0 || this.now() - since < freshRank * this.escalateMs) return
      await this.repair(packId, fresh.wanted - fresh.alive.length, fresh, signal)
      return
    }
    // Surplus (a holder came back after its copy was replaced): trimmed only when every live
    // holder is online and it stayed surplus for trimAfter.
    if (plan.online.length > plan.wanted && plan.online.length === plan.alive.length) {
      const since = this.surplusSince.get(packId) ?? this.now()
      this.surplusSince.set(packId, since)
      if (this.now() - since < this.o.trimAfter) return
      // The farthest holder drops its copy; the others keep theirs.
      if (ranked.at(-1)?.peerId !== this.self) return
      this.c.log.info('dropping a surplus copy', { pack: packId, copies: plan.online.length, wanted: plan.wanted })
      await this.c.holder.drop(packId)
      this.surplusSince.delete(packId)
      this.stats.trimmed++
      return
    }
    this.surplusSince.delete(packId)
    this.deficitSince.delete(packId)
  }

  private async candidates (signal?: AbortSignal): Promise<Candidate[]> {
    const out: Candidate[] = []
    for (const peer of this.c.transport.onlinePeers()) {
      if (peer === this.self || this.c.peerBook.untrusted(peer)) continue
      try {
        const i = await this.c.transport.info(peer, { signal: signal ?? AbortSignal.timeout(5000) })
        out.push({ peerId: peer, online: true, free: i.free, domain: i.domain })
      } catch {}
    }
    return out
  }

  private async repair (packId: string, missing: number, plan: { alive: string[], known: string[], wanted: number }, signal?: AbortSignal): Promise<void> {
    const info = this.c.holder.packInfo(packId)
    const bytes = await this.c.holder.read(packId)
    if (info === undefined || bytes === undefined) return
    // Never spread a damaged copy: check it first (scrub would find it too, later).
    if (packIdOf(bytes) !== packId) {
      await this.heal(packId, 'repair')
      return
    }
    const claim = info.claims[0]
    if (claim === undefined) return
    // Not the holders we know of, not the owner's machine, and not a peer whose copy of this pack
    // failed an audit (it would answer "already held" and be believed again).
    const exclude = new Set<string>([...plan.known, ...info.claims.map(c => c.origin).filter(o => o !== ''), ...this.c.holder.auditFailures(packId)])
    const domains = new Set<string>()
    for (const p of plan.alive) {
      const d = p === this.self ? undefined : this.c.peerBook.get(p)?.domain
      if (d !== undefined && d !== '') domains.add(d)
    }
    const ownDomain = this.c.holder.info().domain
    if (ownDomain !== '') domains.add(ownDomain)
    const placement = choosePlacement(packId, bytes.byteLength, await this.candidates(signal), { replicas: missing, owner: claim.origin, exclude, usedDomains: domains })
    for (const peer of placement.holders) {
      signal?.throwIfAborted()
      try {
        const status = await this.c.transport.putPack(peer, packId, bytes, claim.ownerKey, { signal: signal ?? AbortSignal.timeout(120_000), replicas: plan.wanted, origin: claim.origin })
        if (status === 'already-held') { this.c.holder.recordCoholders(peer, [packId], [true], this.now()); continue }
        if (status !== 'durable') { debug('repair copy of %s to %s: %s', packId, peer, status); continue }
        // It took the bytes and checked them against the pack ID: it counts again, even if an
        // older copy of it once failed an audit.
        this.c.holder.clearAuditFailure(packId, peer)
        this.c.holder.recordCoholders(peer, [packId], [true], this.now())
        this.stats.copiesMade++
        this.stats.bytesSent += bytes.byteLength
        this.c.log.info('repaired a missing copy', { pack: packId, to: peer, copies: plan.alive.length + 1, wanted: plan.wanted })
      } catch (err) {
        debug('repair copy of %s to %s failed: %s', packId, peer, (err as Error).message)
      }
    }
    if (placement.holders.length < missing) debug('pack %s: %d of %d missing copies could be placed', packId, placement.holders.length, missing)
  }

  /**
   * Audits: up to auditsPerRound held packs (least recently audited by chance: a random sample),
   * each against every online co-holder with a fresh nonce. A wrong or missing answer forgets
   * that co-holder for the pack (so repair replaces the copy) and counts against the peer.
   */
  async auditRound (signal?: AbortSignal): Promise<void> {
    const audit = this.c.transport.auditPack
    if (audit === undefined) return
    const held = this.c.holder.heldPacks()
    const sample = pickRandom(held, this.o.auditsPerRound ?? 4)
    const online = new Set(this.c.transport.onlinePeers())
    for (const packId of sample) {
      const peers = this.c.holder.coholders(packId).map(c => c.peer).filter(p => online.has(p))
      if (peers.length === 0) continue
      const mine = await this.c.holder.read(packId)
      if (mine === undefined) continue
      if (packIdOf(mine) !== packId) { await this.heal(packId, 'audit'); continue } // our own copy is the bad one
      for (const peer of peers) {
        signal?.throwIfAborted()
        const nonce = randomBytes(32)
        const expected = Buffer.from(auditDigest(nonce, mine))
        let reply: { status: string, digest: Uint8Array }
        try {
          reply = await audit(peer, packId, nonce, { signal: signal ?? AbortSignal.timeout(30_000) })
        } catch (err) {
          debug('audit of %s at %s: %s', packId, peer, (err as Error).message)
          continue // unreachable or slow: liveness decides, not the audit
        }
        if (reply.status === 'busy') continue
        const passed = reply.status === 'ok' && expected.equals(Buffer.from(reply.digest))
        this.c.peerBook.auditResult(peer, passed)
        if (passed) { this.stats.auditsPassed++; continue }
        this.stats.auditsFailed++
        this.c.holder.forgetCoholder(packId, peer, true)
        this.c.log.warn('a holder failed an audit: its copy no longer counts', { pack: packId, peer, answer: reply.status })
      }
    }
  }

  private scrubCredit = 0

  /**
   * Scrub: called once a second with the rate (bytes/s); re-hashes held packs, least recently
   * verified first, as far as the accumulated credit goes (so a 16 MiB pack at 1 MiB/s is
   * verified every 16 calls, not at every call).
   */
  async scrubStep (rate: number): Promise<void> {
    this.scrubCredit = Math.min(this.scrubCredit + rate, Math.max(rate, SCRUB_CREDIT_MAX))
    for (const packId of this.c.holder.packsByVerification(64)) {
      const info = this.c.holder.packInfo(packId)
      if (info === undefined) continue
      if (this.scrubCredit < info.size) break
      this.scrubCredit -= info.size
      this.stats.scrubbed++
      if (await this.c.holder.verify(packId)) continue
      await this.heal(packId, 'scrub')
    }
  }

  /**
   * A damaged local copy: fetch a good one from a co-holder (verified against the pack ID) and
   * put it in place of ours; if none can be had, drop ours so that it no longer counts and the
   * coordinator replaces it.
   */
  private async heal (packId: string, foundBy: 'scrub' | 'audit' | 'repair'): Promise<void> {
    const info = this.c.holder.packInfo(packId)
    if (info === undefined) return
    this.stats.damaged++
    this.c.log.warn('found a damaged copy of a held pack', { pack: packId, foundBy })
    const online = new Set(this.c.transport.onlinePeers())
    const sources = this.c.holder.coholders(packId).map(c => c.peer).filter(p => online.has(p))
    await this.c.holder.drop(packId)
    for (const peer of sources) {
      try {
        const good = await this.c.transport.getPack(peer, packId, { signal: AbortSignal.timeout(60_000) })
        if (good === undefined || packIdOf(good) !== packId) continue
        const claim = info.claims[0]
        if (claim === undefined) return
        const r = await this.c.holder.receive({ packId, size: good.byteLength, ownerKey: claim.ownerKey, from: peer, replicas: info.wanted, origin: claim.origin }, single(good))
        if (r === 'durable') {
          this.c.holder.recordCoholders(peer, [packId], [true], this.now())
          for (const other of sources) if (other !== peer) this.c.holder.recordCoholders(other, [packId], [true], this.now())
          this.stats.healed++
          this.c.log.info('replaced a damaged copy with a good one', { pack: packId, from: peer })
          return
        }
      } catch (err) {
        debug('heal of %s from %s failed: %s', packId, peer, (err as Error).message)
      }
    }
  }
}

async function * single (bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes
}

function pickRandom<T> (items: T[], n: number): T[] {
  const a = [...items]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
  return a.slice(0, n)
}
