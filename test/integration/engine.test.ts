// The repository engine end to end on real files and a directory store: round trip with every
// special case, incremental runs, dedup across an insertion, keys and recovery.
import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backup, CACHEDIR_TAG_SIGNATURE } from '../../daemon/archiver.js'
import { check } from '../../daemon/checker.js'
import { LockedError, NotInitializedError, WrongPassphraseError, InvalidRecoveryKeyError } from '../../daemon/errors.js'
import { initOwner, openOwner, KEY_FILE_NAME } from '../../daemon/owner.js'
import type { Owner } from '../../daemon/owner.js'
import { restore } from '../../daemon/restorer.js'
import { openDirBackend } from '../../daemon/store/index.js'
import type { Backend } from '../../daemon/store/index.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { tempDirs } from '../harness/tmp.js'
import { makeSpecialTree, prngBytes } from '../harness/tree.js'

const PASS = 'correct horse battery staple'
const dirs = tempDirs()
let work: string
let backend: Backend
let owner: Owner | undefined
let recoveryKey: string

async function openMain (): Promise<Owner> {
  owner = await openOwner({ stateDir: join(work, 'state'), backend, passphrase: PASS })
  return owner
}

beforeEach(async () => {
  work = dirs.make()
  backend = openDirBackend(join(work, 'repo'), { create: true })
  recoveryKey = (await initOwner({ stateDir: join(work, 'state'), backend, ownerName: 'alice-laptop', passphrase: PASS })).recoveryKey
})

afterEach(async () => {
  await owner?.close()
  owner = undefined
  await backend.close()
  dirs.cleanup()
})

describe('round trip', () => {
  it('restores a tree with every special case byte-identical, with its metadata', async () => {
    const src = join(work, 'src')
    const { xattrs } = makeSpecialTree(src)
    const o = await openMain()
    const { summary } = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'alice-laptop' })
    expect(summary.warnings).toEqual([])
    expect(summary.filesNew).toBe(summary.totalFiles)
    const target = join(work, 'restore')
    const r = await restore(o.repo, await o.repo.findSnapshot('latest'), target)
    expect(r.warnings).toEqual([])
    expect(compareTrees(src, join(target, src), { xattrs })).toEqual([])
    // The oracle itself sees what matters: the Latin-1 name came back as the same bytes.
    const names = readdirSync(join(target, src), { encoding: 'buffer' }).map(n => n.toString('hex'))
    expect(names).toContain(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]).toString('hex'))
    // Sparse: the 12 MiB file with 8 KiB of data occupies far less than its size.
    expect(statSync(join(target, src, 'sparse.img')).blocks * 512).toBeLessThan(1024 * 1024)
    // Hard links: one inode.
    expect(statSync(join(target, src, 'hard-a')).ino).toBe(statSync(join(target, src, 'docs/hard-b')).ino)
    // Compression paid on the repetitive file, and duplicates were stored once.
    expect(summary.bytesStored).toBeLessThan(summary.totalBytes - 3 * 1024 * 1024)
    expect((await check(o.repo, { readData: true })).problems).toEqual([])
  })

  it('the compare oracle notices a changed byte, mode and mtime', async () => {
    const src = join(work, 'src')
    makeSpecialTree(src, { largeSize: 1024 * 1024 })
    const o = await openMain()
    await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    const target = join(work, 'restore')
    await restore(o.repo, await o.repo.findSnapshot('latest'), target)
    const big = join(target, src, 'large.bin')
    const bytes = readFileSync(big)
    bytes[1000] = (bytes[1000] ?? 0) ^ 1
    writeFileSync(big, bytes)
    const diffs = compareTrees(src, join(target, src)).map(d => `${d.path}:${d.what.split(' ')[0]}`)
    expect(diffs).toContain('large.bin:content')
    expect(diffs).toContain('large.bin:mtime')
  })

  it('restores only the included paths', async () => {
    const src = join(work, 'src')
    makeSpecialTree(src, { largeSize: 100_000 })
    const o = await openMain()
    await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    const target = join(work, 'restore')
    await restore(o.repo, await o.repo.findSnapshot('latest'), target, { include: [join(src, 'docs/deep')] })
    expect(readFileSync(join(target, src, 'docs/deep/er/still/leaf.txt'))).toEqual(prngBytes('leaf', 1234))
    expect(existsSync(join(target, src, 'docs/hello.txt'))).toBe(false)
    expect(existsSync(join(target, src, 'large.bin'))).toBe(false)
  })

  it('backs up several paths into one snapshot that mirrors their absolute locations', async () => {
    const a = join(work, 'one')
    const b = join(work, 'two/nested')
    makeSpecialTree(a, { largeSize: 10_000 })
    makeSpecialTree(b, { largeSize: 10_000 })
    const o = await openMain()
    await backup(o.repo, o.keys.chunkerKey, { paths: [b, a], owner: 'a' })
    const snap = await o.repo.findSnapshot('latest')
    expect(snap.snapshot.paths.map(p => Buffer.from(p).toString())).toEqual([a, b])
    const target = join(work, 'restore')
    await restore(o.repo, snap, target)
    expect(compareTrees(a, join(target, a))).toEqual([])
    expect(compareTrees(b, join(target, b))).toEqual([])
  })
})

