import { createHmac, createPrivateKey, createPublicKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  blobId, deriveKeys, generateMasterKey, HKDF_SALT, LABEL_BLOB_ID, LABEL_CHUNKER, LABEL_ENCRYPT, LABEL_SIGN,
  ownerIdOf, verifySignature
} from '../../../daemon/crypto/index.js'
import { InvalidArgumentError } from '../../../daemon/errors.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))

/** RFC 5869 HKDF-SHA256 from HMAC alone, independent of node:crypto's hkdfSync. */
function rfc5869 (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const prk = createHmac('sha256', salt).update(ikm).digest()
  const out: Buffer[] = []
  let t = Buffer.alloc(0)
  for (let i = 1; out.length * 32 < length; i++) {
    t = createHmac('sha256', prk).update(t).update(info).update(Buffer.from([i])).digest()
    out.push(t)
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length))
}

// Golden vector: master key = bytes 0..31 (docs/keys.md §"Test vector"). Computed once; a change
// here means every existing backup becomes unreadable.
const MASTER = Uint8Array.from({ length: 32 }, (_, i) => i)
const GOLDEN = {
  encryptionKey: 'de3c84842a41cd5bb65166d113c139649ea446546986091f848c91d6756b4a91',
  blobIdKey: '94adf46ecfbf6d9bfe57e0f7a821bf93331690d7123d1c666d00b11617ff60e1',
  chunkerKey: '2a888655a8b23a5f5e618f7e8126062b3b30b77346b69a82991353ed76181370',
  publicKey: 'c389838d4ec33bb985f8962432a1d80f2ca78ebc60ee7030c8c434900cff8358',
  ownerId: 'lmxukciofccqgsum3xdfhdmjhmpuqolt',
  signHello: 'b911c42ba6b1226f5241ca271a45a0701990c9d078004eacdfb783e5fa07e94db922849212e95f1966149f2cb0ed8fe338f00f22ebc5fc17ee8ad90d83b92d07',
  blobIdHello: '2184849dc09a1041ddfc7fc33637331b0c485e4792d0b43b9b8323dafffcaed1'
}

describe('deriveKeys', () => {
  it('matches the golden vector', () => {
    const k = deriveKeys(MASTER)
    expect(hex(k.encryptionKey)).toBe(GOLDEN.encryptionKey)
    expect(hex(k.blobIdKey)).toBe(GOLDEN.blobIdKey)
    expect(hex(k.chunkerKey)).toBe(GOLDEN.chunkerKey)
    expect(hex(k.publicKey)).toBe(GOLDEN.publicKey)
    expect(k.ownerId).toBe(GOLDEN.ownerId)
    expect(hex(k.sign(Buffer.from('hello')))).toBe(GOLDEN.signHello)
    expect(hex(blobId(k, Buffer.from('hello')))).toBe(GOLDEN.blobIdHello)
  })

  it('the test HKDF reproduces RFC 5869 test case 1', () => {
    const okm = rfc5869(new Uint8Array(22).fill(0x0b), fromHex('000102030405060708090a0b0c'), fromHex('f0f1f2f3f4f5f6f7f8f9'), 42)
    expect(hex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865')
  })

  it('agrees with an independent RFC 5869 computation for every label', () => {
    const salt = Buffer.from(HKDF_SALT)
    const k = deriveKeys(MASTER)
    expect(k.encryptionKey).toEqual(rfc5869(MASTER, salt, Buffer.from(LABEL_ENCRYPT), 32))
    expect(k.blobIdKey).toEqual(rfc5869(MASTER, salt, Buffer.from(LABEL_BLOB_ID), 32))
    expect(k.chunkerKey).toEqual(rfc5869(MASTER, salt, Buffer.from(LABEL_CHUNKER), 32))
    // The signing key is the Ed25519 key whose seed is the "sign" output (RFC 8410 PKCS#8 wrapping).
    const seed = rfc5869(MASTER, salt, Buffer.from(LABEL_SIGN), 32)
    const priv = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' })
    const jwk = createPublicKey(priv).export({ format: 'jwk' })
    expect(Buffer.from(jwk.x as string, 'base64url')).toEqual(Buffer.from(k.publicKey))
  })

  it('is deterministic and gives distinct keys per label and per master key', () => {
    const a = deriveKeys(MASTER)
    const b = deriveKeys(new Uint8Array(MASTER))
    expect(a.encryptionKey).toEqual(b.encryptionKey)
    expect(a.publicKey).toEqual(b.publicKey)
    const all = [a.encryptionKey, a.blobIdKey, a.chunkerKey, a.publicKey].map(hex)
    expect(new Set(all).size).toBe(4)
    const other = deriveKeys(generateMasterKey())
    expect(other.encryptionKey).not.toEqual(a.encryptionKey)
    expect(other.ownerId).not.toBe(a.ownerId)
  })

  it('gives 32-byte keys and a record-safe owner ID', () => {
    const k = deriveKeys(generateMasterKey())
    for (const key of [k.encryptionKey, k.blobIdKey, k.chunkerKey, k.publicKey]) expect(key.byteLength).toBe(32)
    expect(k.ownerId).toMatch(/^[a-z2-7]{32}$/)
    expect(ownerIdOf(k.publicKey)).toBe(k.ownerId)
    expect(Object.isFrozen(k)).toBe(true)
  })

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => deriveKeys(new Uint8Array(31))).toThrow(InvalidArgumentError)
    expect(() => deriveKeys(new Uint8Array(33))).toThrow(InvalidArgumentError)
  })

  it('generates distinct random master keys', () => {
    const a = generateMasterKey()
    expect(a.byteLength).toBe(32)
    expect(a).not.toEqual(generateMasterKey())
  })
})

