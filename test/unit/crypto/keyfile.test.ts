import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { randomBytes, scryptSync } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  changePassphrase, changePassphraseAsync, createKeyFile, createKeyFileAsync, decodeKeyFile, deriveKeys, encodeKeyFile,
  readKeyFile, rewrapKeyFile, rewrapKeyFileAsync, seal, unwrapKeyFile, unwrapKeyFileAsync, writeKeyFile
} from '../../../daemon/crypto/index.js'
import type { KeyFileJson } from '../../../daemon/crypto/index.js'
import {
  AlreadyExistsError, CorruptObjectError, IntegrityError, InvalidArgumentError, NotInitializedError,
  UnsupportedVersionError, WrongPassphraseError
} from '../../../daemon/errors.js'

const PASS = 'correct horse battery staple'
let dir: string
let counter = 0
const freshPath = (): string => join(dir, `key-${counter++}.json`)

// One key file for the read-only tests: each scrypt run costs ~0.6 s.
let base: { keyFile: KeyFileJson, masterKey: Uint8Array }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2pbak-keyfile-'))
  base = createKeyFile({ ownerName: 'alice', passphrase: PASS, created: new Date('2024-05-06T07:08:09.010Z') })
})
afterAll(() => {
  if (process.env.P2PBAK_KEEP_TEST_STATE !== '1') rmSync(dir, { recursive: true, force: true })
})

function thrown (fn: () => unknown): unknown {
  try { fn() } catch (err) { return err }
  throw new Error('expected a throw')
}

describe('createKeyFile / unwrapKeyFile', () => {
  it('wraps a new master key that the passphrase unwraps', () => {
    const { keyFile, masterKey } = base
    expect(masterKey.byteLength).toBe(32)
    expect(unwrapKeyFile(keyFile, PASS)).toEqual(masterKey)
    expect(keyFile).toMatchObject({ version: 1, owner: 'alice', created: '2024-05-06T07:08:09.010Z', kdf: { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 } }) // P2PBAK_KDF_TARGET_MS=0: the minimum
    expect(Buffer.from(keyFile.kdf.salt, 'base64').byteLength).toBe(32)
    expect(Buffer.from(keyFile.wrappedKey, 'base64').byteLength).toBe(60)
    expect(Buffer.from(keyFile.publicKey, 'base64')).toEqual(Buffer.from(deriveKeys(masterKey).publicKey))
  })

  it('wraps a given master key (restore from a recovery key)', () => {
    const master = new Uint8Array(randomBytes(32))
    const { keyFile, masterKey } = createKeyFile({ ownerName: 'bob', passphrase: 'x', masterKey: master })
    expect(masterKey).toEqual(master)
    expect(unwrapKeyFile(keyFile, 'x')).toEqual(master)
  })

  it('gives WrongPassphraseError with a recovery hint for a wrong passphrase', () => {
    const err = thrown(() => unwrapKeyFile(base.keyFile, PASS + '!'))
    expect(err).toBeInstanceOf(WrongPassphraseError)
    expect((err as WrongPassphraseError).hint).toContain('p2pbak restore --recovery-key')
  })

  it('normalizes passphrases to NFKC', () => {
    const { keyFile } = createKeyFile({ ownerName: 'carol', passphrase: 'caf\u00e9 \ufb01sh' }) // é composed, ﬁ ligature
    expect(unwrapKeyFile(keyFile, 'cafe\u0301 fish').byteLength).toBe(32) // é decomposed, plain fi
  })

  it('refuses an empty passphrase and bad owner names with InvalidArgumentError', () => {
    expect(() => createKeyFile({ ownerName: 'alice', passphrase: '' })).toThrow(InvalidArgumentError)
    expect(() => unwrapKeyFile(base.keyFile, '')).toThrow(InvalidArgumentError)
    expect(() => rewrapKeyFile(base.keyFile, PASS, '')).toThrow(InvalidArgumentError)
    for (const ownerName of ['', ' alice', 'a\nb', 'x'.repeat(129)]) {
      expect(() => createKeyFile({ ownerName, passphrase: PASS })).toThrow(InvalidArgumentError)
    }
  })

  it('refuses KDF parameters weaker than the minimum on create', () => {
    expect(() => createKeyFile({ ownerName: 'a', passphrase: PASS, kdf: { N: 2 ** 14 } })).toThrow(InvalidArgumentError)
    expect(() => createKeyFile({ ownerName: 'a', passphrase: PASS, kdf: { r: 4 } })).toThrow(InvalidArgumentError)
    expect(() => createKeyFile({ ownerName: 'a', passphrase: PASS, kdf: { N: 40000 } })).toThrow(InvalidArgumentError)
  })

  it('binds the owner name: a renamed file does not open', () => {
    const renamed = { ...base.keyFile, owner: 'mallory' }
    expect(() => unwrapKeyFile(renamed, PASS)).toThrow(WrongPassphraseError)
  })

  it('detects a swapped public key', () => {
    const other = Buffer.from(deriveKeys(new Uint8Array(32)).publicKey).toString('base64')
    expect(() => unwrapKeyFile({ ...base.keyFile, publicKey: other }, PASS)).toThrow(IntegrityError)
  })

  it('opens a file built independently from the docs/keys.md layout, even with weak (legacy) KDF cost', () => {
    const master = new Uint8Array(randomBytes(32))
    const salt = randomBytes(16).toString('base64')
    const kdf = { name: 'scrypt' as const, N: 1024, r: 8, p: 1, salt }
    const kek = scryptSync(Buffer.from('pw'), Buffer.from(salt, 'base64'), 32, { N: 1024, r: 8, p: 1 })
    const aad = Buffer.from('p2pbak/v1/keyfile\n' + JSON.stringify([1, 'dave', 'scrypt', 1024, 8, 1, salt]))
    const kf: KeyFileJson = {
      version: 1,
      owner: 'dave',
      created: '2024-01-01T00:00:00Z',
      kdf,
      wrappedKey: seal(kek, master, aad).toString('base64'),
      publicKey: Buffer.from(deriveKeys(master).publicKey).toString('base64')
    }
    const decoded = decodeKeyFile(Buffer.from(JSON.stringify(kf)))
    expect(unwrapKeyFile(decoded, 'pw')).toEqual(master)
    // Rewrapping raises the cost to the creation minimum.
    const rewrapped = rewrapKeyFile(decoded, 'pw', 'pw2')
    expect(rewrapped.kdf).toMatchObject({ N: 2 ** 17, r: 8, p: 1 })
    expect(unwrapKeyFile(rewrapped, 'pw2')).toEqual(master)
  })
})

