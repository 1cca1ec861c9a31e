// Owner keys (docs/keys.md). One random 256-bit master key per owner; everything else is derived
// from it, so the master key (wrapped by a passphrase in the key file, or written down as the
// 24-word recovery key) is all a person needs to get their backups back.
//
// This file is the folder's contract: types here, constants and functions re-exported from the
// files that implement them. Implementation files import only types from here, so there is no
// runtime import cycle.

/** Keys derived from a master key (docs/keys.md §"Derivation"). Never contains the master key. */
export interface OwnerKeys {
  /** AES-256-GCM key for blobs, pack headers, indexes and snapshots (32 bytes). */
  readonly encryptionKey: Uint8Array
  /** HMAC-SHA256 key for blob IDs (32 bytes); keyed so blob IDs do not reveal file contents. */
  readonly blobIdKey: Uint8Array
  /** Seed for the chunker's gear table (32 bytes), so chunk boundaries do not fingerprint files. */
  readonly chunkerKey: Uint8Array
  /** Raw Ed25519 public key of the owner signing key (32 bytes). */
  readonly publicKey: Uint8Array
  /** `ownerIdOf(publicKey)`: 32 characters of [a-z2-7], stable, usable as a record key. */
  readonly ownerId: string
  /** Ed25519 signature (64 bytes) of `data` with the owner signing key. */
  sign: (data: Uint8Array) => Uint8Array
}

/** scrypt parameters as stored in a key file (docs/keys.md §"Key file"). */
export interface ScryptParams {
  name: 'scrypt'
  /** CPU/memory cost, a power of two. */
  N: number
  /** Block size. */
  r: number
  /** Parallelism. */
  p: number
  /** Random salt, base64 (standard alphabet, padded). */
  salt: string
}

/**
 * The key file, exactly as its JSON reads (docs/keys.md §"Key file"). Binary fields are
 * base64 (standard alphabet, padded, canonical).
 */
export interface KeyFileJson {
  version: 1
  /** Owner name, as given at `init`. Bound into the wrapped key's AAD. */
  owner: string
  /** Creation time, ISO 8601 UTC (`2024-01-02T03:04:05.678Z`). Informational. */
  created: string
  kdf: ScryptParams
  /** seal(scrypt(passphrase), masterKey, aad): nonce(12) ‖ ciphertext(32) ‖ tag(16), base64. */
  wrappedKey: string
  /** The owner's raw Ed25519 public key, base64, so holders can check records without the passphrase. */
  publicKey: string
}

/** scrypt cost parameters (RFC 7914). */
export interface ScryptCost {
  N: number
  r: number
  p: number
}

/**
 * KDF cost for a new key file. Without N, r and p the cost is calibrated: N from
 * MIN_CREATE_SCRYPT doubles while one derivation stays within `targetMs` on this machine, up to
 * MAX_CREATE_SCRYPT (docs/keys.md §"KDF"). Given parameters are used as they are, and must meet
 * MIN_CREATE_SCRYPT.
 */
export interface KdfOptions {
  N?: number
  r?: number
  p?: number
  /** Calibration target in ms; default P2PBAK_KDF_TARGET_MS if set (test suite), else KDF_TARGET_MS (1000). */
  targetMs?: number
}

export interface CreateKeyFileOptions {
  ownerName: string
  passphrase: string
  /** Wrap this master key (restore from a recovery key); default: a new random one. */
  masterKey?: Uint8Array
  /** Default: calibrated (see KdfOptions). */
  kdf?: KdfOptions
  /** Default now. */
  created?: Date
}

export interface CreatedKeyFile {
  keyFile: KeyFileJson
  masterKey: Uint8Array
}

export interface WriteKeyFileOptions {
  /** Replace an existing key file (default false: AlreadyExistsError). */
  replace?: boolean
}

export interface RewrapOptions {
  /** KDF cost of the new wrapping; default calibrated on this machine, never below the file's own N (if r and p are the defaults) nor MIN_CREATE_SCRYPT. */
  kdf?: KdfOptions
}

export { SEAL_OVERHEAD, NONCE_LENGTH, TAG_LENGTH, KEY_LENGTH, seal, open } from './aead.js'
export {
  MASTER_KEY_LENGTH, HKDF_SALT, LABEL_ENCRYPT, LABEL_BLOB_ID, LABEL_CHUNKER, LABEL_SIGN,
  SIGNATURE_LENGTH, PUBLIC_KEY_LENGTH,
  generateMasterKey, deriveKeys, blobId, verifySignature, ownerIdOf
} from './keys.js'
export {
  KEY_FILE_VERSION, MAX_KEY_FILE_BYTES, MIN_CREATE_SCRYPT, MAX_CREATE_SCRYPT, MAX_SCRYPT, KDF_TARGET_MS, KDF_TARGET_ENV,
  scryptMaxmem,
  createKeyFile, encodeKeyFile, decodeKeyFile, unwrapKeyFile, rewrapKeyFile,
  writeKeyFile, readKeyFile, changePassphrase,
  createKeyFileAsync, unwrapKeyFileAsync, rewrapKeyFileAsync, changePassphraseAsync
} from './keyfile.js'
export {
  RECOVERY_WORD_COUNT, masterKeyToRecoveryKey, recoveryKeyToMasterKey, formatRecoveryKey
} from './recovery.js'
