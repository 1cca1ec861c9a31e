// Decoder fuzzing (RELIABILITY.md "Bad input"): every decoder of an on-disk structure, given
// arbitrary bytes or a mutated valid encoding, returns a well-formed value or throws one of the
// named errors (CorruptObjectError, IntegrityError, UnsupportedVersionError), and never asks for
// an allocation out of proportion to its input. Sealed structures are also fuzzed behind the AEAD:
// mutated plaintext sealed with the right key, so the decoder after the seal is exercised too.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { join } from 'node:path'
import fc from 'fast-check'
import { compress } from 'zstd-napi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPackId, packIdOf } from '../../../protocol/ids.js'
import { backup, decodeCachedNode, encodeCachedNode } from '../../../daemon/archiver.js'
import { deriveKeys, generateMasterKey, seal } from '../../../daemon/crypto/index.js'
import { CorruptObjectError, IntegrityError, UnsupportedVersionError } from '../../../daemon/errors.js'
import type { Owner } from '../../../daemon/owner.js'
import { computeBlobId, decodeBlob, encodeBlob } from '../../../daemon/repository/blob.js'
import type { BlobLocation } from '../../../daemon/repository/blob.js'
import {
  AAD_PACK_HEADER, AAD_ROOT_PAYLOAD, BLOB_MAX_SIZE, PACK_HEADER_MAX, PACK_MAGIC, PACK_TRAILER_SIZE
} from '../../../daemon/repository/constants.js'
import { PackWriter, decodePackHeader, packHeaderOf, parsePackTrailer, readPackHeader } from '../../../daemon/repository/pack.js'
import {
  BlobType, Index, NodeType, PackHeader, RootPayload, RootRecord, Snapshot, SnapshotOrigin, Tree
} from '../../../daemon/repository/pb/repo.js'
import type { Node, PackEntry } from '../../../daemon/repository/pb/repo.js'
import {
  decodeIndex, decodeSnapshot, decodeTree, encodeTree, openRootRecord, rootSignedBytes, verifyRootRecord
} from '../../../daemon/repository/repository.js'
import { restore } from '../../../daemon/restorer.js'
import { createMemoryBackend } from '../../../daemon/store/index.js'
import { SMALL_CHUNKS, createTestOwner, makeTempDir, prng, readFiles, removeTempDir, writeFiles } from '../../harness/repo.js'

const KEYS = deriveKeys(generateMasterKey())
const OTHER = deriveKeys(generateMasterKey())
const RUNS = 1500

// ---- helpers ----

function isNamed (err: unknown): boolean {
  return err instanceof CorruptObjectError || err instanceof IntegrityError || err instanceof UnsupportedVersionError
}

function describeError (err: unknown): string {
  return err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)
}

/** Raised by the allocation guard instead of letting a decoder allocate past its cap. */
class AllocationCapError extends RangeError {}

interface Guarded<T> { value?: T, error?: unknown, largest: number, total: number, capHit: boolean }

type AllocFn = (size: number, ...rest: unknown[]) => Buffer
const ALLOCATORS = ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const

/**
 * Runs `fn` with Buffer.alloc/allocUnsafe/allocUnsafeSlow wrapped: any request that would bring the
 * total past `cap` bytes is recorded in `capHit`, which the caller asserts on, and (with `refuse`)
 * refused, so a 4 GiB claim is caught before the memory is taken (the decoder may well swallow
 * the RangeError, hence the flag).
 */
function guarded<T> (cap: number, fn: () => T, refuse = true): Guarded<T> {
  const out: Guarded<T> = { largest: 0, total: 0, capHit: false }
  const B = Buffer as unknown as Record<string, AllocFn>
  const saved = ALLOCATORS.map(name => B[name]!)
  ALLOCATORS.forEach((name, i) => {
    const original = saved[i]!
    B[name] = function (this: unknown, size: number, ...rest: unknown[]) {
      out.largest = Math.max(out.largest, size)
      out.total += size
      if (out.total > cap) {
        out.capHit = true
        if (refuse) throw new AllocationCapError(`test guard: refused to allocate ${size} bytes (${out.total} in total, cap ${cap})`)
      }
      return original.call(this, size, ...rest)
    }
  })
  try {
    out.value = fn()
  } catch (err) {
    out.error = err
  } finally {
    ALLOCATORS.forEach((name, i) => { B[name] = saved[i]! })
  }
  return out
}

