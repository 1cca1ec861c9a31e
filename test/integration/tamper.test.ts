// Tampering with a repository on a real directory store (RELIABILITY.md "Bad input", DESIGN.md §4):
// a flipped byte anywhere in any pack, a truncated, deleted or swapped pack, a rolled-back or
// foreign root record. `check --read-data` must name the damaged pack; restore must produce
// byte-identical files or list what it left out, and never write a file with wrong content.
import { copyFileSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backup } from '../../daemon/archiver.js'
import { check } from '../../daemon/checker.js'
import type { CheckReport } from '../../daemon/checker.js'
import { CorruptObjectError, IntegrityError, RestoreIncompleteError } from '../../daemon/errors.js'
import type { Owner } from '../../daemon/owner.js'
import { hex } from '../../daemon/repository/blob.js'
import { rootRecordKey } from '../../daemon/repository/constants.js'
import { packHeaderOf, parsePackTrailer } from '../../daemon/repository/pack.js'
import { BlobType, NodeType } from '../../daemon/repository/pb/repo.js'
import { restore } from '../../daemon/restorer.js'
import { openDirBackend } from '../../daemon/store/index.js'
import type { Backend } from '../../daemon/store/index.js'
import {
  SMALL_CHUNKS, createTestOwner, makeTempDir, packFilePath, prng, readFiles, recordFilePath, removeTempDir,
  reopenTestOwner, seededRandom, writeFiles
} from '../harness/repo.js'

const SEED = Number(process.env.P2PBAK_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31))
const PACK_TARGET = 64 * 1024

type PackKind = 'data' | 'tree' | 'index+snapshot' | 'manifest'
interface PackInfo { id: string, kind: PackKind, path: string, bytes: Buffer, headerOffset: number, headerLength: number }

/** A generated tree of a few hundred KiB: enough for several 64 KiB data packs. */
function sourceFiles (seed: number): Record<string, Buffer> {
  const rnd = seededRandom(seed)
  const files: Record<string, Buffer> = {}
  for (let i = 0; i < 12; i++) files[`dir${i % 3}/file${i}.bin`] = prng(seed + i + 1, 4000 + rnd(60_000))
  files['small.txt'] = Buffer.from('a file smaller than the minimum chunk\n')
  files['dir1/deeper/tiny.bin'] = prng(seed + 100, 1500)
  files['empty'] = Buffer.alloc(0)
  return files
}

function kindOf (type: BlobType): PackKind {
  return type === BlobType.DATA ? 'data' : type === BlobType.TREE ? 'tree' : type === BlobType.MANIFEST ? 'manifest' : 'index+snapshot'
}

