// The office's swarm key: 32 random bytes shared by every machine of one swarm, stored in the
// libp2p pnet / IPFS "swarm.key" text format so familiar tooling can make and read it. We do not
// run pnet (docs/admission.md): the key only derives the noise prologue that admits peers.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import {
  closeSync, constants, fsyncSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { AlreadyExistsError, NotInitializedError, P2pbakError } from '../errors.js'
import { fsyncDir, mapFsError } from '../fs/atomic.js'

/** Length of a swarm key in bytes (256 bits). */
export const SWARM_KEY_LENGTH = 32

/** First line of the file: the pnet PSK v1 codec. */
export const SWARM_KEY_HEADER = '/key/swarm/psk/1.0.0/'

/** Second line: the only encoding we write or read. */
export const SWARM_KEY_ENCODING = '/base16/'

/** Conventional file name (as in IPFS/kubo). */
export const SWARM_KEY_FILE_NAME = 'swarm.key'

/** Domain separators: change the version suffix to make a new, incompatible admission scheme. */
const PROLOGUE_LABEL = 'p2pbak-noise-prologue-v1'
const FINGERPRINT_LABEL = 'p2pbak-swarm-id'

/** A swarm key text that does not follow the format. */
export class InvalidSwarmKeyError extends P2pbakError {
  override name = 'InvalidSwarmKeyError'
}

/** A secret file that other users of the machine can read or write. */
export class InsecureKeyFileError extends P2pbakError {
  override name = 'InsecureKeyFileError'
  constructor (readonly path: string, readonly mode: number) {
    super(`${path} is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); refusing to use a secret key that other users can read`, {
      hint: `run: chmod 600 ${path}`
    })
  }
}

/** 32 fresh random bytes. */
export function generateSwarmKey (): Uint8Array {
  return new Uint8Array(randomBytes(SWARM_KEY_LENGTH))
}

/** The file text: header, encoding, 64 lower-case hex digits, each line ending in "\n". */
export function encodeSwarmKey (key: Uint8Array): string {
  checkKeyLength(key)
  return `${SWARM_KEY_HEADER}\n${SWARM_KEY_ENCODING}\n${Buffer.from(key).toString('hex')}\n`
}

const FIX = 'copy the swarm.key of your office again, or create a new swarm with `p2pbak swarm init`'

/**
 * Parses the file text strictly: exactly the three lines of the format (CRLF line ends and a
 * missing final newline are tolerated, as editors produce them); anything else is
 * InvalidSwarmKeyError naming what is wrong.
 */
export function decodeSwarmKey (text: string): Uint8Array {
  const lines = text.split('\n').map(l => l.endsWith('\r') ? l.slice(0, -1) : l)
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  if (lines[0] !== SWARM_KEY_HEADER) {
    throw new InvalidSwarmKeyError(`not a swarm key: the first line must be "${SWARM_KEY_HEADER}", found "${truncate(lines[0] ?? '')}"`, { hint: FIX })
  }
  if (lines[1] !== SWARM_KEY_ENCODING) {
    const found = lines[1] ?? ''
    const hint = found === '/base64/' || found === '/bin/'
      ? `this swarm key uses the ${found} encoding; p2pbak reads only ${SWARM_KEY_ENCODING}: convert the key to 64 hex digits, or ${FIX}`
      : FIX
    throw new InvalidSwarmKeyError(`unsupported swarm key encoding "${truncate(found)}" on line 2: expected "${SWARM_KEY_ENCODING}"`, { hint })
  }
  const hex = lines[2] ?? ''
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new InvalidSwarmKeyError(`the swarm key on line 3 must be exactly 64 hex digits (32 bytes), found ${hex.length} characters${/[^0-9a-fA-F]/.test(hex) ? ' including non-hex ones' : ''}`, { hint: FIX })
  }
  if (lines.length > 3) {
    throw new InvalidSwarmKeyError(`unexpected text after the key on line 4 of the swarm key (${lines.length} lines, expected 3)`, { hint: 'remove everything after the third line' })
  }
  const key = new Uint8Array(Buffer.from(hex, 'hex'))
  if (key.every(b => b === 0)) {
    throw new InvalidSwarmKeyError('the swarm key is all zeros: it is a placeholder, not a random key', { hint: FIX })
  }
  return key
}