/** The decoder returned or threw a named error, and stayed within `cap` bytes of Buffer allocations. */
function expectRobust<T> (input: Uint8Array, fn: () => T, cap = 1 << 20): T | undefined {
  const r = guarded(cap + input.byteLength * 4, fn)
  if (r.capHit) throw new Error(`decoder asked for ${r.largest} bytes (total ${r.total}) on a ${input.byteLength}-byte input`)
  if (r.error !== undefined && !isNamed(r.error)) {
    throw new Error(`decoder threw a non-named error on ${Buffer.from(input).toString('hex').slice(0, 400)}: ${describeError(r.error)}`, { cause: r.error })
  }
  return r.value
}

type Mutation =
  | { kind: 'flip', pos: number, bit: number }
  | { kind: 'set', pos: number, value: number }
  | { kind: 'truncate', pos: number }
  | { kind: 'insert', pos: number, bytes: Uint8Array }
  | { kind: 'delete', pos: number, len: number }
  | { kind: 'hugeLength', pos: number, field: number }
  | { kind: 'hugeVarint', pos: number }

/** A length-delimited field claiming ~4 GiB, or a bare 5-byte varint near 2^32. */
const HUGE_VARINT = [0xff, 0xff, 0xff, 0xff, 0x0f]

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12) }),
  fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('hugeLength' as const), pos: fc.nat(), field: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('hugeVarint' as const), pos: fc.nat() })
)

function mutate (input: Uint8Array, mutations: Mutation[]): Buffer {
  let b = Buffer.from(input)
  for (const m of mutations) {
    const pos = m.pos % (b.byteLength + 1)
    switch (m.kind) {
      case 'flip': if (pos < b.byteLength) b[pos] = b[pos]! ^ (1 << m.bit); break
      case 'set': if (pos < b.byteLength) b[pos] = m.value; break
      case 'truncate': b = b.subarray(0, pos); break
      case 'insert': b = Buffer.concat([b.subarray(0, pos), m.bytes, b.subarray(pos)]); break
      case 'delete': b = Buffer.concat([b.subarray(0, pos), b.subarray(pos + m.len)]); break
      case 'hugeLength': b = Buffer.concat([b.subarray(0, pos), Buffer.from([(m.field << 3) | 2, ...HUGE_VARINT]), b.subarray(pos)]); break
      case 'hugeVarint': b = Buffer.concat([b.subarray(0, pos), Buffer.from(HUGE_VARINT), b.subarray(pos + 5)]); break
    }
  }
  return b
}

/** A valid encoding, mutated 1 to 4 times. */
function mutated<T> (valid: fc.Arbitrary<T>, encode: (v: T) => Uint8Array): fc.Arbitrary<Buffer> {
  return fc.tuple(valid, fc.array(mutationArb, { minLength: 1, maxLength: 4 })).map(([v, ms]) => mutate(encode(v), ms))
}

/** Arbitrary bytes, mutated valid encodings, and bytes that start like the valid ones. */
function hostile<T> (valid: fc.Arbitrary<T>, encode: (v: T) => Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { arbitrary: fc.uint8Array({ maxLength: 512 }), weight: 1 },
    { arbitrary: mutated(valid, encode), weight: 3 }
  )
}

// ---- arbitraries for valid structures ----

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const nameArb = fc.uint8Array({ minLength: 0, maxLength: 24 })
const packIdArb = fc.uint8Array({ maxLength: 16 }).map(b => packIdOf(b))
const blobTypeArb = fc.constantFrom(BlobType.DATA, BlobType.TREE, BlobType.INDEX, BlobType.SNAPSHOT, BlobType.MANIFEST)
const u32 = fc.integer({ min: 0, max: 0xffffffff })
const safeU64 = fc.maxSafeNat()

const entryArb: fc.Arbitrary<PackEntry> = fc.record({
  id: bytes32, type: blobTypeArb, offset: u32, length: u32, rawLength: u32, compressed: fc.boolean()
})

