// The backup history (daemon/history.ts): bounded to the last 20, kept across restarts in one file
// written crash-safely, a damaged file starts a new history, and the status problem that the
// latest entry gives (last-backup-failed / last-backup-incomplete) with when the next try runs.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { BackupAnswer } from '../../../daemon/control/api.js'
import { BackupHistory, HISTORY_FILE_NAME, HISTORY_LENGTH, lastBackupProblem } from '../../../daemon/history.js'
import { tempDirs } from '../../harness/tmp.js'

const dirs = tempDirs()
afterEach(() => { dirs.cleanup() })

const T0 = Date.UTC(2026, 11, 6, 9, 0, 0)
const run = (i: number, trigger: 'scheduled' | 'manual' = 'scheduled') => ({ operation: `op${i}`, startedAt: T0 + i * 1000, endedAt: T0 + i * 1000 + 500, trigger, paths: ['/home/a'], tags: [] })
const answer = (snapshot: string, skipped: Array<{ path: string, reason: string }> = []): BackupAnswer => ({
  snapshot, joined: false, degradedPacks: 0,
  summary: { filesNew: 2, filesChanged: 1, filesUnmodified: 7, dirs: 1, totalFiles: 10, totalBytes: 100, bytesRead: 30, bytesAdded: 20, bytesStored: 25, packsAdded: 1, durationMs: 500, warnings: [] },
  skipped, skippedCount: skipped.length
})
const SNAP = 'ab'.repeat(32)

describe('BackupHistory', () => {
  it('records ok, incomplete and failed runs with RFC 3339 times, and reads them back after a restart', () => {
    const path = join(dirs.make(), HISTORY_FILE_NAME)
    const h = new BackupHistory(path)
    h.record(run(1, 'manual'), { answer: answer(SNAP) })
    h.record(run(2), { answer: answer(SNAP, [{ path: '/home/a/gone', reason: 'does not exist' }]) })
    h.record(run(3), { error: { name: 'NoHolderError', message: 'no peer answered (0 connected)', hint: 'start more daemons' } })
    const again = new BackupHistory(path).list()
    expect(again).toEqual(h.list())
    expect(again.map(e => [e.trigger, e.outcome, e.snapshot])).toEqual([['manual', 'ok', SNAP], ['scheduled', 'incomplete', SNAP], ['scheduled', 'failed', null]])
    expect(again[0]).toMatchObject({ start: '2026-12-06T09:00:01.000Z', end: '2026-12-06T09:00:01.500Z', filesNew: 2, filesChanged: 1, bytesAdded: 20, error: null, skipped: [], skippedCount: 0 })
    expect(again[1]).toMatchObject({ skipped: [{ path: '/home/a/gone', reason: 'does not exist' }], skippedCount: 1 })
    expect(again[2]).toMatchObject({ error: { name: 'NoHolderError', message: 'no peer answered (0 connected)', hint: 'start more daemons' }, filesNew: 0, bytesAdded: 0 })
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  it('keeps only the last 20, and lists at most 20 skipped paths per entry (with the full count)', () => {
    const path = join(dirs.make(), HISTORY_FILE_NAME)
    const h = new BackupHistory(path)
    for (let i = 0; i < HISTORY_LENGTH + 5; i++) h.record(run(i), { answer: answer(SNAP) })
    const many = Array.from({ length: 50 }, (_, i) => ({ path: `/x/${i}`, reason: 'permission denied' }))
    h.record(run(99), { answer: answer(SNAP, many) })
    const list = new BackupHistory(path).list()
    expect(list).toHaveLength(HISTORY_LENGTH)
    expect(list[0]!.operation).toBe('op6')
    expect(list.at(-1)).toMatchObject({ operation: 'op99', skippedCount: 50 })
    expect(list.at(-1)!.skipped).toHaveLength(20)
    // Written by rename: no temporary file is left beside it.
    expect(readdirSync(join(path, '..'))).toEqual([HISTORY_FILE_NAME])
    expect(JSON.parse(readFileSync(path, 'utf8')).entries).toHaveLength(HISTORY_LENGTH)
  })

  it('a damaged or foreign file is an empty history, and the next record replaces it', () => {
    const path = join(dirs.make(), HISTORY_FILE_NAME)
    writeFileSync(path, '{"version": 1, "entries": [')
    expect(new BackupHistory(path).list()).toEqual([])
    writeFileSync(path, '{"version": 99, "entries": []}')
    const h = new BackupHistory(path)
    expect(h.list()).toEqual([])
    h.record(run(1), { answer: answer(SNAP) })
    expect(new BackupHistory(path).list()).toHaveLength(1)
  })
})

describe('lastBackupProblem', () => {
  const h = (): BackupHistory => new BackupHistory(join(dirs.make(), HISTORY_FILE_NAME))

  it('none before any backup, and none after a complete one', () => {
    expect(lastBackupProblem([], null, T0)).toBeUndefined()
    const x = h()
    x.record(run(1), { error: { name: 'NoHolderError', message: 'm' } })
    x.record(run(2), { answer: answer(SNAP) })
    expect(lastBackupProblem(x.list(), T0 + 3_600_000, T0 + 5000)).toBeUndefined()
  })

  it('a failed backup: an error with the error\'s name, message and hint, and when the next try runs', () => {
    const x = h()
    x.record(run(1), { error: { name: 'NoHolderError', message: 'no peer answered (0 connected)', hint: 'start more p2pbak daemons' } })
    const now = T0 + 1500 + 30_000
    const p = lastBackupProblem(x.list(), T0 + 1500 + 60_000, now)
    expect(p).toEqual({
      code: 'last-backup-failed',
      severity: 'error',
      message: 'the last scheduled backup of /home/a (30 s ago) failed: NoHolderError: no peer answered (0 connected)',
      hint: 'start more p2pbak daemons; the next scheduled backup runs in 30 s (2026-12-06T09:01:01.500Z), or run `p2pbak backup`'
    })
    expect(lastBackupProblem(x.list(), null, now)!.hint).toMatch(/no backup is scheduled/)
    expect(lastBackupProblem(x.list(), undefined, now)!.hint).toMatch(/a backup is running now/)
  })

  it('a backup stopped by the daemon stopping is not a failure: the run before it decides', () => {
    const x = h()
    x.record(run(1), { answer: answer(SNAP) })
    x.record(run(2), { error: { name: 'ShuttingDown', message: 'the daemon is shutting down', hint: 'the backup resumes where it stopped at the next run' } })
    expect(lastBackupProblem(x.list(), T0 + 3_600_000, T0 + 5000)).toBeUndefined()
    x.record(run(3), { error: { name: 'NoHolderError', message: 'no peer answered (0 connected)' } })
    x.record(run(4), { error: { name: 'ShuttingDown', message: 'the daemon is shutting down' } })
    expect(lastBackupProblem(x.list(), T0 + 3_600_000, T0 + 5000)).toMatchObject({ code: 'last-backup-failed', message: expect.stringContaining('NoHolderError') })
  })

  it('an incomplete snapshot: a warning naming what was skipped', () => {
    const x = h()
    x.record(run(1), { answer: answer(SNAP, [{ path: '/home/a/usb', reason: 'does not exist' }]) })
    const p = lastBackupProblem(x.list(), T0 + 3_600_000, T0 + 2000)
    expect(p).toMatchObject({ code: 'last-backup-incomplete', severity: 'warning' })
    expect(p!.message).toContain(`saved snapshot ${SNAP.slice(0, 8)} without 1 path(s) it could not read: /home/a/usb (does not exist)`)
  })
})
