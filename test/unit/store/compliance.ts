// The contract of daemon/store/types.ts as tests. Every Backend (memory, directory, swarm) runs this
// suite through its own *.test.ts file: `runBackendCompliance('name', factory)`.
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { packIdOf } from '../../../protocol/ids.js'
import type { Backend, ObjectInfo } from '../../../daemon/store/index.js'

export interface BackendFixture {
  backend: Backend
  /** Removes whatever the fixture made (temp dirs, peers); called after `backend.close()`. */
  cleanup: () => Promise<void>
}

/** Well-formed pack IDs that are wrong in the ways a hostile or buggy caller could be. */
function malformedIds (): Array<[string, string]> {
  const valid = packIdOf(new Uint8Array([42]))
  return [
    ['a path escaping the store', '../etc/passwd'],
    ['the empty string', ''],
    ['the prefix followed by junk', 'bafkrei' + 'junk!/x'],
    ['an upper-case spelling of a valid ID', valid.toUpperCase()],
    ['a valid ID with a slash appended', `${valid}/`]
  ]
}

/** An object and its ID. */
function object (size: number): { id: string, bytes: Uint8Array } {
  const bytes = new Uint8Array(randomBytes(size))
  return { id: packIdOf(bytes), bytes }
}

/** Compares without vitest's element-by-element diff, which is too slow for 20 MiB. */
function expectBytes (actual: Uint8Array, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array)
  expect(actual.byteLength).toBe(expected.byteLength)
  const same = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength)
    .equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))
  expect(same, 'bytes differ').toBe(true)
}

/** list() in ID order; a repeated ID stays repeated, so "once" is checked too. */
async function collect (infos: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = []
  for await (const info of infos) out.push(info)
  return byId(out)
}

function byId (infos: ObjectInfo[]): ObjectInfo[] {
  return [...infos].sort((a, b) => a.id.localeCompare(b.id))
}