const nodeArb: fc.Arbitrary<Node> = fc.record({
  name: nameArb,
  type: fc.constantFrom(NodeType.FILE, NodeType.DIR, NodeType.SYMLINK),
  mode: fc.integer({ min: 0, max: 0o7777 }),
  uid: u32,
  gid: u32,
  mtimeNs: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  atimeNs: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  ctimeNs: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  size: safeU64,
  linkTarget: nameArb,
  xattrs: fc.array(fc.record({ name: nameArb, value: nameArb }), { maxLength: 2 }),
  inode: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  device: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  links: u32,
  content: fc.array(fc.record({ blob: fc.oneof(bytes32, fc.constant(new Uint8Array(0))), hole: safeU64, length: u32 }), { maxLength: 3 }),
  subtree: fc.oneof(bytes32, fc.constant(new Uint8Array(0))),
  sparse: fc.boolean()
})
const treeArb = fc.array(nodeArb, { maxLength: 4 }).map(nodes => ({ nodes }))

const summaryArb = fc.record({
  filesNew: safeU64, filesChanged: safeU64, filesUnmodified: safeU64, dirs: safeU64, blobsAdded: safeU64,
  bytesRead: safeU64, bytesAdded: safeU64, bytesStored: safeU64, totalFiles: safeU64, totalBytes: safeU64,
  durationMs: safeU64, warnings: fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 }), packsAdded: safeU64
})
const snapshotArb: fc.Arbitrary<Snapshot> = fc.record({
  version: fc.oneof(fc.constant(1), u32),
  timeNs: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  hostname: fc.string({ maxLength: 20 }),
  owner: fc.string({ maxLength: 20 }),
  paths: fc.array(nameArb, { maxLength: 3 }),
  tags: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  parent: fc.oneof(bytes32, fc.constant(new Uint8Array(0))),
  tree: fc.oneof(bytes32, bytes32, nameArb),
  summary: fc.option(summaryArb, { nil: undefined }),
  origin: fc.constantFrom(SnapshotOrigin.ORIGIN_UNRECORDED, SnapshotOrigin.ORIGIN_CONFIGURED, SnapshotOrigin.ORIGIN_AD_HOC)
})

const indexArb: fc.Arbitrary<Index> = fc.record({
  version: fc.oneof(fc.constant(1), u32),
  packs: fc.array(fc.record({
    id: fc.oneof(packIdArb, packIdArb, fc.string({ maxLength: 70 })),
    type: blobTypeArb,
    size: safeU64,
    entries: fc.array(entryArb, { maxLength: 3 })
  }), { maxLength: 3 })
})

const packHeaderArb: fc.Arbitrary<PackHeader> = fc.record({
  version: fc.oneof(fc.constant(1), u32), type: blobTypeArb, entries: fc.array(entryArb, { maxLength: 5 })
})

const blobRefArb = fc.record({
  id: bytes32, pack: packIdArb, offset: u32, length: u32, rawLength: u32, compressed: fc.boolean(), type: blobTypeArb
})
const rootPayloadArb: fc.Arbitrary<RootPayload> = fc.record({
  version: fc.oneof(fc.constant(1), u32),
  timeNs: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  manifest: fc.option(blobRefArb, { nil: undefined })
})

function signedRecord (keys: typeof KEYS, payloadPlain: Uint8Array, seq: bigint): RootRecord {
  const record: RootRecord = {
    version: 1,
    ownerKey: Uint8Array.from(keys.publicKey),
    seq,
    payload: seal(keys.encryptionKey, payloadPlain, AAD_ROOT_PAYLOAD),
    signature: new Uint8Array(0)
  }
  record.signature = keys.sign(rootSignedBytes(record))
  return record
}

/** A whole pack: sealed blobs, sealed header (of `headerPlain`, default the writer's), trailer. */
function buildPack (blobs: Uint8Array[], headerPlain?: (entries: PackEntry[]) => Uint8Array): { bytes: Buffer, blobArea: number, entries: PackEntry[] } {
  const w = new PackWriter(BlobType.DATA)
  for (const b of blobs) {
    const id = computeBlobId(KEYS, b)
    const { sealed, compressed } = encodeBlob(KEYS, id, b, true)
    w.add(id, BlobType.DATA, sealed, b.byteLength, compressed)
  }
  const blobArea = w.byteLength
  const pack = w.finish(KEYS.encryptionKey)
  if (headerPlain === undefined) return { bytes: pack.bytes, blobArea, entries: pack.entries }
  return { bytes: assemblePack(pack.bytes.subarray(0, blobArea), headerPlain(pack.entries)), blobArea, entries: pack.entries }
}

function assemblePack (blobArea: Uint8Array, headerPlain: Uint8Array): Buffer {
  const header = seal(KEYS.encryptionKey, headerPlain, AAD_PACK_HEADER)
  const trailer = Buffer.alloc(PACK_TRAILER_SIZE)
  trailer.writeUInt32LE(header.byteLength, 0)
  PACK_MAGIC.copy(trailer, 4)
  return Buffer.concat([blobArea, header, trailer])
}

