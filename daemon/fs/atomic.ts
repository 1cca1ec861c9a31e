import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import { NoSpaceError } from '../errors.js'

/** fsync a directory so that a rename or create inside it survives a power loss. */
export function fsyncDir (dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY)
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o600: everything we write is private). */
  mode?: number
  /** Skip the directory fsync (the caller batches it). Default false. */
  skipDirSync?: boolean
}

/**
 * Crash-safe replace: write to a temporary file in the same directory, fsync it, rename it over
 * `path`, fsync the directory. A crash leaves either the old file or the new one, never a mix; the
 * temporary file is removed on failure. ENOSPC becomes NoSpaceError.
 */
export function writeFileAtomic (path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  let fd: number | undefined
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, options.mode ?? 0o600)
    let off = 0
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, path)
  } catch (err) {
    if (fd !== undefined) { try { closeSync(fd) } catch {} }
    try { unlinkSync(tmp) } catch {}
    throw mapFsError(err, path)
  }
  if (options.skipDirSync !== true) fsyncDir(dir)
}

/** Turns ENOSPC/EDQUOT into NoSpaceError; other errors pass through. */
export function mapFsError (err: unknown, path: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new NoSpaceError(`no space left on the device holding ${path}`, {
      hint: 'free some space or lower the storage quota, then try again', cause: err
    })
  }
  return err
}
