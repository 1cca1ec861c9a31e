// The restorer on real files in temp folders: temp-then-rename (a failed restore leaves the target
// as it was; a hard link in the target is replaced, never written through), the overwrite modes,
// the dry run, temporary files of a killed restore, exact nanosecond times, and --include checks.
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backup } from '../../../daemon/archiver.js'
import { NothingMatchedError, RestoreIncompleteError } from '../../../daemon/errors.js'
import { setTimesNs } from '../../../daemon/fs/native.js'
import type { Owner } from '../../../daemon/owner.js'
import type { Node } from '../../../daemon/repository/pb/repo.js'
import type { SnapshotInfo } from '../../../daemon/repository/repository.js'
import { TEMP_PREFIX, restore } from '../../../daemon/restorer.js'
import type { RestoreOptions } from '../../../daemon/restorer.js'
import { openDirBackend } from '../../../daemon/store/index.js'
import { compareTrees } from '../../../daemon/verify-tree.js'
import { SMALL_CHUNKS, createTestOwner, makeTempDir, packFilePath, prng, removeTempDir } from '../../harness/repo.js'

const MTIME_NS = 1_700_000_000_123_456_789n
const LINK_MTIME_NS = 1_650_000_000_987_654_321n
const OLD_NS = 1_000_000_000_000_000_000n // 2001
const NEW_NS = 2_000_000_000_000_000_000n // 2033

let root: string
let storeDir: string
let src: string
let owner: Owner
let snap: SnapshotInfo
let n = 0

/** A fresh folder to restore into. */
function targetDir (): string {
  return join(root, `target-${++n}`)
}

/** Where the snapshot's `rel` (below src) lands under `target`. */
function at (target: string, rel: string): string {
  return join(target, src, rel)
}

async function run (target: string, options: RestoreOptions = {}): ReturnType<typeof restore> {
  return await restore(owner.repo, snap, target, options)
}

async function nodeOf (rel: string): Promise<Node> {
  let tree = snap.snapshot.tree
  let node: Node | undefined
  for (const part of join(src, rel).split('/').filter(p => p !== '')) {
    node = (await owner.repo.loadTree(tree)).nodes.find(x => Buffer.from(x.name).toString() === part)
    if (node === undefined) throw new Error(`${rel} is not in the snapshot`)
    tree = node.subtree
  }
  return node!
}

/** Flips a byte inside each data blob of these files' content, in the pack files on disk. */
async function damage (...rels: string[]): Promise<void> {
  for (const rel of rels) {
    for (const ref of (await nodeOf(rel)).content) {
      const loc = owner.repo.lookup(ref.blob)!
      const path = packFilePath(storeDir, loc.pack)
      const bytes = readFileSync(path)
      bytes[loc.offset + Math.floor(loc.length / 2)]! ^= 0x01
      writeFileSync(path, bytes)
    }
  }
}

function temps (dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith(TEMP_PREFIX)) out.push(join(d, e.name))
      if (e.isDirectory()) walk(join(d, e.name))
    }
  }
  if (existsSync(dir)) walk(dir)
  return out
}

beforeAll(async () => {
  root = makeTempDir('restorer')
  storeDir = join(root, 'store')
  src = join(root, 'src')
  mkdirSync(join(src, 'sub'), { recursive: true })
  writeFileSync(join(src, 'big.bin'), prng(1, 300_000))
  writeFileSync(join(src, 'a.txt'), 'the snapshot\'s a.txt\n')
  writeFileSync(join(src, 'sub', 'b.txt'), 'the snapshot\'s b.txt\n')
  writeFileSync(join(src, 'sub', 'c.txt'), 'the snapshot\'s c.txt\n')
  writeFileSync(join(src, 'hard1'), 'one inode, two names\n')
  linkSync(join(src, 'hard1'), join(src, 'hard2'))
  symlinkSync('a.txt', join(src, 'link'))
  setTimesNs(join(src, 'a.txt'), MTIME_NS, MTIME_NS)
  setTimesNs(join(src, 'link'), LINK_MTIME_NS, LINK_MTIME_NS, { noFollow: true })
  for (const f of ['big.bin', 'sub/b.txt', 'sub/c.txt', 'hard1']) setTimesNs(join(src, f), MTIME_NS, MTIME_NS)
  const backend = openDirBackend(storeDir, { create: true })
  // Small packs: each file's content in packs of its own, so that one can be damaged alone.
  owner = await createTestOwner({ backend, stateDir: join(root, 'state'), repository: { packTargetSize: 16 * 1024 } })
  await backup(owner.repo, owner.keys.chunkerKey, { paths: [src], owner: 'tester', chunkSizes: SMALL_CHUNKS })
  snap = await owner.repo.findSnapshot('latest')
})

