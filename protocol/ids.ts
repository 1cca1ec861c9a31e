// Pack IDs (docs/format.md §"Pack ID"): the SHA-256 of a pack's bytes as a CIDv1 with the raw
// codec, printed in base32 (`bafkrei…`). The same string is the DHT provider key, so holders can
// verify, announce, audit and repair a pack without any key.
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'

export const RAW_CODEC = 0x55
export const SHA2_256_CODE = 0x12

/** The pack ID of these bytes. */
export function packIdOf (bytes: Uint8Array): string {
  return packIdFromDigest(createHash('sha256').update(bytes).digest())
}

export function packIdFromDigest (sha256: Uint8Array): string {
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256_CODE, sha256)).toString()
}

/** The SHA-256 a pack ID names, or undefined when the string is not a raw sha2-256 CIDv1. */
export function packIdDigest (id: string): Uint8Array | undefined {
  if (typeof id !== 'string' || id.length > 128) return undefined
  try {
    const cid = CID.parse(id)
    if (cid.version !== 1 || cid.code !== RAW_CODEC || cid.multihash.code !== SHA2_256_CODE || cid.multihash.digest.length !== 32) return undefined
    if (cid.toString() !== id) return undefined // one canonical spelling per pack
    return cid.multihash.digest
  } catch {
    return undefined
  }
}

export function isPackId (id: string): boolean {
  return packIdDigest(id) !== undefined
}

/** An incremental pack-ID computation, for bytes that arrive in pieces. */
export function packIdHasher (): { update: (chunk: Uint8Array) => void, digest: () => string } {
  const h = createHash('sha256')
  return {
    update: (chunk) => { h.update(chunk) },
    digest: () => packIdFromDigest(h.digest())
  }
}
