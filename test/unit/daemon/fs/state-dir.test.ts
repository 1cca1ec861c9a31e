// The state directory's lock (flock) and permissions, in this process; test/e2e/state-dir.test.ts
// checks the lock across processes, and after a SIGKILL.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { InsecureStateDirError, LockedError } from '../../../../daemon/errors.js'
import { LOCK_FILE_NAME, lockStateDir, secureStateDir } from '../../../../daemon/fs/state-dir.js'
import { tempDirs } from '../../../harness/tmp.js'

const dirs = tempDirs()
afterAll(() => { dirs.cleanup() })

describe('lockStateDir', () => {
  it('a second lock on the same directory is LockedError naming the holder; released, it can be taken again', () => {
    const dir = join(dirs.make(), 'state')
    const unlock = lockStateDir(dir)
    expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.pid))
    let err: unknown
    try { lockStateDir(dir) } catch (e) { err = e }
    expect(err).toBeInstanceOf(LockedError)
    expect((err as LockedError).message).toContain(`in use by process ${process.pid}`)
    expect((err as LockedError).hint).toMatch(/wait for it/)
    unlock()
    unlock() // idempotent
    const again = lockStateDir(dir)
    again()
    // The lock file stays: removing it would let two processes lock two different files.
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(true)
  })

  it('a lock file left by an older p2pbak (a PID file) does not block', () => {
    const dir = dirs.make()
    // PID 1 is always alive: the old PID-file lock would have refused this.
    mkdirSync(dir, { recursive: true })
    chmodSync(dir, 0o700)
    writeFileSync(join(dir, LOCK_FILE_NAME), '1')
    const unlock = lockStateDir(dir)
    unlock()
  })
})

describe('secureStateDir', () => {
  it('creates a missing directory with mode 0700', () => {
    const dir = join(dirs.make(), 'a', 'b')
    secureStateDir(dir)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
  })

  it('makes a directory at 0755 private (0700), also when the lock is taken', () => {
    const dir = dirs.make()
    chmodSync(dir, 0o755)
    secureStateDir(dir)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    chmodSync(dir, 0o775)
    lockStateDir(dir)()
    expect(statSync(dir).mode & 0o777).toBe(0o700)
  })

  it('refuses a directory that cannot be made private with InsecureStateDirError', () => {
    // The kernel refuses every mode change under /proc/<pid> (EPERM, even for root).
    const dir = `/proc/${process.pid}`
    expect(statSync(dir).mode & 0o077).not.toBe(0)
    let err: unknown
    try { lockStateDir(dir) } catch (e) { err = e }
    expect(err).toBeInstanceOf(InsecureStateDirError)
    expect((err as InsecureStateDirError).message).toMatch(/open to other users \(mode 0555\) and could not be made private: EPERM/)
    expect((err as InsecureStateDirError).hint).toContain(`chmod 700 ${dir}`)
  })
})
