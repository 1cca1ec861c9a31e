// A full disk is exit 13 (NoSpaceError) on every path: the CLI's error report and the control
// API's error mapping turn ENOSPC and SQLITE_FULL raised anywhere (a database, a file write) into
// NoSpaceError, never into an internal error. The errors come from a real, full tmpfs.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { reportError } from '../../../cli/main.js'
import { exitCodeFor } from '../../../cli/exit-codes.js'
import { toApiError } from '../../../daemon/control/server.js'
import { NoSpaceError, noSpaceError } from '../../../daemon/errors.js'
import { mountTmpfs } from '../../harness/tmpfs.js'
import type { Tmpfs } from '../../harness/tmpfs.js'

let fs: Tmpfs | undefined
afterEach(() => { fs?.unmount(); fs = undefined })

function capture (): { io: Parameters<typeof reportError>[1], err: () => string } {
  let err = ''
  const io = { stdout: { write: () => true }, stderr: { write: (s: string) => { err += s; return true } }, stdin: process.stdin, env: {}, cwd: '/' }
  return { io, err: () => err }
}

function sqliteFull (dir: string): unknown {
  const db = new Database(join(dir, 'state.db'))
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE t (x BLOB)')
  fs!.fill()
  try {
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(256 * 1024, 1))
  } catch (err) {
    return err
  } finally {
    db.close()
  }
  throw new Error('the insert on a full disk succeeded')
}

describe('a full disk is NoSpaceError (exit 13)', () => {
  it('SQLITE_FULL from a database: the CLI exits 13 and the control API answers NoSpaceError', () => {
    fs = mountTmpfs(512 * 1024)
    const err = sqliteFull(fs.dir)
    expect((err as { code?: string }).code).toBe('SQLITE_FULL')
    const { io, err: stderr } = capture()
    expect(reportError(err, io)).toBe(13)
    expect(exitCodeFor('NoSpaceError')).toBe(13)
    expect(stderr()).toContain('no space left')
    expect(stderr()).not.toContain('internal error')
    expect(toApiError(err)).toMatchObject({ name: 'NoSpaceError' })
    // Wrapped in another error as its cause, too.
    expect(noSpaceError(new Error('backup failed', { cause: err }))).toBeInstanceOf(NoSpaceError)
  })

  it('ENOSPC from a plain file write: the CLI exits 13 and the control API answers NoSpaceError', () => {
    fs = mountTmpfs(256 * 1024)
    fs.fill()
    let err: unknown
    try { writeFileSync(join(fs.dir, 'restored-file'), Buffer.alloc(64 * 1024)) } catch (e) { err = e }
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC')
    const { io, err: stderr } = capture()
    expect(reportError(err, io)).toBe(13)
    expect(stderr()).toContain('hint:')
    expect(toApiError(err)).toMatchObject({ name: 'NoSpaceError' })
  })
})