describe('signatures', () => {
  const keys = deriveKeys(MASTER)
  const data = Buffer.from('root record seq=7')

  it('signs with 64 bytes that verify against the public key', () => {
    const sig = keys.sign(data)
    expect(sig.byteLength).toBe(64)
    expect(verifySignature(keys.publicKey, data, sig)).toBe(true)
  })

  it('rejects a tampered signature, tampered data or another owner key', () => {
    const sig = keys.sign(data)
    for (const i of [0, 31, 32, 63]) {
      const bad = new Uint8Array(sig)
      bad[i] = (bad[i] as number) ^ 1
      expect(verifySignature(keys.publicKey, data, bad)).toBe(false)
    }
    expect(verifySignature(keys.publicKey, Buffer.from('root record seq=8'), sig)).toBe(false)
    expect(verifySignature(deriveKeys(generateMasterKey()).publicKey, data, sig)).toBe(false)
  })

  it('returns false rather than throwing on malformed keys or signatures', () => {
    const sig = keys.sign(data)
    expect(verifySignature(keys.publicKey.subarray(1), data, sig)).toBe(false)
    expect(verifySignature(keys.publicKey, data, sig.subarray(1))).toBe(false)
    expect(verifySignature(new Uint8Array(32).fill(0xff), data, sig)).toBe(false)
  })

  it('verifies RFC 8032 test 1', () => {
    const pub = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
    const sig = fromHex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b')
    expect(verifySignature(pub, new Uint8Array(0), sig)).toBe(true)
    expect(verifySignature(pub, new Uint8Array(1), sig)).toBe(false)
  })
})

describe('blobId', () => {
  it('is HMAC-SHA256 under the blob-ID key', () => {
    const k = deriveKeys(generateMasterKey())
    const data = Buffer.from('some chunk of a file')
    expect(blobId(k, data)).toEqual(createHmac('sha256', k.blobIdKey).update(data).digest())
    expect(blobId(k, data).byteLength).toBe(32)
  })

  it('differs between owners for the same plaintext', () => {
    const data = Buffer.from('same file content')
    expect(blobId(deriveKeys(MASTER), data)).not.toEqual(blobId(deriveKeys(generateMasterKey()), data))
  })
})
