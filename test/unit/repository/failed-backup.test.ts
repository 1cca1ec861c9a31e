// A failed backup never poisons the next one (issue: "one failed upload breaks every later
// backup"): when pack uploads fail (no holder online), the run fails, the repository forgets the
// blobs that were never stored and clears the failure, and the next run, with the storage back,
// stores them again and makes a snapshot that checks clean and restores identically. The checker
// names a snapshot that references a blob no stored pack holds, the state the old code produced.
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backup } from '../../../daemon/archiver.js'
import { check } from '../../../daemon/checker.js'
import { P2pbakError } from '../../../daemon/errors.js'
import type { Owner } from '../../../daemon/owner.js'
import { hex } from '../../../daemon/repository/blob.js'
import { BlobType, NodeType, SnapshotOrigin } from '../../../daemon/repository/pb/repo.js'
import { encodeTree } from '../../../daemon/repository/repository.js'
import { restore } from '../../../daemon/restorer.js'
import { MemoryBackend } from '../../../daemon/store/memory-store.js'
import type { PutOptions } from '../../../daemon/store/types.js'
import { SMALL_CHUNKS, createTestOwner, makeTempDir, prng, readFiles, removeTempDir, writeFiles } from '../../harness/repo.js'

/** A store whose pack uploads fail while `down` (like a swarm with no holder online); the first `okPuts` succeed. */
class FlakyBackend extends MemoryBackend {
  down = false
  okPuts = Infinity
  puts = 0
  override async put (id: string, bytes: Uint8Array, options?: PutOptions): Promise<void> {
    if (this.down && this.puts >= this.okPuts) throw new OutageError('no peer answered (0 connected)')
    this.puts++
    await super.put(id, bytes, options)
  }
}

class OutageError extends P2pbakError {
  override name = 'NoHolderError'
}

let dir: string
let backend: FlakyBackend
let owner: Owner

beforeEach(async () => {
  dir = makeTempDir('failed-backup')
  backend = new FlakyBackend()
  owner = await createTestOwner({ backend, stateDir: join(dir, 'state'), repository: { packTargetSize: 64 * 1024 } })
})

afterEach(async () => {
  await owner.close()
  removeTempDir(dir)
})

const run = async (src: string): ReturnType<typeof backup> => await backup(owner.repo, owner.keys.chunkerKey, { paths: [src], owner: 'tester', chunkSizes: SMALL_CHUNKS })

describe('a failed backup', () => {
  it('leaves nothing pending, and the next backup stores the failed blobs again: check clean, restore identical', async () => {
    const src = join(dir, 'src')
    const files: Record<string, Uint8Array> = {}
    for (let i = 0; i < 12; i++) files[`f${i}.bin`] = prng(i + 1, 100_000)
    files['small.txt'] = Buffer.from('small\n')
    writeFiles(src, files)

    // Some packs reach the store, then the holders go away: the run fails.
    const before = backend.puts
    backend.okPuts = before + 3
    backend.down = true
    await expect(run(src)).rejects.toThrow(/no peer answered/)
    expect(owner.repo.pendingBlobs).toBe(0) // the failed packs' blobs are not "on their way" any more
    expect(await owner.repo.listSnapshots()).toHaveLength(0)

    // The holders are back: the next run succeeds (it does not repeat the old failure) ...
    backend.down = false
    const r = await run(src)
    expect(r.skippedCount).toBe(0)
    // ... and stores every blob the snapshot references: nothing refers to data no pack holds.
    const report = await check(owner.repo, { readData: true })
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
    const target = join(dir, 'restore')
    await restore(owner.repo, await owner.repo.findSnapshot('latest'), target)
    const back = readFiles(join(target, src))
    expect([...back.keys()].sort()).toEqual(Object.keys(files).sort())
    for (const [name, bytes] of Object.entries(files)) expect(back.get(name)!.equals(bytes), name).toBe(true)
  })

  it('a failure right at the first pack fails that run only: the next identical run succeeds at once', async () => {
    const src = join(dir, 'src')
    writeFiles(src, { 'a.bin': prng(7, 300_000) })
    backend.okPuts = backend.puts
    backend.down = true
    await expect(run(src)).rejects.toThrow(/no peer answered/)
    await expect(run(src)).rejects.toThrow(/no peer answered/) // still down: fails again, honestly
    backend.down = false
    const r = await run(src)
    expect(r.summary.filesNew).toBe(1)
    expect((await check(owner.repo, { readData: true })).problems).toEqual([])
  })
})

describe('check', () => {
  it('reports a snapshot that references a blob no stored pack holds, with the snapshot and the file', async () => {
    // Exactly what a backup produced when a failed pack's blobs still counted as stored: a tree
    // whose file names a data blob that was never written to any pack.
    const ghost = owner.repo.blobId(Buffer.from('content that never reached a holder'))
    const file = {
      name: Buffer.from('lost.txt'), type: NodeType.FILE, mode: 0o644, uid: 0, gid: 0, mtimeNs: 1n, atimeNs: 0n, ctimeNs: 1n,
      size: 35, linkTarget: new Uint8Array(0), xattrs: [], inode: 1n, device: 1n, links: 1,
      content: [{ blob: ghost, hole: 0, length: 35 }], subtree: new Uint8Array(0), sparse: false
    }
    const tree = encodeTree({ nodes: [file] })
    const treeId = owner.repo.blobId(tree)
    await owner.repo.saveBlob(BlobType.TREE, treeId, tree)
    const { snapshotId } = await owner.repo.commitSnapshot({
      version: 1, timeNs: 1n, hostname: 'h', owner: 'tester', paths: [Buffer.from('/')], tags: [], parent: new Uint8Array(0), tree: treeId, origin: SnapshotOrigin.ORIGIN_AD_HOC
    })
    const report = await check(owner.repo)
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual([{
      kind: 'blob-missing',
      id: hex(ghost),
      message: expect.stringMatching(new RegExp(`no stored pack holds it; needed by snapshot ${snapshotId.slice(0, 8)}`)),
      paths: ['/lost.txt']
    }])
  })

  it('names the snapshots and files that need a pack that is gone from the store', async () => {
    const src = join(dir, 'src')
    writeFiles(src, { 'keep.txt': Buffer.from('kept'), 'big.bin': prng(3, 200_000) })
    const r = await run(src)
    // A data pack (the first stored, full of big.bin's chunks) disappears from the store.
    let victim: string | undefined
    for await (const { id, size } of backend.list()) if (victim === undefined && size > 50_000) victim = id
    expect(victim).toBeDefined()
    await backend.delete(victim!)
    const report = await check(owner.repo)
    const missing = report.problems.find(p => p.kind === 'pack-missing')
    expect(missing).toMatchObject({ id: victim })
    expect(missing!.paths).toContain(join(src, 'big.bin'))
    expect(missing!.message).toContain(`needed by snapshot ${r.snapshotId.slice(0, 8)}`)
  })
})
