// Backup paths that do not exist or cannot be read (issue: "a backup of a path that does not
// exist exits 0"): none readable → SourceNotFoundError and no snapshot; some → a snapshot of what
// exists that lists what was skipped, including files that vanish while the backup runs. Real
// files on a directory store.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backup } from '../../daemon/archiver.js'
import { SourceNotFoundError } from '../../daemon/errors.js'
import type { Owner } from '../../daemon/owner.js'
import { restore } from '../../daemon/restorer.js'
import { openDirBackend } from '../../daemon/store/index.js'
import type { Backend } from '../../daemon/store/index.js'
import { createTestOwner, makeTempDir, readFiles, removeTempDir, writeFiles } from '../harness/repo.js'

let dir: string
let backend: Backend
let owner: Owner

beforeEach(async () => {
  dir = makeTempDir('skipped')
  backend = openDirBackend(join(dir, 'repo'), { create: true })
  owner = await createTestOwner({ backend, stateDir: join(dir, 'state') })
})

afterEach(async () => {
  await owner.close()
  await backend.close()
  removeTempDir(dir)
})

describe('paths that cannot be backed up', () => {
  it('none exists: SourceNotFoundError naming them, and no snapshot (latest stays absent)', async () => {
    const missing = [join(dir, 'no-such-folder'), join(dir, 'gone', 'deeper')]
    const err = await backup(owner.repo, owner.keys.chunkerKey, { paths: missing, owner: 'tester' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SourceNotFoundError)
    expect((err as Error).message).toContain(`${missing[0]!} (does not exist)`)
    expect((err as Error).message).toContain(`${missing[1]!} (does not exist)`)
    expect((err as SourceNotFoundError).hint).toMatch(/check the paths/)
    expect(await owner.repo.listSnapshots()).toEqual([])
    await expect(owner.repo.findSnapshot('latest')).rejects.toThrow(/no snapshots yet/)
  })

  it('some missing: a snapshot of what exists, the rest listed as skipped', async () => {
    const src = join(dir, 'src')
    writeFiles(src, { 'a.txt': Buffer.from('alpha'), 'sub/b.txt': Buffer.from('beta') })
    const missing = join(dir, 'not-there')
    const r = await backup(owner.repo, owner.keys.chunkerKey, { paths: [src, missing], owner: 'tester' })
    expect(r.skipped).toEqual([{ path: missing, reason: 'does not exist' }])
    expect(r.skippedCount).toBe(1)
    expect(r.summary.totalFiles).toBe(2)
    expect(r.summary.warnings).toContain(`${missing}: skipped: does not exist`)
    const snap = await owner.repo.findSnapshot('latest')
    expect(snap.id).toBe(r.snapshotId)
    // The snapshot records the paths asked for (the same set next time), and holds what exists.
    expect(snap.snapshot.paths.map(p => Buffer.from(p).toString()).sort()).toEqual([missing, src].sort())
    const target = join(dir, 'restore')
    await restore(owner.repo, snap, target)
    expect(readFiles(join(target, src))).toEqual(new Map([['a.txt', Buffer.from('alpha')], ['sub/b.txt', Buffer.from('beta')]]))
  })

  it('a file that vanishes while the backup runs is skipped and listed', async () => {
    const src = join(dir, 'src')
    writeFiles(src, { '1-first.txt': Buffer.from('first'), '2-vanishes.txt': Buffer.from('soon gone'), '3-last.txt': Buffer.from('last') })
    let removed = false
    const r = await backup(owner.repo, owner.keys.chunkerKey, {
      paths: [src],
      owner: 'tester',
      progressIntervalMs: 0,
      // Files are walked in name order: once the first is stored, the second disappears.
      onProgress: (p) => { if (!removed && p.currentPath.endsWith('1-first.txt')) { rmSync(join(src, '2-vanishes.txt')); removed = true } }
    })
    expect(removed).toBe(true)
    expect(r.skipped).toEqual([{ path: join(src, '2-vanishes.txt'), reason: 'does not exist' }])
    expect(r.summary.totalFiles).toBe(2)
  })

  it('a path that exists is not skipped, even an empty folder or an empty file', async () => {
    const empty = join(dir, 'empty-dir')
    mkdirSync(empty)
    writeFileSync(join(dir, 'lonely.txt'), '')
    const r = await backup(owner.repo, owner.keys.chunkerKey, { paths: [empty, join(dir, 'lonely.txt')], owner: 'tester' })
    expect(r.skipped).toEqual([])
    expect(r.skippedCount).toBe(0)
    expect(r.summary.totalFiles).toBe(1)
  })
})
