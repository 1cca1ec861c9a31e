// An owner's repository session: the key file, the state directory (state DB, lock) and the
// Repository over a Backend. `initOwner` creates an owner; `openOwner` opens one with a passphrase
// or the recovery key, from the local key file or, on a fresh machine, from the key record that
// `init` stored in the backend under the owner's name.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  createKeyFileAsync, decodeKeyFile, deriveKeys, encodeKeyFile, masterKeyToRecoveryKey, readKeyFile,
  recoveryKeyToMasterKey, unwrapKeyFileAsync, writeKeyFile
} from './crypto/index.js'
import type { KdfOptions, KeyFileJson, OwnerKeys } from './crypto/index.js'
import { AlreadyExistsError, CorruptObjectError, InvalidArgumentError, IntegrityError, NotInitializedError } from './errors.js'
import { readPrivateFile, writeNewFileAtomic } from './swarm/swarm-key.js'
import { lockStateDir, secureStateDir } from './fs/state-dir.js'
import { Repository } from './repository/repository.js'
import type { RepositoryOptions } from './repository/repository.js'
import { StateDb } from './repository/state-db.js'
import type { Backend } from './store/types.js'

/** The owner's files live in this sub-folder of the daemon's state directory (keyfile.json, owner.key, state.db, placements.db). */
export const OWNER_DIR_NAME = 'owner'
export const KEY_FILE_NAME = 'keyfile.json'
export const STATE_DB_NAME = 'state.db'
export { LOCK_FILE_NAME } from './fs/state-dir.js'
/**
 * The unattended key: the master key itself, mode 0600, so the daemon can back up after a reboot
 * without anyone typing the passphrase (docs/keys.md §unattended). The passphrase protects the copy
 * stored in the swarm; this file is protected like an SSH private key.
 */
export const UNATTENDED_KEY_FILE_NAME = 'owner.key'
const UNATTENDED_KEY_PREFIX = 'p2pbak-master-key-v1:'

export function writeUnattendedKey (stateDir: string, masterKey: Uint8Array): void {
  writeNewFileAtomic(join(stateDir, UNATTENDED_KEY_FILE_NAME), UNATTENDED_KEY_PREFIX + Buffer.from(masterKey).toString('base64') + '\n')
}

/** The unattended master key, or undefined when the state directory has none. */
export function readUnattendedKey (stateDir: string): Uint8Array | undefined {
  const path = join(stateDir, UNATTENDED_KEY_FILE_NAME)
  if (!existsSync(path)) return undefined
  const text = readPrivateFile(path, `no unattended key at ${path}`, '').toString('utf8').trim()
  const key = text.startsWith(UNATTENDED_KEY_PREFIX) ? Buffer.from(text.slice(UNATTENDED_KEY_PREFIX.length), 'base64') : undefined
  if (key?.byteLength !== 32) {
    throw new CorruptObjectError(`${path} is not a p2pbak master key`, { hint: 'put back a good copy from a backup of the state directory; your data is safe and can always be restored with the passphrase or recovery key' })
  }
  return key
}

/** Record key of an owner's wrapped master key: "key-" + hex(SHA-256(name))[0..40]. */
export function keyRecordKey (ownerName: string): string {
  return 'key-' + createHash('sha256').update(ownerName, 'utf8').digest('hex').slice(0, 40)
}

export interface InitOwnerOptions {
  stateDir: string
  /** Where the key record goes (and where the name is checked); without it, only the local files are written. */
  backend?: Backend
  ownerName: string
  passphrase: string
  kdf?: KdfOptions
  /** Also write the unattended key (the daemon's way to open the owner). Default false. */
  unattended?: boolean
}

export interface InitOwnerResult {
  ownerId: string
  /** The 24-word recovery key: shown once, never stored. */
  recoveryKey: string
}

export async function initOwner (options: InitOwnerOptions): Promise<InitOwnerResult> {
  const unlock = lockStateDir(options.stateDir)
  try {
    return await initLockedOwner(options)
  } finally {
    unlock()
  }
}