const blobsArb = fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 4000 }).map(n => Buffer.alloc(n, 'ab'))), { maxLength: 5 })

/** What any header that a decoder accepts must satisfy. */
function expectSaneHeader (h: PackHeader, blobArea: number): void {
  expect(h.version).toBe(1)
  for (const e of h.entries) {
    expect(e.id.byteLength).toBe(32)
    expect(e.offset + e.length).toBeLessThanOrEqual(blobArea)
  }
}

// ---- the tests ----

describe('parsePackTrailer', () => {
  it('accepts only trailers that describe a header inside the pack', () => {
    const withMagic = fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.oneof(u32, fc.integer({ min: 0, max: 80 }))).map(([body, len]) => {
      const t = Buffer.alloc(PACK_TRAILER_SIZE)
      t.writeUInt32LE(len, 0)
      PACK_MAGIC.copy(t, 4)
      return Buffer.concat([body, t])
    })
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), withMagic, mutated(withMagic, b => b)), (input) => {
      const r = expectRobust(input, () => parsePackTrailer(input))
      if (r === undefined) return
      expect(r.headerOffset).toBeGreaterThanOrEqual(0)
      expect(r.headerLength).toBeLessThanOrEqual(PACK_HEADER_MAX)
      expect(r.headerOffset + r.headerLength + PACK_TRAILER_SIZE).toBe(input.byteLength)
    }), { numRuns: RUNS * 2 })
  })

  it('refuses a length field claiming 4 GiB without allocating it', () => {
    const t = Buffer.alloc(PACK_TRAILER_SIZE)
    t.writeUInt32LE(0xffffffff, 0)
    PACK_MAGIC.copy(t, 4)
    const r = guarded(1 << 16, () => parsePackTrailer(t))
    expect(r.error).toBeInstanceOf(CorruptObjectError)
    expect(r.capHit).toBe(false)
  })
})

