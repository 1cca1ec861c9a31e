// Named errors. `.name` is the stable code that the CLI maps to an exit code and the control API
// returns; `.message` says what is wrong and `.hint` what to do next (STYLE.md §10–11).

export interface ErrorDetails {
  /** What the user should do next. */
  hint?: string
  cause?: unknown
}

export class P2pbakError extends Error {
  override name = 'P2pbakError'
  readonly hint: string | undefined

  constructor (message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.hint = details.hint
  }
}

/** The passphrase does not open the key file. Nothing was changed. */
export class WrongPassphraseError extends P2pbakError {
  override name = 'WrongPassphraseError'
}

/** A recovery key that is not 24 known words with a valid checksum. */
export class InvalidRecoveryKeyError extends P2pbakError {
  override name = 'InvalidRecoveryKeyError'
}

/** A caller passed a value that cannot be used (bad option, bad ID, bad range). */
export class InvalidArgumentError extends P2pbakError {
  override name = 'InvalidArgumentError'
}

/** Refusing to overwrite something that exists (a repository, a key file, an owner name). */
export class AlreadyExistsError extends P2pbakError {
  override name = 'AlreadyExistsError'
}

/** A repository, key file or state directory that is not there. */
export class NotInitializedError extends P2pbakError {
  override name = 'NotInitializedError'
}

/** An object (pack, record) that the store does not have. */
export class ObjectNotFoundError extends P2pbakError {
  override name = 'ObjectNotFoundError'
  constructor (readonly id: string, details: ErrorDetails = {}) {
    super(`object ${id} not found`, details)
  }
}

/** Bytes that do not match their ID, hash or MAC: tampering, bit rot or a lying peer. */
export class IntegrityError extends P2pbakError {
  override name = 'IntegrityError'
  constructor (message: string, readonly ids: string[] = [], details: ErrorDetails = {}) {
    super(message, details)
  }
}

/** A structure that does not decode: wrong magic, bad length, unknown version, malformed protobuf. */
export class CorruptObjectError extends P2pbakError {
  override name = 'CorruptObjectError'
}

/** A format or record version this build does not understand. */
export class UnsupportedVersionError extends P2pbakError {
  override name = 'UnsupportedVersionError'
}

/** The disk (or quota) is full. Nothing half-written is left behind. */
export class NoSpaceError extends P2pbakError {
  override name = 'NoSpaceError'
}

/**
 * A full disk, however it surfaced: a NoSpaceError, ENOSPC/EDQUOT from the file system, or
 * SQLITE_FULL from a database (better-sqlite3's SqliteError carries the SQLite code in `code`);
 * also when it is the `cause` of another error. Returns the NoSpaceError to report, or undefined
 * for any other error. The CLI, the control API and the holder's put answer all go through this,
 * so a full disk is exit 13 / `NoSpaceError` / `NO_SPACE` wherever it happens.
 */
export function noSpaceError (err: unknown): NoSpaceError | undefined {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof NoSpaceError) return e
    const code = (e as { code?: unknown }).code
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      const path = (e as { path?: unknown }).path
      return new NoSpaceError(`no space left on the device${typeof path === 'string' ? ` holding ${path}` : ''}`, {
        hint: 'free some space or lower the storage quota, then try again', cause: err
      })
    }
    if (typeof code === 'string' && code.startsWith('SQLITE_FULL')) {
      return new NoSpaceError('no space left on the device holding a p2pbak database (SQLITE_FULL)', {
        hint: 'free some space on the disk of the state directory, then try again', cause: err
      })
    }
  }
  return undefined
}

/** A snapshot entry whose name would escape the restore target (`..`, `/`, NUL, empty). */
export class UnsafePathError extends P2pbakError {
  override name = 'UnsafePathError'
}

/** A snapshot ID or prefix that matches nothing, or more than one snapshot. */
export class SnapshotNotFoundError extends P2pbakError {
  override name = 'SnapshotNotFoundError'
}

/** Restore could not produce some files correctly; lists them. Everything else was restored. */
export class RestoreIncompleteError extends P2pbakError {
  override name = 'RestoreIncompleteError'
  constructor (message: string, readonly failures: Array<{ path: string, reason: string }>, details: ErrorDetails = {}) {
    super(message, details)
  }
}

/** Another process holds the repository's exclusive lock. */
export class LockedError extends P2pbakError {
  override name = 'LockedError'
}

/** A backup made a snapshot of what exists, but some of the requested paths were missing or unreadable. */
export class IncompleteSnapshotError extends P2pbakError {
  override name = 'IncompleteSnapshotError'
  constructor (message: string, readonly snapshotId: string, readonly skipped: Array<{ path: string, reason: string }>, details: ErrorDetails = {}) {
    super(message, details)
  }
}

/** None of the paths to back up exists or is readable: no snapshot was made. */
export class SourceNotFoundError extends P2pbakError {
  override name = 'SourceNotFoundError'
}

/** A path, `--include` pattern or filter that matches nothing in the snapshot. */
export class NothingMatchedError extends P2pbakError {
  override name = 'NothingMatchedError'
}

/** The state directory is readable by others and could not be made private. */
export class InsecureStateDirError extends P2pbakError {
  override name = 'InsecureStateDirError'
}

/** A new passphrase that is empty or that a strength estimator scores as trivially guessable. */
export class WeakPassphraseError extends P2pbakError {
  override name = 'WeakPassphraseError'
}

/** A command line that cannot be accepted as written (exit code 2, like commander's own errors). */
export class UsageError extends P2pbakError {
  override name = 'UsageError'
}

export function isP2pbakError (err: unknown): err is P2pbakError {
  return err instanceof P2pbakError
}
