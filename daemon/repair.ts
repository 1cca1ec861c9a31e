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
import type { StripeDescriptor } from '../protocol/index.js'
import { isShardOf, rebuildShards } from './erasure.js'
import { matchShards } from './health.js'
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
/** How long a coordinator keeps asking a peer that answered BUSY (another coordinator's transfer of the pack, or full receive slots). */
export const BUSY_WAIT_MS = 60_000
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
  /** Shards fetched from other holders to rebuild missing shards (erasure mode). */
  bytesFetched: number
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
  readonly stats: RepairStats = { copiesMade: 0, bytesSent: 0, bytesFetched: 0, trimmed: 0, auditsPassed: 0, auditsFailed: 0, scrubbed: 0, damaged: 0, healed: 0, lastCheck: undefined, deficient: 0 }
  private readonly surplusSince = new Map<string, number>()
  private readonly deficitSince = new Map<string, number>()
  /** Per pack in deficit: the holders the last fresh survey proved (the electorate), to restart escalation when it changes. */
  private readonly deficitView = new Map<string, string>()
  /** When this holder last saw each peer (itself included: a gap between its rounds) not online. */
  private readonly seenAway = new Map<string, number>()
  /** Start of the current and of the previous check round. */
  private roundStart = 0
  private previousRoundStart: number | undefined
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
    const own = this.c.holder.heldPacks()
    const mine = new Set(own)
    // Erasure mode: the other shards of each stripe we keep a shard of are asked about too.
    const others = this.c.holder.heldStripes().flatMap(s => s.stripe.shardIds.filter(id => !mine.has(id)))
    const held = [...new Set([...own, ...others])]
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

  /**
   * Asks every online peer about one pack; returns the peers this survey proved to hold it
   * (answered yes, not distrusted, no failed audit of it on record).
   */
  private async resurvey (packId: string, signal?: AbortSignal): Promise<string[]> {
    const peers = this.c.transport.onlinePeers().filter(p => p !== this.self)
    const yes: string[] = []
    await Promise.all(peers.map(async (peer) => {
      try {
        const [held] = await this.c.transport.hasPacks(peer, [packId], { signal: signal ?? AbortSignal.timeout(10_000) })
        this.c.holder.recordCoholders(peer, [packId], [held === true], this.now())
        if (held === true) yes.push(peer)
      } catch {}
    }))
    const failed = new Set(this.c.holder.auditFailures(packId))
    return yes.filter(p => !failed.has(p) && !this.c.peerBook.untrusted(p))
  }

  private liveness (peer: string, urgent: boolean): 'online' | 'absent' | 'gone' {
    const l = this.c.peerBook.liveness(peer)
    if (l !== 'absent' || !urgent) return l
    const seen = this.c.peerBook.get(peer)?.lastSeen ?? 0
    return this.now() - seen >= this.o.urgentGrace ? 'gone' : 'absent'
  }

  /** One check round: survey, then every held pack repaired or trimmed as needed. Not re-entrant. */
  async checkAll (signal?: AbortSignal): Promise<void> {
    if (this.running || this.draining) return
    this.running = true
    try {
      const surveyed = this.now()
      // A gap between rounds much longer than usual: this machine was asleep or stopped, so it
      // counts as having been away itself (no prompt trimming of what others made meanwhile).
      if (this.previousRoundStart !== undefined && surveyed - this.previousRoundStart > this.escalateMs) this.seenAway.set(this.self, surveyed)
      this.previousRoundStart = surveyed
      this.roundStart = surveyed
      await this.survey(signal)
      let deficient = 0
      // The packs with fewest live copies first: the most at risk are repaired first.
      const plans = this.c.holder.heldPacks().map(id => ({ id, plan: this.evaluate(id) })).filter(p => p.plan !== undefined)
      plans.sort((a, b) => a.plan!.alive.length - b.plan!.alive.length)
      for (const { id, plan } of plans) {
        signal?.throwIfAborted()
        if (this.draining) return
        if (plan!.alive.length < plan!.wanted) deficient++
        // A young copy is not acted on yet: the owner may still be sending the pack to the other
        // holders (they answer "no" until it is durable there), and a fresh repair copy's holder
        // does not know the others before its next survey.
        if (plan!.received >= surveyed || this.now() - plan!.received < this.settleMs) continue
        // One pack that cannot be handled (a file gone behind the daemon's back) must not stop
        // the round: every other pack is still checked, and the round still counts.
        try {
          await this.act(id, plan!, signal)
        } catch (err) {
          if (signal?.aborted === true) throw err
          this.c.log.warn('repair check of a pack failed', { pack: id, error: (err as Error).message })
        }
      }
      // Erasure mode: stripes with shards missing, the fewest live shards first.
      const stripes = this.c.holder.heldStripes().map(h => ({ h, plan: this.evaluateStripe(h.stripe, h.indexes, h.received) }))
      stripes.sort((a, b) => (a.plan.holders.length - a.plan.missing.length) - (b.plan.holders.length - b.plan.missing.length))
      for (const { h, plan } of stripes) {
        signal?.throwIfAborted()
        if (plan.missing.length > 0) deficient++
        if (h.received >= surveyed || this.now() - h.received < this.settleMs) continue
        try {
          await this.actStripe(h.stripe, h.indexes, h.received, plan, signal)
        } catch (err) {
          if (signal?.aborted === true) throw err
          this.c.log.warn('repair check of a stripe failed', { pack: h.stripe.packId, error: (err as Error).message })
        }
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
    for (const p of co) if (this.liveness(p, false) !== 'online') this.seenAway.set(p, this.now())
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
      const proven = await this.resurvey(packId, signal)
      const fresh = this.evaluate(packId)
      if (fresh === undefined || fresh.alive.length >= fresh.wanted) { this.deficitSince.delete(packId); this.deficitView.delete(packId); return }
      // The election is held on this survey alone: the electorate is this holder and the online
      // peers that proved to hold the pack just now, not whatever each holder remembers. Two
      // holders that run their rounds at the same moment ask the same peers, see the same
      // electorate, and agree on the nearest. When the electorate changes (a copy was made, a
      // holder left), the escalation clock starts again, so a lower-ranked holder never acts
      // while a nearer one is making progress.
      const electorate = [this.self, ...proven]
      const view = [...electorate].sort().join(',')
      const before = this.deficitView.get(packId)
      this.deficitView.set(packId, view)
      let start = since
      if (before !== undefined && before !== view) { start = this.now(); this.deficitSince.set(packId, start) }
      const freshRank = rankPeers(packId, electorate.map(peerId => ({ peerId }))).findIndex(r => r.peerId === this.self)
      if (freshRank < 0 || this.now() - start < freshRank * this.escalateMs) return
      await this.repair(packId, signal)
      return
    }
    // Surplus (a holder came back after its copy was replaced): trimmed only when every live
    // holder is online and it stayed surplus for trimAfter.
    if (plan.online.length > plan.wanted && plan.online.length === plan.alive.length) {
      const since = this.surplusSince.get(packId) ?? this.now()
      this.surplusSince.set(packId, since)
      // A surplus made by a race (two coordinators copying at once) is trimmed at once: it was
      // seen in an earlier round already, and no holder of the pack (this one included) was away
      // within trimAfter, so no laptop just came back. Otherwise it waits trimAfter.
      const raced = since < this.roundStart && plan.alive.every(p => this.now() - (this.seenAway.get(p) ?? -Infinity) >= this.o.trimAfter)
      if (!raced && this.now() - since < this.o.trimAfter) return
      // The farthest holder drops its copy; the others keep theirs. For a shard, a holder that
      // keeps other shards of the same stripe drops first (its copy is the one that adds nothing).
      const striped = this.c.holder.stripeOf(packId)
      const shardsHeldBy = (p: string): number => striped === undefined ? 0 : striped.stripe.shardIds.filter(id => p === this.self ? this.c.holder.isHeld(id) : this.c.holder.coholders(id).some(c => c.peer === p)).length
      // For a whole pack the farthest holder drops: a rule on the shared ranking alone, so every
      // holder picks the same one. (A rule on failure domains would depend on what each holder's
      // peer book knows, and two holders could each drop "the" surplus copy.)
      const dropper = striped === undefined
        ? ranked.at(-1)
        : [...ranked].reverse().sort((a, b) => shardsHeldBy(b.peerId) - shardsHeldBy(a.peerId))[0]
      if (dropper?.peerId !== this.self) return
      // Trimmed early, the copy goes only when the others are proven, not taken at their word:
      // at least `wanted` of them answer a fresh challenge right now (as an audit).
      if (this.now() - since < this.o.trimAfter && await this.proveOthers(packId, plan.online.filter(p => p !== this.self), signal) < plan.wanted) return
      this.c.log.info('dropping a surplus copy', { pack: packId, copies: plan.online.length, wanted: plan.wanted })
      await this.c.holder.drop(packId)
      this.surplusSince.delete(packId)
      this.stats.trimmed++
      return
    }
    this.surplusSince.delete(packId)
    this.deficitSince.delete(packId)
    this.deficitView.delete(packId)
  }

  /**
   * Challenges each of `peers` for `packId` with a fresh nonce (as an audit, with the same
   * consequences for a wrong answer); returns how many proved they hold every byte of it. Our own
   * copy is checked first: a damaged one proves nothing (and is healed).
   */
  private async proveOthers (packId: string, peers: string[], signal?: AbortSignal): Promise<number> {
    const audit = this.c.transport.auditPack
    if (audit === undefined) return 0
    const mine = await this.c.holder.read(packId)
    if (mine === undefined) return 0
    if (packIdOf(mine) !== packId) { await this.heal(packId, 'audit'); return 0 }
    let proven = 0
    for (const peer of peers) {
      signal?.throwIfAborted()
      const nonce = randomBytes(32)
      let reply: { status: string, digest: Uint8Array }
      try {
        reply = await audit(peer, packId, nonce, { signal: signal ?? AbortSignal.timeout(30_000) })
      } catch (err) {
        debug('challenge of %s at %s before trimming: %s', packId, peer, (err as Error).message)
        continue
      }
      if (reply.status === 'busy') continue
      const passed = reply.status === 'ok' && Buffer.from(auditDigest(nonce, mine)).equals(Buffer.from(reply.digest))
      this.c.peerBook.auditResult(peer, passed)
      if (passed) { this.stats.auditsPassed++; proven++; continue }
      this.stats.auditsFailed++
      this.c.holder.forgetCoholder(packId, peer, true)
      this.c.log.warn('a holder failed an audit: its copy no longer counts', { pack: packId, peer, answer: reply.status })
    }
    return proven
  }

  /**
   * Online peers with their free space and domain. `keepSilent`: a peer whose `info` fails stays a
   * candidate, with what the peer book last heard from it (or, never heard, as if it had room: its
   * put answer decides). Repair copies use this, so that every coordinator walks the same ranking
   * whatever info calls happened to time out, and two coordinators acting at once pick the same
   * target, where the second transfer is refused (BUSY) instead of making an extra copy elsewhere.
   */
  private async candidates (signal?: AbortSignal, keepSilent = false): Promise<Candidate[]> {
    const out: Candidate[] = []
    for (const peer of this.c.transport.onlinePeers()) {
      if (peer === this.self || this.c.peerBook.untrusted(peer)) continue
      try {
        const i = await this.c.transport.info(peer, { signal: signal ?? AbortSignal.timeout(5000) })
        if (i.ephemeral !== true) out.push({ peerId: peer, online: true, free: i.free, domain: i.domain }) // a fresh-machine restore holds nothing
      } catch {
        if (!keepSilent) continue
        const known = this.c.peerBook.get(peer)
        out.push({ peerId: peer, online: true, free: known?.free ?? Number.MAX_SAFE_INTEGER, domain: known?.domain ?? '' })
      }
    }
    return out
  }

  /**
   * Makes the missing copies of a pack, one at a time. Before each copy after the first it asks
   * every online peer again (the first was decided on a fresh survey already) and stops as soon
   * as the pack has its wanted copies, whoever made them. Each copy goes to the first eligible
   * peer of the pack's ranking (deterministic: see candidates()). A peer that answers BUSY is
   * receiving this very pack from another coordinator: that transfer is the lease, so this one
   * waits for it to end and looks again, instead of copying the pack to another peer.
   */
  private async repair (packId: string, signal?: AbortSignal): Promise<void> {
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
    const candidates = await this.candidates(signal, true)
    const refused = new Set<string>()
    const origins = info.claims.map(c => c.origin).filter(o => o !== '')
    const ownDomain = this.c.holder.info().domain
    for (let attempt = 0; attempt < candidates.length + 4; attempt++) {
      signal?.throwIfAborted()
      if (attempt > 0) await this.resurvey(packId, signal)
      const plan = this.evaluate(packId)
      if (plan === undefined || plan.alive.length >= plan.wanted) return
      // Not the holders we know of, not the owner's machine, not a peer whose copy of this pack
      // failed an audit (it would answer "already held" and be believed again), not one that
      // refused this pack in this repair.
      const exclude = new Set<string>([...plan.known, ...origins, ...this.c.holder.auditFailures(packId), ...refused])
      const domains = new Set<string>()
      for (const p of plan.alive) {
        const d = p === this.self ? undefined : this.c.peerBook.get(p)?.domain
        if (d !== undefined && d !== '') domains.add(d)
      }
      if (ownDomain !== '') domains.add(ownDomain)
      const [peer] = choosePlacement(packId, bytes.byteLength, candidates, { replicas: 1, owner: claim.origin, exclude, usedDomains: domains }).holders
      if (peer === undefined) {
        debug('pack %s: %d missing copies, no eligible peer left', packId, plan.wanted - plan.alive.length)
        return
      }
      try {
        const status = await this.c.transport.putPack(peer, packId, bytes, claim.ownerKey, { signal: signal ?? AbortSignal.timeout(120_000), replicas: plan.wanted, origin: claim.origin })
        if (status === 'already-held') { this.c.holder.recordCoholders(peer, [packId], [true], this.now()); continue }
        if (status === 'busy') {
          const r = await this.waitForTransfer(peer, packId, bytes, claim, plan.wanted, signal)
          if (r === 'made') { this.stats.copiesMade++; this.stats.bytesSent += bytes.byteLength }
          if (r === 'no') refused.add(peer)
          continue
        }
        if (status !== 'durable') { debug('repair copy of %s to %s: %s', packId, peer, status); refused.add(peer); continue }
        // It took the bytes and checked them against the pack ID: it counts again, even if an
        // older copy of it once failed an audit.
        this.c.holder.clearAuditFailure(packId, peer)
        this.c.holder.recordCoholders(peer, [packId], [true], this.now())
        this.stats.copiesMade++
        this.stats.bytesSent += bytes.byteLength
        this.c.log.info('repaired a missing copy', { pack: packId, to: peer, copies: plan.alive.length + 1, wanted: plan.wanted })
      } catch (err) {
        if (signal?.aborted === true) throw err
        debug('repair copy of %s to %s failed: %s', packId, peer, (err as Error).message)
        refused.add(peer)
      }
    }
  }

  /**
   * `peer` answered BUSY: it receives this pack from another coordinator right now, or all its
   * receive slots are taken. Looks again with backoff (is the pack there now? else, the put once
   * more) for up to BUSY_WAIT_MS: 'held' when another transfer put it there, 'made' when our own
   * retry did, 'no' when the peer stayed busy or refused.
   */
  private async waitForTransfer (peer: string, packId: string, bytes: Uint8Array, claim: { ownerKey: Uint8Array, origin: string }, wanted: number, signal?: AbortSignal): Promise<'held' | 'made' | 'no'> {
    const until = Date.now() + BUSY_WAIT_MS
    for (let wait = 50; Date.now() < until; wait = Math.min(wait * 2, 1000)) {
      await new Promise(resolve => setTimeout(resolve, wait))
      signal?.throwIfAborted()
      try {
        const [held] = await this.c.transport.hasPacks(peer, [packId], { signal: signal ?? AbortSignal.timeout(10_000) })
        if (held === true) { this.c.holder.recordCoholders(peer, [packId], [true], this.now()); return 'held' }
        const status = await this.c.transport.putPack(peer, packId, bytes, claim.ownerKey, { signal: signal ?? AbortSignal.timeout(120_000), replicas: wanted, origin: claim.origin })
        if (status === 'busy') continue
        if (status !== 'durable' && status !== 'already-held') return 'no'
        this.c.holder.clearAuditFailure(packId, peer)
        this.c.holder.recordCoholders(peer, [packId], [true], this.now())
        if (status === 'already-held') return 'held'
        this.c.log.info('repaired a missing copy', { pack: packId, to: peer, wanted })
        return 'made'
      } catch (err) {
        if (signal?.aborted === true) throw err
        debug('waiting for %s at %s: %s', packId, peer, (err as Error).message)
      }
    }
    return 'no'
  }

  /**
   * A stripe as this holder sees it: per shard, its live holders (this one for its own shards,
   * co-holders not gone and not untrusted), the shards with none (missing), and the online
   * holders of any shard (among whom the coordinator is chosen).
   */
  private evaluateStripe (stripe: StripeDescriptor, mine: number[], received = 0): { holders: string[][], missing: number[], online: string[] } {
    const holdersAll = stripe.shardIds.map((id, j) => [
      ...(mine.includes(j) ? [this.self] : []),
      ...this.c.holder.coholders(id).map(c => c.peer).filter(p => p !== this.self && !this.c.peerBook.untrusted(p))
    ])
    const onlineCovered = holdersAll.filter(h => h.some(p => p === this.self || this.liveness(p, false) === 'online')).length
    // Down to the last k shards reachable: absent holders count as gone after the urgent grace.
    const urgent = onlineCovered <= stripe.dataShards
    const holders = holdersAll.map(h => h.filter(p => p === this.self || this.liveness(p, urgent) !== 'gone'))
    // A shard counts only with a holder of its own: two shards on one machine (a put or a repair
    // that found too few peers) are one loss away from two missing, so the second is moved too.
    const matched = matchShards(holders)
    // A shard no peer was ever seen holding may still be on its way from the owner (its put waits
    // for a slot): judged only once the stripe is SETTLE_MAX_MS old. One whose holder went away
    // (its entry stays), or failed an audit, is judged at once.
    const young = this.now() - received < SETTLE_MAX_MS
    const neverSeen = (j: number): boolean => !mine.includes(j) && this.c.holder.coholders(stripe.shardIds[j]!).length === 0 && this.c.holder.auditFailures(stripe.shardIds[j]!).length === 0
    const missing = matched.flatMap((p, j) => p === undefined && !(young && neverSeen(j)) ? [j] : [])
    const online = [...new Set(holdersAll.flat().filter(p => p === this.self || this.liveness(p, false) === 'online'))]
    return { holders, missing, online }
  }

  /** Like act() for a stripe: the online shard holder nearest the pack rebuilds the missing shards. */
  private async actStripe (stripe: StripeDescriptor, mine: number[], received: number, plan: { holders: string[][], missing: number[], online: string[] }, signal?: AbortSignal): Promise<void> {
    const key = `stripe:${stripe.packId}`
    if (plan.missing.length === 0) { this.deficitSince.delete(key); return }
    const since = this.deficitSince.get(key) ?? this.now()
    this.deficitSince.set(key, since)
    const rank = rankPeers(stripe.packId, plan.online.map(peerId => ({ peerId }))).findIndex(r => r.peerId === this.self)
    if (rank < 0 || this.now() - since < rank * this.escalateMs) return
    await this.resurveyStripe(stripe, signal)
    const fresh = this.evaluateStripe(stripe, mine, received)
    if (fresh.missing.length === 0) { this.deficitSince.delete(key); return }
    const freshRank = rankPeers(stripe.packId, fresh.online.map(peerId => ({ peerId }))).findIndex(r => r.peerId === this.self)
    if (freshRank < 0 || this.now() - since < freshRank * this.escalateMs) return
    await this.rebuildStripe(stripe, mine, fresh, signal)
  }

  private async resurveyStripe (stripe: StripeDescriptor, signal?: AbortSignal): Promise<void> {
    const peers = this.c.transport.onlinePeers().filter(p => p !== this.self)
    await Promise.all(peers.map(async (peer) => {
      try {
        const held = await this.c.transport.hasPacks(peer, stripe.shardIds, { signal: signal ?? AbortSignal.timeout(10_000) })
        this.c.holder.recordCoholders(peer, stripe.shardIds, held, this.now())
      } catch {}
    }))
  }

  /**
   * Any k verified shards of a stripe: this holder's own first, then fetched from online holders
   * (each checked against its ID; a wrong one counts as a failed audit of its holder).
   */
  private async gatherShards (stripe: StripeDescriptor, mine: number[], holders: string[][], signal?: AbortSignal): Promise<Map<number, Uint8Array>> {
    const have = new Map<number, Uint8Array>()
    for (const j of mine) {
      const bytes = await this.c.holder.read(stripe.shardIds[j]!)
      if (bytes !== undefined && isShardOf(stripe, j, bytes)) have.set(j, bytes)
    }
    const online = new Set(this.c.transport.onlinePeers())
    for (const [j, peers] of holders.entries()) {
      if (have.size >= stripe.dataShards) break
      if (have.has(j)) continue
      for (const peer of peers) {
        if (peer === this.self || !online.has(peer)) continue
        signal?.throwIfAborted()
        try {
          const bytes = await this.c.transport.getPack(peer, stripe.shardIds[j]!, { signal: signal ?? AbortSignal.timeout(60_000) })
          if (bytes === undefined) { this.c.holder.forgetCoholder(stripe.shardIds[j]!, peer); continue }
          this.stats.bytesFetched += bytes.byteLength
          if (!isShardOf(stripe, j, bytes)) {
            this.c.peerBook.auditResult(peer, false)
            this.c.holder.forgetCoholder(stripe.shardIds[j]!, peer, true)
            continue
          }
          have.set(j, bytes)
          break
        } catch (err) {
          debug('fetch of shard %d of %s from %s: %s', j, stripe.packId, peer, (err as Error).message)
        }
      }
    }
    return have
  }

  /** Rebuilds the missing shards from any k and puts each on a new holder, with the stripe. */
  private async rebuildStripe (stripe: StripeDescriptor, mine: number[], plan: { holders: string[][], missing: number[] }, signal?: AbortSignal): Promise<void> {
    const info = this.c.holder.packInfo(stripe.shardIds[mine[0]!]!)
    const claim = info?.claims[0]
    if (claim === undefined) return
    const have = await this.gatherShards(stripe, mine, plan.holders, signal)
    if (have.size < stripe.dataShards) {
      this.c.log.warn('cannot rebuild missing shards yet: too few shards reachable', { pack: stripe.packId, reachable: have.size, needed: stripe.dataShards })
      return
    }
    const rebuilt = await rebuildShards(stripe, have, plan.missing)
    // Not a peer that holds a shard of this stripe already, not the owner's machine, and not one
    // whose copy of a missing shard failed an audit.
    const exclude = new Set<string>([...plan.holders.flat(), ...info!.claims.map(c => c.origin).filter(o => o !== ''),
      ...plan.missing.flatMap(j => this.c.holder.auditFailures(stripe.shardIds[j]!))])
    const domains = new Set<string>()
    for (const p of plan.holders.flat()) {
      const d = p === this.self ? this.c.holder.info().domain : this.c.peerBook.get(p)?.domain
      if (d !== undefined && d !== '') domains.add(d)
    }
    const placement = choosePlacement(stripe.packId, stripe.shardSize, await this.candidates(signal), { replicas: plan.missing.length, owner: claim.origin, exclude, usedDomains: domains })
    for (const [i, peer] of placement.holders.entries()) {
      const j = plan.missing[i]!
      const bytes = rebuilt.get(j)!
      signal?.throwIfAborted()
      try {
        const status = await this.c.transport.putPack(peer, stripe.shardIds[j]!, bytes, claim.ownerKey, {
          signal: signal ?? AbortSignal.timeout(120_000), replicas: 1, origin: claim.origin, stripe, shardIndex: j
        })
        if (status !== 'durable' && status !== 'already-held') { debug('rebuilt shard %d of %s to %s: %s', j, stripe.packId, peer, status); continue }
        this.c.holder.clearAuditFailure(stripe.shardIds[j]!, peer)
        this.c.holder.recordCoholders(peer, [stripe.shardIds[j]!], [true], this.now())
        if (status === 'already-held') continue
        this.stats.copiesMade++
        this.stats.bytesSent += bytes.byteLength
        this.c.log.info('rebuilt a missing shard', { pack: stripe.packId, shard: j, to: peer, missing: plan.missing.length })
      } catch (err) {
        debug('rebuilt shard %d of %s to %s failed: %s', j, stripe.packId, peer, (err as Error).message)
      }
    }
    if (placement.holders.length < plan.missing.length) debug('pack %s: %d of %d missing shards could be placed', stripe.packId, placement.holders.length, plan.missing.length)
  }

  private draining = false

  /**
   * `p2pbak leave`: hands every held pack and shard to another peer, then drops it here. A pack
   * with enough other live copies online is just dropped; otherwise it is copied first, to the
   * next eligible peer in its ranking (for a shard: a peer holding no shard of its stripe). The
   * check rounds pause meanwhile, so that nothing is copied twice. Objects no peer can take stay
   * here and are listed in `kept`.
   */
  async drain (progress: (p: { done: number, total: number, bytes: number, totalBytes: number }) => void, signal?: AbortSignal): Promise<{ moved: number, dropped: number, bytes: number, kept: string[] }> {
    this.draining = true
    while (this.running) await new Promise(resolve => setTimeout(resolve, 50)) // a round in progress ends at its next pack
    await this.survey(signal)
    const held = this.c.holder.heldPacks()
    const sizes = new Map(held.map(id => [id, this.c.holder.packInfo(id)?.size ?? 0]))
    const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0)
    const out = { moved: 0, dropped: 0, bytes: 0, kept: [] as string[] }
    let done = 0
    let bytes = 0
    progress({ done, total: held.length, bytes, totalBytes })
    const queue = [...held]
    const worker = async (): Promise<void> => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        signal?.throwIfAborted()
        const r = await this.handOver(id, signal).catch((err: Error) => { debug('hand-over of %s: %s', id, err.message); return 'kept' as const })
        if (r === 'kept') out.kept.push(id)
        else {
          out[r]++
          if (r === 'moved') out.bytes += sizes.get(id) ?? 0
        }
        done++
        bytes += sizes.get(id) ?? 0
        progress({ done, total: held.length, bytes, totalBytes })
      }
    }
    await Promise.all(Array.from({ length: 4 }, worker))
    return out
  }

  /** Ends a drain: check rounds resume (`p2pbak leave --cancel`). */
  stopDraining (): void {
    this.draining = false
  }

  private async handOver (id: string, signal?: AbortSignal): Promise<'moved' | 'dropped' | 'kept'> {
    const info = this.c.holder.packInfo(id)
    const claim = info?.claims[0]
    if (info === undefined || claim === undefined) return 'dropped'
    const bytes = await this.c.holder.read(id)
    if (bytes === undefined) return 'dropped'
    const striped = this.c.holder.stripeOf(id)
    let exclude: Set<string>
    let domains = new Set<string>()
    const domainOf = (p: string): string | undefined => this.c.peerBook.get(p)?.domain
    if (striped !== undefined) {
      if (!isShardOf(striped.stripe, striped.index, bytes)) return 'kept' // damaged: scrub's business, not worth spreading
      await this.resurveyStripe(striped.stripe, signal)
      const others = striped.stripe.shardIds.flatMap(s => this.c.holder.coholders(s).map(c => c.peer))
      if (this.c.holder.coholders(id).some(c => this.liveness(c.peer, false) === 'online')) {
        await this.c.holder.drop(id) // another online holder keeps this very shard
        return 'dropped'
      }
      exclude = new Set([...others, ...info.claims.map(c => c.origin), ...this.c.holder.auditFailures(id)])
      for (const p of others) { const d = domainOf(p); if (d !== undefined && d !== '') domains.add(d) }
    } else {
      if (packIdOf(bytes) !== id) return 'kept'
      await this.resurvey(id, signal)
      const plan = this.evaluate(id)
      if (plan === undefined) return 'dropped'
      const othersOnline = plan.online.filter(p => p !== this.self)
      if (othersOnline.length >= plan.wanted) {
        await this.c.holder.drop(id) // enough copies remain online without ours
        return 'dropped'
      }
      exclude = new Set([...plan.known, ...info.claims.map(c => c.origin), ...this.c.holder.auditFailures(id)])
      domains = new Set(plan.alive.filter(p => p !== this.self).map(domainOf).filter((d): d is string => d !== undefined && d !== ''))
    }
    exclude.delete('')
    exclude.add(this.self)
    const placement = choosePlacement(striped?.stripe.packId ?? id, bytes.byteLength, await this.candidates(signal), { replicas: 1, owner: claim.origin, exclude, usedDomains: domains })
    for (const peer of placement.holders) {
      const status = await this.c.transport.putPack(peer, id, bytes, claim.ownerKey, {
        signal: signal ?? AbortSignal.timeout(120_000), replicas: info.wanted, origin: claim.origin,
        ...(striped === undefined ? {} : { stripe: striped.stripe, shardIndex: striped.index })
      })
      if (status !== 'durable' && status !== 'already-held') continue
      this.c.holder.recordCoholders(peer, [id], [true], this.now())
      await this.c.holder.drop(id)
      this.c.log.info('handed a held pack over before leaving', { pack: id, to: peer })
      return 'moved'
    }
    return 'kept'
  }

  /**
   * Audits: up to auditsPerRound held packs (least recently audited by chance: a random sample),
   * each against every online co-holder with a fresh nonce. A wrong or missing answer forgets
   * that co-holder for the pack (so repair replaces the copy) and counts against the peer.
   */
  async auditRound (signal?: AbortSignal): Promise<void> {
    const audit = this.c.transport.auditPack
    const held = this.c.holder.heldPacks()
    const sample = pickRandom(held, this.o.auditsPerRound ?? 4)
    const online = new Set(this.c.transport.onlinePeers())
    for (const packId of sample) {
      const striped = this.c.holder.stripeOf(packId)
      if (striped !== undefined) await this.auditShard(striped.stripe, online, signal)
      const peers = this.c.holder.coholders(packId).map(c => c.peer).filter(p => online.has(p))
      if (peers.length === 0 || audit === undefined) continue
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

  /**
   * A shard cannot be audited by SHA-256(nonce ‖ shard) by a peer that does not hold it; instead
   * one other shard of the stripe, at a random online holder, is fetched and checked against the
   * ID the stripe names (a shard is pack size / k, so this stays cheap).
   */
  private async auditShard (stripe: StripeDescriptor, online: Set<string>, signal?: AbortSignal): Promise<void> {
    const targets = stripe.shardIds.flatMap((id, j) => this.c.holder.isHeld(id) ? [] : this.c.holder.coholders(id).map(c => c.peer).filter(p => online.has(p)).map(peer => ({ j, id, peer })))
    const [t] = pickRandom(targets, 1)
    if (t === undefined) return
    let bytes: Uint8Array | undefined
    try {
      bytes = await this.c.transport.getPack(t.peer, t.id, { signal: signal ?? AbortSignal.timeout(60_000) })
    } catch (err) {
      debug('audit of shard %d of %s at %s: %s', t.j, stripe.packId, t.peer, (err as Error).message)
      return
    }
    const passed = bytes !== undefined && isShardOf(stripe, t.j, bytes)
    this.c.peerBook.auditResult(t.peer, passed)
    if (passed) { this.stats.auditsPassed++; return }
    this.stats.auditsFailed++
    this.c.holder.forgetCoholder(t.id, t.peer, true)
    this.c.log.warn('a holder failed an audit: its shard no longer counts', { pack: stripe.packId, shard: t.j, peer: t.peer, answer: bytes === undefined ? 'not-found' : 'wrong bytes' })
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

  /** A damaged shard of our own: rebuilt from k others of its stripe, then put in place of ours. */
  private async healShard (shardId: string, stripe: StripeDescriptor, index: number, info: { wanted: number, claims: Array<{ ownerKey: Uint8Array, origin: string }> }): Promise<void> {
    const mine = this.c.holder.heldStripes().find(h => h.stripe.packId === stripe.packId)?.indexes.filter(j => j !== index) ?? []
    const holders = stripe.shardIds.map(id => this.c.holder.coholders(id).map(c => c.peer))
    await this.c.holder.drop(shardId)
    const claim = info.claims[0]
    if (claim === undefined) return
    try {
      const have = await this.gatherShards(stripe, mine, holders)
      if (have.size < stripe.dataShards) return // the others rebuild it elsewhere
      const good = (await rebuildShards(stripe, have, [index])).get(index)!
      const r = await this.c.holder.receive({ packId: shardId, size: good.byteLength, ownerKey: claim.ownerKey, from: '', replicas: info.wanted, origin: claim.origin, stripe, shardIndex: index }, single(good))
      if (r === 'durable') {
        for (const [j, peers] of holders.entries()) for (const peer of peers) this.c.holder.recordCoholders(peer, [stripe.shardIds[j]!], [true], this.now())
        this.stats.healed++
        this.c.log.info('replaced a damaged shard with one rebuilt from the stripe', { pack: stripe.packId, shard: index })
      }
    } catch (err) {
      debug('heal of shard %d of %s failed: %s', index, stripe.packId, (err as Error).message)
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
    const striped = this.c.holder.stripeOf(packId)
    if (striped !== undefined && sources.length === 0) {
      await this.healShard(packId, striped.stripe, striped.index, info)
      return
    }
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
