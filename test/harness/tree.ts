// Generated source trees with every special case the engine must keep (issue: round trip of a
// generated tree). Deterministic from a seed.
import { createHash } from 'node:crypto'
import { closeSync, linkSync, mkdirSync, openSync, symlinkSync, utimesSync, writeFileSync, writeSync, chmodSync, ftruncateSync, lchownSync } from 'node:fs'
import { join } from 'node:path'
import { setAttributeSync } from 'fs-xattr'

/** Deterministic pseudo-random bytes (SHA-256 in counter mode). */
export function prngBytes (seed: string, length: number): Buffer {
  const out = Buffer.allocUnsafe(length)
  let off = 0
  for (let i = 0; off < length; i++) {
    const block = createHash('sha256').update(`${seed}:${i}`).digest()
    off += block.copy(out, off)
  }
  return out
}

export interface SpecialTreeOptions {
  /** Size of the one large file (default 3 MiB). */
  largeSize?: number
}

/** Builds a tree under `root` with all special cases; returns notes about what it could not make. */
export function makeSpecialTree (root: string, options: SpecialTreeOptions = {}): { xattrs: boolean } {
  mkdirSync(root, { recursive: true })
  const d = (p: string): string => join(root, p)
  mkdirSync(d('docs/deep/er/still'), { recursive: true })
  mkdirSync(d('empty-dir'))
  writeFileSync(d('empty-file'), '')
  writeFileSync(d('docs/hello.txt'), 'hello world\n')
  writeFileSync(d('docs/deep/er/still/leaf.txt'), prngBytes('leaf', 1234))
  writeFileSync(d('large.bin'), prngBytes('large', options.largeSize ?? 3 * 1024 * 1024))
  writeFileSync(d('compressible.txt'), 'the same line again and again\n'.repeat(20000))
  // Duplicate content under another name: dedup.
  writeFileSync(d('docs/copy-of-large.bin'), prngBytes('large', options.largeSize ?? 3 * 1024 * 1024))
  // Modes.
  writeFileSync(d('script.sh'), '#!/bin/sh\necho hi\n')
  chmodSync(d('script.sh'), 0o755)
  writeFileSync(d('secret'), 'only me')
  chmodSync(d('secret'), 0o600)
  writeFileSync(d('setgid-file'), 'g')
  chmodSync(d('setgid-file'), 0o2755)
  chmodSync(d('empty-dir'), 0o750)
  // Symlinks: relative, absolute, dangling, to a directory.
  symlinkSync('docs/hello.txt', d('link-rel'))
  symlinkSync('/etc/hostname', d('link-abs'))
  symlinkSync('does/not/exist', d('link-dangling'))
  symlinkSync('docs', d('link-dir'))
  // Hard links: three names, one inode.
  writeFileSync(d('hard-a'), prngBytes('hard', 5000))
  linkSync(d('hard-a'), d('docs/hard-b'))
  linkSync(d('hard-a'), d('hard-c'))
  // Sparse file: data, a 4 MiB hole, data, a trailing hole.
  const fd = openSync(d('sparse.img'), 'w')
  writeSync(fd, prngBytes('sparse1', 4096), 0, 4096, 0)
  writeSync(fd, prngBytes('sparse2', 4096), 0, 4096, 4 * 1024 * 1024)
  ftruncateSync(fd, 12 * 1024 * 1024)
  closeSync(fd)
  // A small sparse file (one blob) whose last 4 KiB block is zero: the restore must still give it
  // its full length.
  const fd2 = openSync(d('sparse-small.img'), 'w')
  writeSync(fd2, prngBytes('ss1', 4096), 0, 4096, 0)
  writeSync(fd2, prngBytes('ss2', 4096), 0, 4096, 8192)
  ftruncateSync(fd2, 16384)
  closeSync(fd2)
  // Names that are not UTF-8, and NFC vs NFD spellings kept apart.
  const latin1 = Buffer.concat([Buffer.from(root + '/'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74])]) // "café.txt" in Latin-1
  writeFileSync(latin1, 'latin-1 name')
  writeFileSync(d('caf\u00e9-nfc'), 'nfc')
  writeFileSync(d('cafe\u0301-nfd'), 'nfd')
  writeFileSync(d('spaces and \n newline'), 'odd name')
  // xattrs (not every filesystem allows user xattrs: tmpfs before 6.6 does not).
  let xattrs = true
  try {
    setAttributeSync(d('docs/hello.txt'), 'user.p2pbak.test', Buffer.from('value'))
    setAttributeSync(d('docs'), 'user.p2pbak.dir', Buffer.from([0, 1, 2, 255]))
  } catch {
    xattrs = false
  }
  // Ownership other than ours (when root).
  if (process.getuid?.() === 0) lchownSync(d('secret'), 1234, 5678)
  // Old and precise times (set last: creating children changes a directory's mtime).
  utimesSync(d('docs/hello.txt'), 1_000_000_000.123456, 946_684_800.654321)
  utimesSync(d('empty-dir'), 1_500_000_000, 1_500_000_000)
  return { xattrs }
}