describe('incremental', () => {
  it('an unchanged tree is backed up without reading any file content', async () => {
    const src = join(work, 'src')
    makeSpecialTree(src)
    const o = await openMain()
    const first = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    expect(first.summary.bytesRead).toBeGreaterThan(0)
    const second = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    expect(second.summary.bytesRead).toBe(0)
    expect(second.summary.filesUnmodified).toBe(second.summary.totalFiles)
    expect(second.summary.bytesAdded).toBe(0)
    // A new snapshot with its parent set, and the same root tree.
    const all = await o.repo.listSnapshots()
    expect(all).toHaveLength(2)
    expect(Buffer.from(all[1]!.snapshot.parent).toString('hex')).toBe(all[0]!.id)
    expect(Buffer.from(all[1]!.snapshot.tree)).toEqual(Buffer.from(all[0]!.snapshot.tree))
  })

  it('re-reads only the changed file, and the file cache survives reopening', async () => {
    const src = join(work, 'src')
    makeSpecialTree(src, { largeSize: 100_000 })
    let o = await openMain()
    await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    await o.close()
    owner = undefined
    appendFileSync(join(src, 'docs/hello.txt'), 'more\n')
    o = await openMain()
    const { summary } = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    expect(summary.filesChanged).toBe(1)
    expect(summary.filesNew).toBe(0)
    expect(summary.bytesRead).toBe(statSync(join(src, 'docs/hello.txt')).size)
    const target = join(work, 'restore')
    await restore(o.repo, await o.repo.findSnapshot('latest'), target)
    expect(compareTrees(src, join(target, src))).toEqual([])
  })

  it('keeps chunk boundaries after an insertion at the start of a large file: most chunks are reused', async () => {
    const src = join(work, 'src')
    const size = 48 * 1024 * 1024
    const data = prngBytes('big', size)
    writeFileSync(join(work, 'placeholder'), '')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(src)
    writeFileSync(join(src, 'big.bin'), data)
    const o = await openMain()
    const first = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    expect(first.summary.blobsAdded).toBeGreaterThan(20)
    writeFileSync(join(src, 'big.bin'), Buffer.concat([Buffer.from('inserted at the start of the file '.repeat(3)), data]))
    const second = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    expect(second.summary.blobsAdded).toBeLessThanOrEqual(2)
    expect(second.summary.bytesAdded).toBeLessThan(size * 0.2)
    const target = join(work, 'restore')
    await restore(o.repo, await o.repo.findSnapshot('latest'), target)
    expect(compareTrees(src, join(target, src))).toEqual([])
  })
})