async function initLockedOwner (options: InitOwnerOptions): Promise<InitOwnerResult> {
  const keyPath = join(options.stateDir, KEY_FILE_NAME)
  if (existsSync(keyPath)) {
    throw new AlreadyExistsError(`${options.stateDir} already holds an owner`, { hint: 'use another state directory, or keep using this owner' })
  }
  const recordKey = keyRecordKey(options.ownerName)
  if (options.backend !== undefined && await options.backend.getRecord(recordKey) !== undefined) {
    throw new AlreadyExistsError(`the owner name "${options.ownerName}" is already taken in this repository`, {
      hint: 'choose another name, or restore that owner with its passphrase or recovery key'
    })
  }
  const { keyFile, masterKey } = await createKeyFileAsync({ ownerName: options.ownerName, passphrase: options.passphrase, kdf: options.kdf })
  // Repository first: if the local write fails, a retry finds the name taken by itself only via the
  // record, so write the local copy first and the shared record second.
  writeKeyFile(keyPath, keyFile)
  if (options.unattended === true) writeUnattendedKey(options.stateDir, masterKey)
  await options.backend?.putRecord(recordKey, encodeKeyFile(keyFile))
  const keys = deriveKeys(masterKey)
  return { ownerId: keys.ownerId, recoveryKey: masterKeyToRecoveryKey(masterKey) }
}

export interface OpenOwnerOptions {
  stateDir: string
  backend: Backend
  /** One of passphrase, recoveryKey or masterKey (the unattended key). */
  passphrase?: string
  recoveryKey?: string
  masterKey?: Uint8Array
  /** Needed on a fresh state directory with a passphrase: finds the key record by name. */
  ownerName?: string
  repository?: RepositoryOptions
}

export interface Owner {
  name: string
  keys: OwnerKeys
  /** The key file (wrapped master key) this owner was opened with, when there is one. */
  keyFile: KeyFileJson | undefined
  repo: Repository
  close: () => Promise<void>
}

export async function openOwner (options: OpenOwnerOptions): Promise<Owner> {
  if ([options.passphrase, options.recoveryKey, options.masterKey].filter(x => x !== undefined).length !== 1) {
    throw new InvalidArgumentError('give either a passphrase or a recovery key', { hint: 'use --password-file (or P2PBAK_PASSWORD), or --recovery-key' })
  }
  secureStateDir(options.stateDir)
  const keyFile = await findKeyFile(options)
  let master: Uint8Array
  if (options.masterKey !== undefined) {
    master = options.masterKey
  } else if (options.recoveryKey !== undefined) {
    master = recoveryKeyToMasterKey(options.recoveryKey)
  } else {
    if (keyFile === undefined) {
      throw new NotInitializedError(options.ownerName === undefined
        ? `no owner in ${options.stateDir}`
        : `no owner named "${options.ownerName}" in this repository`, {
        hint: options.ownerName === undefined ? 'run `p2pbak init`, or give --owner NAME to restore an existing owner' : 'check the spelling of the owner name, or use --recovery-key'
      })
    }
    master = await unwrapKeyFileAsync(keyFile, options.passphrase!)
  }
  const keys = deriveKeys(master)
  if (keyFile !== undefined && Buffer.from(keyFile.publicKey, 'base64').toString('hex') !== Buffer.from(keys.publicKey).toString('hex')) {
    throw new IntegrityError('the recovery key belongs to another owner than this state directory', [], { hint: 'use a fresh state directory to restore that owner' })
  }
  const unlock = lockStateDir(options.stateDir)
  let state: StateDb | undefined
  try {
    const dbPath = join(options.stateDir, STATE_DB_NAME)
    state = new StateDb(dbPath)
    const repo = new Repository(options.backend, keys, state, options.repository)
    // A state DB that has never seen this repository rebuilds its index from the stored indexes.
    if (state.getMeta('synced') === undefined) {
      await repo.syncIndex()
      state.putMeta('synced', 1)
    }
    const s = state
    return {
      name: keyFile?.owner ?? '',
      keys,
      keyFile,
      repo,
      close: async () => {
        await repo.close()
        s.close()
        unlock()
      }
    }
  } catch (err) {
    state?.close()
    unlock()
    throw err
  }
}

async function findKeyFile (options: OpenOwnerOptions): Promise<KeyFileJson | undefined> {
  const keyPath = join(options.stateDir, KEY_FILE_NAME)
  if (existsSync(keyPath)) return readKeyFile(keyPath)
  if (options.ownerName === undefined) return undefined
  const bytes = await options.backend.getRecord(keyRecordKey(options.ownerName))
  return bytes === undefined ? undefined : decodeKeyFile(bytes)
}

/** One process per state directory: an flock the kernel releases when the process ends (daemon/fs/state-dir.ts). */
export { lockStateDir } from './fs/state-dir.js'
