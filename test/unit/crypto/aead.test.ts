import { createDecipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { open, seal, SEAL_OVERHEAD } from '../../../daemon/crypto/index.js'
import { IntegrityError, InvalidArgumentError } from '../../../daemon/errors.js'

const key = new Uint8Array(randomBytes(32))

describe('aead', () => {
  it('has a 28-byte overhead: 12-byte nonce and 16-byte tag', () => {
    expect(SEAL_OVERHEAD).toBe(28)
    for (const n of [0, 1, 100]) expect(seal(key, new Uint8Array(n)).byteLength).toBe(n + 28)
  })

  it('round-trips messages of several sizes, with and without AAD', () => {
    for (const n of [0, 1, 15, 16, 17, 4096, 1024 * 1024]) {
      const msg = randomBytes(n)
      // Buffer.equals: vitest's deep equality walks a 1 MiB buffer element by element
      expect(open(key, seal(key, msg)).equals(msg)).toBe(true)
      const aad = Buffer.from(`ctx-${n}`)
      expect(open(key, seal(key, msg, aad), aad).equals(msg)).toBe(true)
    }
  })

  it('lays out nonce ‖ ciphertext ‖ tag as plain AES-256-GCM', () => {
    const msg = Buffer.from('layout check')
    const aad = Buffer.from('aad')
    const sealed = seal(key, msg, aad)
    const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
    d.setAuthTag(sealed.subarray(sealed.length - 16))
    d.setAAD(aad)
    expect(Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()])).toEqual(msg)
  })

  it('uses a fresh nonce each time', () => {
    const msg = Buffer.from('same message')
    const a = seal(key, msg)
    const b = seal(key, msg)
    expect(a.subarray(0, 12)).not.toEqual(b.subarray(0, 12))
    expect(a).not.toEqual(b)
  })

  it('never repeats a nonce, also across refills of the nonce pool', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 10_000; i++) seen.add(seal(key, Buffer.of(1)).subarray(0, 12).toString('hex'))
    expect(seen.size).toBe(10_000)
    expect(seen.has('0'.repeat(24))).toBe(false)
  })

  it('rejects every single flipped bit position in nonce, ciphertext and tag', () => {
    const aad = Buffer.from('context')
    const sealed = seal(key, Buffer.from('a short message of forty bytes, exactly'), aad)
    for (let i = 0; i < sealed.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = Buffer.from(sealed)
        bad[i] = (bad[i] as number) ^ bit
        expect(() => open(key, bad, aad), `byte ${i} bit ${bit}`).toThrow(IntegrityError)
      }
    }
  })

  it('rejects short and truncated input with IntegrityError', () => {
    for (let n = 0; n < 28; n++) expect(() => open(key, new Uint8Array(n))).toThrow(IntegrityError)
    const sealed = seal(key, Buffer.from('hello'))
    expect(() => open(key, sealed.subarray(0, sealed.length - 1))).toThrow(IntegrityError)
    expect(() => open(key, sealed.subarray(1))).toThrow(IntegrityError)
    expect(() => open(key, Buffer.concat([sealed, Buffer.from([0])]))).toThrow(IntegrityError)
  })

  it('rejects an AAD mismatch in every direction', () => {
    const msg = Buffer.from('bound to its context')
    const withAad = seal(key, msg, Buffer.from('pack-1'))
    expect(() => open(key, withAad, Buffer.from('pack-2'))).toThrow(IntegrityError)
    expect(() => open(key, withAad)).toThrow(IntegrityError)
    expect(() => open(key, seal(key, msg), Buffer.from('pack-1'))).toThrow(IntegrityError)
  })

  it('rejects the wrong key with IntegrityError and a hint', () => {
    const sealed = seal(key, Buffer.from('secret'))
    let caught: unknown
    try { open(new Uint8Array(randomBytes(32)), sealed) } catch (err) { caught = err }
    expect(caught).toBeInstanceOf(IntegrityError)
    expect((caught as IntegrityError).hint).toMatch(/replica/)
  })

  it('refuses keys that are not 32 bytes', () => {
    expect(() => seal(new Uint8Array(16), Buffer.from('x'))).toThrow(InvalidArgumentError)
    expect(() => open(new Uint8Array(31), new Uint8Array(40))).toThrow(InvalidArgumentError)
  })
})