describe(`pack tampering on a directory store (seed ${SEED}; rerun with P2PBAK_TEST_SEED=${SEED})`, () => {
  let root: string
  let storeDir: string
  let src: string
  let backend: Backend
  let owner: Owner
  let files: Record<string, Buffer>
  const packs: PackInfo[] = []
  /** Snapshot path of each file → the packs holding its data blobs. */
  const filePacks = new Map<string, Set<string>>()
  let restoreCount = 0

  beforeAll(async () => {
    root = makeTempDir('tamper')
    storeDir = join(root, 'store')
    src = join(root, 'src')
    files = sourceFiles(SEED)
    writeFiles(src, files)
    backend = openDirBackend(storeDir, { create: true })
    owner = await createTestOwner({ backend, stateDir: join(root, 'state'), repository: { packTargetSize: PACK_TARGET } })
    await backup(owner.repo, owner.keys.chunkerKey, { paths: [src], owner: 'x', chunkSizes: SMALL_CHUNKS })

    for await (const { id } of backend.list()) {
      const path = packFilePath(storeDir, id)
      const bytes = readFileSync(path)
      const { headerOffset, headerLength } = parsePackTrailer(bytes)
      packs.push({ id, kind: kindOf(packHeaderOf(owner.keys.encryptionKey, bytes).type), path, bytes, headerOffset, headerLength })
    }
    packs.sort((a, b) => a.id.localeCompare(b.id))

    const walk = async (tree: Uint8Array, dir: string): Promise<void> => {
      for (const node of (await owner.repo.loadTree(tree)).nodes) {
        const path = `${dir === '/' ? '' : dir}/${Buffer.from(node.name).toString()}`
        if (node.type === NodeType.DIR) await walk(node.subtree, path)
        if (node.type === NodeType.FILE) {
          filePacks.set(path, new Set(node.content.filter(r => r.blob.byteLength > 0).map(r => owner.repo.lookup(r.blob)!.pack)))
        }
      }
    }
    await walk((await owner.repo.findSnapshot('latest')).snapshot.tree, '/')
  })

  afterAll(async () => {
    await owner?.close()
    removeTempDir(root)
  })

  function snapshotPath (rel: string): string { return join(src, rel) }

  function filesIn (packId: string): string[] {
    return [...filePacks].filter(([, set]) => set.has(packId)).map(([path]) => path).sort()
  }

  it('the fixture has several packs of every kind', () => {
    const count = (k: PackKind): number => packs.filter(p => p.kind === k).length
    expect(count('data')).toBeGreaterThanOrEqual(4)
    expect(count('tree')).toBeGreaterThanOrEqual(1)
    expect(count('index+snapshot')).toBe(1)
    expect(count('manifest')).toBe(1)
    expect([...filePacks.values()].some(s => s.size > 1)).toBe(true) // some file spans packs
  })

  /** Problems with restoring: wrong content (never allowed), files silently missing. */
  async function restoreProblems (label: string): Promise<{ problems: string[], failures: Array<{ path: string, reason: string }> }> {
    const problems: string[] = []
    let failures: Array<{ path: string, reason: string }> = []
    const target = join(root, `restore-${restoreCount++}`)
    try {
      let snap
      try {
        snap = await owner.repo.findSnapshot('latest')
      } catch (err) {
        // Damage to the manifest or snapshot blob: nothing can be restored, and the error says so.
        if (!(err instanceof IntegrityError || err instanceof CorruptObjectError)) problems.push(`${label}: findSnapshot threw ${String(err)}`)
        return { problems, failures }
      }
      try {
        await restore(owner.repo, snap, target)
      } catch (err) {
        if (!(err instanceof RestoreIncompleteError)) {
          problems.push(`${label}: restore threw ${String(err)}`)
          return { problems, failures }
        }
        failures = err.failures
      }
      const restored = readFiles(join(target, src))
      for (const [rel, data] of Object.entries(files)) {
        const got = restored.get(rel)
        const path = snapshotPath(rel)
        if (got !== undefined) {
          if (!got.equals(data)) problems.push(`${label}: ${rel} restored with WRONG CONTENT`)
          if (failures.some(f => f.path === path)) problems.push(`${label}: ${rel} listed as failed but left in place`)
        } else if (!failures.some(f => path === f.path || path.startsWith(f.path + '/'))) {
          problems.push(`${label}: ${rel} missing from the restore and not listed in the failures`)
        }
      }
      for (const rel of restored.keys()) if (!(rel in files)) problems.push(`${label}: unexpected file ${rel} restored`)
    } finally {
      rmSync(target, { recursive: true, force: true })
    }
    return { problems, failures }
  }

  function checkNames (report: CheckReport, id: string): boolean {
    return !report.ok && report.problems.some(p => p.id === id || p.message.includes(id))
  }

  async function flipAll (kinds: PackKind[]): Promise<{ problems: string[], cases: number }> {
    const rnd = seededRandom(SEED ^ 0x5bd1e995)
    const problems: string[] = []
    let cases = 0
    for (const pack of packs.filter(p => kinds.includes(p.kind))) {
      const trailerStart = pack.bytes.byteLength - 8
      const positions: Array<[string, number]> = [
        ['blob area', rnd(pack.headerOffset)],
        ['sealed header', pack.headerOffset + rnd(pack.headerLength)],
        ['trailer', trailerStart + rnd(8)]
      ]
      for (const [where, pos] of positions) {
        const label = `${pack.kind} pack ${pack.id}, ${where} byte ${pos}/${pack.bytes.byteLength}`
        const damaged = Buffer.from(pack.bytes)
        damaged[pos] = damaged[pos]! ^ (1 << rnd(8))
        writeFileSync(pack.path, damaged)
        cases++
        try {
          const report = await check(owner.repo, { readData: true })
          if (!checkNames(report, pack.id)) {
            problems.push(`${label}: check did not name the pack (${report.problems.map(p => `${p.kind} ${p.id}: ${p.message}`).join('; ') || 'no problems'})`)
          }
          const r = await restoreProblems(label)
          problems.push(...r.problems)
          if (pack.kind === 'data') {
            // The whole pack is verified before use: every file with a blob in it is left out.
            for (const path of filesIn(pack.id)) {
              if (!r.failures.some(f => f.path === path)) problems.push(`${label}: ${path} not listed in the restore failures`)
            }
          }
        } finally {
          writeFileSync(pack.path, pack.bytes)
        }
      }
    }
    return { problems, cases }
  }

  it('a flipped byte in any data or tree pack: check names the pack, restore is exact or lists the files', async () => {
    const { problems, cases } = await flipAll(['data', 'tree'])
    expect(cases).toBeGreaterThanOrEqual(15)
    expect(problems).toEqual([])
    expect((await check(owner.repo, { readData: true })).ok).toBe(true) // everything put back
  })

  it('a flipped byte in the index+snapshot pack or the manifest pack: check names the pack, restore never writes wrong bytes', async () => {
    const { problems, cases } = await flipAll(['index+snapshot', 'manifest'])
    expect(cases).toBe(6)
    expect(problems).toEqual([])
  })

  it('a truncated data pack', async () => {
    const rnd = seededRandom(SEED + 1)
    const pack = packs.filter(p => p.kind === 'data')[rnd(packs.filter(p => p.kind === 'data').length)]!
    for (const keep of [pack.bytes.byteLength - 1, pack.headerOffset + rnd(pack.headerLength), rnd(pack.headerOffset), 3, 0]) {
      const label = `data pack ${pack.id} truncated to ${keep} bytes`
      truncateSync(pack.path, keep)
      try {
        const report = await check(owner.repo, { readData: true })
        expect(checkNames(report, pack.id), label).toBe(true)
        const r = await restoreProblems(label)
        expect(r.problems).toEqual([])
        expect(r.failures.map(f => f.path).sort(), label).toEqual(filesIn(pack.id))
      } finally {
        writeFileSync(pack.path, pack.bytes)
      }
    }
  })

  it('a deleted data pack: check reports it missing, restore lists exactly the files it affects', async () => {
    const pack = packs.filter(p => p.kind === 'data').sort((a, b) => filesIn(b.id).length - filesIn(a.id).length)[0]!
    expect(filesIn(pack.id).length).toBeGreaterThan(0)
    unlinkSync(pack.path)
    try {
      const report = await check(owner.repo, { readData: true })
      expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'pack-missing', id: pack.id }))
      const r = await restoreProblems(`deleted ${pack.id}`)
      expect(r.problems).toEqual([])
      expect(r.failures.map(f => f.path).sort()).toEqual(filesIn(pack.id))
      for (const f of r.failures) expect(f.reason).toContain(pack.id)
    } finally {
      writeFileSync(pack.path, pack.bytes)
    }
  })

  it('a data pack overwritten with another pack\'s bytes', async () => {
    const data = packs.filter(p => p.kind === 'data')
    const [a, b] = [data[0]!, data[1]!]
    copyFileSync(a.path, b.path)
    try {
      const report = await check(owner.repo, { readData: true })
      expect(checkNames(report, b.id)).toBe(true)
      expect(checkNames(report, a.id)).toBe(false) // the copy source is fine
      const r = await restoreProblems(`${b.id} overwritten by ${a.id}`)
      expect(r.problems).toEqual([])
      expect(r.failures.map(f => f.path).sort()).toEqual(filesIn(b.id))
    } finally {
      writeFileSync(b.path, b.bytes)
    }
    expect((await check(owner.repo, { readData: true })).ok).toBe(true)
  })
})

