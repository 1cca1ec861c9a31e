// The key file (docs/keys.md §"Key file"): the master key sealed with a key derived from the
// passphrase by scrypt, in a small versioned JSON document. The same document is what the swarm
// stores under the owner's name, so the decoder treats every input as hostile: any bytes give a
// KeyFileJson, a CorruptObjectError or an UnsupportedVersionError, and a file cannot make us
// spend more than MAX_SCRYPT of memory or time.
import { closeSync, fstatSync, linkSync, lstatSync, openSync, readFileSync, renameSync, unlinkSync } from 'node:fs'
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import {
  AlreadyExistsError, CorruptObjectError, IntegrityError, InvalidArgumentError, NotInitializedError,
  UnsupportedVersionError, WrongPassphraseError
} from '../errors.js'
import { fsyncDir, mapFsError, writeFileAtomic } from '../fs/atomic.js'
import { open, seal, KEY_LENGTH, SEAL_OVERHEAD } from './aead.js'
import { deriveKeys, generateMasterKey, MASTER_KEY_LENGTH, PUBLIC_KEY_LENGTH } from './keys.js'
import type {
  CreatedKeyFile, CreateKeyFileOptions, KdfOptions, KeyFileJson, RewrapOptions, ScryptCost, ScryptParams, WriteKeyFileOptions
} from './index.js'

export const KEY_FILE_VERSION = 1
/** Larger inputs are refused before parsing; a real key file is about 400 bytes. */
export const MAX_KEY_FILE_BYTES = 64 * 1024

/**
 * The cheapest scrypt cost a new key file may have, here and in tests: 128 MiB, ~0.6 s on the
 * reference machine (docs/keys.md §"KDF"). Nothing (option or environment) goes below it.
 */
export const MIN_CREATE_SCRYPT: Readonly<ScryptCost> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 })
/** The costliest a new key file is made by calibration: 512 MiB, so every colleague's machine can open it. */
export const MAX_CREATE_SCRYPT: Readonly<ScryptCost> = Object.freeze({ N: 2 ** 19, r: 8, p: 1 })
/** A new key file costs about this much time on the machine that makes it (calibrated, within the two bounds above). */
export const KDF_TARGET_MS = 1000
/**
 * Lowers (or raises) the calibration target, for the test suite; never below MIN_CREATE_SCRYPT nor
 * above MAX_CREATE_SCRYPT, so it cannot make a key file cheaper to attack than the minimum.
 */
export const KDF_TARGET_ENV = 'P2PBAK_KDF_TARGET_MS'
/**
 * Upper bounds on what a key file may ask of us, checked before scrypt runs. `memory` bounds
 * 128·N·r bytes (1 GiB: N = 2^20 at r = 8) and `work` bounds N·r·p (2^23: twice the costliest
 * file we make, a few seconds), so a hostile file can neither exhaust memory nor pin a CPU for long.
 */
export const MAX_SCRYPT = Object.freeze({ N: 2 ** 20, r: 32, p: 16, memory: 2 ** 30, work: 2 ** 23 })

const SALT_LENGTH = 32
const MIN_SALT_LENGTH = 16
const MAX_SALT_LENGTH = 64
const MAX_OWNER_LENGTH = 128
const WRAPPED_KEY_LENGTH = MASTER_KEY_LENGTH + SEAL_OVERHEAD
const AAD_PREFIX = 'p2pbak/v1/keyfile\n'
const FIELDS = ['version', 'owner', 'created', 'kdf', 'wrappedKey', 'publicKey'] as const
const KDF_FIELDS = ['name', 'N', 'r', 'p', 'salt'] as const
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const CORRUPT_HINT = 'restore the key file from a copy, or recreate it with `p2pbak restore --recovery-key`'
const WRONG_PASSPHRASE_HINT = 'check the passphrase (it is case-sensitive), or use `p2pbak restore --recovery-key`'