describe('pack headers (packHeaderOf / decodePackHeader)', () => {
  it('a valid pack decodes to its entries', () => {
    fc.assert(fc.property(blobsArb, (blobs) => {
      const { bytes, blobArea, entries } = buildPack(blobs)
      const h = packHeaderOf(KEYS.encryptionKey, bytes)
      expectSaneHeader(h, blobArea)
      expect(h.entries.map(e => [Buffer.from(e.id).toString('hex'), e.offset, e.length])).toEqual(entries.map(e => [Buffer.from(e.id).toString('hex'), e.offset, e.length]))
    }), { numRuns: 200 })
  })

  it('mutated pack bytes give a named error or a header inside the blob area', () => {
    fc.assert(fc.property(blobsArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (blobs, ms) => {
      const input = mutate(buildPack(blobs).bytes, ms)
      const h = expectRobust(input, () => packHeaderOf(KEYS.encryptionKey, input))
      if (h !== undefined) expectSaneHeader(h, parsePackTrailer(input).headerOffset)
    }), { numRuns: RUNS / 2 })
  })

  it('mutated header plaintext sealed with the right key: the decoder after the AEAD holds', () => {
    fc.assert(fc.property(blobsArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (blobs, ms) => {
      const { bytes, blobArea } = buildPack(blobs, entries => mutate(PackHeader.encode({ version: 1, type: BlobType.DATA, entries }), ms))
      const h = expectRobust(bytes, () => packHeaderOf(KEYS.encryptionKey, bytes))
      if (h !== undefined) expectSaneHeader(h, blobArea)
    }), { numRuns: RUNS })
  })

  it('random headers sealed with the right key: only entries inside the blob area are accepted', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1 << 20 }), hostile(packHeaderArb, h => PackHeader.encode(h)), (blobArea, plain) => {
      const sealed = seal(KEYS.encryptionKey, plain, AAD_PACK_HEADER)
      const h = expectRobust(plain, () => decodePackHeader(KEYS.encryptionKey, sealed, blobArea))
      if (h !== undefined) expectSaneHeader(h, blobArea)
    }), { numRuns: RUNS })
  })

  it('arbitrary sealed bytes, and a header sealed by another owner, are IntegrityErrors', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (junk) => {
      expect(() => decodePackHeader(KEYS.encryptionKey, junk, 1000)).toThrow(IntegrityError)
    }), { numRuns: RUNS })
    const foreign = seal(OTHER.encryptionKey, PackHeader.encode({ version: 1, type: BlobType.DATA, entries: [] }), AAD_PACK_HEADER)
    expect(() => decodePackHeader(KEYS.encryptionKey, foreign, 0)).toThrow(IntegrityError)
    // Same key, wrong role: a root payload is not a pack header.
    const wrongRole = seal(KEYS.encryptionKey, PackHeader.encode({ version: 1, type: BlobType.DATA, entries: [] }), AAD_ROOT_PAYLOAD)
    expect(() => decodePackHeader(KEYS.encryptionKey, wrongRole, 0)).toThrow(IntegrityError)
  })

  it('refuses a header entry that claims bytes beyond the blob area', async () => {
    const blobs = [prng(1, 500), prng(2, 700)]
    const { bytes: good, blobArea } = buildPack(blobs)
    const cases: Array<[string, (e: PackEntry[]) => PackEntry[]]> = [
      ['offset at the end of the blob area', e => [...e, { ...e[0]!, offset: blobArea, length: 1 }]],
      ['length running into the header', e => [{ ...e[0]!, length: blobArea - e[0]!.offset + 1 }, e[1]!]],
      ['offset + length past 2^32', e => [{ ...e[0]!, offset: 0xffffffff, length: 0xffffffff }]],
      ['offset near 4 GiB', e => [{ ...e[0]!, offset: 0xfffffff0, length: 16 }]],
      ['length 4 GiB', e => [{ ...e[0]!, offset: 0, length: 0xffffffff }]]
    ]
    for (const [what, change] of cases) {
      const entries = packHeaderOf(KEYS.encryptionKey, good).entries
      const bad = assemblePack(good.subarray(0, blobArea), PackHeader.encode({ version: 1, type: BlobType.DATA, entries: change(entries) }))
      const r = guarded(1 << 20, () => packHeaderOf(KEYS.encryptionKey, bad))
      expect(r.error, what).toBeInstanceOf(CorruptObjectError)
      expect(r.capHit, what).toBe(false)
      // Through a store, with ranged reads, too.
      const store = createMemoryBackend()
      const id = packIdOf(bad)
      await store.put(id, bad)
      await expect(readPackHeader(store, KEYS.encryptionKey, id), what).rejects.toBeInstanceOf(CorruptObjectError)
    }
  })

  it('refuses a header of another version with UnsupportedVersionError', () => {
    const { bytes } = buildPack([prng(3, 100)], entries => PackHeader.encode({ version: 2, type: BlobType.DATA, entries }))
    expect(() => packHeaderOf(KEYS.encryptionKey, bytes)).toThrow(UnsupportedVersionError)
  })
})

describe('trees, snapshots, indexes', () => {
  it('decodeTree: named errors only, valid trees round-trip', () => {
    fc.assert(fc.property(treeArb, (tree) => {
      expect(decodeTree(encodeTree(tree)).nodes.length).toBe(tree.nodes.length)
    }), { numRuns: 300 })
    fc.assert(fc.property(hostile(treeArb, t => encodeTree(t)), (input) => {
      expectRobust(input, () => decodeTree(input))
    }), { numRuns: RUNS * 2 })
  })

  it('decodeTree: a tree of empty nodes does not cost far more memory than a real tree', () => {
    // Tree blobs may be up to BLOB_MAX_SIZE (32 MiB). A real tree costs ~10 bytes of heap per byte
    // of encoding; allowing 32 keeps the largest tree under 1 GiB. Two-byte empty nodes are the
    // worst case for a protobuf decoder that allocates defaults per node.
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const input = Buffer.alloc(256 << 10)
    for (let i = 0; i < input.length; i += 2) input[i] = 0x0a // field 1, length 0: an empty Node
    gc()
    const before = process.memoryUsage().heapUsed
    let tree: Tree | undefined
    try { tree = decodeTree(input) } catch (err) { expect(isNamed(err)).toBe(true) }
    gc()
    const perByte = (process.memoryUsage().heapUsed - before) / input.byteLength
    expect(tree === undefined || tree.nodes.length > 0).toBe(true)
    expect(perByte, `decodeTree kept ${perByte.toFixed(0)} bytes of heap per input byte (${tree?.nodes.length ?? 0} nodes); a ${BLOB_MAX_SIZE >> 20} MiB tree would need ${(perByte * BLOB_MAX_SIZE / 2 ** 30).toFixed(1)} GiB`).toBeLessThanOrEqual(32)
  })

  it('decodeSnapshot: named errors only; an accepted snapshot has version 1 and a 32-byte tree', () => {
    fc.assert(fc.property(hostile(snapshotArb, s => Snapshot.encode(s)), (input) => {
      const s = expectRobust(input, () => decodeSnapshot(input))
      if (s === undefined) return
      expect(s.version).toBe(1)
      expect(s.tree.byteLength).toBe(32)
    }), { numRuns: RUNS * 2 })
    expect(() => decodeSnapshot(Snapshot.encode({ version: 2, tree: new Uint8Array(32) }))).toThrow(UnsupportedVersionError)
  })

  it('decodeIndex: named errors only; an accepted index names valid packs and 32-byte blob IDs', () => {
    fc.assert(fc.property(hostile(indexArb, i => Index.encode(i)), (input) => {
      const idx = expectRobust(input, () => decodeIndex(input))
      if (idx === undefined) return
      expect(idx.version).toBe(1)
      for (const p of idx.packs) {
        expect(isPackId(p.id)).toBe(true)
        for (const e of p.entries) expect(e.id.byteLength).toBe(32)
      }
    }), { numRuns: RUNS * 2 })
  })
})

