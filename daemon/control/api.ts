// The control API's contract (docs/control-api.md): every route, its request and its answer. The
// daemon implements it (daemon/control/routes.ts), the CLI's client calls it (cli/client.ts); the
// shapes here are the stable JSON that `--json` prints. Version 1: fields are only ever added.
import type { OperationInfo, Progress } from '../operations.js'
import type { RepairStats } from '../repair.js'

export type { OperationInfo, Progress } from '../operations.js'

/** Version of this API, in every path (`/v1/...`) and in status.apiVersion. */
export const CONTROL_API_VERSION = 1

/** Largest request body the daemon reads. */
export const MAX_REQUEST_BODY = 1024 * 1024

/** NDJSON line of a streamed answer: progress events, then exactly one result or error. */
export type StreamLine<R> =
  | { type: 'progress', progress: Progress }
  | { type: 'queued', operation: string, joined: boolean }
  | { type: 'result', result: R }
  | { type: 'error', error: ApiError }

/** Every failure: `name` is the error code (the CLI's exit code follows from it), `hint` what to do. */
export interface ApiError { name: string, message: string, hint?: string }

export const ROUTES = {
  status: { method: 'GET', path: '/v1/status' },
  snapshots: { method: 'GET', path: '/v1/snapshots' },
  /** The same list with filters in the body (SnapshotsRequestBody). */
  snapshotsFiltered: { method: 'POST', path: '/v1/snapshots' },
  ls: { method: 'POST', path: '/v1/ls' },
  backup: { method: 'POST', path: '/v1/backup', stream: true },
  restore: { method: 'POST', path: '/v1/restore', stream: true },
  check: { method: 'POST', path: '/v1/check', stream: true },
  peers: { method: 'GET', path: '/v1/peers' },
  keyPasswd: { method: 'POST', path: '/v1/key/passwd' },
  keyRecovery: { method: 'POST', path: '/v1/key/recovery' },
  keyVerify: { method: 'POST', path: '/v1/key/verify' },
  ownerReload: { method: 'POST', path: '/v1/owner/reload' },
  away: { method: 'POST', path: '/v1/away' },
  leave: { method: 'POST', path: '/v1/leave', stream: true },
  peersForget: { method: 'POST', path: '/v1/peers/forget' },
  history: { method: 'GET', path: '/v1/history' }
} as const

export type RouteName = keyof typeof ROUTES

// ---- requests ----

export interface BackupRequestBody {
  /** Absolute paths; empty or absent = the configured backup.paths. */
  paths?: string[]
  tags?: string[]
}

/**
 * restic's snapshot filters (docs/format.md §7 "Backup sets"): a snapshot matches when its paths
 * include every one of `paths` (absolute), it has all the tags of any one list of `tags`, and its
 * hostname is one of `hosts`; an absent or empty kind matches everything.
 */
export interface SnapshotFilterBody {
  paths?: string[]
  tags?: string[][]
  hosts?: string[]
}

export interface SnapshotsRequestBody { filter?: SnapshotFilterBody }

export interface RestoreRequestBody {
  /** Snapshot ID, unique prefix, or "latest" (the configured set's newest; with `filter`, the newest that matches). */
  snapshot: string
  filter?: SnapshotFilterBody
  /** Absolute folder to restore into ("/": the original paths). */
  target: string
  include?: string[]
  /** What to do with a file already there (docs/restore.md §overwrite); default 'always'. */
  overwrite?: 'always' | 'if-changed' | 'if-newer' | 'never'
  /** Write nothing; the answer lists what would be written (`items`). */
  dryRun?: boolean
}

export interface CheckRequestBody { readData?: boolean }
export interface LsRequestBody { snapshot: string, path?: string, filter?: SnapshotFilterBody }
export interface KeyPasswdBody { oldPassphrase: string, newPassphrase: string }
export interface KeyRecoveryBody { passphrase: string }
/** `until`: ms since the epoch, at most 60 days ahead; null ends a planned absence. */
export interface AwayBody { until: number | null }
export interface LeaveBody { cancel?: boolean }
/** `peer`: a full peer ID, or a unique prefix or suffix of one (as `p2pbak peers` prints it). `force`: forget it even while it is online. */
export interface PeersForgetBody { peer: string, force?: boolean }
export type { ForgetPeerAnswer as PeersForgetAnswer } from '../forget-peer.js'