function corrupt (problem: string, cause?: unknown): CorruptObjectError {
  return new CorruptObjectError(`key file is corrupt: ${problem}`, { hint: CORRUPT_HINT, cause })
}

// ---- validation (shared by decode, encode, unwrap and rewrap) ----

/** Why an owner name is unusable, or undefined. */
function ownerProblem (owner: unknown): string | undefined {
  if (typeof owner !== 'string') return `owner must be a string, got ${typeOf(owner)}`
  if (owner.length === 0 || owner.length > MAX_OWNER_LENGTH) return `owner name must be 1 to ${MAX_OWNER_LENGTH} characters, got ${owner.length}`
  if (/[\p{Cc}\p{Cs}]/u.test(owner)) return 'owner name contains a control character or a lone surrogate'
  if (owner.trim() !== owner) return 'owner name starts or ends with whitespace'
  if (owner.normalize('NFC') !== owner) return 'owner name is not in Unicode NFC form'
  return undefined
}

function typeOf (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkFields (obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw corrupt(`unknown field ${JSON.stringify(key.slice(0, 40))} in ${where}`)
  }
  for (const key of allowed) {
    if (!Object.hasOwn(obj, key)) throw corrupt(`missing field "${key}" in ${where}`)
  }
}

/** Decodes canonical padded base64 of a length in [min, max], or throws CorruptObjectError. */
function base64Field (value: unknown, name: string, min: number, max: number): Buffer {
  if (typeof value !== 'string' || value.length > 4 * Math.ceil(max / 3) || !BASE64.test(value)) {
    throw corrupt(`${name} is not base64 of ${min === max ? min : `${min} to ${max}`} bytes`)
  }
  const bytes = Buffer.from(value, 'base64')
  if (bytes.toString('base64') !== value) throw corrupt(`${name} is not canonical base64`)
  if (bytes.byteLength < min || bytes.byteLength > max) {
    throw corrupt(`${name} is ${bytes.byteLength} bytes, expected ${min === max ? min : `${min} to ${max}`}`)
  }
  return bytes
}

/** Why scrypt parameters are outside what any key file may ask for, or undefined. */
function scryptLimitProblem (N: unknown, r: unknown, p: unknown): string | undefined {
  if (!Number.isSafeInteger(N) || (N as number) < 2 || ((N as number) & ((N as number) - 1)) !== 0) return `scrypt N must be a power of two >= 2, got ${String(N)}`
  if (!Number.isSafeInteger(r) || (r as number) < 1) return `scrypt r must be a positive integer, got ${String(r)}`
  if (!Number.isSafeInteger(p) || (p as number) < 1) return `scrypt p must be a positive integer, got ${String(p)}`
  const n = N as number; const rr = r as number; const pp = p as number
  if (n > MAX_SCRYPT.N) return `scrypt N = ${n} is above the limit ${MAX_SCRYPT.N}`
  if (rr > MAX_SCRYPT.r) return `scrypt r = ${rr} is above the limit ${MAX_SCRYPT.r}`
  if (pp > MAX_SCRYPT.p) return `scrypt p = ${pp} is above the limit ${MAX_SCRYPT.p}`
  if (128 * n * rr > MAX_SCRYPT.memory) return `scrypt N·r needs ${128 * n * rr} bytes, above the limit ${MAX_SCRYPT.memory}`
  if (n * rr * pp > MAX_SCRYPT.work) return `scrypt N·r·p = ${n * rr * pp} is above the limit ${MAX_SCRYPT.work}`
  if (Math.log2(n) >= 16 * rr) return `scrypt N = ${n} is too large for r = ${rr} (N must be below 2^(16·r))`
  return undefined
}

/**
 * Checks that `value` is a well-formed key file within our limits. Throws only
 * CorruptObjectError or UnsupportedVersionError. Returns a fresh object with fields in order.
 */
