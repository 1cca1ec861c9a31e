// One table maps error names to exit codes and hints (STYLE.md §11). Listed in `p2pbak --help`
// and tested; the codes are stable: scripts may rely on them.

export interface ExitCode { code: number, name: string, meaning: string }

export const EXIT_OK = 0
export const EXIT_INTERNAL = 1

export const EXIT_CODES: ExitCode[] = [
  { code: 0, name: 'ok', meaning: 'success' },
  { code: 1, name: 'InternalError', meaning: 'a bug: please report it with the output of DEBUG=p2pbak:*' },
  { code: 2, name: 'UsageError', meaning: 'bad command line or arguments' },
  { code: 3, name: 'ConfigError', meaning: 'the configuration is invalid' },
  { code: 4, name: 'NotInitializedError', meaning: 'no owner or repository here yet' },
  { code: 5, name: 'AlreadyExistsError', meaning: 'refusing to overwrite an existing owner or repository' },
  { code: 6, name: 'WrongPassphraseError', meaning: 'the passphrase does not open the key' },
  { code: 7, name: 'InvalidRecoveryKeyError', meaning: 'the recovery key is not valid' },
  { code: 8, name: 'LockedError', meaning: 'another process is using the state directory' },
  { code: 9, name: 'SnapshotNotFoundError', meaning: 'no such snapshot' },
  { code: 10, name: 'RestoreIncompleteError', meaning: 'some files could not be restored exactly (listed)' },
  { code: 11, name: 'CheckFailedError', meaning: 'the check found problems (listed)' },
  { code: 12, name: 'IntegrityError', meaning: 'data failed verification (tampering or bit rot)' },
  { code: 13, name: 'NoSpaceError', meaning: 'the disk is full' },
  { code: 14, name: 'InvalidArgumentError', meaning: 'a value given cannot be used' },
  { code: 15, name: 'ObjectNotFoundError', meaning: 'a needed object is missing from the repository' },
  { code: 16, name: 'CorruptObjectError', meaning: 'a stored structure is damaged' },
  { code: 17, name: 'UnsupportedVersionError', meaning: 'made by a newer p2pbak: upgrade' },
  { code: 18, name: 'UnsafePathError', meaning: 'a snapshot holds a path that would escape the target' },
  { code: 19, name: 'NoHolderError', meaning: 'no peer could store the data (none online, or all full)' },
  { code: 20, name: 'InvalidSwarmKeyError', meaning: 'the swarm key file is malformed' },
  { code: 21, name: 'InsecureKeyFileError', meaning: 'a key file is readable by others: chmod 600 it' },
  { code: 22, name: 'DaemonNotRunningError', meaning: 'no daemon answers on the control socket: start `p2pbak daemon`' },
  { code: 23, name: 'ShuttingDown', meaning: 'the daemon is stopping; the operation was stopped at a safe point' },
  { code: 24, name: 'IncompleteSnapshotError', meaning: 'a snapshot was made, but some paths were missing or unreadable (listed)' },
  { code: 25, name: 'StatusWarning', meaning: '`status --check`: the data is safe but something needs attention (listed)' },
  { code: 26, name: 'StatusError', meaning: '`status --check`: some data is not safe (listed)' },
  { code: 27, name: 'SourceNotFoundError', meaning: 'none of the paths to back up exists or is readable; no snapshot was made' },
  { code: 28, name: 'NothingMatchedError', meaning: 'a path or --include pattern matches nothing in the snapshot' },
  { code: 29, name: 'InsecureStateDirError', meaning: 'the state directory is open to others and could not be made private (chmod 700 it)' },
  { code: 30, name: 'WeakPassphraseError', meaning: 'the new passphrase is empty or too easy to guess' },
  { code: 130, name: 'Interrupted', meaning: 'stopped by Ctrl-C / SIGTERM' }
]

const byName = new Map(EXIT_CODES.map(e => [e.name, e.code]))

export function exitCodeFor (name: string): number {
  return byName.get(name) ?? EXIT_INTERNAL
}

export function exitCodeTable (): string {
  return EXIT_CODES.map(e => `  ${String(e.code).padStart(3)}  ${e.name.padEnd(24)} ${e.meaning}`).join('\n')
}

/**
 * Ends a command with an exit code and nothing more to say: its answer is printed already
 * (`status --check`: exit 25 or 26 after the status itself). Not an error message.
 */
export class ExitCodeOnly extends Error {
  override name = 'ExitCodeOnly'
  constructor (readonly code: number) {
    super(`exit ${code}`)
  }
}
