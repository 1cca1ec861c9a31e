// Fuzzing the key file decoder (RELIABILITY.md "decoder fuzzing"): whatever the bytes, the result
// is a valid KeyFileJson, a CorruptObjectError or an UnsupportedVersionError, never anything else.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeKeyFile, encodeKeyFile, MAX_KEY_FILE_BYTES } from '../../../daemon/crypto/index.js'
import type { KeyFileJson } from '../../../daemon/crypto/index.js'
import { CorruptObjectError, UnsupportedVersionError } from '../../../daemon/errors.js'

// A structurally valid key file (decoding does not run scrypt, so no real wrapping is needed).
const VALID: KeyFileJson = {
  version: 1,
  owner: 'alice',
  created: '2024-05-06T07:08:09.010Z',
  kdf: { name: 'scrypt', N: 32768, r: 8, p: 1, salt: Buffer.alloc(32, 7).toString('base64') },
  wrappedKey: Buffer.alloc(60, 9).toString('base64'),
  publicKey: Buffer.alloc(32, 3).toString('base64')
}
const VALID_BYTES = encodeKeyFile(VALID)

/** Decodes; returns the result, or 'corrupt' / 'unsupported'; any other throw fails the property. */
function outcome (bytes: Uint8Array): KeyFileJson | 'corrupt' | 'unsupported' {
  try {
    const kf = decodeKeyFile(bytes)
    // Anything accepted must survive its own encoding.
    expect(decodeKeyFile(encodeKeyFile(kf))).toEqual(kf)
    return kf
  } catch (err) {
    if (err instanceof CorruptObjectError) return 'corrupt'
    if (err instanceof UnsupportedVersionError) return 'unsupported'
    throw err
  }
}

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value) ?? 'undefined', 'utf8')

describe('decodeKeyFile under fuzzing', () => {
  it('decodes the valid sample', () => {
    expect(outcome(VALID_BYTES)).toEqual(VALID)
  })

  it('arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => { outcome(bytes) }), { numRuns: 3000 })
  })

  it('arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => { outcome(json(value)) }), { numRuns: 3000 })
  })

  it('JSON-ish objects with the right keys and arbitrary values', () => {
    const anyValue = fc.oneof(fc.jsonValue(), fc.constantFrom(1, 2, 0, -1, 2 ** 53, 1e308, 'scrypt', '', null))
    const kdf = fc.record({ name: anyValue, N: anyValue, r: anyValue, p: anyValue, salt: anyValue }, { requiredKeys: [] })
    const file = fc.record({ version: anyValue, owner: anyValue, created: anyValue, kdf: fc.oneof(kdf, anyValue), wrappedKey: anyValue, publicKey: anyValue }, { requiredKeys: [] })
    fc.assert(fc.property(file, (value) => { outcome(json(value)) }), { numRuns: 3000 })
  })

  it('a valid file with one field replaced, removed or added', () => {
    const topKeys = Object.keys(VALID)
    const kdfKeys = Object.keys(VALID.kdf)
    const edit = fc.oneof(
      fc.record({ where: fc.constant('top'), key: fc.oneof(fc.constantFrom(...topKeys), fc.string()), value: fc.option(fc.jsonValue()) }),
      fc.record({ where: fc.constant('kdf'), key: fc.oneof(fc.constantFrom(...kdfKeys), fc.string()), value: fc.option(fc.jsonValue()) })
    )
    fc.assert(fc.property(edit, ({ where, key, value }) => {
      const doc = JSON.parse(JSON.stringify(VALID)) as Record<string, Record<string, unknown>>
      const target: Record<string, unknown> = where === 'top' ? doc : doc.kdf as Record<string, unknown>
      if (value === null) Reflect.deleteProperty(target, key)
      else target[key] = value
      const result = outcome(json(doc))
      // Accepted only as exactly what was written: nothing dropped, nothing coerced.
      if (typeof result === 'object') expect(result).toEqual(doc)
    }), { numRuns: 3000 })
  })

  it('byte flips and truncations of a valid file', () => {
    fc.assert(fc.property(fc.nat(VALID_BYTES.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(VALID_BYTES.length), (i, x, cut) => {
      const flipped = new Uint8Array(VALID_BYTES)
      flipped[i] = (flipped[i] as number) ^ x
      outcome(flipped)
      expect(outcome(VALID_BYTES.subarray(0, Math.min(cut, VALID_BYTES.length - 2)))).toBe('corrupt')
    }), { numRuns: 3000 })
  })

  it('pathological inputs', () => {
    expect(outcome(new Uint8Array(MAX_KEY_FILE_BYTES + 1))).toBe('corrupt')
    const padded = new Uint8Array(MAX_KEY_FILE_BYTES).fill(0x20)
    padded.set(VALID_BYTES)
    expect(outcome(padded)).toEqual(VALID) // trailing whitespace within the limit is fine
    expect(outcome(Buffer.from('['.repeat(60_000)))).toBe('corrupt')
    expect(outcome(Buffer.from('['.repeat(30_000) + ']'.repeat(30_000)))).toBe('corrupt')
    expect(outcome(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]))).toBe('corrupt')
    expect(outcome(json({ ...VALID, __proto__: { version: 1 } }))).toEqual(VALID)
    expect(outcome(Buffer.from(`{"__proto__":{"x":1},${Buffer.from(VALID_BYTES).toString().slice(1)}`))).toBe('corrupt')
    expect(outcome('not bytes' as unknown as Uint8Array)).toBe('corrupt')
    expect(outcome(json({ ...VALID, version: 99 }))).toBe('unsupported')
  })
})
