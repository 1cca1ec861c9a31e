// Extended attributes through fs-xattr (a small N-API addon; Node has no xattr API). fs-xattr takes
// only string paths, so a name that is not valid UTF-8 is reached through /proc/self/fd/N.
import { closeSync, constants, openSync } from 'node:fs'
import { getAttributeSync, listAttributesSync, setAttributeSync } from 'fs-xattr'

export interface XattrPair { name: Uint8Array, value: Uint8Array }

const UNSUPPORTED = new Set(['ENOTSUP', 'EOPNOTSUPP', 'ENODATA', 'EPERM', 'EACCES'])

function withStringPath<T> (path: Buffer, fn: (p: string) => T): T {
  const s = path.toString('utf8')
  if (Buffer.from(s, 'utf8').equals(path)) return fn(s)
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  try {
    return fn(`/proc/self/fd/${fd}`)
  } finally {
    closeSync(fd)
  }
}

/** The xattrs of a file or directory (not of symlinks), sorted by name; [] where unsupported. */
export function readXattrs (path: Buffer): XattrPair[] {
  try {
    return withStringPath(path, (p) => {
      const names = listAttributesSync(p)
      if (names.length === 0) return []
      names.sort()
      const out: XattrPair[] = []
      for (const name of names) {
        try {
          out.push({ name: Buffer.from(name, 'utf8'), value: getAttributeSync(p, name) })
        } catch (err) {
          if (!UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err
        }
      }
      return out
    })
  } catch (err) {
    if (UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) return []
    throw err
  }
}

/** Sets xattrs; returns the names the filesystem refused (e.g. tmpfs without user xattrs). */
export function writeXattrs (path: Buffer, xattrs: XattrPair[]): string[] {
  if (xattrs.length === 0) return []
  const refused: string[] = []
  withStringPath(path, (p) => {
    for (const x of xattrs) {
      const name = Buffer.from(x.name).toString('utf8')
      try {
        setAttributeSync(p, name, Buffer.from(x.value))
      } catch (err) {
        if (!UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err
        refused.push(name)
      }
    }
  })
  return refused
}
