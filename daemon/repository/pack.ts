// Packs (docs/format.md §4): sealed blobs back to back, then the sealed header listing them, then
// an 8-byte trailer u32le(len(sealed header)) ‖ "P2PB". The header makes every pack
// self-describing, so the index can be rebuilt from the packs alone.
import { packIdOf } from '../../protocol/ids.js'
import { open, seal } from '../crypto/aead.js'
import { CorruptObjectError, IntegrityError, UnsupportedVersionError } from '../errors.js'
import type { PackStore } from '../store/types.js'
import {
  AAD_PACK_HEADER, PACK_FORMAT_VERSION, PACK_HEADER_MAX, PACK_MAGIC, PACK_MAX_SIZE, PACK_TRAILER_SIZE
} from './constants.js'
import { BlobType, PackHeader } from './pb/repo.js'
import type { PackEntry } from './pb/repo.js'

export { BlobType }
export type { PackEntry }

export interface FinishedPack {
  id: string
  type: BlobType
  bytes: Buffer
  entries: PackEntry[]
}

/** Accumulates sealed blobs of one type until the pack is full. */
export class PackWriter {
  private parts: Buffer[] = []
  private entries: PackEntry[] = []
  private size = 0

  constructor (readonly type: BlobType) {}

  get byteLength (): number { return this.size }
  get count (): number { return this.entries.length }

  add (id: Uint8Array, type: BlobType, sealed: Buffer, rawLength: number, compressed: boolean): void {
    this.entries.push({ id: Uint8Array.from(id), type, offset: this.size, length: sealed.byteLength, rawLength, compressed })
    this.parts.push(sealed)
    this.size += sealed.byteLength
  }

  /** Seals the header and returns the complete pack; the writer is empty afterwards. */
  finish (encryptionKey: Uint8Array): FinishedPack {
    const header = seal(encryptionKey, PackHeader.encode({ version: PACK_FORMAT_VERSION, type: this.type, entries: this.entries }), AAD_PACK_HEADER)
    const trailer = Buffer.alloc(PACK_TRAILER_SIZE)
    trailer.writeUInt32LE(header.byteLength, 0)
    PACK_MAGIC.copy(trailer, 4)
    const bytes = Buffer.concat([...this.parts, header, trailer])
    const pack = { id: packIdOf(bytes), type: this.type, bytes, entries: this.entries }
    this.parts = []
    this.entries = []
    this.size = 0
    return pack
  }
}

/** Decodes a sealed pack header; hostile input gives CorruptObjectError or IntegrityError only. */
export function decodePackHeader (encryptionKey: Uint8Array, sealedHeader: Uint8Array, blobAreaSize: number): PackHeader {
  let plain: Buffer
  try {
    plain = open(encryptionKey, sealedHeader, AAD_PACK_HEADER)
  } catch (err) {
    throw new IntegrityError('pack header fails its authentication tag', [], { cause: err })
  }
  let header: PackHeader
  try {
    header = PackHeader.decode(plain, { limits: { entries: 200_000 } })
  } catch (err) {
    throw new CorruptObjectError('pack header does not decode', { cause: err })
  }
  if (header.version !== PACK_FORMAT_VERSION) {
    throw new UnsupportedVersionError(`pack format version ${header.version} is not supported by this build`, { hint: 'upgrade p2pbak' })
  }
  for (const e of header.entries) {
    if (e.id.byteLength !== 32 || e.offset + e.length > blobAreaSize) {
      throw new CorruptObjectError('pack header lists a blob outside the pack')
    }
  }
  return header
}

/** Splits a whole pack into blob area and sealed header, checking the trailer. */
export function parsePackTrailer (bytes: Uint8Array): { headerOffset: number, headerLength: number } {
  if (bytes.byteLength < PACK_TRAILER_SIZE) throw new CorruptObjectError('pack is shorter than its trailer')
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = view.byteLength - PACK_TRAILER_SIZE
  if (!view.subarray(end + 4).equals(PACK_MAGIC)) throw new CorruptObjectError('pack trailer has no P2PB magic')
  const headerLength = view.readUInt32LE(end)
  if (headerLength > PACK_HEADER_MAX || headerLength > end) throw new CorruptObjectError('pack trailer gives an impossible header length')
  return { headerOffset: end - headerLength, headerLength }
}

/** Reads and decodes a pack header from a store with two ranged reads, without fetching blobs. */
export async function readPackHeader (store: PackStore, encryptionKey: Uint8Array, id: string): Promise<{ header: PackHeader, size: number }> {
  const { size } = await store.stat(id)
  if (size < PACK_TRAILER_SIZE || size > PACK_MAX_SIZE) throw new CorruptObjectError(`pack ${id} has an impossible size ${size}`)
  const trailer = await store.get(id, { offset: size - PACK_TRAILER_SIZE, length: PACK_TRAILER_SIZE })
  const headerLength = Buffer.from(trailer.buffer, trailer.byteOffset, 4).readUInt32LE(0)
  if (!Buffer.from(trailer.buffer, trailer.byteOffset + 4, 4).equals(PACK_MAGIC)) throw new CorruptObjectError(`pack ${id} has no P2PB trailer`)
  if (headerLength > PACK_HEADER_MAX || headerLength > size - PACK_TRAILER_SIZE) throw new CorruptObjectError(`pack ${id} trailer gives an impossible header length`)
  const headerOffset = size - PACK_TRAILER_SIZE - headerLength
  const sealed = await store.get(id, { offset: headerOffset, length: headerLength })
  return { header: decodePackHeader(encryptionKey, sealed, headerOffset), size }
}

/** Decodes the header of a whole pack held in memory (the caller verified its hash). */
export function packHeaderOf (encryptionKey: Uint8Array, bytes: Uint8Array): PackHeader {
  const { headerOffset, headerLength } = parsePackTrailer(bytes)
  return decodePackHeader(encryptionKey, bytes.subarray(headerOffset, headerOffset + headerLength), headerOffset)
}