function checkKeyFile (value: unknown): KeyFileJson {
  if (!isPlainObject(value)) throw corrupt(`expected a JSON object, got ${typeOf(value)}`)
  const version = value.version
  if (!Number.isSafeInteger(version) || (version as number) < 1) throw corrupt(`"version" must be a positive integer, got ${JSON.stringify(version)?.slice(0, 40) ?? typeOf(version)}`)
  if (version !== KEY_FILE_VERSION) {
    throw new UnsupportedVersionError(`key file version ${String(version)} is newer than this build understands (${KEY_FILE_VERSION})`, {
      hint: 'upgrade p2pbak on this machine'
    })
  }
  checkFields(value, FIELDS, 'the key file')
  const ownerIssue = ownerProblem(value.owner)
  if (ownerIssue !== undefined) throw corrupt(ownerIssue)
  const created = value.created
  if (typeof created !== 'string' || created.length > 40 || !ISO_UTC.test(created) || Number.isNaN(Date.parse(created))) {
    throw corrupt('"created" is not an ISO 8601 UTC time')
  }
  const kdf = value.kdf
  if (!isPlainObject(kdf)) throw corrupt(`"kdf" must be an object, got ${typeOf(kdf)}`)
  if (typeof kdf.name !== 'string') throw corrupt(`"kdf.name" must be a string, got ${typeOf(kdf.name)}`)
  if (kdf.name !== 'scrypt') {
    throw new UnsupportedVersionError(`key derivation function ${JSON.stringify(kdf.name.slice(0, 40))} is not supported by this build`, {
      hint: 'upgrade p2pbak on this machine'
    })
  }
  checkFields(kdf, KDF_FIELDS, '"kdf"')
  const limit = scryptLimitProblem(kdf.N, kdf.r, kdf.p)
  if (limit !== undefined) throw corrupt(limit)
  base64Field(kdf.salt, '"kdf.salt"', MIN_SALT_LENGTH, MAX_SALT_LENGTH)
  base64Field(value.wrappedKey, '"wrappedKey"', WRAPPED_KEY_LENGTH, WRAPPED_KEY_LENGTH)
  base64Field(value.publicKey, '"publicKey"', PUBLIC_KEY_LENGTH, PUBLIC_KEY_LENGTH)
  return {
    version: KEY_FILE_VERSION,
    owner: value.owner as string,
    created,
    kdf: { name: 'scrypt', N: kdf.N as number, r: kdf.r as number, p: kdf.p as number, salt: kdf.salt as string },
    wrappedKey: value.wrappedKey as string,
    publicKey: value.publicKey as string
  }
}

// ---- encoding ----

/** Pretty-printed UTF-8 JSON with a trailing newline, fields in a fixed order. */
export function encodeKeyFile (kf: KeyFileJson): Uint8Array {
  return Buffer.from(JSON.stringify(checkKeyFile(kf), null, 2) + '\n', 'utf8')
}

/** Parses and strictly validates key file bytes. Throws only CorruptObjectError or UnsupportedVersionError. */
export function decodeKeyFile (bytes: Uint8Array): KeyFileJson {
  try {
    if (!(bytes instanceof Uint8Array)) throw corrupt(`expected bytes, got ${typeOf(bytes)}`)
    if (bytes.byteLength > MAX_KEY_FILE_BYTES) throw corrupt(`${bytes.byteLength} bytes is larger than the ${MAX_KEY_FILE_BYTES}-byte limit`)
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch (err) {
      throw corrupt('not valid UTF-8', err)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      throw corrupt('not valid JSON', err)
    }
    return checkKeyFile(parsed)
  } catch (err) {
    if (err instanceof CorruptObjectError || err instanceof UnsupportedVersionError) throw err
    throw corrupt('unreadable', err) // belt and braces: e.g. a RangeError from pathological input
  }
}

// ---- wrapping ----