export interface AwayAnswer {
  /** RFC 3339; null when the absence was cancelled. */
  awayUntil: string | null
  /** Online peers that fetched the announcement, of those online. */
  told: number
  online: number
}

export interface LeaveAnswer {
  /** True once nothing is held for others any more (or false after --cancel). */
  leaving: boolean
  /** Packs and shards copied to another peer, then dropped here. */
  moved: number
  /** Dropped without copying: enough other copies were online. */
  dropped: number
  /** Bytes sent to other peers. */
  bytes: number
  /** Still held here: no peer could take them (listed in the error when not zero). */
  kept: number
}

// ---- answers ----

export interface BackupAnswer {
  snapshot: string
  /** True when this request joined a backup that was already running or queued. */
  joined: boolean
  summary: {
    filesNew: number
    filesChanged: number
    filesUnmodified: number
    dirs: number
    totalFiles: number
    totalBytes: number
    bytesRead: number
    bytesAdded: number
    bytesStored: number
    packsAdded: number
    durationMs: number
    warnings: string[]
  }
  /** Packs of this run stored with fewer replicas than wanted (too few peers online). */
  degradedPacks: number
  /**
   * Paths not in the snapshot: backup paths missing or unreadable, files and folders inside them
   * that could not be read (at most 1000 listed). Not empty: an incomplete snapshot, and the CLI
   * exits with IncompleteSnapshotError (24).
   */
  skipped: Array<{ path: string, reason: string }>
  /** How many paths were skipped in all. */
  skippedCount: number
}

/** One backup run in `GET /v1/history` (the last 20, oldest first). */
export interface HistoryEntry {
  /** The backup operation's ID (as in status.operations). */
  operation: string
  /** RFC 3339. */
  start: string
  end: string
  trigger: 'scheduled' | 'manual'
  paths: string[]
  tags: string[]
  /** ok: a complete snapshot; incomplete: a snapshot without some paths (skipped); failed: no snapshot. */
  outcome: 'ok' | 'incomplete' | 'failed'
  snapshot: string | null
  filesNew: number
  filesChanged: number
  bytesAdded: number
  /** Why it failed (outcome failed), else null. */
  error: ApiError | null
  /** What an incomplete snapshot lacks (at most 20 listed). */
  skipped: Array<{ path: string, reason: string }>
  skippedCount: number
}

export interface RestoreAnswer {
  snapshot: string
  target: string
  files: number
  dirs: number
  symlinks: number
  bytes: number
  warnings: string[]
  /** Files not written: already in place, or kept by the overwrite mode. */
  skipped: number
  dryRun: boolean
  /** Dry run only: what would be created, replaced, left or could not be restored. */
  items?: Array<{ path: string, type: 'file' | 'dir' | 'symlink', action: 'create' | 'replace' | 'skip' | 'fail', reason?: string, size: number }>
}

export interface CheckAnswer {
  ok: boolean
  problems: Array<{ kind: string, id: string, message: string, paths?: string[] }>
  snapshots: number
  packs: number
  blobs: number
  unreferencedPacks: number
  bytesRead: number
}

export interface SnapshotRow {
  id: string
  /** RFC 3339 with nanoseconds (the snapshot's own precision). */
  time: string
  hostname: string
  owner: string
  paths: string[]
  tags: string[]
  files: number
  bytes: number
  /** The backup set: 8 hex digits naming its sorted paths and tags (the same for every snapshot of the set). */
  set: string
  /** Made of the owner's configured backup.paths, ad hoc (other paths or tags), or unrecorded (written before this was recorded). */
  origin: 'configured' | 'ad-hoc' | 'unrecorded'
  /** This is the snapshot `latest` names (with the same filters). */
  latest: boolean
}