describe('root records', () => {
  const validRecord = fc.tuple(rootPayloadArb, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([p, seq]) => signedRecord(KEYS, RootPayload.encode(p), seq))

  it('verifyRootRecord: named errors only; whatever passes carries a valid signature', () => {
    fc.assert(fc.property(hostile(validRecord, r => RootRecord.encode(r)), (input) => {
      const r = expectRobust(input, () => verifyRootRecord(input))
      if (r === undefined) return
      expect(r.ownerKey.byteLength).toBe(32)
      expect(r.signature.byteLength).toBe(64)
    }), { numRuns: RUNS })
  })

  it('any change to the signed fields of a record breaks it', () => {
    fc.assert(fc.property(validRecord, fc.constantFrom('seq', 'payload', 'ownerKey', 'signature'), fc.nat(), (record, field, pos) => {
      const r: RootRecord = { ...record, payload: Uint8Array.from(record.payload), ownerKey: Uint8Array.from(record.ownerKey), signature: Uint8Array.from(record.signature) }
      if (field === 'seq') r.seq = r.seq === 0n ? 1n : r.seq - 1n
      else {
        const b = r[field]
        const i = pos % b.byteLength
        b[i] = b[i]! ^ 0x01
      }
      expect(() => verifyRootRecord(RootRecord.encode(r))).toThrow(IntegrityError)
    }), { numRuns: 300 })
  })

  it('openRootRecord: mutated payload plaintext, sealed and signed with the right keys, gives named errors only', () => {
    fc.assert(fc.property(rootPayloadArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (p, ms) => {
      const bytes = RootRecord.encode(signedRecord(KEYS, mutate(RootPayload.encode(p), ms), 7n))
      expectRobust(bytes, () => openRootRecord(KEYS, bytes))
    }), { numRuns: RUNS })
  })

  it('openRootRecord refuses a record signed by another owner, and a payload sealed with another key', () => {
    const payload = RootPayload.encode({ version: 1, timeNs: 1n })
    expect(() => openRootRecord(KEYS, RootRecord.encode(signedRecord(OTHER, payload, 1n)))).toThrow(IntegrityError)
    const forged = signedRecord(KEYS, payload, 1n)
    forged.payload = seal(OTHER.encryptionKey, payload, AAD_ROOT_PAYLOAD)
    forged.signature = KEYS.sign(rootSignedBytes(forged))
    expect(() => openRootRecord(KEYS, RootRecord.encode(forged))).toThrow(IntegrityError)
  })

  it('openRootRecord refuses a root payload of an unknown version', () => {
    // Every other structure checks its version; a newer payload layout must not be read as v1.
    const bytes = RootRecord.encode(signedRecord(KEYS, RootPayload.encode({ version: 2, timeNs: 1n }), 1n))
    expect(() => openRootRecord(KEYS, bytes)).toThrow(UnsupportedVersionError)
  })
})

