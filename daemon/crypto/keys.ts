// Key derivation (docs/keys.md §"Derivation"): HKDF-SHA256 of the master key with a fixed salt
// and one info label per purpose, so no derived key reveals the master key or another key.
import {
  createHash, createHmac, createPrivateKey, createPublicKey, hkdfSync, randomBytes,
  sign as edSign, verify as edVerify
} from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { base32 } from 'multiformats/bases/base32'
import { InvalidArgumentError } from '../errors.js'
import type { OwnerKeys } from './index.js'

export const MASTER_KEY_LENGTH = 32
export const PUBLIC_KEY_LENGTH = 32
export const SIGNATURE_LENGTH = 64

/** HKDF salt; changing it (or a label) changes every derived key: a new format version. */
export const HKDF_SALT = 'p2pbak-v1'
export const LABEL_ENCRYPT = 'p2pbak/v1/encrypt'
export const LABEL_BLOB_ID = 'p2pbak/v1/blob-id'
export const LABEL_CHUNKER = 'p2pbak/v1/chunker'
export const LABEL_SIGN = 'p2pbak/v1/sign'

const DERIVED_LENGTH = 32
/** Bytes of SHA-256(publicKey) in the owner ID: 160 bits, 32 base32 characters. */
const OWNER_ID_BYTES = 20

// Node imports raw Ed25519 keys only as DER: these fixed prefixes wrap a 32-byte seed in PKCS#8
// (RFC 8410 §7) and a 32-byte public key in SubjectPublicKeyInfo (RFC 8410 §4).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** A new random master key. */
export function generateMasterKey (): Uint8Array {
  return new Uint8Array(randomBytes(MASTER_KEY_LENGTH))
}

function hkdf (master: Uint8Array, label: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', master, HKDF_SALT, label, DERIVED_LENGTH))
}

/** Derives the owner's keys; deterministic, so a recovered master key gives identical keys. */
export function deriveKeys (master: Uint8Array): OwnerKeys {
  if (!(master instanceof Uint8Array) || master.byteLength !== MASTER_KEY_LENGTH) {
    throw new InvalidArgumentError(`a master key must be ${MASTER_KEY_LENGTH} bytes, got ${master instanceof Uint8Array ? `${master.byteLength} bytes` : typeof master}`, {
      hint: 'pass the key from generateMasterKey(), unwrapKeyFile() or recoveryKeyToMasterKey()'
    })
  }
  const seed = hkdf(master, LABEL_SIGN)
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed])
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  seed.fill(0)
  der.fill(0)
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const publicKey = new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.byteLength))
  const keys: OwnerKeys = {
    encryptionKey: hkdf(master, LABEL_ENCRYPT),
    blobIdKey: hkdf(master, LABEL_BLOB_ID),
    chunkerKey: hkdf(master, LABEL_CHUNKER),
    publicKey,
    ownerId: ownerIdOf(publicKey),
    sign: (data) => signWith(privateKey, data)
  }
  return Object.freeze(keys)
}

function signWith (privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(edSign(null, data, privateKey))
}

/** True when `signature` is the owner key's Ed25519 signature of `data`; false for any malformed input. */
export function verifySignature (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.byteLength !== PUBLIC_KEY_LENGTH) return false
  if (!(signature instanceof Uint8Array) || signature.byteLength !== SIGNATURE_LENGTH) return false
  if (!(data instanceof Uint8Array)) return false
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' })
    return edVerify(null, data, key, signature)
  } catch {
    return false // not a valid curve point
  }
}

/** Short stable owner ID: lowercase base32 (RFC 4648, no padding) of SHA-256(publicKey)[0..20]. */
export function ownerIdOf (publicKey: Uint8Array): string {
  const digest = createHash('sha256').update(publicKey).digest()
  return base32.baseEncode(digest.subarray(0, OWNER_ID_BYTES))
}

/** Blob ID: HMAC-SHA256(blobIdKey, plaintext), 32 bytes. */
export function blobId (keys: Pick<OwnerKeys, 'blobIdKey'>, plaintext: Uint8Array): Uint8Array {
  return createHmac('sha256', keys.blobIdKey).update(plaintext).digest()
}