export function runBackendCompliance (name: string, factory: () => Promise<BackendFixture>): void {
  describe(`Backend compliance: ${name}`, () => {
    let fixture: BackendFixture | undefined
    let store: Backend

    beforeEach(async () => {
      fixture = await factory()
      store = fixture.backend
    })

    afterEach(async () => {
      const f = fixture
      fixture = undefined
      if (f === undefined) return
      try {
        await f.backend.close()
      } finally {
        await f.cleanup()
      }
    })

    describe('put / get', () => {
      it('round-trips a 1-byte object', async () => {
        const { id, bytes } = object(1)
        await store.put(id, bytes)
        expectBytes(await store.get(id), bytes)
      })

      it('round-trips an empty object (its pack ID is valid)', async () => {
        const { id, bytes } = object(0)
        await store.put(id, bytes)
        expectBytes(await store.get(id), bytes)
        expect(await store.stat(id)).toEqual({ id, size: 0 })
        expect(await store.has([id])).toEqual([true])
      })

      it('round-trips a 20 MiB object', async () => {
        const { id, bytes } = object(20 * 1024 * 1024)
        await store.put(id, bytes)
        expectBytes(await store.get(id), bytes)
      })

      it('stores only the bytes of a view into a larger buffer', async () => {
        const whole = new Uint8Array(randomBytes(100))
        const view = whole.subarray(10, 30)
        const id = packIdOf(view)
        await store.put(id, view)
        expectBytes(await store.get(id), whole.slice(10, 30))
      })

      it('rejects bytes that do not hash to the ID with IntegrityError and stores nothing', async () => {
        const { id } = object(64)
        const other = object(64).bytes
        await expect(store.put(id, other)).rejects.toMatchObject({ name: 'IntegrityError' })
        expect(await store.has([id])).toEqual([false])
        expect(await collect(store.list())).toEqual([])
        await expect(store.get(id)).rejects.toMatchObject({ name: 'ObjectNotFoundError' })
      })

      it('accepts a second put of the same ID', async () => {
        const { id, bytes } = object(100)
        await store.put(id, bytes)
        await store.put(id, bytes)
        expectBytes(await store.get(id), bytes)
        expect(await collect(store.list())).toEqual([{ id, size: 100 }])
      })

      it('rejects get of an absent ID with ObjectNotFoundError', async () => {
        const { id } = object(10)
        await expect(store.get(id)).rejects.toMatchObject({ name: 'ObjectNotFoundError', id })
      })

      it('rejects a put whose signal is already aborted, storing nothing', async () => {
        const { id, bytes } = object(10)
        const controller = new AbortController()
        controller.abort()
        await expect(store.put(id, bytes, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
        expect(await store.has([id])).toEqual([false])
      })
    })

    describe('ranges', () => {
      const size = 1000
      let id: string
      let bytes: Uint8Array
      beforeEach(async () => {
        ({ id, bytes } = object(size))
        await store.put(id, bytes)
      })

      it('reads a range at the start', async () => {
        expectBytes(await store.get(id, { offset: 0, length: 10 }), bytes.slice(0, 10))
      })

      it('reads a range in the middle', async () => {
        expectBytes(await store.get(id, { offset: 400, length: 123 }), bytes.slice(400, 523))
      })

      it('reads a range that ends at the last byte', async () => {
        expectBytes(await store.get(id, { offset: size - 7, length: 7 }), bytes.slice(size - 7))
      })

      it('reads a zero-length range', async () => {
        expectBytes(await store.get(id, { offset: 500, length: 0 }), new Uint8Array(0))
        expectBytes(await store.get(id, { offset: size, length: 0 }), new Uint8Array(0))
      })

      it('rejects ranges outside the object with InvalidArgumentError', async () => {
        const bad = [
          { offset: size - 5, length: 6 },
          { offset: size + 1, length: 0 },
          { offset: -1, length: 2 },
          { offset: 0, length: -1 },
          { offset: 0.5, length: 1 },
          { offset: 0, length: size + 1 }
        ]
        for (const range of bad) {
          await expect(store.get(id, range), JSON.stringify(range)).rejects.toMatchObject({ name: 'InvalidArgumentError' })
        }
      })

      it('rejects a range on an absent ID with ObjectNotFoundError', async () => {
        await expect(store.get(object(5).id, { offset: 0, length: 1 })).rejects.toMatchObject({ name: 'ObjectNotFoundError' })
      })
    })

    describe('stat / has / list', () => {
      it('stat gives the size', async () => {
        const { id, bytes } = object(4321)
        await store.put(id, bytes)
        expect(await store.stat(id)).toEqual({ id, size: 4321 })
        await expect(store.stat(object(3).id)).rejects.toMatchObject({ name: 'ObjectNotFoundError' })
      })

      it('has answers a mixed batch in order', async () => {
        const a = object(10)
        const b = object(20)
        const absent1 = object(30).id
        const absent2 = object(40).id
        await store.put(a.id, a.bytes)
        await store.put(b.id, b.bytes)
        expect(await store.has([absent1, a.id, absent2, b.id, a.id])).toEqual([false, true, false, true, true])
        expect(await store.has([])).toEqual([])
      })

      it('has answers a batch larger than any internal chunking', async () => {
        const stored = [object(1), object(2), object(3)]
        for (const o of stored) await store.put(o.id, o.bytes)
        const ids = Array.from({ length: 300 }, (_, i) => i % 100 === 7 ? stored[(i / 100) | 0]!.id : object(8).id)
        expect(await store.has(ids)).toEqual(ids.map((_, i) => i % 100 === 7))
      })

      it('list yields exactly the stored set', async () => {
        expect(await collect(store.list())).toEqual([])
        const objects = [object(0), object(1), object(77), object(5000)]
        for (const o of objects) await store.put(o.id, o.bytes)
        expect(await collect(store.list())).toEqual(byId(objects.map(o => ({ id: o.id, size: o.bytes.byteLength }))))
      })
    })

    describe('delete', () => {
      it('removes the object from get, has, stat and list', async () => {
        const keep = object(10)
        const gone = object(11)
        await store.put(keep.id, keep.bytes)
        await store.put(gone.id, gone.bytes)
        await store.delete(gone.id)
        await expect(store.get(gone.id)).rejects.toMatchObject({ name: 'ObjectNotFoundError' })
        await expect(store.stat(gone.id)).rejects.toMatchObject({ name: 'ObjectNotFoundError' })
        expect(await store.has([gone.id, keep.id])).toEqual([false, true])
        expect(await collect(store.list())).toEqual([{ id: keep.id, size: 10 }])
      })

      it('is idempotent', async () => {
        const { id, bytes } = object(10)
        await store.delete(id) // never stored
        await store.put(id, bytes)
        await store.delete(id)
        await store.delete(id)
        expect(await store.has([id])).toEqual([false])
      })

      it('allows putting the object again afterwards', async () => {
        const { id, bytes } = object(10)
        await store.put(id, bytes)
        await store.delete(id)
        await store.put(id, bytes)
        expectBytes(await store.get(id), bytes)
      })
    })

    describe.each(malformedIds())('malformed ID: %s', (_label, bad) => {
      it('is rejected by put, get, stat, has and delete with InvalidArgumentError', async () => {
        const invalid = { name: 'InvalidArgumentError' }
        await expect(store.put(bad, new Uint8Array([1]))).rejects.toMatchObject(invalid)
        await expect(store.get(bad)).rejects.toMatchObject(invalid)
        await expect(store.get(bad, { offset: 0, length: 0 })).rejects.toMatchObject(invalid)
        await expect(store.stat(bad)).rejects.toMatchObject(invalid)
        await expect(store.has([bad])).rejects.toMatchObject(invalid)
        await expect(store.has([object(1).id, bad])).rejects.toMatchObject(invalid)
        await expect(store.delete(bad)).rejects.toMatchObject(invalid)
        expect(await collect(store.list())).toEqual([])
      })
    })

    describe('isolation of caller buffers', () => {
      it('ignores changes to a Buffer passed to put', async () => {
        const input = randomBytes(64) // a Buffer: its slice() is a view, a classic copy bug
        const original = new Uint8Array(input)
        const id = packIdOf(input)
        await store.put(id, input)
        input.fill(0)
        expectBytes(await store.get(id), original)
      })

      it('ignores changes to a Uint8Array passed to put', async () => {
        const { id, bytes } = object(64)
        const original = bytes.slice()
        await store.put(id, bytes)
        bytes.fill(0xff)
        expectBytes(await store.get(id), original)
      })

      it('ignores changes to a buffer returned by get, whole or ranged', async () => {
        const { id, bytes } = object(64)
        await store.put(id, bytes)
        ;(await store.get(id)).fill(0)
        ;(await store.get(id, { offset: 8, length: 8 })).fill(0)
        expectBytes(await store.get(id), bytes)
      })
    })

    describe('concurrency', () => {
      it('lands 16 concurrent puts of distinct objects', async () => {
        const objects = Array.from({ length: 16 }, (_, i) => object(1000 + i * 4096))
        await Promise.all(objects.map(async o => { await store.put(o.id, o.bytes) }))
        expect(await collect(store.list())).toEqual(byId(objects.map(o => ({ id: o.id, size: o.bytes.byteLength }))))
        for (const o of objects) expectBytes(await store.get(o.id), o.bytes)
      })

      it('resolves two concurrent puts of the same ID and stores one object', async () => {
        const { id, bytes } = object(256 * 1024)
        await Promise.all([store.put(id, bytes), store.put(id, bytes)])
        expect(await collect(store.list())).toEqual([{ id, size: bytes.byteLength }])
        expectBytes(await store.get(id), bytes)
      })
    })

    describe('records', () => {
      it('returns undefined for an absent record', async () => {
        expect(await store.getRecord('root')).toBeUndefined()
      })

      it('stores, returns and replaces a record', async () => {
        await store.putRecord('root', new Uint8Array([1, 2, 3]))
        expectBytes((await store.getRecord('root'))!, new Uint8Array([1, 2, 3]))
        await store.putRecord('root', new Uint8Array([9]))
        expectBytes((await store.getRecord('root'))!, new Uint8Array([9]))
        await store.putRecord('key-record-1', new Uint8Array(0))
        expectBytes((await store.getRecord('key-record-1'))!, new Uint8Array(0))
        expectBytes((await store.getRecord('root'))!, new Uint8Array([9]))
      })

      it('ignores changes to the buffers passed in and handed out', async () => {
        const value = new Uint8Array([1, 2, 3])
        await store.putRecord('root', value)
        value.fill(0)
        ;(await store.getRecord('root'))!.fill(7)
        expectBytes((await store.getRecord('root'))!, new Uint8Array([1, 2, 3]))
      })

      it('accepts a key of 128 characters', async () => {
        const key = `a${'-'.repeat(126)}z`
        await store.putRecord(key, new Uint8Array([5]))
        expectBytes((await store.getRecord(key))!, new Uint8Array([5]))
      })

      it.each([
        ['empty', ''],
        ['upper case', 'Root'],
        ['a path', '../root'],
        ['a slash', 'a/b'],
        ['a leading dot', '.root'],
        ['a leading dash', '-root'],
        ['an underscore', 'root_1'],
        ['129 characters', 'a'.repeat(129)]
      ])('rejects a bad key (%s) with InvalidArgumentError', async (_label, key) => {
        const invalid = { name: 'InvalidArgumentError' }
        await expect(store.putRecord(key, new Uint8Array([1]))).rejects.toMatchObject(invalid)
        await expect(store.getRecord(key)).rejects.toMatchObject(invalid)
      })
    })

    it('close resolves', async () => {
      const { id, bytes } = object(3)
      await store.put(id, bytes)
      await expect(store.close()).resolves.toBeUndefined()
    })
  })
}