afterAll(async () => {
  await owner?.close()
  removeTempDir(root)
})

describe('restore: times to the nanosecond', () => {
  it('a file\'s and a symlink\'s mtime are restored exactly (…123456789 ns)', async () => {
    const target = targetDir()
    await run(target)
    expect(lstatSync(at(target, 'a.txt'), { bigint: true }).mtimeNs).toBe(MTIME_NS)
    expect(lstatSync(at(target, 'link'), { bigint: true }).mtimeNs).toBe(LINK_MTIME_NS)
    expect(compareTrees(src, at(target, ''))).toEqual([])
  })
})

describe('restore over existing files: temp file, then rename', () => {
  it('a failed restore (a flipped byte in a data pack) leaves the files already in the target byte-identical', async () => {
    const target = targetDir()
    mkdirSync(at(target, 'sub'), { recursive: true })
    const files = ['big.bin', 'a.txt', 'sub/b.txt', 'sub/c.txt', 'hard1', 'hard2']
    for (const f of files) writeFileSync(at(target, f), `what was there before: ${f}\n`)
    await damage('big.bin', 'a.txt')
    try {
      const err = await run(target).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(RestoreIncompleteError)
      const failed = (err as RestoreIncompleteError).failures.map(f => f.path)
      expect(failed).toEqual(expect.arrayContaining([join(src, 'a.txt'), join(src, 'big.bin')]))
      for (const f of files) {
        // Each file is either what was there, untouched, or the snapshot's, complete.
        const now = readFileSync(at(target, f))
        if (failed.includes(join(src, f))) expect(now.toString()).toBe(`what was there before: ${f}\n`)
        else expect(now.equals(readFileSync(join(src, f)))).toBe(true)
      }
      expect(temps(target)).toEqual([])
    } finally {
      await damage('big.bin', 'a.txt') // flips the same bytes back
    }
  })

  it('a hard link in the target whose other name is outside the target is replaced, not written through', async () => {
    const target = targetDir()
    mkdirSync(at(target, ''), { recursive: true })
    const outside = join(root, `outside-${n}.txt`)
    writeFileSync(outside, 'a file outside the target\n')
    linkSync(outside, at(target, 'a.txt'))
    linkSync(outside, at(target, 'hard2'))
    await run(target)
    expect(readFileSync(outside, 'utf8')).toBe('a file outside the target\n')
    expect(statSync(outside).nlink).toBe(1)
    expect(readFileSync(at(target, 'a.txt'), 'utf8')).toBe('the snapshot\'s a.txt\n')
    // The snapshot's own hard-link group is one inode again.
    expect(statSync(at(target, 'hard2')).ino).toBe(statSync(at(target, 'hard1')).ino)
    expect(compareTrees(src, at(target, ''))).toEqual([])
  })

  it('temporary files of a killed restore are removed by the next one', async () => {
    const target = targetDir()
    await run(target)
    const left = [at(target, `${TEMP_PREFIX}0123456789abcdef`), at(target, `sub/${TEMP_PREFIX}fedcba9876543210`)]
    for (const f of left) writeFileSync(f, 'half')
    writeFileSync(at(target, '.p2pbak-tmp-mine.txt'), 'not ours: another name') // not the pattern: kept
    const r = await run(target, { order: 'recent-first', resume: true })
    expect(r.skipped).toBe(6) // every file was complete
    expect(temps(target)).toEqual([at(target, '.p2pbak-tmp-mine.txt')])
    await run(target) // tree order sweeps too
    expect(temps(target)).toEqual([at(target, '.p2pbak-tmp-mine.txt')])
  })
})

