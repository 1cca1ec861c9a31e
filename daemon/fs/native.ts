// Typed wrapper of our small N-API addon (daemon/fs/native/p2pbak_native.c, docs/dependencies.md):
// file times to the exact nanosecond (utimensat/futimens; Node's utimes takes doubles and libuv
// rounds to microseconds) and flock (a lock the kernel releases when the process dies).
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { P2pbakError } from '../errors.js'

interface NativeAddon {
  utimensat: (path: Buffer, atimeNs: bigint, mtimeNs: bigint, noFollow: boolean) => void
  futimens: (fd: number, atimeNs: bigint, mtimeNs: bigint) => void
  flockExclusive: (fd: number) => boolean
  syncFs: (fd: number) => void
}

const ADDON = join('native', 'build', 'Release', 'p2pbak_native.node')

let addon: NativeAddon | undefined

function load (): NativeAddon {
  if (addon !== undefined) return addon
  const here = dirname(fileURLToPath(import.meta.url))
  // From the sources (daemon/fs/) or from the build (dist/daemon/fs/): the addon is built in place.
  const candidates = [join(here, ADDON), join(here, '..', '..', '..', 'daemon', 'fs', ADDON)]
  const path = candidates.find(p => existsSync(p))
  if (path === undefined) {
    throw new P2pbakError(`p2pbak's native addon is not built (looked for ${candidates.join(' and ')})`, {
      hint: 'run `npm run build:native` in the p2pbak folder (npm ci builds it too)'
    })
  }
  addon = createRequire(import.meta.url)(path) as NativeAddon
  return addon
}

/** Sets a path's access and modification times to the nanosecond; `noFollow`: a symlink's own times. */
export function setTimesNs (path: Buffer | string, atimeNs: bigint, mtimeNs: bigint, options: { noFollow?: boolean } = {}): void {
  load().utimensat(typeof path === 'string' ? Buffer.from(path) : path, atimeNs, mtimeNs, options.noFollow === true)
}

/** Sets an open file's access and modification times to the nanosecond. */
export function setFdTimesNs (fd: number, atimeNs: bigint, mtimeNs: bigint): void {
  load().futimens(fd, atimeNs, mtimeNs)
}

/**
 * flock(fd, LOCK_EX | LOCK_NB): true when this open file now holds the lock, false when another
 * open file (in this or another process) holds it. The lock lasts until the fd is closed or the
 * process ends, however it ends.
 */
export function flockExclusive (fd: number): boolean {
  return load().flockExclusive(fd)
}

/** syncfs(2): flushes every dirty page and inode of the filesystem that holds `fd`. */
export function syncFs (fd: number): void {
  load().syncFs(fd)
}