describe('root record tampering', () => {
  let root: string
  let storeDir: string
  let src: string
  let backend: Backend
  let owner: Owner
  const stateDir = (): string => join(root, 'state-a')

  beforeAll(async () => {
    root = makeTempDir('tamper-root')
    storeDir = join(root, 'store')
    src = join(root, 'src')
    writeFiles(src, { 'a.txt': Buffer.from('version 1\n'), 'b.bin': prng(5, 20_000) })
    backend = openDirBackend(storeDir, { create: true })
    owner = await createTestOwner({ backend, stateDir: stateDir(), ownerName: 'alice' })
  })
  afterAll(async () => {
    await owner?.close()
    removeTempDir(root)
  })

  it('an older root record put back in place of the newer one is refused as a rollback', async () => {
    const recordPath = recordFilePath(storeDir, rootRecordKey(owner.keys.ownerId))
    await backup(owner.repo, owner.keys.chunkerKey, { paths: [src], owner: 'alice', chunkSizes: SMALL_CHUNKS })
    const old = readFileSync(recordPath)
    writeFiles(src, { 'a.txt': Buffer.from('version 2, longer\n') })
    await backup(owner.repo, owner.keys.chunkerKey, { paths: [src], owner: 'alice', chunkSizes: SMALL_CHUNKS })
    const newest = readFileSync(recordPath)
    expect(newest.equals(old)).toBe(false)

    writeFileSync(recordPath, old)
    try {
      await expect(owner.repo.readRoot()).rejects.toThrow(IntegrityError)
      await expect(owner.repo.readRoot()).rejects.toThrow(/rollback/)
      // A backup on top of the old record is refused too: it would silently drop snapshot 2.
      await expect(backup(owner.repo, owner.keys.chunkerKey, { paths: [src], owner: 'alice', chunkSizes: SMALL_CHUNKS })).rejects.toThrow(/rollback/)
      const report = await check(owner.repo)
      expect(report.ok).toBe(false)
      expect(report.problems[0]?.kind).toBe('root')
      // The highest sequence seen survives a restart of the owner.
      await owner.close()
      owner = await reopenTestOwner({ backend, stateDir: stateDir() })
      await expect(owner.repo.readRoot()).rejects.toThrow(/rollback/)
    } finally {
      writeFileSync(recordPath, newest)
    }
    expect((await owner.repo.listSnapshots()).length).toBe(2)
  })

  it('another owner\'s root record in place of ours is refused', async () => {
    const bob = await createTestOwner({ backend, stateDir: join(root, 'state-b'), ownerName: 'bob' })
    try {
      await backup(bob.repo, bob.keys.chunkerKey, { paths: [src], owner: 'bob', chunkSizes: SMALL_CHUNKS })
      const ours = recordFilePath(storeDir, rootRecordKey(owner.keys.ownerId))
      const saved = readFileSync(ours)
      copyFileSync(recordFilePath(storeDir, rootRecordKey(bob.keys.ownerId)), ours)
      try {
        await expect(owner.repo.readRoot()).rejects.toThrow(IntegrityError)
        await expect(owner.repo.readRoot()).rejects.toThrow(/another owner/)
        await expect(owner.repo.findSnapshot('latest')).rejects.toThrow(IntegrityError)
        const report = await check(owner.repo)
        expect(report.ok).toBe(false)
        expect(report.problems[0]?.kind).toBe('root')
      } finally {
        writeFileSync(ours, saved)
      }
      expect((await check(owner.repo, { readData: true })).ok).toBe(true)
      expect((await owner.repo.readRoot())?.seq).toBeGreaterThan(0n)
      expect(hex(bob.keys.publicKey)).not.toBe(hex(owner.keys.publicKey))
    } finally {
      await bob.close()
    }
  })
})