function normalizePassphrase (passphrase: unknown, what = 'passphrase'): Buffer {
  if (typeof passphrase !== 'string') throw new InvalidArgumentError(`the ${what} must be a string, got ${typeOf(passphrase)}`)
  const normalized = passphrase.normalize('NFKC')
  if (normalized.length === 0) {
    throw new InvalidArgumentError(`the ${what} is empty`, { hint: 'choose a passphrase of several words that you can remember' })
  }
  return Buffer.from(normalized, 'utf8')
}

function aadOf (owner: string, kdf: ScryptParams): Buffer {
  return Buffer.from(AAD_PREFIX + JSON.stringify([KEY_FILE_VERSION, owner, kdf.name, kdf.N, kdf.r, kdf.p, kdf.salt]), 'utf8')
}

/** What OpenSSL needs for these parameters, plus 1 MiB; at most MAX_SCRYPT.memory + ~1 MiB for parameters within the caps. */
export function scryptMaxmem (N: number, r: number, p: number): number {
  return 128 * r * (N + 2 + p) + 1024 * 1024
}

/** The key-encryption key. Callers have checked the parameters against MAX_SCRYPT. */
function kekOf (passphrase: Buffer, kdf: ScryptParams): Buffer {
  // OpenSSL needs 128·r·(N + 2) bytes for V plus 128·r·p for B; maxmem must cover both.
  const maxmem = scryptMaxmem(kdf.N, kdf.r, kdf.p)
  return scryptSync(passphrase, Buffer.from(kdf.salt, 'base64'), KEY_LENGTH, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem })
}

/** The same in libuv's thread pool, so a daemon or a swarm session keeps answering meanwhile. */
async function kekOfAsync (passphrase: Buffer, kdf: ScryptParams): Promise<Buffer> {
  return await new Promise((resolve, reject) => {
    scrypt(passphrase, Buffer.from(kdf.salt, 'base64'), KEY_LENGTH, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: scryptMaxmem(kdf.N, kdf.r, kdf.p) },
      (err, key) => { if (err !== null) reject(err); else resolve(key) })
  })
}

// Each operation is written once, as a generator that yields the scrypt runs it needs; runSync
// and runAsync drive it with scryptSync or with scrypt in the thread pool.
interface KdfRun { passphrase: Buffer, kdf: ScryptParams }
type Flow<T> = Generator<KdfRun, T, Buffer>

function runSync<T> (flow: Flow<T>): T {
  let step = flow.next()
  while (step.done !== true) {
    let kek: Buffer
    try {
      kek = kekOf(step.value.passphrase, step.value.kdf)
    } catch (err) {
      step = flow.throw(err)
      continue
    }
    step = flow.next(kek)
  }
  return step.value
}

async function runAsync<T> (flow: Flow<T>): Promise<T> {
  let step = flow.next()
  while (step.done !== true) {
    let kek: Buffer
    try {
      kek = await kekOfAsync(step.value.passphrase, step.value.kdf)
    } catch (err) {
      step = flow.throw(err)
      continue
    }
    step = flow.next(kek)
  }
  return step.value
}

/** Fixed parameters (no calibration), or the calibration bounds and target. */
type KdfPlan =
  | { fixed: Omit<ScryptParams, 'salt'> }
  | { fixed?: undefined, fromN: number, targetMs: number }

/** The calibration target: the option, else P2PBAK_KDF_TARGET_MS, else KDF_TARGET_MS. */
function targetMsOf (options: KdfOptions | undefined): number {
  if (options?.targetMs !== undefined) {
    if (!Number.isFinite(options.targetMs) || options.targetMs < 0) throw new InvalidArgumentError(`the KDF target time must be a number of milliseconds >= 0, got ${String(options.targetMs)}`)
    return options.targetMs
  }
  const env = process.env[KDF_TARGET_ENV]
  if (env === undefined || env === '') return KDF_TARGET_MS
  if (!/^\d{1,6}$/.test(env)) {
    throw new InvalidArgumentError(`${KDF_TARGET_ENV}=${JSON.stringify(env.slice(0, 40))} is not a number of milliseconds`, { hint: `unset ${KDF_TARGET_ENV} (it is meant for the test suite)` })
  }
  return Number(env)
}

