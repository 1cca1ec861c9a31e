// Malicious snapshot metadata (RELIABILITY.md "Bad input"): snapshots built by hand through the
// Repository API with names that try to leave the restore target (`..`, `/etc`, `a/b`, NUL), an
// empty name, duplicates, the symlink-then-directory escape, and files whose content does not add
// up to their size. Restore must create nothing outside the target, list every bad entry in
// RestoreIncompleteError.failures, and still restore the good entries beside them.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RestoreIncompleteError } from '../../daemon/errors.js'
import type { Owner } from '../../daemon/owner.js'
import { BlobType, NodeType, SnapshotOrigin } from '../../daemon/repository/pb/repo.js'
import type { ContentRef, Node } from '../../daemon/repository/pb/repo.js'
import { defaultSnapshotFields, encodeTree } from '../../daemon/repository/repository.js'
import type { Repository } from '../../daemon/repository/repository.js'
import { restore } from '../../daemon/restorer.js'
import { createMemoryBackend } from '../../daemon/store/index.js'
import { createTestOwner, makeTempDir, prng, removeTempDir } from '../harness/repo.js'

const NOW = BigInt(Date.now()) * 1_000_000n

function node (name: string | Buffer, type: NodeType, extra: Partial<Node> = {}): Node {
  return {
    name: typeof name === 'string' ? Buffer.from(name) : name,
    type,
    mode: type === NodeType.DIR ? 0o755 : 0o644,
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    mtimeNs: NOW,
    atimeNs: NOW,
    ctimeNs: NOW,
    size: 0,
    linkTarget: new Uint8Array(0),
    xattrs: [],
    inode: 0n,
    device: 0n,
    links: 1,
    content: [],
    subtree: new Uint8Array(0),
    sparse: false,
    ...extra
  }
}

async function saveData (repo: Repository, data: Uint8Array): Promise<ContentRef> {
  const id = repo.blobId(data)
  await repo.saveBlob(BlobType.DATA, id, data)
  return { blob: id, hole: 0, length: data.byteLength }
}

async function saveTree (repo: Repository, nodes: Node[]): Promise<Uint8Array> {
  const plain = encodeTree({ nodes })
  const id = repo.blobId(plain)
  await repo.saveBlob(BlobType.TREE, id, plain)
  return id
}

async function file (repo: Repository, name: string | Buffer, data: Uint8Array): Promise<Node> {
  return node(name, NodeType.FILE, { size: data.byteLength, content: [await saveData(repo, data)] })
}

async function dir (repo: Repository, name: string | Buffer, children: Node[]): Promise<Node> {
  return node(name, NodeType.DIR, { subtree: await saveTree(repo, children) })
}

async function commit (repo: Repository, nodes: Node[]): Promise<string> {
  const tree = await saveTree(repo, nodes)
  const { snapshotId } = await repo.commitSnapshot({
    version: 1, ...defaultSnapshotFields(), owner: 'mallory', paths: [Buffer.from('/hostile')], tags: [], parent: new Uint8Array(0), tree, origin: SnapshotOrigin.ORIGIN_AD_HOC
  })
  return snapshotId
}

async function restoreExpectingFailures (owner: Owner, snapshotId: string, target: string, order: 'tree' | 'recent-first'): Promise<Array<{ path: string, reason: string }>> {
  try {
    await restore(owner.repo, await owner.repo.findSnapshot(snapshotId), target, { order, resume: true })
  } catch (err) {
    if (err instanceof RestoreIncompleteError) return err.failures
    throw err
  }
  throw new Error('restore of a hostile snapshot reported no failures')
}

