// Where a recovery key comes from: --recovery-key-file FILE, then --recovery-key (asked on the
// terminal, hidden), then P2PBAK_RECOVERY_KEY. Never from a command-line argument: the recovery
// key is the master key, and arguments show in `ps` and stay in shell history.
import { Option } from 'commander'
import { resolve } from 'node:path'
import { InvalidArgumentError, UsageError } from '../daemon/errors.js'
import type { CliIo } from './io.js'
import { promptHidden, readSecretFile } from './passphrase.js'

export const RECOVERY_KEY_ENV = 'P2PBAK_RECOVERY_KEY'

export interface RecoveryKeyOptions {
  /** `--recovery-key`: ask for it on the terminal. Never a value (refused while parsing). */
  recoveryKey?: true
  recoveryKeyFile?: string
}

const SAFE_WAYS = '--recovery-key alone (it is then asked for, without echo), --recovery-key-file FILE, or the environment variable P2PBAK_RECOVERY_KEY'

/**
 * The --recovery-key option. It takes an optional value only so that a value is caught:
 * `--recovery-key "24 words"` stops with a UsageError (exit 2) that does not repeat the words,
 * instead of leaving them to be read as another argument (e.g. as the snapshot).
 */
export function recoveryKeyOption (purpose: string): Option {
  const option = new Option('--recovery-key [value]', `${purpose}the 24-word recovery key, asked for without echo (or ${RECOVERY_KEY_ENV})`)
    .argParser((): never => {
      throw new UsageError('the recovery key must not be given on the command line: other users can see it in `ps`, and your shell history keeps it', {
        hint: `use ${SAFE_WAYS}; if the word after --recovery-key was not the key, put --recovery-key last. If you typed the key on a shared machine, remove it from your shell history`
      })
    })
  option.flags = '--recovery-key' // help shows the flag alone; the optional [value] exists only to be refused
  return option
}

/** --recovery-key-file, with the same wording everywhere. */
export function recoveryKeyFileOption (purpose: string): Option {
  return new Option('--recovery-key-file <file>', `${purpose}read the recovery key from a file (its first line)`)
}

/** The recovery key from file, prompt or environment; undefined if none of them is given. */
export async function readRecoveryKey (io: CliIo, o: { recoveryKey?: unknown, recoveryKeyFile?: string }): Promise<string | undefined> {
  if (o.recoveryKeyFile !== undefined) return readSecretFile(resolve(io.cwd, o.recoveryKeyFile))
  if (o.recoveryKey !== undefined) {
    if (io.stdin.isTTY !== true) {
      throw new InvalidArgumentError('--recovery-key asks for the key on a terminal, and there is none', {
        hint: `use --recovery-key-file FILE or set ${RECOVERY_KEY_ENV}`
      })
    }
    return await promptHidden(io, 'recovery key (24 words): ')
  }
  const fromEnv = io.env[RECOVERY_KEY_ENV]
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv
}
