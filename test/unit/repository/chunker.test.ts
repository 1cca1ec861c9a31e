import { createHash, randomBytes } from 'node:crypto'
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import {
  CHUNK_AVG, CHUNK_MAX, CHUNK_MIN, FileChunker, chunkBuffer, chunkFile, createChunkerParams,
  findCutPoint, gearTableFromKey
} from '../../../daemon/repository/chunker.js'
import type { ChunkerParams, ReadAt } from '../../../daemon/repository/chunker.js'
import { InvalidArgumentError } from '../../../daemon/errors.js'

const KEY = new Uint8Array(32).fill(7)
const SMALL = { min: 2048, avg: 8192, max: 65536 }
const TINY = { min: 64, avg: 256, max: 1024 }

const tmp = mkdtempSync(join(tmpdir(), 'p2pbak-chunker-'))
afterAll(() => {
  if (process.env.P2PBAK_KEEP_TEST_STATE !== '1') rmSync(tmp, { recursive: true, force: true })
})

/** Deterministic pseudo-random bytes (xorshift32), fast enough for fast-check generated sizes. */
function prng (seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = (seed | 0) || 0x9e3779b9
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** Inputs mixing random runs with zeros and short repeats, so max-length and min-length cuts both occur. */
const segmentArb = fc.record({
  kind: fc.constantFrom('random', 'random', 'zeros', 'repeat'),
  length: fc.integer({ min: 0, max: 40_000 }),
  seed: fc.integer()
})
function buildInput (segments: Array<{ kind: string, length: number, seed: number }>): Uint8Array {
  const parts = segments.map(s => {
    if (s.kind === 'zeros') return new Uint8Array(s.length)
    if (s.kind === 'repeat') {
      const unit = prng(s.seed, 1 + (Math.abs(s.seed) % 13))
      return Uint8Array.from({ length: s.length }, (_, i) => unit[i % unit.length]!)
    }
    return prng(s.seed, s.length)
  })
  return Buffer.concat(parts)
}

/** The definition from chunker.ts's header, one byte per step, written independently. */
function referenceLengths (data: Uint8Array, gear: Uint32Array, min: number, avg: number, max: number): number[] {
  const bits = Math.round(Math.log2(avg))
  const mask = (b: number): number => (2 ** b - 1) * 2 ** (31 - b)
  const maskS = mask(bits + 2)
  const maskL = mask(bits - 2)
  const normal = Math.max(min, avg - 2 ** (bits - 2))
  const out: number[] = []
  let s = 0
  while (s < data.length) {
    const n = data.length - s
    let len = Math.min(n, max)
    if (n > min) {
      let h = 0
      for (let j = min; j < Math.min(n, max); j++) {
        h = ((h * 2) + gear[data[s + j]!]!) % 2 ** 32
        const m = j < normal ? maskS : maskL
        // h and m are below 2^32: test the AND through unsigned 32-bit views.
        if (((h >>> 0) & m) >>> 0 === 0) { len = j + 1; break }
      }
    }
    out.push(len)
    s += len
  }
  return out
}

/** Chunk through a FileChunker whose reader returns short reads of the given sizes (cycled). */
function streamLengths (chunker: FileChunker, data: Uint8Array, readSizes: number[]): Array<{ offset: number, length: number, sha: string }> {
  let k = 0
  const read: ReadAt = (buf, offset, length, position) => {
    const want = Math.min(length, readSizes[k++ % readSizes.length]!, data.length - position)
    buf.set(data.subarray(position, position + want), offset)
    return want
  }
  const out: Array<{ offset: number, length: number, sha: string }> = []
  const total = chunker.chunkReader(read, data.length, (chunk, offset) => {
    out.push({ offset, length: chunk.length, sha: sha256(chunk) })
  })
  expect(total).toBe(data.length)
  return out
}

function oneShot (data: Uint8Array, params: ChunkerParams): Array<{ offset: number, length: number, sha: string }> {
  let offset = 0
  return chunkBuffer(data, params).map(length => {
    const c = { offset, length, sha: sha256(data.subarray(offset, offset + length)) }
    offset += length
    return c
  })
}

function sha256 (b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex')
}

function checkBounds (lengths: number[], total: number, p: { min: number, max: number }): void {
  expect(lengths.reduce((a, b) => a + b, 0)).toBe(total)
  lengths.forEach((len, i) => {
    expect(len).toBeLessThanOrEqual(p.max)
    if (i < lengths.length - 1) expect(len).toBeGreaterThan(p.min)
    else expect(len).toBeGreaterThan(0)
  })
}

describe('gearTableFromKey', () => {
  it('is HKDF-SHA256 of the key, deterministic and key-dependent', () => {
    const a = gearTableFromKey(KEY)
    expect(a).toBeInstanceOf(Uint32Array)
    expect(a.length).toBe(256)
    expect(gearTableFromKey(new Uint8Array(32).fill(7))).toEqual(a)
    const b = gearTableFromKey(new Uint8Array(32).fill(8))
    expect(Array.from(a).filter((v, i) => v === b[i]).length).toBeLessThan(3)
    // Known answer, so a change of derivation (a format break) cannot go unnoticed. Cross-checked with
    // `openssl kdf -keylen 16 -kdfopt digest:SHA256 -kdfopt hexkey:00…00 -kdfopt info:"p2pbak chunker gear table v1" HKDF`.
    const zero = gearTableFromKey(new Uint8Array(32))
    expect(Buffer.from(zero.buffer, zero.byteOffset, zero.byteLength).toString('hex').slice(0, 32))
      .toMatchInlineSnapshot(`"d9e14f3832b5c34bd55dab3316eb2157"`)
  })

  it('rejects a key that is not 32 bytes', () => {
    expect(() => gearTableFromKey(new Uint8Array(16))).toThrow(InvalidArgumentError)
    expect(() => gearTableFromKey(new Uint8Array(33))).toThrow(/32 bytes/)
  })
})

describe('createChunkerParams', () => {
  it('defaults to 512 KiB / 1 MiB / 8 MiB', () => {
    const p = createChunkerParams(KEY)
    expect([p.min, p.avg, p.max]).toEqual([CHUNK_MIN, CHUNK_AVG, CHUNK_MAX])
    expect([CHUNK_MIN, CHUNK_AVG, CHUNK_MAX]).toEqual([512 * 1024, 1024 * 1024, 8 * 1024 * 1024])
  })

  it('accepts a gear table instead of the key', () => {
    const data = prng(1, 300_000)
    expect(chunkBuffer(data, createChunkerParams(gearTableFromKey(KEY), SMALL)))
      .toEqual(chunkBuffer(data, createChunkerParams(KEY, SMALL)))
  })

  it('rejects unordered or out-of-range sizes', () => {
    expect(() => createChunkerParams(KEY, { min: 8192, avg: 4096, max: 65536 })).toThrow(InvalidArgumentError)
    expect(() => createChunkerParams(KEY, { min: 16, avg: 4096, max: 65536 })).toThrow(InvalidArgumentError)
    expect(() => createChunkerParams(KEY, { min: 2048, avg: 4096, max: 1.5 })).toThrow(InvalidArgumentError)
    expect(() => createChunkerParams(new Uint32Array(255), SMALL)).toThrow(InvalidArgumentError)
  })
})

describe('chunkBuffer / findCutPoint', () => {
  it('matches the one-byte-per-step definition in the file header', () => {
    fc.assert(fc.property(
      fc.array(segmentArb, { maxLength: 6 }), fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.constantFrom(SMALL, TINY, { min: 100, avg: 1000, max: 3000 }),
      (segments, key, sizes) => {
        const data = buildInput(segments)
        const p = createChunkerParams(key, sizes)
        expect(chunkBuffer(data, p)).toEqual(referenceLengths(data, gearTableFromKey(key), sizes.min, sizes.avg, sizes.max))
      }
    ), { numRuns: 60 })
  })

  it('gives known cut points for a fixed key and input (format stability)', () => {
    expect(chunkBuffer(prng(42, 100_000), createChunkerParams(new Uint8Array(32), SMALL))).toMatchInlineSnapshot(`
      [
        8536,
        10135,
        7097,
        4476,
        6299,
        11393,
        7215,
        2302,
        6459,
        11748,
        7250,
        8028,
        6968,
        2094,
      ]
    `)
  })

  it('respects min and max and covers the input', () => {
    fc.assert(fc.property(fc.array(segmentArb, { maxLength: 8 }), fc.constantFrom(SMALL, TINY), (segments, sizes) => {
      const data = buildInput(segments)
      checkBounds(chunkBuffer(data, createChunkerParams(KEY, sizes)), data.length, sizes)
    }), { numRuns: 100 })
  })

  it('treats an input shorter than min as a single chunk, and an empty input as none', () => {
    const p = createChunkerParams(KEY, SMALL)
    expect(chunkBuffer(prng(3, 2048), p)).toEqual([2048])
    expect(chunkBuffer(prng(3, 17), p)).toEqual([17])
    expect(chunkBuffer(new Uint8Array(0), p)).toEqual([])
  })

  it('streams to the same cut points as one pass when fed in arbitrary increments', () => {
    const p = createChunkerParams(KEY, SMALL)
    fc.assert(fc.property(
      fc.array(segmentArb, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 10 }),
      (segments, steps) => {
        const data = buildInput(segments)
        // The caller rule documented on findCutPoint: a result equal to the available bytes,
        // below max and before EOF, is not final.
        const lengths: number[] = []
        let start = 0
        let end = 0
        let k = 0
        while (start < data.length) {
          const eof = end === data.length
          const len = findCutPoint(data, start, end, p)
          if (len === end - start && end - start < p.max && !eof) {
            end = Math.min(data.length, end + steps[k++ % steps.length]!)
            continue
          }
          lengths.push(len)
          start += len
        }
        expect(lengths).toEqual(chunkBuffer(data, p))
      }
    ), { numRuns: 100 })
  })

  it('gives the same result for a Buffer and for a view at an offset', () => {
    const p = createChunkerParams(KEY, SMALL)
    const data = prng(9, 500_000)
    const padded = new Uint8Array(data.length + 5)
    padded.set(data, 5)
    const view = padded.subarray(5)
    expect(chunkBuffer(Buffer.from(data), p)).toEqual(chunkBuffer(data, p))
    expect(chunkBuffer(view, p)).toEqual(chunkBuffer(data, p))
    expect(findCutPoint(padded, 5, padded.length, p)).toBe(chunkBuffer(data, p)[0])
  })

  it('rejects a range outside the buffer', () => {
    const p = createChunkerParams(KEY, SMALL)
    expect(() => findCutPoint(new Uint8Array(10), 5, 11, p)).toThrow(InvalidArgumentError)
    expect(() => findCutPoint(new Uint8Array(10), 6, 5, p)).toThrow(InvalidArgumentError)
    expect(() => findCutPoint(new Uint8Array(10), 1.5, 5, p)).toThrow(InvalidArgumentError)
  })

  it('depends on the key: the same key gives the same cut points, another key others', () => {
    const data = randomBytes(1024 * 1024)
    const a = chunkBuffer(data, createChunkerParams(KEY, SMALL))
    expect(chunkBuffer(data, createChunkerParams(new Uint8Array(32).fill(7), SMALL))).toEqual(a)
    expect(a.length).toBeGreaterThan(50)
    for (const fill of [1, 2, 3]) {
      const b = chunkBuffer(data, createChunkerParams(new Uint8Array(32).fill(fill), SMALL))
      expect(b).not.toEqual(a)
      // Not just shifted at the end: the first cut already differs in nearly every case.
      const cutsA = new Set(offsetsOf(a))
      const shared = offsetsOf(b).filter(o => cutsA.has(o)).length
      expect(shared).toBeLessThan(b.length / 2)
    }
  })
})

