// Content-defined chunking: FastCDC (Xia et al., 2016/2020) with normalized chunking level 2 and a
// gear table keyed per owner, so that chunk boundaries (and thus chunk sizes, which an observer of
// packs can see) do not fingerprint known files across owners.
//
// Definition (the format spec quotes this; any implementation MUST give the same cut points):
//
//   gear[0..255]  uint32 table, see gearTableFromKey().
//   bits          = round(log2(avg));  maskS = (2^(bits+2) − 1) << (31 − (bits+2))
//                                      maskL = (2^(bits−2) − 1) << (31 − (bits−2))
//                 (contiguous masks whose top bit is bit 30: the high bits of a gear hash depend on
//                 the most bytes, and leaving bit 31 out lets the two-bytes-per-step loop below
//                 give exactly the one-byte definition.)
//   normal        = max(min, avg − 2^(bits−2))   (chunk length where the easy mask takes over,
//                 chosen so the mean chunk length lands near avg)
//   For a chunk starting at byte s with n bytes left in the input:
//     if n ≤ min: the chunk is the n bytes.
//     h = 0 (uint32); for j = min, min+1, … while j < min(n, max):
//        h = (h << 1) + gear[input[s + j]]   (mod 2^32)
//        if (h & (j < normal ? maskS : maskL)) == 0: the chunk length is j + 1; stop.
//     otherwise the chunk length is min(n, max).
//   So every chunk but the last of a file has min < length ≤ max, and the last is 1..max bytes.
//   An empty input has no chunks.

import { hkdfSync } from 'node:crypto'
import { readSync } from 'node:fs'
import { InvalidArgumentError } from '../errors.js'

/** Default minimum chunk length (DESIGN.md "content-defined chunking"): 512 KiB. */
export const CHUNK_MIN = 512 * 1024
/** Default target mean chunk length: 1 MiB. */
export const CHUNK_AVG = 1024 * 1024
/** Default maximum chunk length: 8 MiB. Also the largest plaintext blob a file chunk can be. */
export const CHUNK_MAX = 8 * 1024 * 1024
/** FastCDC normalization level: the hard mask has 2 bits more than log2(avg), the easy mask 2 fewer. */
export const CHUNK_NORMALIZATION_LEVEL = 2
/** Length of a chunker key (OwnerKeys.chunkerKey). */
export const CHUNKER_KEY_LENGTH = 32
/** HKDF info string for the gear table; bump the version if the derivation ever changes. */
export const GEAR_TABLE_INFO = 'p2pbak chunker gear table v1'
/** FileChunker's default buffer is params.max plus this (16 MiB in all with the defaults), so refills are large. */
export const DEFAULT_READ_SIZE = 8 * 1024 * 1024

/** Smallest and largest accepted min / max (the hash needs some bytes; a chunk must fit a buffer). */
const LIMIT_MIN = 64
const LIMIT_MAX = 256 * 1024 * 1024

/**
 * Derive the 256-entry gear table from a 32-byte chunker key:
 *
 *   T = HKDF-SHA256(IKM = chunkerKey, salt = "" (empty), info = "p2pbak chunker gear table v1", L = 1024)
 *   gear[i] = T[4i] | T[4i+1] << 8 | T[4i+2] << 16 | T[4i+3] << 24   (little-endian uint32)
 *
 * HKDF rather than the raw key: the table must look uniformly random for any key, and a fresh
 * expansion under its own label keeps it independent of the owner's other derived keys.
 */
export function gearTableFromKey (key: Uint8Array): Uint32Array {
  if (!(key instanceof Uint8Array) || key.length !== CHUNKER_KEY_LENGTH) {
    throw new InvalidArgumentError(`chunker key must be ${CHUNKER_KEY_LENGTH} bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`, {
      hint: 'pass OwnerKeys.chunkerKey (derived from the master key), not a passphrase or a hex string'
    })
  }
  const okm = new Uint8Array(hkdfSync('sha256', key, new Uint8Array(0), GEAR_TABLE_INFO, 1024))
  const view = new DataView(okm.buffer, okm.byteOffset, okm.byteLength)
  const gear = new Uint32Array(256)
  for (let i = 0; i < 256; i++) gear[i] = view.getUint32(4 * i, true)
  return gear
}