/**
 * Writes a new swarm key file (mode 0600) and returns the key. Refuses to replace an existing
 * file (AlreadyExistsError): replacing the key would cut this machine off its swarm. Crash-safe:
 * a crash leaves either no file or the complete one.
 */
export function writeSwarmKeyFile (path: string, key: Uint8Array = generateSwarmKey()): Uint8Array {
  const text = encodeSwarmKey(key)
  try {
    writeNewFileAtomic(path, text)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new AlreadyExistsError(`a swarm key already exists at ${path}; refusing to overwrite it`, {
        hint: 'keep using it, or move it away first if you really mean to start a new swarm', cause: err
      })
    }
    throw err
  }
  return key
}

/**
 * Reads and checks a swarm key file: NotInitializedError when missing, InsecureKeyFileError when
 * group or others may access it, InvalidSwarmKeyError when malformed.
 */
export function readSwarmKeyFile (path: string): Uint8Array {
  const text = readPrivateFile(path, `no swarm key at ${path}`, `copy your office's swarm.key to ${path} (mode 600), or create a new swarm with \`p2pbak swarm init\``)
  try {
    return decodeSwarmKey(text.toString('utf8'))
  } catch (err) {
    if (err instanceof InvalidSwarmKeyError) {
      throw new InvalidSwarmKeyError(`${path}: ${err.message}`, { hint: err.hint, cause: err })
    }
    throw err
  }
}

/** A short non-secret ID of the swarm for logs and status: 8 hex of SHA-256("p2pbak-swarm-id" ‖ key). */
export function swarmFingerprint (key: Uint8Array): string {
  checkKeyLength(key)
  return createHash('sha256').update(FINGERPRINT_LABEL).update(key).digest('hex').slice(0, 8)
}

/**
 * The noise prologue that admits peers: HMAC-SHA256(swarmKey, "p2pbak-noise-prologue-v1"). Both
 * sides mix it into the handshake hash, so a handshake between different keys fails.
 */
export function swarmPrologue (key: Uint8Array): Uint8Array {
  checkKeyLength(key)
  return new Uint8Array(createHmac('sha256', key).update(PROLOGUE_LABEL).digest())
}

// ---- private files, shared with node-key.ts ----

/**
 * Reads a secret file after checking that only its owner may access it. ENOENT becomes
 * NotInitializedError with the given message and hint.
 */
export function readPrivateFile (path: string, missing: string, missingHint: string): Buffer {
  let mode: number
  try {
    mode = statSync(path).mode
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotInitializedError(missing, { hint: missingHint, cause: err })
    throw err
  }
  if ((mode & 0o077) !== 0) throw new InsecureKeyFileError(path, mode)
  return readFileSync(path)
}

/**
 * Creates `path` with `data` (mode 0600) only if it does not exist, crash-safely: the data goes to
 * a fsynced temporary file that is then hard-linked to `path` (link fails with EEXIST rather than
 * replace, unlike rename), then the directory is fsynced. Throws an ErrnoException with code
 * EEXIST when the file exists.
 */
export function writeNewFileAtomic (path: string, data: Uint8Array | string): void {
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  let fd: number | undefined
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
    let off = 0
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    linkSync(tmp, path)
  } catch (err) {
    throw mapFsError(err, path)
  } finally {
    if (fd !== undefined) { try { closeSync(fd) } catch {} }
    try { unlinkSync(tmp) } catch {}
  }
  fsyncDir(dir)
}

function checkKeyLength (key: Uint8Array): void {
  if (key.byteLength !== SWARM_KEY_LENGTH) {
    throw new InvalidSwarmKeyError(`a swarm key is ${SWARM_KEY_LENGTH} bytes, got ${key.byteLength}`, { hint: FIX })
  }
}

function truncate (s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s
}