function kdfPlan (options: KdfOptions | undefined, floorN = MIN_CREATE_SCRYPT.N): KdfPlan {
  if (options?.N === undefined && options?.r === undefined && options?.p === undefined) {
    return { fromN: Math.min(Math.max(floorN, MIN_CREATE_SCRYPT.N), MAX_CREATE_SCRYPT.N), targetMs: targetMsOf(options) }
  }
  const N = options?.N ?? MIN_CREATE_SCRYPT.N
  const r = options?.r ?? MIN_CREATE_SCRYPT.r
  const p = options?.p ?? MIN_CREATE_SCRYPT.p
  const problem = scryptLimitProblem(N, r, p) ??
    (N < MIN_CREATE_SCRYPT.N || r < MIN_CREATE_SCRYPT.r || p < MIN_CREATE_SCRYPT.p
      ? `scrypt N=${N} r=${r} p=${p} is weaker than the minimum N=${MIN_CREATE_SCRYPT.N} r=${MIN_CREATE_SCRYPT.r} p=${MIN_CREATE_SCRYPT.p}`
      : undefined)
  if (problem !== undefined) {
    throw new InvalidArgumentError(`cannot create a key file: ${problem}`, { hint: 'leave the KDF parameters at their defaults' })
  }
  return { fixed: { name: 'scrypt', N, r, p } }
}

/**
 * Derives the KEK for a new wrapping. Calibration runs the real derivation at `fromN` and
 * times it; if doubling N k times still fits the target, it derives again at N·2^k (capped at
 * MAX_CREATE_SCRYPT). The first run is not wasted when it already meets the target.
 */
function * newKek (passphrase: Buffer, plan: KdfPlan): Flow<{ kdf: ScryptParams, kek: Buffer }> {
  const salt = randomBytes(SALT_LENGTH).toString('base64')
  if (plan.fixed !== undefined) {
    const kdf: ScryptParams = { ...plan.fixed, salt }
    return { kdf, kek: yield { passphrase, kdf } }
  }
  const { r, p } = MIN_CREATE_SCRYPT
  const first: ScryptParams = { name: 'scrypt', N: plan.fromN, r, p, salt }
  const started = performance.now()
  const kek = yield { passphrase, kdf: first }
  const elapsed = Math.max(performance.now() - started, 1)
  let N = plan.fromN
  while (N < MAX_CREATE_SCRYPT.N && elapsed * (2 * N / plan.fromN) <= plan.targetMs) N *= 2
  if (N === plan.fromN) return { kdf: first, kek }
  kek.fill(0)
  const kdf: ScryptParams = { ...first, N }
  return { kdf, kek: yield { passphrase, kdf } }
}

function * wrap (owner: string, created: string, master: Uint8Array, passphrase: Buffer, plan: KdfPlan): Flow<KeyFileJson> {
  const { kdf, kek } = yield * newKek(passphrase, plan)
  try {
    return {
      version: KEY_FILE_VERSION,
      owner,
      created,
      kdf,
      wrappedKey: seal(kek, master, aadOf(owner, kdf)).toString('base64'),
      publicKey: Buffer.from(deriveKeys(master).publicKey).toString('base64')
    }
  } finally {
    kek.fill(0)
  }
}

/** A new key file for a new (or the given) master key. */
export function createKeyFile (options: CreateKeyFileOptions): CreatedKeyFile {
  return runSync(createFlow(options))
}

/** createKeyFile with scrypt in the thread pool (for code that must keep its event loop free). */
export async function createKeyFileAsync (options: CreateKeyFileOptions): Promise<CreatedKeyFile> {
  return await runAsync(createFlow(options))
}