/** Chunk length bounds; each defaults to the CHUNK_* constant. */
export interface ChunkSizes {
  min?: number
  avg?: number
  max?: number
}

/** Everything findCutPoint needs, precomputed once per owner and size configuration. Immutable. */
export interface ChunkerParams {
  readonly min: number
  readonly avg: number
  readonly max: number
  /** Chunk length from which the easy mask applies. */
  readonly normal: number
  readonly maskS: number
  readonly maskL: number
  /**
   * 512 int32: [0..256) the gear table (same bits as gearTableFromKey's uint32s, as int32 so the
   * loop stays in small-integer arithmetic), [256..512) the same entries shifted left by one.
   */
  readonly table: Int32Array
}

function checkLength (name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < LIMIT_MIN || value > LIMIT_MAX) {
    throw new InvalidArgumentError(`chunk ${name} must be an integer between ${LIMIT_MIN} and ${LIMIT_MAX}, got ${value}`, {
      hint: 'use the defaults (CHUNK_MIN/CHUNK_AVG/CHUNK_MAX) unless testing'
    })
  }
}

function mask (bits: number): number {
  return (((1 << bits) - 1) << (31 - bits)) | 0
}

/**
 * Build chunker parameters from the owner's chunker key (or an already derived gear table) and
 * optional sizes. Requires 64 ≤ min ≤ avg ≤ max ≤ 256 MiB
 * (the hard mask needs log2(avg) + 2 ≤ 31 bits).
 */
export function createChunkerParams (keyOrGear: Uint8Array | Uint32Array, sizes: ChunkSizes = {}): ChunkerParams {
  const min = sizes.min ?? CHUNK_MIN
  const avg = sizes.avg ?? CHUNK_AVG
  const max = sizes.max ?? CHUNK_MAX
  checkLength('min', min)
  checkLength('avg', avg)
  checkLength('max', max)
  if (!(min <= avg && avg <= max)) {
    throw new InvalidArgumentError(`chunk sizes must satisfy min ≤ avg ≤ max, got ${min}/${avg}/${max}`, {
      hint: 'pass sizes in increasing order, e.g. { min: 2048, avg: 8192, max: 65536 }'
    })
  }
  let table: Uint32Array
  if (keyOrGear instanceof Uint32Array) {
    if (keyOrGear.length !== 256) {
      throw new InvalidArgumentError(`gear table must have 256 entries, got ${keyOrGear.length}`, {
        hint: 'derive it with gearTableFromKey(chunkerKey)'
      })
    }
    table = keyOrGear
  } else {
    table = gearTableFromKey(keyOrGear)
  }
  const bits = Math.round(Math.log2(avg))
  const level = CHUNK_NORMALIZATION_LEVEL
  const t = new Int32Array(512)
  for (let i = 0; i < 256; i++) {
    t[i] = table[i]! | 0
    t[256 + i] = (table[i]! << 1) | 0
  }
  return Object.freeze({
    min,
    avg,
    max,
    normal: Math.max(min, avg - 2 ** (bits - level)),
    maskS: mask(bits + level),
    maskL: mask(bits - level),
    table: t
  })
}

/**
 * The length of the chunk that starts at `buf[start]`, given the `end - start` bytes available.
 *
 * Stateless: the result depends only on the bytes `buf[start .. start + max)`. It is final when
 * the input ends at `end` (EOF) or when `end - start ≥ max`. Otherwise, if the result equals
 * `end - start`, no cut was found yet: supply more bytes and call again from the same `start`
 * (a result below `end - start` is always final, because the first matching position wins).
 * Callers that follow this rule get exactly the cut points of a one-shot pass over the whole input.
 */
