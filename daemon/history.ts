// The last backups' results (`p2pbak history`, GET /v1/history) and the `status` problems that
// follow from the latest one. Kept in one small JSON file in the state directory, rewritten
// crash-safely (temp file, fsync, rename, fsync dir) after each backup and bounded to
// HISTORY_LENGTH entries, so a failed backup stays visible across daemon restarts.
import { existsSync, readFileSync } from 'node:fs'
import { logger } from '@libp2p/logger'
import { writeFileAtomic } from './fs/atomic.js'
import { rfc3339FromMs } from './time.js'
import type { ApiError, BackupAnswer, HistoryEntry, Problem } from './control/api.js'

const debug = logger('p2pbak:history')

/** Backups remembered. */
export const HISTORY_LENGTH = 20
/** Skipped paths kept per entry (the count is complete; the backup's own answer lists more). */
export const HISTORY_SKIPPED_LISTED = 20
/** The file in the state directory. */
export const HISTORY_FILE_NAME = 'backup-history.json'
const HISTORY_FORMAT_VERSION = 1

/** What one backup run was asked to do, and when it ran. */
export interface BackupRun {
  operation: string
  /** ms since the epoch. */
  startedAt: number
  endedAt: number
  trigger: HistoryEntry['trigger']
  paths: string[]
  tags: string[]
}

export class BackupHistory {
  private entries: HistoryEntry[]

  constructor (private readonly path: string) {
    this.entries = readHistory(path)
  }

  /** Oldest first. */
  list (): HistoryEntry[] {
    return [...this.entries]
  }

  /** The latest backup's result, if any. */
  last (): HistoryEntry | undefined {
    return this.entries.at(-1)
  }

  /** Records a run that made a snapshot (complete or not) or failed; the file is rewritten at once. */
  record (run: BackupRun, result: { answer: BackupAnswer } | { error: ApiError }): HistoryEntry {
    const base = {
      operation: run.operation,
      start: rfc3339FromMs(run.startedAt),
      end: rfc3339FromMs(run.endedAt),
      trigger: run.trigger,
      paths: run.paths,
      tags: run.tags
    }
    let entry: HistoryEntry
    if ('error' in result) {
      entry = { ...base, outcome: 'failed', snapshot: null, filesNew: 0, filesChanged: 0, bytesAdded: 0, error: result.error, skipped: [], skippedCount: 0 }
    } else {
      const a = result.answer
      entry = {
        ...base,
        outcome: a.skippedCount > 0 ? 'incomplete' : 'ok',
        snapshot: a.snapshot,
        filesNew: a.summary.filesNew,
        filesChanged: a.summary.filesChanged,
        bytesAdded: a.summary.bytesAdded,
        error: null,
        skipped: a.skipped.slice(0, HISTORY_SKIPPED_LISTED),
        skippedCount: a.skippedCount
      }
    }
    this.entries = [...this.entries, entry].slice(-HISTORY_LENGTH)
    writeFileAtomic(this.path, JSON.stringify({ version: HISTORY_FORMAT_VERSION, entries: this.entries }, null, 1) + '\n', { mode: 0o600 })
    return entry
  }
}

/** The entries of a history file; a missing or damaged file is an empty history (it only informs). */
function readHistory (path: string): HistoryEntry[] {
  if (!existsSync(path)) return []
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as { version?: number, entries?: unknown }
    if (v.version !== HISTORY_FORMAT_VERSION || !Array.isArray(v.entries)) return []
    return (v.entries as HistoryEntry[]).filter(e => typeof e === 'object' && e !== null && typeof e.outcome === 'string').slice(-HISTORY_LENGTH)
  } catch (err) {
    debug('history file %s unreadable, starting a new one: %s', path, (err as Error).message)
    return []
  }
}

/** Error names of a backup stopped on purpose (the daemon stopping): recorded, but not a failure to report. */
const STOPPED = new Set(['ShuttingDown', 'Interrupted'])

/**
 * The `status` problem the latest backup gives, if any: `last-backup-failed` (error) until a
 * backup succeeds again, `last-backup-incomplete` (warning) after a snapshot that lacks paths.
 * A backup stopped because the daemon stopped (a laptop shut down mid-backup) is skipped: the one
 * before it decides. `nextBackup`: when the next scheduled backup (or retry) runs, ms since the
 * epoch; null when none is scheduled; undefined while one runs.
 */
export function lastBackupProblem (entries: HistoryEntry[], nextBackup: number | null | undefined, now: number): Problem | undefined {
  const last = entries.findLast(e => !(e.outcome === 'failed' && STOPPED.has(e.error?.name ?? '')))
  if (last === undefined || last.outcome === 'ok') return undefined
  const next = nextBackup === undefined
    ? 'a backup is running now'
    : nextBackup === null
      ? 'no backup is scheduled (backup.paths is empty, or the machine is leaving): run `p2pbak backup` again once this is fixed'
      : `the next scheduled backup runs ${nextBackup <= now ? 'now' : `in ${inWords(nextBackup - now)}`} (${rfc3339FromMs(nextBackup)}), or run \`p2pbak backup\``
  const when = `${last.trigger} backup of ${last.paths.join(', ')} (${inWords(Math.max(0, now - Date.parse(last.end)))} ago)`
  if (last.outcome === 'failed') {
    const e = last.error ?? { name: 'InternalError', message: 'unknown error' }
    return {
      code: 'last-backup-failed',
      severity: 'error',
      message: `the last ${when} failed: ${e.name}: ${e.message}`,
      hint: `${e.hint ?? 'see the daemon log'}; ${next}`
    }
  }
  const named = last.skipped.slice(0, 3).map(p => `${p.path} (${p.reason})`).join(', ')
  return {
    code: 'last-backup-incomplete',
    severity: 'warning',
    message: `the last ${when} saved snapshot ${(last.snapshot ?? '').slice(0, 8)} without ${last.skippedCount} path(s) it could not read: ${named}${last.skippedCount > 3 ? ', …' : ''}`,
    hint: `check that these paths exist and that the daemon may read them (\`p2pbak history\` lists them); ${next}`
  }
}

function inWords (ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  if (s < 172800) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86400)} days`
}