describe('restore --overwrite', () => {
  /** A target holding a.txt older than the snapshot, b.txt newer, c.txt as in the snapshot. */
  async function prepared (): Promise<string> {
    const target = targetDir()
    await run(target)
    writeFileSync(at(target, 'a.txt'), 'older local a\n')
    setTimesNs(at(target, 'a.txt'), OLD_NS, OLD_NS)
    writeFileSync(at(target, 'sub/b.txt'), 'newer local b\n')
    setTimesNs(at(target, 'sub/b.txt'), NEW_NS, NEW_NS)
    return target
  }

  it('always (the default) replaces every file, once complete', async () => {
    const target = await prepared()
    const cIno = statSync(at(target, 'sub/c.txt')).ino
    const r = await run(target)
    expect(r.skipped).toBe(0)
    expect(compareTrees(src, at(target, ''))).toEqual([])
    expect(statSync(at(target, 'sub/c.txt')).ino).not.toBe(cIno)
  })

  it('if-changed replaces what differs in size or mtime and leaves what is in place', async () => {
    const target = await prepared()
    const cIno = statSync(at(target, 'sub/c.txt')).ino
    const r = await run(target, { overwrite: 'if-changed' })
    expect(compareTrees(src, at(target, ''))).toEqual([])
    expect(statSync(at(target, 'sub/c.txt')).ino).toBe(cIno)
    expect(r.skipped).toBe(4) // big.bin, c.txt, hard1, hard2
  })

  it('if-newer replaces only files older than the snapshot\'s', async () => {
    const target = await prepared()
    await run(target, { overwrite: 'if-newer' })
    expect(readFileSync(at(target, 'a.txt'), 'utf8')).toBe('the snapshot\'s a.txt\n')
    expect(readFileSync(at(target, 'sub/b.txt'), 'utf8')).toBe('newer local b\n')
  })

  it('never leaves every existing file alone, and restores what is missing', async () => {
    const target = await prepared()
    const { rmSync } = await import('node:fs')
    rmSync(at(target, 'sub/c.txt'))
    const r = await run(target, { overwrite: 'never' })
    expect(readFileSync(at(target, 'a.txt'), 'utf8')).toBe('older local a\n')
    expect(readFileSync(at(target, 'sub/b.txt'), 'utf8')).toBe('newer local b\n')
    expect(readFileSync(at(target, 'sub/c.txt'), 'utf8')).toBe('the snapshot\'s c.txt\n')
    expect(r.skipped).toBe(5) // all but c.txt
  })
})

describe('restore --dry-run', () => {
  it('writes nothing and lists what would be created, replaced or skipped', async () => {
    const fresh = targetDir()
    const planned = await run(fresh, { dryRun: true })
    expect(existsSync(fresh)).toBe(false)
    expect(planned.items!.filter(i => i.type === 'file').every(i => i.action === 'create')).toBe(true)
    expect(planned.files).toBe(6)
    expect(planned.symlinks).toBe(1)

    const target = targetDir()
    await run(target)
    writeFileSync(at(target, 'a.txt'), 'changed\n')
    setTimesNs(at(target, 'a.txt'), OLD_NS, OLD_NS)
    setTimesNs(at(target, 'sub/b.txt'), NEW_NS, NEW_NS)
    const r = await run(target, { dryRun: true, overwrite: 'if-newer' })
    const by = new Map(r.items!.map(i => [i.path, i]))
    expect(by.get(at(target, 'a.txt'))).toMatchObject({ type: 'file', action: 'replace', size: 21 })
    expect(by.get(at(target, 'sub/b.txt'))).toMatchObject({ action: 'skip', reason: expect.stringMatching(/not older/) })
    expect(by.get(at(target, 'sub'))).toMatchObject({ type: 'dir', action: 'skip' })
    expect(readFileSync(at(target, 'a.txt'), 'utf8')).toBe('changed\n')
  })
})

describe('restore --include', () => {
  it('a path that is not in the snapshot is NothingMatchedError, and nothing is written', async () => {
    const target = targetDir()
    const err = await run(target, { include: [join(src, 'sub'), join(src, 'nope')] }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NothingMatchedError)
    expect((err as NothingMatchedError).message).toContain(JSON.stringify(join(src, 'nope')))
    expect(existsSync(target)).toBe(false)
    // Below a file is nothing either.
    await expect(run(target, { include: [join(src, 'a.txt', 'x')] })).rejects.toThrow(NothingMatchedError)
    const r = await run(target, { include: [join(src, 'sub')] })
    expect(r.files).toBe(2)
  })
})

