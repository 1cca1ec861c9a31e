// The state directory: private to its user (0700), and used by one process at a time through an
// flock on `<dir>/lock` (docs/daemon.md §state directory). The kernel drops the lock when the
// process ends, however it ends: a crashed or SIGKILLed daemon leaves no stale lock behind, and a
// PID reused by another program never blocks the next start.
import { chmodSync, closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { InsecureStateDirError, LockedError } from '../errors.js'
import { flockExclusive } from './native.js'

export const LOCK_FILE_NAME = 'lock'

/**
 * Creates `dir` (0700) if needed; one that others can read, write or enter is made 0700. When
 * that fails (another user owns it, a read-only mount), InsecureStateDirError: keys and the index
 * live here.
 */
export function secureStateDir (dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const mode = statSync(dir).mode & 0o777
  if ((mode & 0o077) === 0) return
  try {
    chmodSync(dir, mode & 0o700)
  } catch (err) {
    throw new InsecureStateDirError(`the state directory ${dir} is open to other users (mode ${mode.toString(8).padStart(4, '0')}) and could not be made private: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      hint: `run \`chmod 700 ${dir}\` as its owner, or use a state directory of your own`, cause: err
    })
  }
}

/**
 * Makes `dir` private (secureStateDir) and takes its exclusive lock, or throws LockedError naming
 * the process that holds it. The returned function releases it (closing the lock file's fd); the
 * lock file itself stays, since removing it would let two processes lock two different files.
 */
export function lockStateDir (dir: string): () => void {
  secureStateDir(dir)
  const path = join(dir, LOCK_FILE_NAME)
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600)
  let locked = false
  try {
    locked = flockExclusive(fd)
  } finally {
    if (!locked) closeSync(fd)
  }
  if (!locked) {
    const pid = readPid(path)
    throw new LockedError(`${dir} is in use by ${pid === undefined ? 'another process' : `process ${pid}`}`, {
      hint: 'wait for it to finish, or stop it (`p2pbak daemon` holds this lock while it runs; a `p2pbak local` command while it works)'
    })
  }
  // The holder's PID, for the message above only: the flock is the lock.
  ftruncateSync(fd, 0)
  writeSync(fd, `${process.pid}\n`, 0)
  let open = true
  return () => {
    if (!open) return
    open = false
    closeSync(fd)
  }
}

function readPid (path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}