describe('decodeBlob', () => {
  const loc = (id: Uint8Array, rawLength: number, compressed: boolean): BlobLocation => ({ id, rawLength, compressed })

  // A valid compressed blob: decoding it tells whether zstd still works in this process.
  const healthy = (() => {
    const plain = Buffer.alloc(4000, 'healthy')
    const id = computeBlobId(KEYS, plain)
    const { sealed, compressed } = encodeBlob(KEYS, id, plain, true)
    expect(compressed).toBe(true)
    return { loc: loc(id, plain.byteLength, true), sealed }
  })()
  function decompressionStillWorks (): boolean {
    try {
      decodeBlob(KEYS, healthy.loc, healthy.sealed)
      return true
    } catch {
      return false
    }
  }
  const POISONED = 'valid compressed blobs no longer decode in this process: the shared zstd decompressor was left mid-frame by an earlier bad blob'

  it('valid blobs round-trip; any change to the sealed bytes is an IntegrityError', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 128, max: 5000 }).map(n => Buffer.alloc(n, 'xy'))), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (plain, ms) => {
      const id = computeBlobId(KEYS, plain)
      const { sealed, compressed } = encodeBlob(KEYS, id, plain, true)
      expect(Buffer.from(decodeBlob(KEYS, loc(id, plain.byteLength, compressed), sealed)).equals(Buffer.from(plain))).toBe(true)
      const bad = mutate(sealed, ms)
      if (bad.equals(sealed)) return
      const r = guarded(1 << 20, () => decodeBlob(KEYS, loc(id, plain.byteLength, compressed), bad))
      expect(r.error).toBeInstanceOf(IntegrityError)
    }), { numRuns: RUNS / 2 })
  })

  // The zstd cases below run in an order that keeps one failure from masking the next: a bad frame
  // can leave zstd-napi's shared decompressor stuck, after which every decompression fails.

  it('a compressed blob whose zstd frame claims a 3.75 GiB content size fails without allocating it', () => {
    expect(decompressionStillWorks()).toBe(true)
    // 13 bytes: magic, single-segment frame with a 4-byte content size 0xF0000000, one raw block.
    const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0x00, 0x00, 0x00, 0xf0, 0x09, 0x00, 0x00, 0x41])
    const id = new Uint8Array(32).fill(9)
    const sealed = seal(KEYS.encryptionKey, frame, id)
    // The guard refuses the request before zstd runs, so this cannot leave zstd stuck.
    const r = guarded(64 << 20, () => decodeBlob(KEYS, loc(id, 1, true), sealed))
    expect(r.capHit, `decodeBlob asked for a ${r.largest}-byte buffer for a blob whose index length is 1`).toBe(false)
    expect(isNamed(r.error)).toBe(true)
  })

  it('a compressed blob that inflates far beyond its index length (a zstd bomb) fails without inflating it', () => {
    expect(decompressionStillWorks(), POISONED).toBe(true)
    // 1024 RLE blocks of 128 KiB: 4 KiB of frame, 128 MiB of output, no content size in the header.
    // The guard only records here (refusing mid-stream would leave zstd stuck), so the bug costs
    // the test ~256 MiB for a moment.
    const blocks = 1024
    const frame = Buffer.alloc(6 + blocks * 4)
    frame.set([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]) // magic; descriptor without content size; window 128 KiB
    for (let i = 0; i < blocks; i++) {
      const header = (0x20000 << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0) // size, RLE, last
      frame.set([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0x41], 6 + i * 4)
    }
    const id = new Uint8Array(32).fill(10)
    const sealed = seal(KEYS.encryptionKey, frame, id)
    const r = guarded(16 << 20, () => decodeBlob(KEYS, loc(id, 100, true), sealed), false)
    expect(isNamed(r.error)).toBe(true)
    expect(r.capHit, `decodeBlob allocated ${r.total} bytes inflating a blob whose index length is 100`).toBe(false)
  })

  it('a truncated zstd frame fails with a named error and leaves later blobs readable', () => {
    expect(decompressionStillWorks(), POISONED).toBe(true)
    // No content size in the header, one RLE block that is not marked last, then the input ends.
    const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38, 0x02, 0x00, 0x10, 0x41])
    const id = new Uint8Array(32).fill(11)
    const r = guarded(64 << 20, () => decodeBlob(KEYS, loc(id, 10, true), seal(KEYS.encryptionKey, frame, id)))
    expect(isNamed(r.error)).toBe(true)
    expect(decompressionStillWorks(), POISONED).toBe(true)
  })

  it('hostile plaintext sealed with the right key (compressed or not) gives named errors and bounded allocations', () => {
    expect(decompressionStillWorks(), POISONED).toBe(true)
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      mutated(fc.integer({ min: 0, max: 20_000 }), n => zstdFrame(Buffer.alloc(n, 'q'))),
      mutated(fc.integer({ min: 0, max: 3000 }), n => zstdFrame(prng(n, n)))
    )
    fc.assert(fc.property(frames, bytes32, fc.oneof(u32, fc.integer({ min: 0, max: 30_000 })), fc.boolean(), (plain, id, rawLength, compressed) => {
      const sealed = seal(KEYS.encryptionKey, plain, id)
      expectRobust(plain, () => decodeBlob(KEYS, loc(id, rawLength, compressed), sealed), 4 << 20)
      if (compressed && !decompressionStillWorks()) throw new Error(`${POISONED}: ${Buffer.from(plain).toString('hex').slice(0, 200)}`)
    }), { numRuns: RUNS, endOnFailure: true }) // no shrinking: a stuck decompressor fails every later input
  })
})

