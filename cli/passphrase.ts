// Where a passphrase comes from: --password-file, then P2PBAK_PASSWORD, then a hidden prompt on
// a terminal. Never from a command-line argument (it would show in `ps`).
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { InvalidArgumentError } from '../daemon/errors.js'
import type { CliIo } from './io.js'

/** First line of a secret file, without the line ending. */
export function readSecretFile (path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${path}: ${(err as Error).message}`, { hint: 'check the file name and its permissions' })
  }
  return text.replace(/\r?\n[\s\S]*$/, '')
}

export async function readPassphrase (io: CliIo, file: string | undefined, envName = 'P2PBAK_PASSWORD', prompt = 'passphrase: '): Promise<string> {
  if (file !== undefined) return readSecretFile(file)
  const fromEnv = io.env[envName]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (io.stdin.isTTY !== true) {
    throw new InvalidArgumentError('no passphrase given', { hint: `use --password-file FILE or set ${envName}` })
  }
  return await promptHidden(io, prompt)
}

/**
 * A new passphrase: from file/env as is, or typed twice on a terminal. Refused with
 * WeakPassphraseError when empty or too easy to guess (checked before the second prompt);
 * `userInputs` (the owner name) count as known words.
 */
export async function readNewPassphrase (io: CliIo, file: string | undefined, envName = 'P2PBAK_PASSWORD', userInputs: string[] = []): Promise<string> {
  const { checkNewPassphrase } = await import('../daemon/passphrase-strength.js')
  if (file !== undefined || (io.env[envName] ?? '') !== '' || io.stdin.isTTY !== true) {
    const given = await readPassphrase(io, file, envName)
    await checkNewPassphrase(given, userInputs)
    return given
  }
  const a = await promptHidden(io, 'new passphrase: ')
  await checkNewPassphrase(a, userInputs)
  const b = await promptHidden(io, 'repeat it: ')
  if (a !== b) throw new InvalidArgumentError('the two passphrases differ', { hint: 'type the same passphrase twice' })
  return a
}

/** Reads one line from the terminal without echo. */
export async function promptHidden (io: CliIo, prompt: string): Promise<string> {
  io.stderr.write(prompt)
  // terminal: true puts the TTY in raw mode (no kernel echo); readline's own echo goes nowhere.
  const muted = new Writable({ write: (_chunk, _enc, cb) => { cb() } })
  const rl = createInterface({ input: io.stdin, output: muted, terminal: true })
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve))
  } finally {
    rl.close()
    io.stderr.write('\n')
  }
}