describe('keys', () => {
  it('a wrong passphrase is a clear error and changes nothing', async () => {
    const keyPath = join(work, 'state', KEY_FILE_NAME)
    const before = readFileSync(keyPath)
    await expect(openOwner({ stateDir: join(work, 'state'), backend, passphrase: 'wrong' })).rejects.toThrow(WrongPassphraseError)
    expect(readFileSync(keyPath)).toEqual(before)
    // And the right one still works afterwards (no lock left behind).
    await openMain()
  })

  it('restores from a fresh state directory with the recovery key alone', async () => {
    const src = join(work, 'src')
    makeSpecialTree(src, { largeSize: 200_000 })
    const o = await openMain()
    await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'alice-laptop' })
    await o.close()
    owner = await openOwner({ stateDir: join(work, 'fresh'), backend, recoveryKey })
    expect(owner.keys.ownerId).toBe(o.keys.ownerId)
    const target = join(work, 'restore')
    await restore(owner.repo, await owner.repo.findSnapshot('latest'), target)
    expect(compareTrees(src, join(target, src))).toEqual([])
  })

  it('restores from a fresh state directory with the owner name and passphrase', async () => {
    const src = join(work, 'src')
    makeSpecialTree(src, { largeSize: 200_000 })
    const o = await openMain()
    await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'alice-laptop' })
    await o.close()
    await expect(openOwner({ stateDir: join(work, 'fresh'), backend, passphrase: PASS, ownerName: 'bob' })).rejects.toThrow(NotInitializedError)
    await expect(openOwner({ stateDir: join(work, 'fresh2'), backend, passphrase: 'nope', ownerName: 'alice-laptop' })).rejects.toThrow(WrongPassphraseError)
    owner = await openOwner({ stateDir: join(work, 'fresh3'), backend, passphrase: PASS, ownerName: 'alice-laptop' })
    const target = join(work, 'restore')
    await restore(owner.repo, await owner.repo.findSnapshot('latest'), target)
    expect(compareTrees(src, join(target, src))).toEqual([])
    // The new state can back up again into the same history.
    await backup(owner.repo, owner.keys.chunkerKey, { paths: [src], owner: 'alice-laptop' })
    expect(await owner.repo.listSnapshots()).toHaveLength(2)
  })

  it('refuses a mistyped recovery key and a taken owner name', async () => {
    const words = recoveryKey.split(' ')
    words[3] = words[3] === 'abandon' ? 'ability' : 'abandon'
    await expect(openOwner({ stateDir: join(work, 'fresh'), backend, recoveryKey: words.join(' ') })).rejects.toThrow(InvalidRecoveryKeyError)
    await expect(initOwner({ stateDir: join(work, 'other'), backend, ownerName: 'alice-laptop', passphrase: 'x' })).rejects.toThrow(/already taken/)
  })

  it('one process per state directory', async () => {
    await openMain()
    await expect(openOwner({ stateDir: join(work, 'state'), backend, passphrase: PASS })).rejects.toThrow(LockedError)
  })
})