describe('the async variants (scrypt in the thread pool)', () => {
  it('unwrap, wrong passphrase and rewrap behave as the sync ones, and the event loop keeps turning', async () => {
    let ticks = 0
    const timer = setInterval(() => { ticks++ }, 5)
    try {
      expect(await unwrapKeyFileAsync(base.keyFile, PASS)).toEqual(base.masterKey)
    } finally {
      clearInterval(timer)
    }
    // A 2^17 scrypt run takes hundreds of ms; a blocked loop would not have ticked at all.
    expect(ticks).toBeGreaterThan(3)
    await expect(unwrapKeyFileAsync(base.keyFile, 'not it')).rejects.toBeInstanceOf(WrongPassphraseError)
    const next = await rewrapKeyFileAsync(base.keyFile, PASS, 'lamp orbit velvet cactus')
    expect(next.publicKey).toBe(base.keyFile.publicKey)
    expect(unwrapKeyFile(next, 'lamp orbit velvet cactus')).toEqual(base.masterKey)
  })

  it('createKeyFileAsync makes a file the sync unwrap opens; changePassphraseAsync leaves the file alone on a wrong passphrase', async () => {
    const { keyFile, masterKey } = await createKeyFileAsync({ ownerName: 'erin', passphrase: PASS })
    expect(keyFile.kdf.N).toBe(2 ** 17)
    expect(unwrapKeyFile(keyFile, PASS)).toEqual(masterKey)
    const path = freshPath()
    writeKeyFile(path, keyFile)
    const before = readFileSync(path)
    await expect(changePassphraseAsync(path, 'not it', 'lamp orbit velvet cactus')).rejects.toBeInstanceOf(WrongPassphraseError)
    expect(readFileSync(path).equals(before)).toBe(true)
  })
})

