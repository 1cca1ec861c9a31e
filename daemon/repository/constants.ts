// Format constants (docs/format.md). Changing any of them changes the repository format.

/** Pack target size: a pack is finished once its blobs reach this many bytes (§4). */
export const PACK_TARGET_SIZE = 16 * 1024 * 1024
/** A pack is also finished at this many blobs, which bounds the memory a pack of tiny blobs takes (§4). */
export const PACK_MAX_ENTRIES = 10_000
/** Upper bound on a pack we are willing to read whole (target + one max chunk + header). */
export const PACK_MAX_SIZE = 64 * 1024 * 1024
/** Pack trailer: u32le(sealed header length) ‖ magic (§4). */
export const PACK_MAGIC = Buffer.from('P2PB', 'latin1')
export const PACK_TRAILER_SIZE = 8
export const PACK_FORMAT_VERSION = 1
/** Largest sealed pack header we accept (about 120k entries). */
export const PACK_HEADER_MAX = 8 * 1024 * 1024
/**
 * Largest blob (plaintext) we write: the chunker's max plus room for big trees (~400k entries).
 * With the rule that a blob over half of PACK_MAX_SIZE never joins a non-empty pack, every pack
 * stays below PACK_MAX_SIZE.
 */
export const BLOB_MAX_SIZE = 48 * 1024 * 1024

export const SNAPSHOT_FORMAT_VERSION = 1
export const INDEX_FORMAT_VERSION = 1
export const MANIFEST_FORMAT_VERSION = 1
export const ROOT_FORMAT_VERSION = 1

/** Associated data binding sealed structures to their role (§5). */
export const AAD_PACK_HEADER = Buffer.from('p2pbak-pack-header-v1', 'latin1')
export const AAD_ROOT_PAYLOAD = Buffer.from('p2pbak-root-payload-v1', 'latin1')
export const ROOT_SIGNATURE_CONTEXT = Buffer.from('p2pbak-root-v1', 'latin1')

/** Compression is kept only when it saves at least 1/16 of the blob (§5). */
export const COMPRESSION_MIN_SAVING = 1 / 16
export const ZSTD_LEVEL = 2

/** Names of records in the RecordStore (§7). */
export function rootRecordKey (ownerId: string): string { return `root-${ownerId}` }
