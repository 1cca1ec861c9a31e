// The error both `p2pbak backup` and `p2pbak local backup` end with when the snapshot was made but
// lacks paths that were missing or unreadable (exit code 24, after the summary was printed).
import { IncompleteSnapshotError } from '../daemon/errors.js'
import { ExitCodeOnly, exitCodeFor } from './exit-codes.js'
import type { CliIo } from './io.js'

/** Skipped paths named in the one-line message; the rest are counted. */
const NAMED = 5

export function incompleteSnapshotError (snapshotId: string, skipped: Array<{ path: string, reason: string }>, count: number): IncompleteSnapshotError {
  const named = skipped.slice(0, NAMED).map(p => `${p.path} (${p.reason})`).join(', ')
  const more = count > NAMED ? `, and ${count - NAMED} more` : ''
  return new IncompleteSnapshotError(`snapshot ${snapshotId.slice(0, 8)} was saved, but ${count} path(s) could not be read and are not in it: ${named}${more}`, snapshotId, skipped, {
    hint: 'check that these paths exist and that p2pbak may read them (permissions), then back up again; `--json` lists every skipped path'
  })
}

/**
 * What the backup commands throw for an incomplete snapshot. With `--json` the answer already
 * printed is the one JSON document (its `skipped` lists every path), so no error object follows
 * it: the words go to stderr only, and the exit code is still 24.
 */
export function incompleteSnapshotEnd (io: CliIo, json: boolean, snapshotId: string, skipped: Array<{ path: string, reason: string }>, count: number): Error {
  const err = incompleteSnapshotError(snapshotId, skipped, count)
  if (!json) return err
  io.stderr.write(`p2pbak: ${err.message}\n  hint: ${err.hint ?? ''}\n`)
  return new ExitCodeOnly(exitCodeFor(err.name))
}