// Both restore orders: folder by folder, and most recent first (the lost-laptop restore, which
// also resumes).
describe.each(['tree', 'recent-first'] as const)('restoring hostile snapshots (order: %s)', (order) => {
  let root: string
  let owner: Owner
  /** Places outside every restore target that the snapshots aim at. */
  let outsideDir: string
  let outsideMissing: string
  const good = prng(1, 5000)
  const inner = Buffer.from('inner file\n')

  beforeAll(async () => {
    root = makeTempDir('hostile')
    owner = await createTestOwner({ backend: createMemoryBackend(), stateDir: join(root, 'state') })
    outsideDir = mkdtempSync(join(tmpdir(), 'outside-'))
    outsideMissing = `${outsideDir}-missing`
  })
  afterAll(async () => {
    await owner?.close()
    removeTempDir(root)
    removeTempDir(outsideDir)
  })

  function expectNothingOutside (): void {
    expect(readdirSync(outsideDir)).toEqual([])
    expect(existsSync(outsideMissing)).toBe(false)
    expect(readdirSync(tmpdir()).filter(n => n.startsWith('pwned') || n === 'escaped')).toEqual([])
  }

  it('refuses bad names, duplicates, the symlink escape and wrong sizes; restores everything else', async () => {
    const repo = owner.repo
    const payload = Buffer.from('should never be written\n')
    const long = 'x'.repeat(300)
    // Sorted by name bytes as the archiver writes trees; bad entries sit between good ones.
    const nodes: Node[] = [
      await file(repo, '', payload),
      await dir(repo, '.', [await file(repo, 'pwned-dot', payload)]),
      await dir(repo, '..', [await file(repo, 'escaped', payload)]),
      await file(repo, '/etc', payload),
      await file(repo, 'a/b', payload),
      await dir(repo, 'baddir', []).then(n => ({ ...n, subtree: new Uint8Array(32).fill(7) })), // tree not in the index
      await file(repo, 'good1', good),
      node('link', NodeType.SYMLINK, { linkTarget: Buffer.from(outsideDir) }),
      await dir(repo, 'link', [await file(repo, 'pwned-through-link', payload)]),
      await dir(repo, 'link2', [await file(repo, 'ok-inside', inner)]),
      node('link2', NodeType.SYMLINK, { linkTarget: Buffer.from(outsideMissing) }),
      node('missingblob', NodeType.FILE, { size: 10, content: [{ blob: new Uint8Array(32).fill(3), hole: 0, length: 10 }] }),
      await file(repo, Buffer.from('nul\0name'), payload),
      node('sizebad-long', NodeType.FILE, { size: 1000, content: [await saveData(repo, prng(2, 3000))] }),
      node('sizebad-short', NodeType.FILE, { size: 3000, content: [await saveData(repo, prng(3, 1000))] }),
      node('sizebad-trailing-hole', NodeType.FILE, { size: 10, content: [await saveData(repo, prng(4, 8)), { blob: new Uint8Array(0), hole: 5, length: 0 }] }),
      await file(repo, long, payload),
      node('zgood', NodeType.DIR, { subtree: await saveTree(repo, [await file(repo, 'inner.txt', inner), node('self', NodeType.SYMLINK, { linkTarget: Buffer.from('..') })]) }),
      await file(repo, 'zgood', payload) // duplicate of a directory
    ]
    const snapshotId = await commit(repo, nodes)

    const parent = makeTempDir('hostile-target')
    const target = join(parent, 'target')
    try {
      expect(readdirSync(parent)).toEqual([])
      const failures = await restoreExpectingFailures(owner, snapshotId, target, order)

      // Nothing outside the target.
      expect(readdirSync(parent)).toEqual(['target'])
      expectNothingOutside()

      // Every bad entry is listed (paths are snapshot paths: "/" + name).
      const expected = ['', '.', '..', '/etc', 'a/b', 'baddir', 'link', 'link2', 'missingblob', 'nul\0name', 'sizebad-long', 'sizebad-short', 'sizebad-trailing-hole', long, 'zgood']
        .map(n => `/${n}`)
      expect(failures.map(f => f.path).sort()).toEqual(expected.sort())
      for (const f of failures) expect(f.reason.length).toBeGreaterThan(0)

      // The good entries are there, with their content; the bad ones are not.
      // A directory whose tree cannot be read is listed; it may be left behind, but empty.
      expect(readdirSync(target).filter(n => n !== 'baddir').sort()).toEqual(['good1', 'link', 'link2', 'zgood'])
      if (existsSync(join(target, 'baddir'))) expect(readdirSync(join(target, 'baddir'))).toEqual([])
      expect(readFileSync(join(target, 'good1')).equals(good)).toBe(true)
      expect(lstatSync(join(target, 'link')).isSymbolicLink()).toBe(true)
      expect(readlinkSync(join(target, 'link'))).toBe(outsideDir)
      expect(lstatSync(join(target, 'link2')).isDirectory()).toBe(true)
      expect(readFileSync(join(target, 'link2', 'ok-inside')).equals(inner)).toBe(true)
      expect(readFileSync(join(target, 'zgood', 'inner.txt')).equals(inner)).toBe(true)
      expect(readlinkSync(join(target, 'zgood', 'self'))).toBe('..')
    } finally {
      removeTempDir(parent)
    }
    expectNothingOutside()
  })

  it('a symlink left in the target by one restore is not followed by the next', async () => {
    const repo = owner.repo
    const first = await commit(repo, [
      node('d', NodeType.SYMLINK, { linkTarget: Buffer.from(outsideDir) }),
      node('f', NodeType.SYMLINK, { linkTarget: Buffer.from(join(outsideDir, 'pwned-file')) }),
      node('m', NodeType.SYMLINK, { linkTarget: Buffer.from(outsideMissing) })
    ])
    const second = await commit(repo, [
      await dir(repo, 'd', [await file(repo, 'pwned-through-old-link', Buffer.from('x'))]),
      await file(repo, 'f', Buffer.from('replaces the link, not its target\n')),
      await dir(repo, 'm', [await file(repo, 'pwned', Buffer.from('x'))])
    ])
    const parent = makeTempDir('hostile-target')
    const target = join(parent, 'target')
    try {
      await restore(owner.repo, await owner.repo.findSnapshot(first), target, { order, resume: true })
      expect(readlinkSync(join(target, 'd'))).toBe(outsideDir)
      const failures = await restoreExpectingFailures(owner, second, target, order)
      expectNothingOutside()
      expect(readdirSync(parent)).toEqual(['target'])
      // The directories cannot be made where a symlink stands; the file replaces its symlink.
      expect(failures.map(f => f.path).sort()).toEqual(['/d', '/m'])
      expect(lstatSync(join(target, 'f')).isFile()).toBe(true)
      expect(readFileSync(join(target, 'f'), 'utf8')).toBe('replaces the link, not its target\n')
      expect(lstatSync(join(target, 'd')).isSymbolicLink()).toBe(true)
    } finally {
      removeTempDir(parent)
    }
    expectNothingOutside()
  })

  it('a target inside a folder: sibling folders are untouched by names that climb', async () => {
    const repo = owner.repo
    const snapshotId = await commit(repo, [
      await dir(repo, '..', [await dir(repo, 'sibling', [await file(repo, 'pwned', Buffer.from('x'))])]),
      await file(repo, 'ok', Buffer.from('ok\n'))
    ])
    const parent = makeTempDir('hostile-target')
    mkdirSync(join(parent, 'sibling'))
    const target = join(parent, 'target')
    try {
      const failures = await restoreExpectingFailures(owner, snapshotId, target, order)
      expect(failures.map(f => f.path)).toEqual(['/..'])
      expect(readdirSync(join(parent, 'sibling'))).toEqual([])
      expect(readdirSync(parent).sort()).toEqual(['sibling', 'target'])
      expect(readFileSync(join(target, 'ok'), 'utf8')).toBe('ok\n')
    } finally {
      removeTempDir(parent)
    }
  })
})