/** A zstd frame of `data`, as the blob encoder writes it. */
function zstdFrame (data: Uint8Array): Uint8Array {
  return compress(data, { compressionLevel: 1 })
}

describe('file cache entries (checksummed encoded nodes)', () => {
  let root: string
  let owner: Owner
  let src: string
  let original: Uint8Array
  const files = { 'a.bin': prng(11, 40_000), 'b.txt': Buffer.from('small file\n'), 'c/d.bin': prng(12, 9000) }

  beforeAll(async () => {
    root = makeTempDir('fuzz-filecache')
    src = join(root, 'src')
    writeFiles(src, files)
    // No compression: this is about the file cache, not zstd (whose failures are tested above).
    owner = await createTestOwner({ backend: createMemoryBackend(), stateDir: join(root, 'state'), repository: { compression: false } })
    await backup(owner.repo, owner.keys.chunkerKey, { paths: [src], owner: 'x', chunkSizes: SMALL_CHUNKS })
    original = owner.repo.state.getDirCache(Buffer.from(src)).get('a.bin')!.content
  })
  afterAll(async () => {
    await owner?.close()
    removeTempDir(root)
  })

  let round = 0
  async function backupAndRestoreWithCache (content: Uint8Array): Promise<void> {
    const dir = Buffer.from(src)
    const cached = owner.repo.state.getDirCache(dir).get('a.bin')
    expect(cached).toBeDefined()
    owner.repo.state.putFile(dir, Buffer.from('a.bin'), { ...cached!, content })
    owner.repo.state.commitFileCache()
    await backup(owner.repo, owner.keys.chunkerKey, { paths: [src], owner: 'x', chunkSizes: SMALL_CHUNKS })
    const target = join(root, `restore-${round++}`)
    await restore(owner.repo, await owner.repo.findSnapshot('latest'), target)
    const restored = readFiles(join(target, src))
    for (const [rel, data] of Object.entries(files)) expect(restored.get(rel)?.equals(data), rel).toBe(true)
  }

  it('a damaged cache entry does not break the backup: the file is read again', async () => {
    const damaged = [
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), // a node claiming ~4 GiB, no checksum
      original.subarray(0, original.byteLength - 1), // truncated
      Buffer.concat([original.subarray(0, 10), Buffer.from([original[10]! ^ 1]), original.subarray(11)]), // one bit flipped
      new Uint8Array(0)
    ]
    for (const content of damaged) {
      expect(decodeCachedNode(content)).toBeUndefined()
      await backupAndRestoreWithCache(content)
    }
    // The undamaged entry is used as is (the file is not read again).
    expect(decodeCachedNode(original)).toBeDefined()
    const dir = Buffer.from(src)
    owner.repo.state.putFile(dir, Buffer.from('a.bin'), { ...owner.repo.state.getDirCache(dir).get('a.bin')!, content: encodeCachedNode(decodeCachedNode(original)!) })
    owner.repo.state.commitFileCache()
    const { summary } = await backup(owner.repo, owner.keys.chunkerKey, { paths: [src], owner: 'x', chunkSizes: SMALL_CHUNKS })
    expect(summary.bytesRead).toBe(0)
  })

  it('any corrupt cache entry: the backup still restores byte for byte', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 100 }), mutated(fc.constant(original), b => b)), async (content) => {
      await backupAndRestoreWithCache(content)
    }), { numRuns: 25 })
  })
})