export function findCutPoint (buf: Uint8Array, start: number, end: number, params: ChunkerParams): number {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= buf.length)) {
    throw new InvalidArgumentError(`findCutPoint range [${start}, ${end}) is outside a buffer of ${buf.length} bytes`, {
      hint: 'pass 0 ≤ start ≤ end ≤ buf.length'
    })
  }
  // Keep the hot loop monomorphic: a Buffer is a Uint8Array subclass with a different map.
  const u8 = buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  return scan(u8, start, end - start, params)
}

function scan (buf: Uint8Array, start: number, n: number, p: ChunkerParams): number {
  const min = p.min
  if (n <= min) return n
  const limit = n < p.max ? n : p.max
  const normal = p.normal < limit ? p.normal : limit
  let end = region(buf, start + min, start + normal, 0, p.maskS, p.table)
  if (end >= 0) return end - start
  end = region(buf, start + normal, start + limit, carry, p.maskL, p.table)
  if (end >= 0) return end - start
  return limit
}

/** Hash state handed from region() back to scan() when no cut was found. */
let carry = 0

/**
 * Run the gear hash over buf[i .. stop) from state h; return the index just past the first byte
 * whose hash has no bit of m set, or -1 (and the final state in `carry`).
 *
 * Eight bytes per loop step, two at a time as in FastCDC 2020: after the first byte of a pair the
 * hash is kept shifted left by one (table entries 256..511 are gear << 1) and tested against
 * m << 1; adding the second byte's gear then gives the true hash. Measured on this code: ~1.5–2x
 * the speed of one byte per step.
 */
function region (buf: Uint8Array, i: number, stop: number, h: number, m: number, t: Int32Array): number {
  const mLs = m << 1
  const stop8 = stop - 7
  for (; i < stop8; i += 8) {
    h = ((h << 2) + t[256 + buf[i]!]!) | 0
    if ((h & mLs) === 0) return i + 1
    h = (h + t[buf[i + 1]!]!) | 0
    if ((h & m) === 0) return i + 2
    h = ((h << 2) + t[256 + buf[i + 2]!]!) | 0
    if ((h & mLs) === 0) return i + 3
    h = (h + t[buf[i + 3]!]!) | 0
    if ((h & m) === 0) return i + 4
    h = ((h << 2) + t[256 + buf[i + 4]!]!) | 0
    if ((h & mLs) === 0) return i + 5
    h = (h + t[buf[i + 5]!]!) | 0
    if ((h & m) === 0) return i + 6
    h = ((h << 2) + t[256 + buf[i + 6]!]!) | 0
    if ((h & mLs) === 0) return i + 7
    h = (h + t[buf[i + 7]!]!) | 0
    if ((h & m) === 0) return i + 8
  }
  for (; i < stop; i++) {
    h = ((h << 1) + t[buf[i]!]!) | 0
    if ((h & m) === 0) return i + 1
  }
  carry = h
  return -1
}

/** Chunk lengths of a whole in-memory input (one-shot). For tests and small data. */
export function chunkBuffer (buf: Uint8Array, params: ChunkerParams): number[] {
  const lengths: number[] = []
  let pos = 0
  while (pos < buf.length) {
    const len = findCutPoint(buf, pos, buf.length, params)
    lengths.push(len)
    pos += len
  }
  return lengths
}

/**
 * Called once per chunk, in file order. `chunk` is a view into the chunker's reused buffer and is
 * valid only until the callback returns: copy it (or finish hashing/compressing it) before then.
 */
export type OnChunk = (chunk: Uint8Array, offset: number) => void

/** Positional read, like fs.readSync(fd, buf, offset, length, position): bytes read, 0 at EOF. */
export type ReadAt = (buf: Uint8Array, offset: number, length: number, position: number) => number

export interface FileChunkerOptions {
  /** Read buffer length in bytes; at least params.max. Default params.max + DEFAULT_READ_SIZE (16 MiB). */
  bufferSize?: number
}

/**
 * Streams files through the chunker with synchronous positional reads into one reused buffer
 * (readSync is ~3x faster than fs.promises on cached data, research/perf.md §6). Memory use is
 * the buffer, whatever the file size. One file at a time per instance (the buffer is shared), so
 * keep one per thread and do not start another file from inside onChunk.
 */