function * createFlow (options: CreateKeyFileOptions): Flow<CreatedKeyFile> {
  const ownerIssue = ownerProblem(typeof options.ownerName === 'string' ? options.ownerName.normalize('NFC') : options.ownerName)
  if (ownerIssue !== undefined) {
    throw new InvalidArgumentError(`invalid owner name: ${ownerIssue}`, { hint: 'use a short name such as your login name' })
  }
  const owner = options.ownerName.normalize('NFC')
  const passphrase = normalizePassphrase(options.passphrase)
  const kdf = kdfPlan(options.kdf)
  const created = options.created ?? new Date()
  if (!(created instanceof Date) || Number.isNaN(created.getTime())) throw new InvalidArgumentError('"created" is not a valid date')
  let masterKey: Uint8Array
  if (options.masterKey !== undefined) {
    if (!(options.masterKey instanceof Uint8Array) || options.masterKey.byteLength !== MASTER_KEY_LENGTH) {
      throw new InvalidArgumentError(`a master key must be ${MASTER_KEY_LENGTH} bytes`, { hint: 'pass the key from recoveryKeyToMasterKey() or unwrapKeyFile()' })
    }
    masterKey = new Uint8Array(options.masterKey)
  } else {
    masterKey = generateMasterKey()
  }
  try {
    return { keyFile: yield * wrap(owner, created.toISOString(), masterKey, passphrase, kdf), masterKey }
  } finally {
    passphrase.fill(0)
  }
}

/**
 * The master key, if the passphrase opens the key file. WrongPassphraseError otherwise (which is
 * also what an altered owner name or KDF field looks like: both are bound into the AAD).
 */
export function unwrapKeyFile (kf: KeyFileJson, passphrase: string): Uint8Array {
  return runSync(unwrapFlow(kf, passphrase))
}

/** unwrapKeyFile with scrypt in the thread pool. */
export async function unwrapKeyFileAsync (kf: KeyFileJson, passphrase: string): Promise<Uint8Array> {
  return await runAsync(unwrapFlow(kf, passphrase))
}

function * unwrapFlow (kf: KeyFileJson, passphrase: string): Flow<Uint8Array> {
  const file = checkKeyFile(kf)
  const pw = normalizePassphrase(passphrase)
  let kek: Buffer
  try {
    kek = yield { passphrase: pw, kdf: file.kdf }
  } catch (err) {
    pw.fill(0)
    throw err
  }
  let master: Uint8Array
  try {
    const opened = open(kek, Buffer.from(file.wrappedKey, 'base64'), aadOf(file.owner, file.kdf))
    master = new Uint8Array(opened) // an unshared copy for the caller
    opened.fill(0)
  } catch (err) {
    if (!(err instanceof IntegrityError)) throw err
    throw new WrongPassphraseError(`the passphrase does not open the key file of owner ${JSON.stringify(file.owner)}`, {
      hint: WRONG_PASSPHRASE_HINT
    })
  } finally {
    kek.fill(0)
    pw.fill(0)
  }
  const derived = deriveKeys(master).publicKey
  if (!timingSafeEqual(derived, Buffer.from(file.publicKey, 'base64'))) {
    master.fill(0)
    throw new IntegrityError(`the key file of owner ${JSON.stringify(file.owner)} names a public key that is not its master key's: the file was altered`, [], {
      hint: CORRUPT_HINT
    })
  }
  return master
}

/** The same master key under a new passphrase and a new salt. Changes nothing if `oldPassphrase` is wrong. */
export function rewrapKeyFile (kf: KeyFileJson, oldPassphrase: string, newPassphrase: string, options: RewrapOptions = {}): KeyFileJson {
  return runSync(rewrapFlow(kf, oldPassphrase, newPassphrase, options))
}

/** rewrapKeyFile with scrypt in the thread pool. */
export async function rewrapKeyFileAsync (kf: KeyFileJson, oldPassphrase: string, newPassphrase: string, options: RewrapOptions = {}): Promise<KeyFileJson> {
  return await runAsync(rewrapFlow(kf, oldPassphrase, newPassphrase, options))
}

