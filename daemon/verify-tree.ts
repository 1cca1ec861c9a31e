// A tree compare (RELIABILITY.md "Oracles"): raw name bytes, type, mode, owner, mtime, size,
// content hash, symlink target, xattrs, hard-link groups and sparseness. Used by the demo to prove
// a restore byte for byte, and by the tests.
import { createHash } from 'node:crypto'
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs'
import type { BigIntStats } from 'node:fs'
import { readXattrs } from './fs/xattr.js'

export interface CompareOptions {
  /** Compare mtimes to this many nanoseconds (default 1000: utimes goes through a double). */
  mtimeToleranceNs?: bigint
  /** Compare xattrs (default true). */
  xattrs?: boolean
  /** Compare uid/gid (default: only when running as root). */
  owners?: boolean
  /** Check that files sparse in `a` are no less sparse in `b` (default true). */
  sparse?: boolean
}

export interface TreeDifference { path: string, what: string }

export function compareTrees (a: string, b: string, options: CompareOptions = {}): TreeDifference[] {
  const diffs: TreeDifference[] = []
  const links = new Map<string, string>()
  walk(Buffer.from(a), Buffer.from(b), Buffer.from(''), options, diffs, links)
  return diffs
}

function walk (a: Buffer, b: Buffer, rel: Buffer, o: CompareOptions, diffs: TreeDifference[], links: Map<string, string>): void {
  const namesA = readdirSync(a, { encoding: 'buffer' }).sort(Buffer.compare)
  const namesB = readdirSync(b, { encoding: 'buffer' }).sort(Buffer.compare)
  const setB = new Set(namesB.map(n => n.toString('hex')))
  const setA = new Set(namesA.map(n => n.toString('hex')))
  for (const n of namesB) if (!setA.has(n.toString('hex'))) diffs.push({ path: join(rel, n).toString(), what: 'extra in restore' })
  for (const n of namesA) {
    const r = join(rel, n)
    const path = r.toString()
    if (!setB.has(n.toString('hex'))) { diffs.push({ path, what: 'missing' }); continue }
    const pa = join(a, n)
    const pb = join(b, n)
    const sa = lstatSync(pa, { bigint: true })
    const sb = lstatSync(pb, { bigint: true })
    if (typeOf(sa) !== typeOf(sb)) { diffs.push({ path, what: `type ${typeOf(sa)} vs ${typeOf(sb)}` }); continue }
    if (typeOf(sa) === 'other') continue
    if (typeOf(sa) !== 'symlink' && (sa.mode & 0o7777n) !== (sb.mode & 0o7777n)) diffs.push({ path, what: `mode ${(sa.mode & 0o7777n).toString(8)} vs ${(sb.mode & 0o7777n).toString(8)}` })
    if ((o.owners ?? process.getuid?.() === 0) && (sa.uid !== sb.uid || sa.gid !== sb.gid)) diffs.push({ path, what: `owner ${sa.uid}:${sa.gid} vs ${sb.uid}:${sb.gid}` })
    const tol = o.mtimeToleranceNs ?? 1000n
    const dt = sa.mtimeNs - sb.mtimeNs
    if (dt > tol || dt < -tol) diffs.push({ path, what: `mtime ${sa.mtimeNs} vs ${sb.mtimeNs}` })
    if (typeOf(sa) === 'symlink') {
      if (!readlinkSync(pa, { encoding: 'buffer' }).equals(readlinkSync(pb, { encoding: 'buffer' }))) diffs.push({ path, what: 'symlink target' })
      continue
    }
    if ((o.xattrs ?? true)) {
      const xa = JSON.stringify(readXattrs(pa).map(x => [Buffer.from(x.name).toString('hex'), Buffer.from(x.value).toString('hex')]))
      const xb = JSON.stringify(readXattrs(pb).map(x => [Buffer.from(x.name).toString('hex'), Buffer.from(x.value).toString('hex')]))
      if (xa !== xb) diffs.push({ path, what: 'xattrs' })
    }
    if (typeOf(sa) === 'dir') { walk(pa, pb, r, o, diffs, links); continue }
    if (sa.size !== sb.size) { diffs.push({ path, what: `size ${sa.size} vs ${sb.size}` }); continue }
    if (hashFile(pa) !== hashFile(pb)) diffs.push({ path, what: 'content' })
    if ((o.sparse ?? true) && sa.blocks * 512n < sa.size && sb.blocks > sa.blocks + 64n) diffs.push({ path, what: `not sparse (${sb.blocks} blocks vs ${sa.blocks})` })
    if (sa.nlink > 1n) {
      // Files hard-linked together in a must be hard-linked together in b.
      const key = `${sa.dev}:${sa.ino}`
      const group = `${sb.dev}:${sb.ino}`
      const seen = links.get(key)
      if (seen === undefined) links.set(key, group)
      else if (seen !== group) diffs.push({ path, what: 'hard link group' })
    }
  }
}

function typeOf (s: BigIntStats): 'file' | 'dir' | 'symlink' | 'other' {
  return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'other'
}

function join (dir: Buffer, name: Buffer): Buffer {
  return dir.byteLength === 0 ? name : Buffer.concat([dir, Buffer.from('/'), name])
}

const buf = Buffer.allocUnsafe(1 << 20)

export function hashFile (path: Buffer | string): string {
  const h = createHash('sha256')
  const fd = openSync(path, 'r')
  try {
    let pos = 0
    for (;;) {
      const n = readSync(fd, buf, 0, buf.byteLength, pos)
      if (n === 0) break
      h.update(buf.subarray(0, n))
      pos += n
    }
  } finally {
    closeSync(fd)
  }
  return h.digest('hex')
}
