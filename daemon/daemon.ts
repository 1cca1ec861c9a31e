// The composition root (STYLE.md §4): createDaemon(config) builds every service of `p2pbak daemon`
// explicitly and in order; start() and stop() run them. Nothing else in the code base constructs
// these services for the daemon.
//
//   state directory (0700, locked) ── node key ── swarm key ─┐
//   holder (packs kept for others) ───────────────────────────┼─ swarm peer (libp2p + protocols)
//   peer book (liveness, persisted) ◄── connection events ────┘
//   owner (optional until `p2pbak init`): unattended key → Repository over the SwarmStore
//   backup queue ◄── scheduler, control API        restore / check ◄── control API
//   control API (Unix socket 0600, optional TCP + token) ── routes.ts
import { mkdirSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { hostname } from 'node:os'
import { logger } from '@libp2p/logger'
import type { IdentifyResult, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Config } from '../config/index.js'
import { deleteSignedBytes } from '../protocol/index.js'
import type { InfoReply } from '../protocol/index.js'
import { writeFileAtomic } from './fs/atomic.js'
import { backup } from './archiver.js'
import type { BackupResult } from './archiver.js'
import { check } from './checker.js'
import { changePassphraseAsync, decodeKeyFile, encodeKeyFile, masterKeyToRecoveryKey, unwrapKeyFileAsync } from './crypto/index.js'
import { checkNewPassphrase } from './passphrase-strength.js'
import { InvalidArgumentError, NotInitializedError, P2pbakError, WrongPassphraseError } from './errors.js'
import { classifyPacks, reachableNow, restorableShare, snapshotFootprint } from './health.js'
import { BackupHistory, HISTORY_FILE_NAME, lastBackupProblem } from './history.js'
import type { Footprint } from './health.js'
import { createOperatorLog } from './log.js'
import type { OperatorLog } from './log.js'
import { BackupQueue, Operation } from './operations.js'
import type { BackupRequest, Progress } from './operations.js'
import { KEY_FILE_NAME, OWNER_DIR_NAME, keyRecordKey, lockStateDir, openOwner, readUnattendedKey } from './owner.js'
import type { Owner } from './owner.js'
import { MAX_PLANNED_ABSENCE_MS, PeerBook } from './peer-book.js'
import { forgetPeer } from './forget-peer.js'
import { Repairer } from './repair.js'
import { restore } from './restorer.js'
import { SnapshotOrigin } from './repository/pb/repo.js'
import type { SnapshotInfo } from './repository/repository.js'
import { isOfConfiguredSet, latestOfConfiguredSet, normalizeSetPaths, originFor, setKey } from './snapshot-filter.js'
import { scanTotals } from './scan.js'
import { Scheduler } from './scheduler.js'
import { createSwarmPeer } from './swarm/peer.js'
import type { SwarmPeer } from './swarm/peer.js'
import { loadOrCreateNodeKey, readSwarmKeyFile, swarmFingerprint } from './swarm/index.js'
import { NoHolderError, SwarmStore } from './swarm/swarm-store.js'
import { TokenBucket } from './throttle.js'
import { startControlServer, toApiError } from './control/server.js'
import type { ControlServer } from './control/server.js'
import { buildRoutes } from './control/routes.js'
import type { BackupAnswer, CheckAnswer, LeaveAnswer, PeerRow, Problem, RestoreAnswer, Status } from './control/api.js'
import { rfc3339FromMs, rfc3339FromNs } from './time.js'

const debug = logger('p2pbak:daemon')

/** The daemon's own database: the peer book. */
export const PEERS_DB_NAME = 'peers.db'

/** How often the daemon looks after itself: peer info, key record, footprint refresh. */
const MAINTENANCE_INTERVAL_MS = 5_000
/** While a backup runs, progress (packs stored) is refreshed at least this often. */
const PROGRESS_TICK_MS = 1000
/** Known peers that are not connected are dialled again after this backoff (doubling up to the max). */
const REDIAL_MIN_MS = 5_000
const REDIAL_MAX_MS = 5 * 60_000
/** Peer info (free space, domain) older than this is asked again. */
const PEER_INFO_MAX_AGE_MS = 60_000
/** A peer asking for our info is asked for its own at most this often. */
const INFO_ASK_BACK_MS = 2000
/** The plans this daemon announces to peers (`p2pbak away`, `p2pbak leave`), in the state directory. */
export const ANNOUNCE_FILE_NAME = 'announce.json'

export interface Announcement {
  /** ms since the epoch; 0: no planned absence. */
  awayUntil: number
  leaving: boolean
}

function readAnnouncement (path: string): Announcement {
  if (!existsSync(path)) return { awayUntil: 0, leaving: false }
  try {
    const a = JSON.parse(readFileSync(path, 'utf8')) as Partial<Announcement>
    return { awayUntil: Number.isSafeInteger(a.awayUntil) ? a.awayUntil! : 0, leaving: a.leaving === true }
  } catch {
    return { awayUntil: 0, leaving: false } // unreadable: announce nothing rather than refuse to start
  }
}

export interface DaemonOverrides {
  /** The operator log (default: from config.log, on stderr). */
  log?: OperatorLog
  /** Version reported by status. */
  version?: string
  /** Wire protocol per-message timeout (tests shorten it). */
  messageTimeoutMs?: number
  /** How long a put waits for an eligible peer (default 10 s). */
  waitForPeersMs?: number
}

export interface Daemon {
  readonly peerId: string
  /** Where the control API listens (after start). */
  readonly controlAddresses: string[]
  start: () => Promise<void>
  /** Graceful: stops the schedule, checkpoints a running backup, closes streams. Idempotent. */
  stop: () => Promise<void>
}

export class ShuttingDownError extends P2pbakError {
  override name = 'ShuttingDown'
}

export async function createDaemon (config: Config, overrides: DaemonOverrides = {}): Promise<Daemon> {
  const log = overrides.log ?? createOperatorLog({ format: config.log.format, level: config.log.level })
  const startedAt = Date.now()
  const stateDir = config.stateDir
  const ownerDir = join(stateDir, OWNER_DIR_NAME)
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })

  // 1. What must exist before anything starts: the swarm key (the office's), then our identity.
  const swarmKey = readSwarmKeyFile(config.network.swarmKeyFile)
  const unlockState = lockStateDir(stateDir)
  const cleanups: Array<() => Promise<void> | void> = [unlockState]
  const fail = async (err: unknown): Promise<never> => {
    for (const c of cleanups.reverse()) await c()
    throw err
  }

  let peer: SwarmPeer
  let peerBook: PeerBook
  try {
    const privateKey = await loadOrCreateNodeKey(stateDir)
    const bucket = config.network.bandwidthLimit > 0 ? new TokenBucket(config.network.bandwidthLimit, Math.max(config.network.bandwidthLimit, 1024 * 1024)) : undefined
    // 2. The swarm peer: libp2p node, holder of others' packs, wire protocols.
    peer = await createSwarmPeer({
      stateDir,
      node: {
        privateKey,
        swarmKey,
        listen: [...config.network.listen],
        bootstrap: [...config.network.bootstrap],
        mdns: config.network.mdns,
        allow: [...config.network.allow],
        maxConnections: config.network.maxConnections
      },
      holder: { dir: config.storage.dir, quota: config.storage.quota, reserve: config.storage.reserve, domain: config.storage.domain },
      onInfoRequest: (from) => { onInfoRequest(from) },
      ...(overrides.messageTimeoutMs === undefined ? {} : { messageTimeoutMs: overrides.messageTimeoutMs }),
      ...(bucket === undefined ? {} : { pace: async (n: number, signal?: AbortSignal) => { await bucket.take(n, signal) } })
    })
    cleanups.push(async () => { await peer.stop() })
    // 3. The peer book.
    peerBook = new PeerBook({ path: join(stateDir, PEERS_DB_NAME), goneAfter: config.repair.goneAfter })
    cleanups.push(() => { peerBook.close() })
  } catch (err) {
    return await fail(err)
  }
  const libp2p = peer.node.libp2p

  // Plans announced to peers through `info` (docs/repair.md §10): a planned absence
  // (`p2pbak away`) and leaving the swarm (`p2pbak leave`). Kept in announce.json, so that they
  // survive a restart.
  const announcePath = join(stateDir, ANNOUNCE_FILE_NAME)
  let announcement = readAnnouncement(announcePath)
  let announcedAt = Date.now()
  peer.holder.announce(announcement)
  const setAnnouncement = (a: Announcement): void => {
    writeFileAtomic(announcePath, JSON.stringify(a), { mode: 0o600 })
    announcement = a
    announcedAt = Date.now()
    peer.holder.announce(a)
  }
  /** When each peer last fetched our info (to know who has heard an announcement). */
  const infoFetchedBy = new Map<string, number>()
  const infoRefreshing = new Set<string>()
  /**
   * A peer that asks for our info is asked for its own: announcements travel both ways at once.
   * At most every INFO_ASK_BACK_MS per peer; a request inside that window is answered by one
   * fetch at its end, so the newest announcement is never missed.
   */
  const onInfoRequest = (from: string): void => {
    infoFetchedBy.set(from, Date.now())
    if (infoRefreshing.has(from)) return
    infoRefreshing.add(from)
    const last = peerBook?.get(from)?.infoAt ?? 0
    const wait = Math.max(0, last + INFO_ASK_BACK_MS - Date.now())
    setTimeout(() => {
      if (stopping) { infoRefreshing.delete(from); return }
      void refreshPeerInfo(from).finally(() => { infoRefreshing.delete(from) })
    }, wait).unref()
  }
  const refreshPeerInfo = async (id: string): Promise<void> => {
    try {
      const info = await peer.transport.info(id, { signal: AbortSignal.timeout(5000) }) as InfoReply
      peerBook.info(id, { free: info.free, quota: info.quota ?? 0, used: info.used ?? 0, domain: info.domain, awayUntil: info.awayUntil ?? 0, leaving: info.leaving === true, ephemeral: info.ephemeral === true })
    } catch (err) {
      debug('info from %s failed: %s', id, (err as Error).message)
    }
  }
  /** Asks every online peer for its info, which makes it fetch ours; resolves once each has (or after `deadlineMs`). */
  const tellPeers = async (deadlineMs: number): Promise<{ told: number, online: number }> => {
    const since = announcedAt
    const online = libp2p.getPeers().map(String)
    await Promise.allSettled(online.map(async id => { await refreshPeerInfo(id) }))
    const until = Date.now() + deadlineMs
    const told = (): number => online.filter(id => (infoFetchedBy.get(id) ?? 0) >= since).length
    while (told() < online.length && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 100))
    return { told: told(), online: online.length }
  }
  const peerId = peer.peerId
  // Repair, audits and scrub of the packs this daemon holds for others (daemon/repair.ts).
  const repairer = new Repairer({ holder: peer.holder, transport: peer.transport, peerBook, log }, {
    defaultReplicas: config.redundancy.replicas,
    goneAfter: config.repair.goneAfter,
    urgentGrace: config.repair.urgentGrace,
    trimAfter: config.repair.trimAfter,
    escalateAfter: 3 * config.repair.checkInterval
  })
  const repairAbort = new AbortController()
  let repairTimers: NodeJS.Timeout[] = []
  let scrubbing = false
  let auditing = false
  const repairRound = async (): Promise<void> => {
    // The owner's view is refreshed from the holders at every round, on its own: it used to run
    // only after this daemon's own holder round, so a round that failed skipped it and a long one
    // (copying others' packs) delayed it, and `status` lagged the holders' repairs by many rounds.
    void refreshOwnerView()
    try {
      await repairer.checkAll(repairAbort.signal)
    } catch (err) {
      if (!repairAbort.signal.aborted) log.warn('repair check failed', { error: (err as Error).message })
    }
  }
  let refreshingOwnerView = false
  /** The owner's placements follow the holders: copies made by repair appear, copies dropped elsewhere go (repair.md §4). */
  const refreshOwnerView = async (): Promise<void> => {
    if (refreshingOwnerView || store === undefined) return
    refreshingOwnerView = true
    try {
      await store.refreshHolders({ signal: AbortSignal.any([repairAbort.signal, AbortSignal.timeout(60_000)]) })
    } catch (err) {
      if (!repairAbort.signal.aborted) log.warn('refreshing where our packs are failed', { error: (err as Error).message })
    } finally {
      refreshingOwnerView = false
    }
  }
  const swarmId = swarmFingerprint(swarmKey)

  // 4. The owner: opened from its unattended key once the node runs (it reads through the swarm).
  let owner: Owner | undefined
  let store: SwarmStore | undefined
  let snapshots: SnapshotInfo[] | undefined
  let footprint: Footprint | undefined
  let footprintBusy = false
  let keyRecordPublished = false
  let ownerProblem: Problem | undefined
  const signer: { publicKey: Uint8Array, sign: (d: Uint8Array) => Uint8Array } = { publicKey: new Uint8Array(32), sign: (_d: Uint8Array): Uint8Array => { throw new NotInitializedError('no owner') } }

  const openOwnerIfPresent = async (): Promise<void> => {
    if (owner !== undefined) return
    if (!existsSync(join(ownerDir, KEY_FILE_NAME))) return
    const masterKey = readUnattendedKey(ownerDir)
    if (masterKey === undefined) {
      ownerProblem = {
        code: 'owner-locked', severity: 'error',
        message: `the owner in ${ownerDir} has no unattended key (owner.key), so scheduled backups cannot run`,
        hint: 'put back owner.key from a backup of the state directory, or start over with a fresh state directory and `p2pbak init`'
      }
      return
    }
    const s = new SwarmStore({
      transport: peer.transport, owner: signer, stateDir: ownerDir, replicas: config.redundancy.replicas, deleteSignedBytes,
      ...(config.redundancy.mode === 'erasure' ? { erasure: { dataShards: config.redundancy.dataShards, parityShards: config.redundancy.parityShards } } : {}),
      ...(overrides.waitForPeersMs === undefined ? {} : { waitForPeersMs: overrides.waitForPeersMs })
    })
    try {
      const o = await openOwner({ stateDir: ownerDir, backend: s, masterKey })
      signer.publicKey = o.keys.publicKey
      signer.sign = o.keys.sign
      s.on('degraded', (e) => { log.warn('pack stored with fewer replicas than wanted', { pack: e.packId, holders: e.holders.length, wanted: e.wanted }) })
      s.on('holder-failed', (e) => { debug('holder %s failed for %s: %s', e.peer, e.packId, e.reason) })
      owner = o
      store = s
      ownerProblem = undefined
      keyRecordPublished = o.repo.state.getMeta('key_record_published') === 1
      log.info('owner opened', { owner: o.name, ownerId: o.keys.ownerId })
    } catch (err) {
      await s.close()
      throw err
    }
  }

  const requireOwner = (): { owner: Owner, store: SwarmStore } => {
    if (owner === undefined || store === undefined) {
      throw new NotInitializedError(`no owner on this machine (state directory ${stateDir})`, { hint: 'run `p2pbak init` to create one' })
    }
    return { owner, store }
  }

  let listing: Promise<SnapshotInfo[]> | undefined
  const refreshSnapshots = async (): Promise<SnapshotInfo[]> => {
    const { owner: o } = requireOwner()
    listing ??= o.repo.listSnapshots().finally(() => { listing = undefined })
    snapshots = await listing
    return snapshots
  }

  // 5. Backups: one queue, fed by the scheduler and the control API.
  const runBackup = async (req: BackupRequest, op: Operation<BackupAnswer>): Promise<BackupAnswer> => {
    const { owner: o, store: s } = requireOwner()
    const excl = { exclude: [...config.backup.exclude], excludeCaches: config.backup.excludeCaches, oneFileSystem: config.backup.oneFileSystem }
    let totals: { files: number, bytes: number } | undefined
    void scanTotals(req.paths, { ...excl, signal: op.signal }).then(t => { totals = t }, () => {})
    let degraded = 0
    const onDegraded = (): void => { degraded++ }
    s.on('degraded', onDegraded)
    // Of the configured set (backup.paths, no tags) or ad hoc: recorded in the snapshot, so that a
    // fresh machine finds the configured set too (format.md §7 "Backup sets").
    const origin = originFor(req.paths, req.tags, config.backup.paths)
    log.info('backup started', { paths: req.paths, reason: req.reason })
    let result: BackupResult
    // The archiver reports per file; while packs are still on their way (a large file, the final
    // flush) the count of packs stored is refreshed from here.
    let last: { filesDone: number, bytesDone: number, currentPath: string, stage: 'reading' | 'uploading' } | undefined
    const packsBefore = o.repo.stats.packs
    const sentBefore = s.bytesSent
    // Scanning until the first file is read (nothing done of a total not known yet); replicating
    // once every file is read and the last packs travel to their holders.
    const report = (): void => {
      op.report({
        stage: last === undefined ? 'scanning' : last.stage === 'uploading' ? 'replicating' : 'backing up',
        filesDone: last?.filesDone ?? 0, bytesDone: last?.bytesDone ?? 0, packsStored: o.repo.stats.packs - packsBefore, bytesSent: s.bytesSent - sentBefore,
        ...(last === undefined ? {} : { currentPath: last.currentPath }),
        ...(totals === undefined ? {} : { totalFiles: Math.max(totals.files, last?.filesDone ?? 0), totalBytes: Math.max(totals.bytes, last?.bytesDone ?? 0) })
      })
    }
    report()
    const ticker = setInterval(report, PROGRESS_TICK_MS)
    try {
      result = await backup(o.repo, o.keys.chunkerKey, {
        paths: req.paths,
        owner: o.name,
        tags: req.tags,
        origin,
        hostname: hostname(),
        ...excl,
        signal: op.signal,
        onProgress: (p) => {
          last = p
          report()
        }
      })
    } catch (err) {
      // Stopped on purpose: report why, not whichever transfer noticed first.
      const e = op.signal.aborted ? op.signal.reason as Error : err as Error
      if (op.signal.aborted) log.warn('backup stopped; the packs already stored are kept and reused by the next backup', { paths: req.paths })
      else log.error('backup failed', { paths: req.paths, error: e.message })
      throw e
    } finally {
      clearInterval(ticker)
      s.off('degraded', onDegraded)
    }
    const sm = result.summary
    log.info('backup finished', { snapshot: result.snapshotId.slice(0, 8), files: sm.totalFiles, added: sm.bytesAdded, packs: sm.packsAdded, degraded, ms: sm.durationMs })
    if (origin === SnapshotOrigin.ORIGIN_CONFIGURED) {
      // Only the configured set's backups count for the schedule; an ad-hoc one leaves it alone.
      o.repo.state.putMeta('last_backup_ms', Date.now())
      o.repo.state.putMeta('last_backup_set', configuredSetKey)
      if (req.reason !== 'schedule') scheduler.replan()
    }
    await refreshSnapshots().catch(() => {})
    footprint = undefined
    return {
      snapshot: result.snapshotId,
      joined: false,
      degradedPacks: degraded,
      summary: {
        filesNew: sm.filesNew, filesChanged: sm.filesChanged, filesUnmodified: sm.filesUnmodified, dirs: sm.dirs,
        totalFiles: sm.totalFiles, totalBytes: sm.totalBytes, bytesRead: sm.bytesRead, bytesAdded: sm.bytesAdded,
        bytesStored: sm.bytesStored, packsAdded: sm.packsAdded, durationMs: sm.durationMs, warnings: sm.warnings
      },
      skipped: result.skipped,
      skippedCount: result.skippedCount
    }
  }
  const configuredSetKey = config.backup.paths.length === 0 ? '' : setKey(normalizeSetPaths(config.backup.paths), [])
  // Every run, failed or not, goes into the history (`p2pbak history`, the last-backup-* problems).
  const history = new BackupHistory(join(stateDir, HISTORY_FILE_NAME))
  const runAndRecord = async (req: BackupRequest, op: Operation<BackupAnswer>): Promise<BackupAnswer> => {
    const startedAt = Date.now()
    const record = (result: Parameters<BackupHistory['record']>[1]): void => {
      const trigger = req.reason === 'schedule' ? 'scheduled' : 'manual'
      try {
        history.record({ operation: op.id, startedAt, endedAt: Date.now(), trigger, paths: req.paths, tags: req.tags }, result)
      } catch (err) {
        log.error('the backup history could not be written', { error: (err as Error).message })
      }
    }
    try {
      const answer = await runBackup(req, op)
      record({ answer })
      return answer
    } catch (err) {
      record({ error: toApiError(op.signal.aborted ? op.signal.reason : err) })
      throw err
    }
  }
  const backups = new BackupQueue<BackupAnswer>(runAndRecord)
  const others = new Set<Operation<unknown>>()

  const scheduler = new Scheduler({
    interval: config.backup.interval,
    jitter: config.backup.jitter,
    lastSuccess: () => {
      // The last backup of the configured set: recorded by this daemon (a record from before
      // backup.paths changed does not count), or the newest such snapshot (a state DB rebuilt).
      const v = owner?.repo.state.getMeta('last_backup_ms')
      const set = owner?.repo.state.getMeta('last_backup_set')
      const recorded = typeof v === 'number' && (set === undefined || set === configuredSetKey) ? v : undefined
      const snap = snapshots === undefined ? undefined : latestOfConfiguredSet(snapshots, config.backup.paths, { orNewest: false })
      const snapMs = snap !== undefined && isOfConfiguredSet(snap.snapshot, config.backup.paths) ? Number(snap.snapshot.timeNs / 1_000_000n) : undefined
      return recorded === undefined ? snapMs : Math.max(recorded, snapMs ?? 0)
    },
    run: async () => {
      if (owner === undefined || config.backup.paths.length === 0) return
      const { op } = backups.request({ paths: [...config.backup.paths], tags: [], reason: 'schedule' })
      await op.result
    }
  })

  // 6. Liveness: the peer book follows connections; peer info is refreshed in the background.
  const onConnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString()
    peerBook.connected(id)
    log.info('peer online', { peer: id })
    // At once: a short-lived peer (a fresh-machine restore) says so in its info and is never listed.
    void refreshPeerInfo(id)
  }
  /** The addresses a peer listens on (from identify), remembered so either side can redial after a restart. */
  const rememberAddrs = async (id: PeerId): Promise<void> => {
    try {
      const p = await libp2p.peerStore.get(id)
      const addrs = p.addresses.map(a => a.multiaddr.toString()).filter(a => !a.includes('/p2p-circuit'))
      if (addrs.length > 0) peerBook.connected(id.toString(), addrs)
    } catch {}
  }
  /**
   * Peers from the book that are not connected are dialled again (like Syncthing's
   * known devices), on their own timer so that slow maintenance never delays a reconnection. A
   * peer that cannot be reached is tried again after a backoff that doubles up to REDIAL_MAX_MS.
   */
  const redialBackoff = new Map<string, { at: number, wait: number }>()
  let redialing = false
  const redialKnown = async (): Promise<void> => {
    if (redialing) return
    redialing = true
    try {
      const connected = new Set(libp2p.getPeers().map(p => p.toString()))
      const now = Date.now()
      await Promise.allSettled(peerBook.list()
        // Gone peers too: "gone" decides repair, but a machine back from a long trip is welcome.
        .filter(p => !connected.has(p.peerId) && p.addrs.length > 0 && p.peerId !== peerId)
        .filter(p => (redialBackoff.get(p.peerId)?.at ?? 0) <= now)
        .map(async (p) => {
          const id = peerIdFromString(p.peerId)
          await libp2p.peerStore.merge(id, { multiaddrs: p.addrs.map(a => multiaddr(a)) })
          try {
            await libp2p.dial(id, { signal: AbortSignal.timeout(10_000) })
            redialBackoff.delete(p.peerId)
          } catch (err) {
            const wait = Math.min(REDIAL_MAX_MS, (redialBackoff.get(p.peerId)?.wait ?? REDIAL_MIN_MS / 2) * 2)
            redialBackoff.set(p.peerId, { at: Date.now() + wait, wait })
            log.debug('could not reach a known peer', { peer: p.peerId, addrs: p.addrs, error: (err as Error).message, retryInMs: wait })
          }
        }))
    } finally {
      redialing = false
    }
  }

  // Identify tells where a peer listens: remembered at once, so that either side can redial after a restart.
  const onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const addrs = evt.detail.listenAddrs.map(a => a.toString()).filter(a => !a.includes('/p2p-circuit'))
    if (addrs.length > 0) peerBook.connected(evt.detail.peerId.toString(), addrs)
  }
  const onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString()
    const ephemeral = peerBook.get(id)?.ephemeral === true
    peerBook.disconnected(id)
    log.info('peer offline', { peer: id })
    // A fresh-machine restore that finished: nothing of it is kept (docs/protocol.md §4, field 9).
    if (ephemeral) void dropFromNode(evt.detail)
  }

  let maintenanceTimer: NodeJS.Timeout | undefined
  let redialTimer: NodeJS.Timeout | undefined
  let maintaining = false
  const maintenance = async (): Promise<void> => {
    if (maintaining) return
    maintaining = true
    try {
      for (const p of libp2p.getPeers()) {
        const id = p.toString()
        peerBook.connected(id)
        await rememberAddrs(p)
        const known = peerBook.get(id)
        if (known?.infoAt !== undefined && Date.now() - known.infoAt < PEER_INFO_MAX_AGE_MS) continue
        await refreshPeerInfo(id)
      }
      await publishKeyRecord()
      // In the background: reading the snapshot list can wait for slow or absent peers.
      if (owner !== undefined && snapshots === undefined && libp2p.getPeers().length > 0) {
        void refreshSnapshots().then(() => refreshFootprint(), () => {})
      } else if (owner !== undefined && footprint === undefined) {
        void refreshFootprint()
      }
    } finally {
      maintaining = false
    }
  }

  /** The wrapped master key goes into the swarm under the owner's name once peers are there. */
  const publishKeyRecord = async (): Promise<void> => {
    if (owner === undefined || store === undefined || keyRecordPublished || owner.keyFile === undefined) return
    if (libp2p.getPeers().length === 0) return
    const key = keyRecordKey(owner.name)
    const ours = encodeKeyFile(owner.keyFile)
    try {
      const existing = await store.getRecord(key, { signal: AbortSignal.timeout(10_000) })
      if (existing !== undefined && !sameOwnerKeyRecord(existing, owner.keyFile.publicKey)) {
        ownerProblem = {
          code: 'owner-name-taken', severity: 'error',
          message: `another machine already uses the owner name "${owner.name}" in this swarm, so restoring by name would find that machine's key`,
          hint: 'restore still works with the recovery key; to fix it, start over with a fresh state directory and `p2pbak init --owner <another name>`'
        }
        keyRecordPublished = true
        return
      }
      await store.putRecord(key, ours, { signal: AbortSignal.timeout(15_000) })
      owner.repo.state.putMeta('key_record_published', 1)
      keyRecordPublished = true
      log.info('owner key record stored in the swarm', { owner: owner.name })
    } catch (err) {
      debug('key record not stored yet: %s', (err as Error).message)
    }
  }

  /** The newest snapshot of the configured set (what `latest` restores); with backup.paths set, never an ad-hoc one. */
  const configuredLatest = (): SnapshotInfo | undefined =>
    snapshots === undefined ? undefined : latestOfConfiguredSet(snapshots, config.backup.paths, { orNewest: config.backup.paths.length === 0 })

  const refreshFootprint = async (): Promise<void> => {
    if (footprintBusy || owner === undefined) return
    const latest = configuredLatest()
    if (latest === undefined || footprint?.snapshot === latest.id) return
    footprintBusy = true
    try {
      footprint = await snapshotFootprint(owner.repo, latest, AbortSignal.timeout(120_000))
    } catch (err) {
      debug('footprint of %s failed: %s', latest.id, (err as Error).message)
    } finally {
      footprintBusy = false
    }
  }

  // 7. Status: the user's first question.
  const erasure = config.redundancy.mode === 'erasure' ? { dataShards: config.redundancy.dataShards, parityShards: config.redundancy.parityShards } : undefined
  /** Holders each pack should have: r copies, or k + m shards. */
  const wanted = erasure === undefined ? config.redundancy.replicas : erasure.dataShards + erasure.parityShards
  const status = (): Status => {
    const peers = peerBook.list()
    const count = (l: string): number => peers.filter(p => p.liveness === l).length
    const problems: Problem[] = []
    const info = peer.holder.info()
    let ownerStatus: Status['owner'] = null
    if (owner !== undefined && store !== undefined) {
      const o = owner
      const byId = new Map(peers.map(p => [p.peerId, p]))
      const liveness = (id: string): 'online' | 'absent' | 'gone' => byId.get(id)?.liveness ?? peerBook.liveness(id)
      const domainOf = (id: string): string => byId.get(id)?.domain ?? ''
      const domains = new Set(peers.filter(p => p.liveness !== 'gone').map(p => p.domain ?? '')).size
      const placements = store.placements()
      const packs = classifyPacks(placements, config.redundancy.replicas, liveness, domainOf, domains)
      const onlineHolders = new Map(placements.map(p => [p.packId, reachableNow(p, liveness)]))
      const latest = configuredLatest()
      const adHoc = snapshots?.findLast(x => x.snapshot.origin === SnapshotOrigin.ORIGIN_AD_HOC)
      const lastAdHoc = adHoc !== undefined && adHoc.id !== latest?.id && (latest === undefined || adHoc.snapshot.timeNs > latest.snapshot.timeNs) ? adHoc : undefined
      const lastMs = latest === undefined ? undefined : Number(latest.snapshot.timeNs / 1_000_000n)
      let restorable: NonNullable<Status['owner']>['restorable'] = null
      if (footprint !== undefined && latest !== undefined && footprint.snapshot === latest.id) {
        restorable = { snapshot: latest.id, ...restorableShare(footprint, (id) => onlineHolders.get(id) === true), computedAt: rfc3339FromMs(Date.now()) }
      }
      const next = config.backup.paths.length > 0 ? scheduler.next() ?? null : null
      ownerStatus = {
        name: o.name,
        ownerId: o.keys.ownerId,
        replicas: config.redundancy.replicas,
        erasure: erasure ?? null,
        lastBackup: latest === undefined || lastMs === undefined
          ? null
          : { snapshot: latest.id, time: rfc3339FromNs(latest.snapshot.timeNs), age: Date.now() - lastMs, files: latest.snapshot.summary?.totalFiles ?? 0, bytes: latest.snapshot.summary?.totalBytes ?? 0 },
        lastAdHocBackup: lastAdHoc === undefined
          ? null
          : { snapshot: lastAdHoc.id, time: rfc3339FromNs(lastAdHoc.snapshot.timeNs), paths: lastAdHoc.snapshot.paths.map(p => Buffer.from(p).toString()), tags: lastAdHoc.snapshot.tags },
        nextBackup: next === null ? null : rfc3339FromMs(next),
        backupPaths: [...config.backup.paths],
        packs,
        restorable
      }
      if (latest === undefined) {
        problems.push({ code: 'no-backup-yet', severity: 'warning', message: 'no backup has been made yet', hint: config.backup.paths.length > 0 ? 'one is scheduled; run `p2pbak backup` to make it now' : 'set backup.paths in the config, or run `p2pbak backup <folder>`' })
      } else if (lastMs !== undefined && Date.now() - lastMs > 3 * config.backup.interval) {
        problems.push({ code: 'backup-overdue', severity: 'warning', message: `the last backup is ${formatAge(Date.now() - lastMs)} old`, hint: 'check that the daemon can reach its peers (`p2pbak peers`), then run `p2pbak backup`' })
      }
      if (packs.lost > 0) problems.push({ code: 'packs-lost', severity: 'error', message: `${packs.lost} pack(s) have no holder left`, hint: 'run `p2pbak check` to see which files are affected, then back them up again with `p2pbak backup`' })
      if (packs.atRisk > 0) problems.push({ code: 'packs-at-risk', severity: 'error', message: erasure === undefined ? `${packs.atRisk} pack(s) have a single holder left` : `${packs.atRisk} pack(s) have only the ${erasure.dataShards} shards left that a restore needs`, hint: 'bring absent machines back online; more peers in the office let p2pbak keep every copy' })
      if (packs.degraded > 0) problems.push({ code: 'packs-degraded', severity: 'warning', message: `${packs.degraded} pack(s) have fewer than ${wanted} ${erasure === undefined ? 'holders' : 'shards on holders of their own'}`, hint: 'bring absent machines back online, or add machines to the swarm' })
      if (restorable !== null && restorable.share < 1) problems.push({ code: 'not-fully-restorable-now', severity: 'warning', message: `only ${(restorable.share * 100).toFixed(1)} % of the latest snapshot could be restored from the peers online now`, hint: 'it recovers when absent peers come back; see `p2pbak peers`' })
    } else if (ownerProblem === undefined) {
      problems.push({ code: 'no-owner', severity: 'warning', message: 'this machine holds data for others but backs up nothing of its own', hint: 'run `p2pbak init` to back up this machine' })
    }
    if (ownerProblem !== undefined) problems.push(ownerProblem)
    if (count('online') === 0) problems.push({ code: 'no-peers', severity: 'error', message: 'no peer is connected', hint: 'check network.bootstrap and that other daemons run with the same swarm key' })
    if (count('online') > 0 && count('online') < wanted) {
      problems.push({ code: 'too-few-peers', severity: 'warning', message: `${count('online')} peer(s) online, fewer than the ${wanted} ${erasure === undefined ? 'replicas' : 'shards'} wanted`, hint: erasure === undefined ? 'add machines to the swarm, or lower redundancy.replicas' : 'add machines to the swarm, or lower redundancy.data_shards / parity_shards' })
    }
    if (owner !== undefined) {
      // When the next try runs: now (a backup runs), at the next scheduled time or retry, or never.
      const next = backups.busy ? undefined : config.backup.paths.length === 0 ? null : scheduler.next() ?? null
      const p = lastBackupProblem(history.list(), next, Date.now())
      if (p !== undefined) problems.push(p)
    }
    if (announcement.leaving) {
      problems.push({ code: 'leaving', severity: 'warning', message: 'this machine is leaving the swarm: it takes no packs and makes no scheduled backups', hint: 'finish with `p2pbak leave`, then stop the daemon; or stay with `p2pbak leave --cancel`' })
    } else if (info.quota > 0 && info.free === 0) problems.push({ code: 'storage-full', severity: 'warning', message: 'the space offered to others is full', hint: 'raise storage.quota, or free disk space' })
    const verdict = problems.some(p => p.severity === 'error') ? 'error' : problems.length > 0 ? 'warning' : 'ok'
    return {
      apiVersion: 1,
      verdict,
      time: rfc3339FromMs(Date.now()),
      daemon: {
        version: overrides.version ?? '0.0.0', pid: process.pid, uptime: Date.now() - startedAt, peerId,
        listen: peer.node.addresses().map(String), stateDir, swarmId,
        awayUntil: announcement.awayUntil > Date.now() ? rfc3339FromMs(announcement.awayUntil) : null,
        leaving: announcement.leaving
      },
      swarm: { online: count('online'), absent: count('absent'), gone: count('gone'), goneAfter: config.repair.goneAfter },
      owner: ownerStatus,
      storage: { offered: info.quota, used: info.used, free: info.free, packs: peer.holder.heldPacks().length, domain: info.domain },
      operations: [...backups.operations(), ...others].map(o => o.info()),
      repair: { ...repairer.stats, lastCheck: repairer.stats.lastCheck === undefined ? null : rfc3339FromMs(repairer.stats.lastCheck), checkInterval: config.repair.checkInterval },
      problems
    }
  }

  const peerRows = (): PeerRow[] => {
    const forThem = peer.holder.bytesBySender()
    const forUs = store?.bytesByHolder() ?? new Map<string, number>()
    return peerBook.list().map(p => ({
      peerId: p.peerId,
      addrs: p.addrs,
      liveness: p.liveness,
      lastSeen: rfc3339FromMs(p.lastSeen),
      free: p.free ?? null,
      quota: p.quota ?? null,
      domain: p.domain ?? null,
      heldForThem: forThem.get(p.peerId) ?? 0,
      heldForUs: forUs.get(p.peerId) ?? 0,
      awayUntil: p.awayUntil === undefined ? null : rfc3339FromMs(p.awayUntil),
      leaving: p.leaving
    }))
  }

  /** Forgets a peer in the swarm node: its connections, its peer store entry and its DHT routing table slot. */
  const dropFromNode = async (id: PeerId): Promise<void> => {
    redialBackoff.delete(id.toString())
    await libp2p.hangUp(id).catch(() => {})
    // kad-dht has no public removal; its routing table's remove() is used when present.
    const table = (libp2p.services.dht as unknown as { routingTable?: { remove?: (p: PeerId) => Promise<void> } }).routingTable
    await table?.remove?.(id).catch(() => {})
    await libp2p.peerStore.delete(id).catch(() => {})
  }

  let stopping = false
  /**
   * Runs a restore or check as a listed operation: its progress goes to the client, and the client
   * going away stops it (unlike a backup, it only served that client).
   */
  const track = async <R>(op: Operation<R>, fn: (op: Operation<R>) => Promise<R>, client: { signal: AbortSignal, progress: (p: Progress) => void }): Promise<R> => {
    if (stopping) throw new ShuttingDownError('the daemon is shutting down', { hint: 'try again once it has restarted' })
    const onClientGone = (): void => { op.controller.abort(new Error('the client went away')) }
    client.signal.addEventListener('abort', onClientGone)
    op.on('progress', client.progress)
    others.add(op as Operation<unknown>)
    try {
      await op.run(fn)
      return await op.result
    } finally {
      others.delete(op as Operation<unknown>)
      client.signal.removeEventListener('abort', onClientGone)
    }
  }

  const routes = buildRoutes({
    status,
    peers: peerRows,
    snapshots: async () => snapshots ?? await refreshSnapshots(),
    configuredPaths: () => config.backup.paths,
    owner: () => requireOwner().owner,
    backup: (body) => {
      if (stopping) throw new ShuttingDownError('the daemon is shutting down', { hint: 'try again once it has restarted' })
      requireOwner()
      const paths = body.paths !== undefined && body.paths.length > 0 ? body.paths : [...config.backup.paths]
      if (paths.length === 0) throw new InvalidArgumentError('nothing to back up: no paths given and backup.paths is empty', { hint: 'run `p2pbak backup <folder>`, or set backup.paths in the config' })
      return backups.request({ paths, tags: body.tags ?? [], reason: 'cli' })
    },
    restore: async (body, progress, signal) => {
      const { owner: o } = requireOwner()
      const snap = await o.repo.findSnapshot(body.snapshot, { ...(body.filter === undefined ? {} : { filter: body.filter }), configuredPaths: config.backup.paths })
      const op = new Operation<RestoreAnswer>('restore')
      return await track(op, async () => {
        log.info('restore started', { snapshot: snap.id.slice(0, 8), target: body.target })
        const total = snap.snapshot.summary
        const r = await restore(o.repo, snap, body.target, {
          ...(body.include === undefined ? {} : { include: body.include }),
          ...(body.overwrite === undefined ? {} : { overwrite: body.overwrite }),
          dryRun: body.dryRun === true,
          signal: op.signal,
          onProgress: (p) => {
            op.report({
              stage: 'restoring', filesDone: p.filesDone, bytesDone: p.bytesDone, currentPath: p.currentPath,
              ...(total === undefined || body.include !== undefined ? {} : { totalFiles: total.totalFiles, totalBytes: total.totalBytes })
            })
          }
        })
        log.info('restore finished', { snapshot: snap.id.slice(0, 8), files: r.files, bytes: r.bytes })
        return { snapshot: snap.id, target: body.target, dryRun: body.dryRun === true, ...r }
      }, { signal, progress })
    },
    check: async (body, progress, signal) => {
      const { owner: o } = requireOwner()
      const op = new Operation<CheckAnswer>('check')
      return await track(op, async () => {
        const r = await check(o.repo, {
          readData: body.readData === true,
          // filesDone/totalFiles count packs here; bytes are those read from the peers (--read-data).
          onProgress: (p) => { op.report({ stage: p.stage, filesDone: p.done, totalFiles: p.total, bytesDone: p.bytes ?? 0, ...(p.totalBytes === undefined ? {} : { totalBytes: p.totalBytes }) }) }
        })
        log.info('check finished', { ok: r.ok, problems: r.problems.length, packs: r.packs })
        return r
      }, { signal, progress })
    },
    keyPasswd: async (body) => {
      const { owner: o, store: s } = requireOwner()
      // A wrong current passphrase is reported before a weak new one (changePassphrase checks it first).
      const weak = await checkNewPassphrase(body.newPassphrase, [o.name]).then(() => undefined, (err: unknown) => err)
      if (weak !== undefined) {
        if (o.keyFile !== undefined) {
          const master = await unwrapKeyFileAsync(o.keyFile, body.oldPassphrase)
          master.fill(0)
        }
        throw weak
      }
      const kf = await changePassphraseAsync(join(ownerDir, KEY_FILE_NAME), body.oldPassphrase, body.newPassphrase)
      o.keyFile = kf
      // The swarm's copy follows, so the new passphrase works on a fresh machine too.
      o.repo.state.putMeta('key_record_published', 0)
      keyRecordPublished = false
      await s.putRecord(keyRecordKey(o.name), encodeKeyFile(kf), { signal: AbortSignal.timeout(15_000) }).then(() => {
        o.repo.state.putMeta('key_record_published', 1)
        keyRecordPublished = true
      }, (err: Error) => { debug('key record update deferred: %s', err.message) })
      log.info('passphrase changed', { owner: o.name })
      return { changed: true, storedInSwarm: keyRecordPublished }
    },
    keyRecovery: async (body) => {
      const { owner: o } = requireOwner()
      if (o.keyFile === undefined) throw new NotInitializedError('this owner has no key file')
      // The passphrase is asked so that an unlocked terminal alone does not reveal the key.
      const master = await unwrapKeyFileAsync(o.keyFile, body.passphrase)
      if (!Buffer.from(master).equals(Buffer.from(readUnattendedKey(ownerDir) ?? new Uint8Array()))) {
        throw new WrongPassphraseError('the key file does not match this owner', { hint: 'the state directory is inconsistent: restore it from a backup' })
      }
      return { recoveryKey: masterKeyToRecoveryKey(master) }
    },
    keyVerify: async (body) => {
      const { owner: o } = requireOwner()
      if (o.keyFile === undefined) throw new NotInitializedError('this owner has no key file')
      const master = await unwrapKeyFileAsync(o.keyFile, body.passphrase)
      master.fill(0)
      return { ok: true }
    },
    history: () => history.list(),
    ownerReload: async () => {
      await openOwnerIfPresent()
      if (owner !== undefined) void maintenance()
      return { owner: owner?.name ?? null }
    },
    away: async (body) => {
      if (body.until !== null) {
        const now = Date.now()
        if (body.until <= now) throw new InvalidArgumentError('the end of the absence is in the past', { hint: 'give a future date or a duration, e.g. `p2pbak away --for 2w`' })
        if (body.until - now > MAX_PLANNED_ABSENCE_MS) {
          throw new InvalidArgumentError(`an absence of more than ${MAX_PLANNED_ABSENCE_MS / 86_400_000} days cannot be announced`, { hint: 'for a longer absence, or for good, hand over what this machine holds with `p2pbak leave`' })
        }
      }
      setAnnouncement({ ...announcement, awayUntil: body.until ?? 0 })
      log.info(body.until === null ? 'planned absence cancelled' : 'planned absence announced', { until: body.until === null ? null : new Date(body.until).toISOString() })
      const { told, online } = await tellPeers(15_000)
      return { awayUntil: body.until === null ? null : rfc3339FromMs(body.until), told, online }
    },
    leave: async (body, progress, signal) => {
      if (body.cancel === true) {
        setAnnouncement({ ...announcement, leaving: false })
        repairer.stopDraining()
        if (started && !stopping) scheduler.start()
        log.info('leaving cancelled: this machine takes packs again')
        await tellPeers(15_000)
        return { leaving: false, moved: 0, dropped: 0, bytes: 0, kept: 0 }
      }
      setAnnouncement({ ...announcement, leaving: true })
      scheduler.stop()
      log.info('leaving the swarm: handing over what this machine holds')
      await tellPeers(15_000)
      const op = new Operation<LeaveAnswer>('leave')
      return await track(op, async () => {
        const r = await repairer.drain((p) => {
          op.report({ stage: 'handing over held packs', filesDone: p.done, totalFiles: p.total, bytesDone: p.bytes, totalBytes: p.totalBytes })
        }, op.controller.signal)
        log.info('hand-over finished', { moved: r.moved, dropped: r.dropped, bytes: r.bytes, kept: r.kept.length })
        if (r.kept.length > 0) {
          throw new NoHolderError(`${r.kept.length} held pack(s) could not be handed over: no other peer can take them`, {
            hint: 'start more daemons or raise their storage.quota, then run `p2pbak leave` again (what was handed over stays handed over)'
          })
        }
        return { leaving: true, moved: r.moved, dropped: r.dropped, bytes: r.bytes, kept: 0 }
      }, { signal, progress })
    },
    peersForget: async (body) => {
      const r = await forgetPeer({ peerBook, dropFromNode, ...(store === undefined ? {} : { store }), heldForThem: () => peer.holder.bytesBySender() }, body)
      log.info('peer forgotten', { peer: r.peerId, liveness: r.liveness, heldForUsPacks: r.heldForUs.packs })
      return r
    }
  })

  let control: ControlServer | undefined
  const controlAddresses: string[] = []
  let started = false
  let stopPromise: Promise<void> | undefined

  return {
    peerId,
    controlAddresses,
    start: async () => {
      if (started) return
      started = true
      try {
        libp2p.addEventListener('peer:connect', onConnect)
        libp2p.addEventListener('peer:disconnect', onDisconnect)
        libp2p.addEventListener('peer:identify', onIdentify)
        try {
          await peer.start()
        } catch (err) {
          const text = `${(err as Error).message} ${String((err as { cause?: Error }).cause?.message ?? '')}`
          if (/EADDRINUSE|address already in use/i.test(text)) {
            throw new InvalidArgumentError(`cannot listen on ${config.network.listen.join(', ')}: the address is in use`, {
              hint: 'another program (or another p2pbak daemon) uses that port: stop it, or change network.listen', cause: err
            })
          }
          throw err
        }
        log.info('swarm node started', { peerId, swarm: swarmId, listen: peer.node.addresses().map(String) })
        await openOwnerIfPresent()
        const tokenFile = config.control.tokenFile
        control = await startControlServer({
          socketPath: config.control.socket,
          routes,
          ...(config.control.tcpListen === undefined || tokenFile === undefined
            ? {}
            : { tcp: { listen: config.control.tcpListen, token: readFileSync(tokenFile, 'utf8').trim() } })
        })
        controlAddresses.push(...control.addresses)
        log.info('control API listening', { on: control.addresses })
        if (!announcement.leaving) scheduler.start()
        maintenanceTimer = setInterval(() => { void maintenance() }, MAINTENANCE_INTERVAL_MS)
        redialTimer = setInterval(() => { void redialKnown() }, REDIAL_MIN_MS)
        repairTimers = [
          setInterval(() => { void repairRound() }, config.repair.checkInterval),
          setInterval(() => {
            if (auditing) return
            auditing = true
            void repairer.auditRound(repairAbort.signal).catch((err: Error) => { debug('audit round: %s', err.message) }).finally(() => { auditing = false })
          }, config.repair.auditInterval),
          setInterval(() => {
            if (scrubbing) return
            scrubbing = true
            void repairer.scrubStep(config.repair.scrubRate).catch((err: Error) => { debug('scrub: %s', err.message) }).finally(() => { scrubbing = false })
          }, 1000)
        ]
        void redialKnown()
        void maintenance()
      } catch (err) {
        await stopAll().catch(() => {})
        throw err
      }
    },
    stop: async () => {
      stopPromise ??= stopAll()
      await stopPromise
    }
  }

  async function stopAll (): Promise<void> {
    stopping = true
    log.info('shutting down')
    scheduler.stop()
    if (maintenanceTimer !== undefined) clearInterval(maintenanceTimer)
    if (redialTimer !== undefined) clearInterval(redialTimer)
    for (const t of repairTimers) clearInterval(t)
    repairAbort.abort(new ShuttingDownError('the daemon is shutting down'))
    // A running backup stops at its next file; packs already sent stay with their holders and the
    // next backup reuses them (it re-reads their headers), so nothing is sent twice.
    const stopErr = new ShuttingDownError('the daemon is shutting down', { hint: 'the backup resumes where it stopped at the next run' })
    const closing = backups.close(stopErr)
    store?.abort(stopErr) // transfers in flight stop too: with a bandwidth limit they could take minutes
    await closing
    for (const op of others) op.controller.abort(stopErr)
    await Promise.all([...others].map(async op => await op.result.catch(() => {})))
    await control?.close()
    libp2p.removeEventListener('peer:connect', onConnect)
    libp2p.removeEventListener('peer:disconnect', onDisconnect)
    libp2p.removeEventListener('peer:identify', onIdentify)
    if (owner !== undefined) await owner.close().catch((err: Error) => { log.error('closing the owner failed', { error: err.message }) })
    await store?.close()
    for (const c of cleanups.reverse()) await c()
    log.info('stopped')
    log.flush()
  }
}

function sameOwnerKeyRecord (bytes: Uint8Array, publicKeyB64: string): boolean {
  try {
    return decodeKeyFile(bytes).publicKey === publicKeyB64
  } catch {
    return false
  }
}

export function formatAge (ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  if (s < 172800) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86400)} days`
}