function * rewrapFlow (kf: KeyFileJson, oldPassphrase: string, newPassphrase: string, options: RewrapOptions): Flow<KeyFileJson> {
  const next = normalizePassphrase(newPassphrase, 'new passphrase')
  const file = checkKeyFile(kf)
  // Recalibrated on this machine, but never cheaper than the file was (if it met the minimum):
  // a file from before the minimum was raised gets today's cost.
  const own = file.kdf
  const kdf = kdfPlan(options.kdf, own.r === MIN_CREATE_SCRYPT.r && own.p === MIN_CREATE_SCRYPT.p ? own.N : MIN_CREATE_SCRYPT.N)
  const master = yield * unwrapFlow(file, oldPassphrase)
  try {
    return yield * wrap(file.owner, file.created, master, next, kdf)
  } finally {
    master.fill(0)
    next.fill(0)
  }
}

// ---- files ----

/**
 * Writes the key file crash-safely with mode 0600. Without `replace`, an existing file is never
 * touched (AlreadyExistsError): the new file is written aside and hard-linked into place, which
 * fails atomically if the name is taken.
 */
export function writeKeyFile (path: string, kf: KeyFileJson, options: WriteKeyFileOptions = {}): void {
  const bytes = encodeKeyFile(kf)
  if (options.replace === true) {
    writeFileAtomic(path, bytes, { mode: 0o600 })
    return
  }
  const aside = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.new`)
  writeFileAtomic(aside, bytes, { mode: 0o600, skipDirSync: true })
  try {
    try {
      linkSync(aside, path)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EEXIST') throw alreadyExists(path)
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw mapFsError(err, path)
      // A file system without hard links: check then rename (not atomic against a racing writer).
      if (exists(path)) throw alreadyExists(path)
      renameSync(aside, path)
    }
  } finally {
    try { unlinkSync(aside) } catch {}
  }
  fsyncDir(dirname(path))
}

function exists (path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

function alreadyExists (path: string): AlreadyExistsError {
  return new AlreadyExistsError(`a key file already exists at ${path}`, {
    hint: 'to change its passphrase, change it in place; to replace it, move the old one away first (without it, its backups need the recovery key)'
  })
}

/** Reads and decodes a key file. NotInitializedError when there is none. */
export function readKeyFile (path: string): KeyFileJson {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotInitializedError(`no key file at ${path}`, {
        hint: 'run `p2pbak init` to create an owner, or `p2pbak restore` to recover one', cause: err
      })
    }
    throw err
  }
  try {
    const size = fstatSync(fd).size
    if (size > MAX_KEY_FILE_BYTES) throw corrupt(`${path} is ${size} bytes, larger than the ${MAX_KEY_FILE_BYTES}-byte limit`)
    return decodeKeyFile(readFileSync(fd))
  } finally {
    closeSync(fd)
  }
}

/**
 * Re-wraps the key file at `path` under a new passphrase and atomically replaces it. A wrong old
 * passphrase throws WrongPassphraseError before anything is written. Returns the new key file.
 */
export function changePassphrase (path: string, oldPassphrase: string, newPassphrase: string, options: RewrapOptions = {}): KeyFileJson {
  const next = rewrapKeyFile(readKeyFile(path), oldPassphrase, newPassphrase, options)
  writeKeyFile(path, next, { replace: true })
  return next
}

/** changePassphrase with scrypt in the thread pool. */
export async function changePassphraseAsync (path: string, oldPassphrase: string, newPassphrase: string, options: RewrapOptions = {}): Promise<KeyFileJson> {
  const next = await rewrapKeyFileAsync(readKeyFile(path), oldPassphrase, newPassphrase, options)
  writeKeyFile(path, next, { replace: true })
  return next
}
