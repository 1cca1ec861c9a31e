// Blob encoding (docs/format.md §5): plaintext → optional zstd → AES-256-GCM seal with the blob ID
// as associated data. Decoding verifies the seal, the decompressed length and the blob ID, so a
// blob that comes back is byte-for-byte the one that was stored, or an IntegrityError.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { compress, decompress } from 'zstd-napi'
import zstdBinding from 'zstd-napi/binding.js'
import { open, seal } from '../crypto/aead.js'
import { CorruptObjectError, IntegrityError } from '../errors.js'
import { BLOB_MAX_SIZE, COMPRESSION_MIN_SAVING, ZSTD_LEVEL } from './constants.js'

// A CommonJS module: named imports work under vitest but not under Node's ESM loader.
const { findFrameCompressedSize, getFrameContentSize } = zstdBinding

export interface BlobKeys {
  encryptionKey: Uint8Array
  blobIdKey: Uint8Array
}

export interface EncodedBlob {
  sealed: Buffer
  compressed: boolean
}

export function computeBlobId (keys: BlobKeys, plaintext: Uint8Array): Buffer {
  return createHmac('sha256', keys.blobIdKey).update(plaintext).digest()
}

/** Seals a blob, compressing it first when `tryCompress` and the saving pays (§5). */
export function encodeBlob (keys: BlobKeys, id: Uint8Array, plaintext: Uint8Array, tryCompress: boolean): EncodedBlob {
  if (tryCompress && plaintext.byteLength >= 128) {
    const packed = compress(plaintext, { compressionLevel: ZSTD_LEVEL })
    if (packed.byteLength <= plaintext.byteLength * (1 - COMPRESSION_MIN_SAVING)) {
      return { sealed: seal(keys.encryptionKey, packed, id), compressed: true }
    }
  }
  return { sealed: seal(keys.encryptionKey, plaintext, id), compressed: false }
}

export interface BlobLocation {
  id: Uint8Array
  rawLength: number
  compressed: boolean
}

/**
 * zstd-decompresses a blob only when it is exactly one frame that declares the expected size:
 * no allocation beyond what the index promises (bounded by BLOB_MAX_SIZE), no unbounded inflation,
 * and zstd-napi's one-shot path, which cannot leave a shared decompressor half-way in a frame.
 */
function inflate (loc: BlobLocation, packed: Buffer): Buffer {
  const bad = (why: string, cause?: unknown): CorruptObjectError =>
    new CorruptObjectError(`blob ${hex(loc.id)} does not decompress: ${why}`, { cause })
  if (loc.rawLength > BLOB_MAX_SIZE) throw bad(`it claims ${loc.rawLength} bytes`)
  let declared: number | null
  let frameSize: number
  try {
    declared = getFrameContentSize(packed)
    frameSize = findFrameCompressedSize(packed)
  } catch (err) {
    throw bad('not a zstd frame', err)
  }
  if (declared === null || declared !== loc.rawLength) throw bad('its frame does not declare the indexed size')
  if (frameSize !== packed.byteLength) throw bad('it is not exactly one frame')
  try {
    return decompress(packed)
  } catch (err) {
    throw bad('corrupt frame', err)
  }
}

/** Opens a sealed blob and checks that it is exactly the blob `loc.id` names. */
export function decodeBlob (keys: BlobKeys, loc: BlobLocation, sealed: Uint8Array): Buffer {
  let plain: Buffer
  try {
    plain = open(keys.encryptionKey, sealed, loc.id)
  } catch (err) {
    throw new IntegrityError(`blob ${hex(loc.id)} fails its authentication tag`, [hex(loc.id)], { cause: err })
  }
  if (loc.compressed) plain = inflate(loc, plain)
  if (plain.byteLength !== loc.rawLength) {
    throw new IntegrityError(`blob ${hex(loc.id)} has ${plain.byteLength} bytes, the index says ${loc.rawLength}`, [hex(loc.id)])
  }
  const actual = computeBlobId(keys, plain)
  if (actual.byteLength !== loc.id.byteLength || !timingSafeEqual(actual, loc.id)) {
    throw new IntegrityError(`blob ${hex(loc.id)} does not match its ID`, [hex(loc.id)])
  }
  return plain
}

export function hex (id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')
}
