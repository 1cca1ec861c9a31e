// The swarm key file: format round trip, strict decoding, refusal to overwrite, permissions,
// the fingerprint and the prologue derivation.
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AlreadyExistsError, NotInitializedError } from '../../../daemon/errors.js'
import {
  decodeSwarmKey, encodeSwarmKey, generateSwarmKey, InsecureKeyFileError, InvalidSwarmKeyError,
  readSwarmKeyFile, swarmFingerprint, swarmPrologue, writeSwarmKeyFile
} from '../../../daemon/swarm/index.js'
import { tempDirs } from '../../harness/tmp.js'

const dirs = tempDirs()
afterEach(() => { dirs.cleanup() })

const HEX = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
const KEY = new Uint8Array(Buffer.from(HEX, 'hex'))

describe('encode / decode', () => {
  it('writes the pnet swarm.key text format', () => {
    expect(encodeSwarmKey(KEY)).toBe(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\n`)
  })

  it('round-trips random keys', () => {
    for (let i = 0; i < 20; i++) {
      const key = generateSwarmKey()
      expect(key.byteLength).toBe(32)
      expect(decodeSwarmKey(encodeSwarmKey(key))).toEqual(key)
    }
  })

  it('generates different keys', () => {
    expect(generateSwarmKey()).not.toEqual(generateSwarmKey())
  })

  it('accepts upper-case hex, CRLF line ends and a missing final newline (kubo/js-libp2p files)', () => {
    expect(decodeSwarmKey(`/key/swarm/psk/1.0.0/\r\n/base16/\r\n${HEX.toUpperCase()}\r\n`)).toEqual(KEY)
    expect(decodeSwarmKey(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX}`)).toEqual(KEY)
  })

  const bad: Array<[string, string, RegExp]> = [
    ['empty file', '', /first line must be/],
    ['wrong header', `/key/swarm/psk/2.0.0/\n/base16/\n${HEX}\n`, /first line must be/],
    ['base64 encoding', `/key/swarm/psk/1.0.0/\n/base64/\nASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8=\n`, /unsupported swarm key encoding "\/base64\/"/],
    ['missing key line', '/key/swarm/psk/1.0.0/\n/base16/\n', /exactly 64 hex digits.*found 0/],
    ['short key', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX.slice(2)}\n`, /found 62 characters/],
    ['long key', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}00\n`, /found 66 characters/],
    ['non-hex key', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX.slice(1)}g\n`, /non-hex/],
    ['spaces around the key', `/key/swarm/psk/1.0.0/\n/base16/\n ${HEX}\n`, /exactly 64 hex digits/],
    ['trailing garbage', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\nextra\n`, /unexpected text after the key/],
    ['all-zero key', `/key/swarm/psk/1.0.0/\n/base16/\n${'0'.repeat(64)}\n`, /all zeros/]
  ]
  it.each(bad)('rejects %s with InvalidSwarmKeyError and a hint', (_name, text, message) => {
    let caught: unknown
    try { decodeSwarmKey(text) } catch (err) { caught = err }
    expect(caught).toBeInstanceOf(InvalidSwarmKeyError)
    expect((caught as InvalidSwarmKeyError).name).toBe('InvalidSwarmKeyError')
    expect((caught as Error).message).toMatch(message)
    expect((caught as InvalidSwarmKeyError).hint).toBeTruthy()
  })

  it('refuses to encode a key of the wrong length', () => {
    expect(() => encodeSwarmKey(new Uint8Array(31))).toThrow(InvalidSwarmKeyError)
  })
})

describe('files', () => {
  it('writes mode 0600, reads back the same key, and leaves no temporary file', () => {
    const dir = dirs.make()
    const path = join(dir, 'swarm.key')
    const key = writeSwarmKeyFile(path)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readFileSync(path, 'utf8')).toBe(encodeSwarmKey(key))
    expect(readSwarmKeyFile(path)).toEqual(key)
    expect(readdirSync(dir)).toEqual(['swarm.key'])
  })

  it('writes a given key', () => {
    const path = join(dirs.make(), 'swarm.key')
    writeSwarmKeyFile(path, KEY)
    expect(readSwarmKeyFile(path)).toEqual(KEY)
  })

  it('refuses to overwrite an existing key file, and leaves it untouched', () => {
    const dir = dirs.make()
    const path = join(dir, 'swarm.key')
    const first = writeSwarmKeyFile(path)
    expect(() => writeSwarmKeyFile(path)).toThrow(AlreadyExistsError)
    expect(readSwarmKeyFile(path)).toEqual(first)
    expect(readdirSync(dir)).toEqual(['swarm.key'])
  })

  it('a missing file is NotInitializedError that says how to get one', () => {
    const path = join(dirs.make(), 'swarm.key')
    expect(() => readSwarmKeyFile(path)).toThrow(NotInitializedError)
    expect(() => readSwarmKeyFile(path)).toThrow(/no swarm key/)
  })

  it.each([0o640, 0o604, 0o644, 0o660, 0o602])('refuses a file with mode %o and tells to chmod 600', (mode) => {
    const path = join(dirs.make(), 'swarm.key')
    writeSwarmKeyFile(path, KEY)
    chmodSync(path, mode)
    let caught: unknown
    try { readSwarmKeyFile(path) } catch (err) { caught = err }
    expect(caught).toBeInstanceOf(InsecureKeyFileError)
    expect((caught as InsecureKeyFileError).hint).toBe(`run: chmod 600 ${path}`)
    chmodSync(path, 0o600)
    expect(readSwarmKeyFile(path)).toEqual(KEY)
  })

  it('accepts a read-only owner file (0400)', () => {
    const path = join(dirs.make(), 'swarm.key')
    writeSwarmKeyFile(path, KEY)
    chmodSync(path, 0o400)
    expect(readSwarmKeyFile(path)).toEqual(KEY)
  })

  it('names the file in a format error', () => {
    const path = join(dirs.make(), 'swarm.key')
    writeFileSync(path, 'hello\n', { mode: 0o600 })
    expect(() => readSwarmKeyFile(path)).toThrow(new RegExp(`${path}: not a swarm key`))
  })
})

describe('derived values', () => {
  it('fingerprint: first 8 hex of SHA-256("p2pbak-swarm-id" ‖ key), stable and key-dependent', async () => {
    const { createHash } = await import('node:crypto')
    const expected = createHash('sha256').update(Buffer.concat([Buffer.from('p2pbak-swarm-id'), KEY])).digest('hex').slice(0, 8)
    expect(swarmFingerprint(KEY)).toBe(expected)
    expect(swarmFingerprint(KEY)).toMatch(/^[0-9a-f]{8}$/)
    expect(swarmFingerprint(generateSwarmKey())).not.toBe(swarmFingerprint(KEY))
    expect(Buffer.from(KEY).toString('hex')).not.toContain(swarmFingerprint(KEY))
  })

  it('prologue: HMAC-SHA256(key, "p2pbak-noise-prologue-v1"), 32 bytes, key-dependent', async () => {
    const { createHmac } = await import('node:crypto')
    const expected = createHmac('sha256', KEY).update('p2pbak-noise-prologue-v1').digest()
    expect(Buffer.from(swarmPrologue(KEY))).toEqual(expected)
    expect(swarmPrologue(KEY).byteLength).toBe(32)
    expect(swarmPrologue(generateSwarmKey())).not.toEqual(swarmPrologue(KEY))
  })
})