function offsetsOf (lengths: number[]): number[] {
  let o = 0
  return lengths.map(l => (o += l))
}

describe('FileChunker', () => {
  it('equals one-shot chunking for random inputs, read sizes and buffer sizes', () => {
    fc.assert(fc.property(
      fc.array(segmentArb, { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 0, max: 3 * SMALL.max }),
      (segments, readSizes, extra) => {
        const data = buildInput(segments)
        const p = createChunkerParams(KEY, SMALL)
        const chunker = new FileChunker(p, { bufferSize: p.max + extra })
        expect(streamLengths(chunker, data, readSizes)).toEqual(oneShot(data, p))
      }
    ), { numRuns: 100 })
  })

  it('reuses one instance across files of different sizes', () => {
    const p = createChunkerParams(KEY, SMALL)
    const chunker = new FileChunker(p, { bufferSize: p.max })
    for (const [seed, size] of [[1, 200_000], [2, 10], [3, 0], [4, 2049], [5, 1_000_000]] as const) {
      const data = prng(seed, size)
      expect(streamLengths(chunker, data, [4096, 65536, 7])).toEqual(oneShot(data, p))
    }
  })

  it('chunks a real file with readSync, as function, method and generator', () => {
    const p = createChunkerParams(KEY, SMALL)
    const data = randomBytes(5 * 1024 * 1024 + 123)
    const path = join(tmp, 'random.bin')
    writeFileSync(path, data)
    const fd = openSync(path, 'r')
    try {
      const viaFn: Array<{ offset: number, length: number, sha: string }> = []
      expect(chunkFile(fd, data.length, p, (chunk, offset) => viaFn.push({ offset, length: chunk.length, sha: sha256(chunk) })))
        .toBe(data.length)
      expect(viaFn).toEqual(oneShot(data, p))

      const chunker = new FileChunker(p, { bufferSize: 100_000 })
      const viaGen: Array<{ offset: number, length: number, sha: string }> = []
      const it = chunker.chunks(fd, data.length)
      let r = it.next()
      while (r.done !== true) {
        viaGen.push({ offset: r.value.offset, length: r.value.chunk.length, sha: sha256(r.value.chunk) })
        r = it.next()
      }
      expect(r.value).toBe(data.length)
      expect(viaGen).toEqual(viaFn)
    } finally {
      closeSync(fd)
    }
  })

  it('hands out views into one reused buffer (valid only during the callback)', () => {
    const p = createChunkerParams(KEY, SMALL)
    const data = prng(11, 400_000)
    const buffers = new Set<ArrayBufferLike>()
    new FileChunker(p).chunkReader((b, off, len, pos) => { b.set(data.subarray(pos, pos + len), off); return len }, data.length,
      chunk => { buffers.add(chunk.buffer) })
    expect(buffers.size).toBe(1)
  })

  it('gives no chunks for an empty file and one chunk for a file shorter than min', () => {
    const p = createChunkerParams(KEY)
    const empty = join(tmp, 'empty')
    const small = join(tmp, 'small')
    writeFileSync(empty, '')
    writeFileSync(small, prng(5, 100_000))
    for (const [path, size, expected] of [[empty, 0, []], [small, 100_000, [100_000]]] as const) {
      const fd = openSync(path, 'r')
      try {
        const lengths: number[] = []
        expect(chunkFile(fd, size, p, c => lengths.push(c.length))).toBe(size)
        expect(lengths).toEqual(expected)
      } finally {
        closeSync(fd)
      }
    }
  })

  it('stops at EOF when the file is shorter than the size given, and ignores bytes beyond it', () => {
    const p = createChunkerParams(KEY, SMALL)
    const data = prng(12, 300_000)
    const reader = (limit: number): ReadAt => (b, off, len, pos) => {
      const n = Math.max(0, Math.min(len, limit - pos))
      b.set(data.subarray(pos, pos + n), off)
      return n
    }
    const shrunk: number[] = []
    expect(new FileChunker(p).chunkReader(reader(200_000), 300_000, c => shrunk.push(c.length))).toBe(200_000)
    expect(shrunk).toEqual(chunkBuffer(data.subarray(0, 200_000), p))
    const grown: number[] = []
    expect(new FileChunker(p).chunkReader(reader(300_000), 250_000, c => grown.push(c.length))).toBe(250_000)
    expect(grown).toEqual(chunkBuffer(data.subarray(0, 250_000), p))
  })

  it('rejects a buffer smaller than max and a bad size', () => {
    const p = createChunkerParams(KEY, SMALL)
    expect(() => new FileChunker(p, { bufferSize: p.max - 1 })).toThrow(InvalidArgumentError)
    expect(() => new FileChunker(p).chunkReader(() => 0, -1, () => {})).toThrow(InvalidArgumentError)
  })
})

