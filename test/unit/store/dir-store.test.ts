import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, chmodSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { packIdOf } from '../../../protocol/ids.js'
import { DIR_STORE_MARKER, openDirBackend } from '../../../daemon/store/index.js'
import type { Backend, ObjectInfo } from '../../../daemon/store/index.js'
import { runBackendCompliance } from './compliance.js'

const keep = process.env.P2PBAK_KEEP_TEST_STATE === '1'

function removeDir (dir: string): void {
  if (!keep) rmSync(dir, { recursive: true, force: true })
}

runBackendCompliance('dir', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'p2pbak-dir-store-'))
  return { backend: openDirBackend(join(parent, 'store'), { create: true }), cleanup: async () => { removeDir(parent) } }
})

function object (size: number): { id: string, bytes: Uint8Array } {
  const bytes = new Uint8Array(randomBytes(size))
  return { id: packIdOf(bytes), bytes }
}

async function collect (infos: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = []
  for await (const info of infos) out.push(info)
  return out.sort((a, b) => a.id.localeCompare(b.id))
}

function mode (path: string): number {
  return statSync(path).mode & 0o777
}

function packPath (root: string, id: string): string {
  return join(root, 'packs', id.slice('bafkrei'.length, 'bafkrei'.length + 2), id)
}

describe('directory store', () => {
  let parent: string
  let root: string
  let open: Backend[]

  function openStore (create = false): Backend {
    const backend = openDirBackend(root, { create })
    open.push(backend)
    return backend
  }

  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'p2pbak-dir-store-'))
    root = join(parent, 'store')
    open = []
  })

  afterEach(async () => {
    for (const backend of open) await backend.close()
    removeDir(parent)
  })

  describe('layout', () => {
    it('stores a pack at packs/<2 characters after "bafkrei">/<id>, with mode 0600', async () => {
      const store = openStore(true)
      const { id, bytes } = object(100)
      await store.put(id, bytes)
      const path = packPath(root, id)
      expect(readFileSync(path).equals(bytes)).toBe(true)
      expect(mode(path)).toBe(0o600)
    })

    it('creates the store folder, packs/, records/, tmp/ and shard folders with mode 0700', async () => {
      const store = openStore(true)
      const { id, bytes } = object(10)
      await store.put(id, bytes)
      for (const dir of [root, join(root, 'packs'), join(root, 'records'), join(root, 'tmp'), join(packPath(root, id), '..')]) {
        expect(mode(dir), dir).toBe(0o700)
      }
    })

    it('tightens an existing empty folder to 0700 when creating a store in it', () => {
      mkdirSync(root, { mode: 0o755 })
      chmodSync(root, 0o755)
      openStore(true)
      expect(mode(root)).toBe(0o700)
    })

    it('writes record files with mode 0600', async () => {
      const store = openStore(true)
      await store.putRecord('root', new Uint8Array([1, 2]))
      expect(mode(join(root, 'records', 'root'))).toBe(0o600)
    })

    it('writes a marker with the layout version', () => {
      openStore(true)
      expect(JSON.parse(readFileSync(join(root, DIR_STORE_MARKER), 'utf8'))).toEqual({ version: 1 })
    })
  })

  describe('opening', () => {
    it('sees the same objects and records after a reopen', async () => {
      const first = openStore(true)
      const a = object(10)
      const b = object(0)
      await first.put(a.id, a.bytes)
      await first.put(b.id, b.bytes)
      await first.putRecord('root', new Uint8Array([7]))
      await first.close()

      const second = openStore()
      expect(await collect(second.list())).toEqual([{ id: a.id, size: 10 }, { id: b.id, size: 0 }].sort((x, y) => x.id.localeCompare(y.id)))
      expect(Buffer.from(await second.get(a.id)).equals(a.bytes)).toBe(true)
      expect(await second.getRecord('root')).toEqual(new Uint8Array([7]))
    })

    it('rejects a folder without the marker with NotInitializedError and a hint', () => {
      mkdirSync(root)
      expect(() => openStore()).toThrow(expect.objectContaining({ name: 'NotInitializedError', hint: expect.any(String) }))
      expect(readdirSync(root)).toEqual([])
    })

    it('rejects a missing folder with NotInitializedError without creating it', () => {
      expect(() => openStore()).toThrow(expect.objectContaining({ name: 'NotInitializedError' }))
      expect(existsSync(root)).toBe(false)
    })

    it('rejects an unknown layout version with UnsupportedVersionError', () => {
      openStore(true)
      writeFileSync(join(root, DIR_STORE_MARKER), JSON.stringify({ version: 99 }))
      expect(() => openStore()).toThrow(expect.objectContaining({ name: 'UnsupportedVersionError' }))
      expect(() => openStore(true)).toThrow(expect.objectContaining({ name: 'UnsupportedVersionError' }))
    })

    it('rejects a marker that is not JSON with a version with CorruptObjectError', () => {
      openStore(true)
      writeFileSync(join(root, DIR_STORE_MARKER), 'hello')
      expect(() => openStore()).toThrow(expect.objectContaining({ name: 'CorruptObjectError' }))
    })

    it('refuses to create a store in a non-empty folder that is not one, touching nothing', () => {
      mkdirSync(join(root, 'tmp'), { recursive: true })
      writeFileSync(join(root, 'tmp', 'precious'), 'x')
      expect(() => openStore(true)).toThrow(expect.objectContaining({ name: 'AlreadyExistsError' }))
      expect(readdirSync(join(root, 'tmp'))).toEqual(['precious'])
      expect(existsSync(join(root, DIR_STORE_MARKER))).toBe(false)
    })

    it('opens an existing store with create: true without losing anything', async () => {
      const first = openStore(true)
      const a = object(10)
      await first.put(a.id, a.bytes)
      await first.close()
      expect(await openStore(true).has([a.id])).toEqual([true])
    })
  })

  describe('crash leftovers and damage', () => {
    it('removes a temp file left in tmp/ by a crash at open, and never lists or serves it', async () => {
      const first = openStore(true)
      const stored = object(10)
      await first.put(stored.id, stored.bytes)
      await first.close()
      // What a crash between write and rename leaves: a partial object named like a real one.
      const partial = object(1000)
      writeFileSync(join(root, 'tmp', `${partial.id}.0123456789ab`), partial.bytes.subarray(0, 300))
      mkdirSync(join(root, 'tmp', 'odd-folder'))

      const second = openStore()
      expect(readdirSync(join(root, 'tmp'))).toEqual([])
      expect(await collect(second.list())).toEqual([{ id: stored.id, size: 10 }])
      expect(await second.has([partial.id])).toEqual([false])
      await expect(second.get(partial.id)).rejects.toMatchObject({ name: 'ObjectNotFoundError' })
    })

    it('removes a record temp file left by a crash at open and keeps the old record', async () => {
      const first = openStore(true)
      await first.putRecord('root', new Uint8Array([1]))
      await first.close()
      writeFileSync(join(root, 'records', '.root.deadbeef0000.tmp'), new Uint8Array([2, 2]))
      const second = openStore()
      expect(readdirSync(join(root, 'records'))).toEqual(['root'])
      expect(await second.getRecord('root')).toEqual(new Uint8Array([1]))
    })

    it('lists and returns a truncated pack as it is: verifying is the caller\'s job', async () => {
      const store = openStore(true)
      const { id, bytes } = object(1000)
      await store.put(id, bytes)
      truncateSync(packPath(root, id), 100)

      expect(await collect(store.list())).toEqual([{ id, size: 100 }])
      expect(await store.stat(id)).toEqual({ id, size: 100 })
      const got = await store.get(id)
      expect(Buffer.from(got).equals(bytes.subarray(0, 100))).toBe(true)
      expect(packIdOf(got)).not.toBe(id)
      await expect(store.get(id, { offset: 50, length: 100 })).rejects.toMatchObject({ name: 'InvalidArgumentError' })
    })

    it('lists only pack-ID files that sit in their own shard', async () => {
      const store = openStore(true)
      const real = object(10)
      await store.put(real.id, real.bytes)
      const realShard = join(packPath(root, real.id), '..')
      const stray = object(20)
      const wrongShard = stray.id.slice(7, 9) === 'aa' ? 'ab' : 'aa'
      mkdirSync(join(root, 'packs', wrongShard), { recursive: true })
      writeFileSync(join(root, 'packs', wrongShard, stray.id), stray.bytes) // unreachable by get
      writeFileSync(join(root, 'packs', 'README'), 'not a shard')
      writeFileSync(join(realShard, 'notes.txt'), 'junk')
      writeFileSync(join(realShard, real.id.toUpperCase()), 'junk')
      mkdirSync(join(realShard, object(30).id)) // a folder named like a pack
      expect(await collect(store.list())).toEqual([{ id: real.id, size: 10 }])
    })

    it('treats a stray file where a shard folder belongs as an absent shard', async () => {
      const store = openStore(true)
      const { id } = object(10)
      writeFileSync(join(packPath(root, id), '..'), 'not a folder')
      expect(await store.has([id])).toEqual([false])
      await expect(store.get(id)).rejects.toMatchObject({ name: 'ObjectNotFoundError' })
      await expect(store.stat(id)).rejects.toMatchObject({ name: 'ObjectNotFoundError' })
      await store.delete(id)
      expect(await collect(store.list())).toEqual([])
    })
  })

  describe('disk full (1 MiB tmpfs)', () => {
    let mountpoint: string

    beforeAll(() => {
      mountpoint = mkdtempSync(join(tmpdir(), 'p2pbak-tmpfs-'))
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountpoint])
    })

    afterAll(() => {
      execFileSync('umount', [mountpoint])
      rmSync(mountpoint, { recursive: true, force: true })
    })

    it('rejects a 2 MiB put with NoSpaceError, leaves nothing behind, and still takes a small put', async () => {
      root = join(mountpoint, 'store')
      const store = openStore(true)
      const big = object(2 * 1024 * 1024)
      await expect(store.put(big.id, big.bytes)).rejects.toMatchObject({ name: 'NoSpaceError', hint: expect.any(String) })
      expect(readdirSync(join(root, 'tmp'))).toEqual([])
      expect(readdirSync(join(root, 'packs'))).toEqual([])
      expect(await store.has([big.id])).toEqual([false])

      const small = object(1000)
      await store.put(small.id, small.bytes)
      expect(Buffer.from(await store.get(small.id)).equals(small.bytes)).toBe(true)
      expect(await collect(store.list())).toEqual([{ id: small.id, size: 1000 }])
    })
  })
})