export class FileChunker {
  readonly params: ChunkerParams
  readonly bufferSize: number
  private buf: Uint8Array | undefined

  constructor (params: ChunkerParams, options: FileChunkerOptions = {}) {
    const bufferSize = options.bufferSize ?? params.max + DEFAULT_READ_SIZE
    if (!Number.isSafeInteger(bufferSize) || bufferSize < params.max) {
      throw new InvalidArgumentError(`chunker buffer of ${bufferSize} bytes is smaller than the maximum chunk (${params.max})`, {
        hint: 'leave bufferSize unset or make it at least params.max'
      })
    }
    this.params = params
    this.bufferSize = bufferSize
  }

  /**
   * Chunk the first `size` bytes of the open file `fd`, reading with explicit positions (the fd's
   * own position is not used or moved). Returns the number of bytes chunked: less than `size` if
   * the file shrank while being read (bytes it gained beyond `size` are ignored). An empty file
   * gives no chunks.
   */
  chunkFile (fd: number, size: number, onChunk: OnChunk): number {
    return this.chunkReader((b, off, len, pos) => readSync(fd, b, off, len, pos), size, onChunk)
  }

  /** chunkFile with any positional reader; short reads are fine, 0 means EOF. */
  chunkReader (read: ReadAt, size: number, onChunk: OnChunk): number {
    const it = this.iterate(read, size)
    for (;;) {
      const r = it.next()
      if (r.done === true) return r.value
      onChunk(r.value.chunk, r.value.offset)
    }
  }

  /**
   * Generator form of chunkFile: yields `{ chunk, offset }` and returns the number of bytes
   * chunked. Each `chunk` is a view into the reused buffer, valid only until the next step.
   */
  chunks (fd: number, size: number): Generator<FileChunk, number> {
    return this.iterate((b, off, len, pos) => readSync(fd, b, off, len, pos), size)
  }

  /** Generator form of chunkReader. */
  * iterate (read: ReadAt, size: number): Generator<FileChunk, number> {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new InvalidArgumentError(`file size must be a non-negative integer, got ${size}`, {
        hint: 'pass the size from fstat'
      })
    }
    if (size === 0) return 0
    // Allocated on first use; small files (the common case) only touch the pages they need.
    const buf = this.buf ??= new Uint8Array(this.bufferSize)
    const p = this.params
    let base = 0 // file offset of buf[0]
    let pos = 0 // the next chunk starts at buf[pos]
    let fill = 0 // buf[0 .. fill) holds file bytes
    let readPos = 0 // file offset of the next read
    let eof = false
    for (;;) {
      const avail = fill - pos
      if (avail === 0 && eof) break
      const len = avail === 0 ? 0 : scan(buf, pos, avail, p)
      if (len === avail && avail < p.max && !eof) {
        // No final cut in what we have (findCutPoint's rule): move the partial chunk to the
        // front and fill the rest of the buffer, then search again from the same start.
        if (pos > 0) {
          buf.copyWithin(0, pos, fill)
          base += pos
          fill -= pos
          pos = 0
        }
        while (fill < buf.length && readPos < size) {
          const got = read(buf, fill, Math.min(buf.length - fill, size - readPos), readPos)
          if (!(got > 0)) { eof = true; break }
          fill += got
          readPos += got
        }
        if (readPos >= size) eof = true
        continue
      }
      yield { chunk: buf.subarray(pos, pos + len), offset: base + pos }
      pos += len
    }
    return readPos
  }
}

/** One chunk from FileChunker.chunks / iterate. */
export interface FileChunk {
  /** View into the reused buffer; valid only until the next iteration step. */
  chunk: Uint8Array
  /** Offset of the chunk's first byte in the file. */
  offset: number
}

/**
 * Chunk the first `size` bytes of `fd` (see FileChunker.chunkFile). Allocates a fresh buffer per
 * call; for many files, keep one FileChunker instead.
 */
export function chunkFile (fd: number, size: number, params: ChunkerParams, onChunk: OnChunk): number {
  return new FileChunker(params).chunkFile(fd, size, onChunk)
}