/** `mtime`: RFC 3339 with nanoseconds. */
export interface LsEntry { path: string, type: string, size: number, mode: string, mtime: string }

export type Liveness = 'online' | 'absent' | 'gone'

export interface PeerRow {
  peerId: string
  addrs: string[]
  liveness: Liveness
  /** RFC 3339 (now, for a peer online). */
  lastSeen: string
  /** What it last announced; null until it answered once. */
  free: number | null
  quota: number | null
  domain: string | null
  /** Bytes of packs we hold that this peer sent us. */
  heldForThem: number
  /** Bytes of our packs this peer holds. */
  heldForUs: number
  /** A planned absence it announced (RFC 3339), or null. */
  awayUntil: string | null
  /** It announced that it leaves the swarm. */
  leaving: boolean
}

export type Verdict = 'ok' | 'warning' | 'error'

export interface Problem {
  /** Stable code, e.g. "no-backup-yet", "packs-degraded". */
  code: string
  severity: 'warning' | 'error'
  message: string
  /** What to do about it. */
  hint: string
}

export interface PackHealth {
  total: number
  /** ≥ r holders not gone, in distinct domains. */
  healthy: number
  /** 2 ≤ holders not gone < r. */
  degraded: number
  /** Exactly one holder not gone. */
  atRisk: number
  /** No holder left that is not gone. */
  lost: number
}

export interface Status {
  apiVersion: 1
  /** One word for "is my data safe": ok, warning (something to look at), error (act now). */
  verdict: Verdict
  /** RFC 3339, when this status was made. */
  time: string
  daemon: {
    version: string
    pid: number
    /** ms. */
    uptime: number
    peerId: string
    listen: string[]
    stateDir: string
    swarmId: string
    /** A planned absence this daemon announces (`p2pbak away`): until then (RFC 3339), or null. */
    awayUntil: string | null
    /** `p2pbak leave` was run: it takes nothing new and hands over what it holds. */
    leaving: boolean
  }
  swarm: {
    /** Peers met so far, by liveness (goneAfter from the config). */
    online: number
    absent: number
    gone: number
    goneAfter: number
  }
  owner: null | {
    name: string
    ownerId: string
    replicas: number
    /** Erasure mode's k data + m parity shards; null in replicate mode. */
    erasure: null | { dataShards: number, parityShards: number }
    /** The newest snapshot of the configured set (backup.paths): what `latest` restores. */
    lastBackup: null | {
      snapshot: string
      /** RFC 3339 with nanoseconds: the snapshot's time. */
      time: string
      /** ms. */
      age: number
      files: number
      bytes: number
    }
    /**
     * The newest ad-hoc snapshot (other paths or tags than backup.paths) when it is newer than
     * lastBackup; it neither counts as the last backup nor moves the schedule.
     */
    lastAdHocBackup: null | {
      snapshot: string
      /** RFC 3339 with nanoseconds. */
      time: string
      paths: string[]
      tags: string[]
    }
    /** RFC 3339 of the next scheduled backup; null when none is scheduled (no backup.paths, leaving, or a scheduled backup running). */
    nextBackup: string | null
    backupPaths: string[]
    packs: PackHealth
    /** The latest snapshot's share that the peers online now could restore (by bytes of file content). */
    restorable: null | {
      snapshot: string
      files: number
      filesRestorable: number
      bytes: number
      bytesRestorable: number
      /** 0..1. */
      share: number
      /** RFC 3339, when this was computed (it is refreshed in the background). */
      computedAt: string
    }
  }
  storage: {
    /** Bytes offered to others (storage.quota). */
    offered: number
    used: number
    free: number
    packs: number
    domain: string
  }
  operations: OperationInfo[]
  /** What this daemon did as a holder (daemon/repair.ts RepairStats): repairs as coordinator, trims, audits, scrub. */
  repair: Omit<RepairStats, 'lastCheck'> & {
    /** RFC 3339 of the last check round; null before the first. */
    lastCheck: string | null
    checkInterval: number
  }
  problems: Problem[]
}