describe('what a backup leaves out', () => {
  it('exclude patterns: a bare pattern matches a name at any depth, one with "/" the whole path; excluded folders are not entered', async () => {
    const src = join(work, 'src')
    for (const f of ['keep.txt', 'a.tmp', 'deep/b.tmp', 'deep/keep2.txt', 'node_modules/x/y.js', 'deep/node_modules/z.js', 'build/out.bin', 'sub/build/kept.bin']) {
      mkdirSync(join(src, f, '..'), { recursive: true })
      writeFileSync(join(src, f), f)
    }
    const o = await openMain()
    const r = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a', exclude: ['*.tmp', 'node_modules', `${src}/build`] })
    expect(r.summary.totalFiles).toBe(3)
    const target = join(work, 'out')
    await restore(o.repo, await o.repo.findSnapshot('latest'), target)
    const got = listFiles(join(target, src))
    expect(got).toEqual(['deep/keep2.txt', 'keep.txt', 'sub/build/kept.bin'])
  })

  it('CACHEDIR.TAG: a folder with a valid tag keeps only the tag; an invalid tag changes nothing', async () => {
    const src = join(work, 'src')
    mkdirSync(join(src, 'cache/sub'), { recursive: true })
    writeFileSync(join(src, 'cache/CACHEDIR.TAG'), `${CACHEDIR_TAG_SIGNATURE}\n# a cache\n`)
    writeFileSync(join(src, 'cache/blob'), 'cached')
    writeFileSync(join(src, 'cache/sub/more'), 'cached')
    mkdirSync(join(src, 'fake'))
    writeFileSync(join(src, 'fake/CACHEDIR.TAG'), 'Signature: not the real one\n')
    writeFileSync(join(src, 'fake/data'), 'real data')
    const o = await openMain()
    await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a', excludeCaches: true })
    const target = join(work, 'out')
    await restore(o.repo, await o.repo.findSnapshot('latest'), target)
    expect(listFiles(join(target, src))).toEqual(['cache/CACHEDIR.TAG', 'fake/CACHEDIR.TAG', 'fake/data'])
    // Without the option the cache is backed up like anything else.
    await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    const all = join(work, 'out-all')
    await restore(o.repo, await o.repo.findSnapshot('latest'), all)
    expect(listFiles(join(all, src))).toContain('cache/sub/more')
  })

  it('one file system: a mount point below the backup path is kept, empty', async () => {
    const src = join(work, 'src')
    mkdirSync(join(src, 'mnt'), { recursive: true })
    writeFileSync(join(src, 'local.txt'), 'here')
    // A real mount (tmpfs) inside the test folder: this machine's tests run as root.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', join(src, 'mnt')])
    try {
      writeFileSync(join(src, 'mnt/other-fs.txt'), 'there')
      expect(statSync(join(src, 'mnt')).dev).not.toBe(statSync(src).dev)
      const o = await openMain()
      await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a', oneFileSystem: true })
      const target = join(work, 'out')
      await restore(o.repo, await o.repo.findSnapshot('latest'), target)
      expect(listFiles(join(target, src))).toEqual(['local.txt'])
      expect(statSync(join(target, src, 'mnt')).isDirectory()).toBe(true)
      await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
      const all = join(work, 'out-all')
      await restore(o.repo, await o.repo.findSnapshot('latest'), all)
      expect(listFiles(join(all, src))).toEqual(['local.txt', 'mnt/other-fs.txt'])
    } finally {
      execFileSync('umount', [join(src, 'mnt')])
    }
  })
})

describe('one repository, many backups (the daemon)', () => {
  it('every count in a summary is that run\'s own', async () => {
    const src = join(work, 'src')
    mkdirSync(src)
    writeFileSync(join(src, 'one.bin'), prngBytes('one', 3 * 1024 * 1024))
    const o = await openMain()
    const first = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    expect(first.summary.packsAdded).toBeGreaterThan(0)
    const same = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a' })
    // Nothing new: only the metadata packs of the new snapshot, never the first run's packs again.
    expect(same.summary.bytesAdded).toBe(0)
    expect(same.summary.packsAdded).toBeLessThan(first.summary.packsAdded)
    const progress: number[] = []
    writeFileSync(join(src, 'two.bin'), prngBytes('two', 3 * 1024 * 1024))
    const third = await backup(o.repo, o.keys.chunkerKey, { paths: [src], owner: 'a', onProgress: (p) => { progress.push(p.packsWritten) } })
    expect(third.summary.bytesAdded).toBe(3 * 1024 * 1024)
    expect(Math.max(...progress)).toBeLessThanOrEqual(third.summary.packsAdded)
  })
})

function listFiles (root: string, dir = ''): string[] {
  const out: string[] = []
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = dir === '' ? e.name : `${dir}/${e.name}`
    if (e.isDirectory()) out.push(...listFiles(root, rel))
    else out.push(rel)
  }
  return out.sort()
}