describe('encodeKeyFile / decodeKeyFile', () => {
  it('round-trips with fields in a fixed order and a trailing newline', () => {
    const bytes = encodeKeyFile(base.keyFile)
    const text = Buffer.from(bytes).toString('utf8')
    expect(text.endsWith('}\n')).toBe(true)
    expect(Object.keys(JSON.parse(text))).toEqual(['version', 'owner', 'created', 'kdf', 'wrappedKey', 'publicKey'])
    expect(decodeKeyFile(bytes)).toEqual(base.keyFile)
  })

  it('names unknown versions and KDFs as UnsupportedVersionError', () => {
    const v2 = Buffer.from(JSON.stringify({ ...base.keyFile, version: 2 }))
    expect(() => decodeKeyFile(v2)).toThrow(UnsupportedVersionError)
    const argon = Buffer.from(JSON.stringify({ ...base.keyFile, kdf: { ...base.keyFile.kdf, name: 'argon2id' } }))
    expect(() => decodeKeyFile(argon)).toThrow(UnsupportedVersionError)
  })

  it('rejects malformed files with CorruptObjectError naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...base.keyFile, extra: 1 }, /unknown field "extra"/],
      [{ ...base.keyFile, version: '1' }, /version/],
      [{ ...base.keyFile, owner: 7 }, /owner/],
      [{ ...base.keyFile, created: 'yesterday' }, /created/],
      [{ ...base.keyFile, wrappedKey: base.keyFile.wrappedKey.slice(4) }, /wrappedKey/],
      [{ ...base.keyFile, publicKey: base.keyFile.publicKey.replace('=', 'A') }, /publicKey/],
      [{ ...base.keyFile, kdf: { ...base.keyFile.kdf, salt: 'AAAA' } }, /salt/],
      [{ ...base.keyFile, kdf: { ...base.keyFile.kdf, N: 1000 } }, /power of two/],
      [[base.keyFile], /array/],
      [null, /null/]
    ]
    for (const [value, pattern] of cases) {
      const err = thrown(() => decodeKeyFile(Buffer.from(JSON.stringify(value))))
      expect(err).toBeInstanceOf(CorruptObjectError)
      expect((err as Error).message).toMatch(pattern)
      expect((err as CorruptObjectError).hint).toBeTruthy()
    }
  })
})

describe('key file on disk', () => {
  it('writes mode 0600 and reads back the same document', () => {
    const path = freshPath()
    writeKeyFile(path, base.keyFile)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readKeyFile(path)).toEqual(base.keyFile)
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]) // no temporary files left
  })

  it('refuses to overwrite an existing file unless asked', () => {
    const path = freshPath()
    writeFileSync(path, 'precious')
    const err = thrown(() => writeKeyFile(path, base.keyFile))
    expect(err).toBeInstanceOf(AlreadyExistsError)
    expect((err as AlreadyExistsError).hint).toBeTruthy()
    expect(readFileSync(path, 'utf8')).toBe('precious')
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([])
    writeKeyFile(path, base.keyFile, { replace: true })
    expect(readKeyFile(path)).toEqual(base.keyFile)
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  it('reports a missing key file as NotInitializedError', () => {
    expect(() => readKeyFile(join(dir, 'absent.json'))).toThrow(NotInitializedError)
  })

  it('refuses an oversized file before parsing it', () => {
    const path = freshPath()
    writeFileSync(path, Buffer.alloc(64 * 1024 + 1, 0x20))
    expect(() => readKeyFile(path)).toThrow(CorruptObjectError)
  })

  it('changePassphrase: a wrong old passphrase leaves the file byte-identical', () => {
    const path = freshPath()
    writeKeyFile(path, base.keyFile)
    const before = readFileSync(path)
    const err = thrown(() => changePassphrase(path, 'not it', 'new passphrase'))
    expect(err).toBeInstanceOf(WrongPassphraseError)
    expect(readFileSync(path).equals(before)).toBe(true)
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([])
  })

  it('changePassphrase: afterwards the old passphrase fails, the new one opens the same master key', () => {
    const path = freshPath()
    writeKeyFile(path, base.keyFile)
    const next = changePassphrase(path, PASS, 'a new passphrase')
    const onDisk = readKeyFile(path)
    expect(onDisk).toEqual(next)
    expect(onDisk.kdf.salt).not.toBe(base.keyFile.kdf.salt)
    expect(onDisk.created).toBe(base.keyFile.created)
    expect(onDisk.publicKey).toBe(base.keyFile.publicKey)
    expect(() => unwrapKeyFile(onDisk, PASS)).toThrow(WrongPassphraseError)
    expect(unwrapKeyFile(onDisk, 'a new passphrase')).toEqual(base.masterKey)
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })
})