describe('default parameters (512 KiB / 1 MiB / 8 MiB)', () => {
  const p = createChunkerParams(KEY)

  it('reuses at least 90 % of chunks after inserting 100 bytes at the start of 64 MiB', () => {
    const original = randomBytes(64 * 1024 * 1024)
    const modified = Buffer.concat([randomBytes(100), original])
    const hashes = (data: Uint8Array): string[] => oneShot(data, p).map(c => c.sha)
    const before = hashes(original)
    const known = new Set(before)
    const after = hashes(modified)
    const reused = after.filter(h => known.has(h)).length
    expect(reused / after.length).toBeGreaterThanOrEqual(0.9)
    // The mean lands near avg (normal point at avg − avg/4).
    const mean = original.length / before.length
    expect(mean).toBeGreaterThan(0.8 * CHUNK_AVG)
    expect(mean).toBeLessThan(1.25 * CHUNK_AVG)
    checkBounds(chunkBuffer(original, p), original.length, p)
  })

  it('cuts all-zero data into identical chunks', () => {
    const data = new Uint8Array(40 * 1024 * 1024 + 5)
    const lengths = chunkBuffer(data, p)
    checkBounds(lengths, data.length, p)
    expect(lengths.length).toBeGreaterThan(2)
    expect(new Set(lengths.slice(0, -1)).size).toBe(1)
  })

  // 2.1 GiB rather than 3: on this VM the kernel fills the page cache for holes at only ~250 MB/s
  // on first touch, and any size past 2^31 already exercises offsets beyond int32.
  it('chunks a sparse 2.1 GiB file in bounded memory', () => {
    const path = join(tmp, 'sparse.bin')
    const size = 2_254_857_830 + 12345 // ≈ 2.1 GiB, not a multiple of anything
    const fd = openSync(path, 'w+')
    try {
      ftruncateSync(fd, size)
      const rssBefore = process.memoryUsage.rss()
      let maxRss = rssBefore
      let next = 0
      let count = 0
      const total = new FileChunker(p).chunkFile(fd, size, (chunk, offset) => {
        expect(offset).toBe(next)
        expect(chunk.length).toBeLessThanOrEqual(CHUNK_MAX)
        next = offset + chunk.length
        if ((count++ & 15) === 0) maxRss = Math.max(maxRss, process.memoryUsage.rss())
      })
      expect(total).toBe(size)
      expect(next).toBe(size)
      expect(count).toBeGreaterThan(size / CHUNK_MAX - 1)
      expect(maxRss - rssBefore).toBeLessThan(200 * 1024 * 1024)
    } finally {
      closeSync(fd)
      rmSync(path, { force: true })
    }
  })
})
