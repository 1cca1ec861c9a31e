// Secrets on the command line: the recovery key comes from a file, the environment or a hidden
// prompt, never from an argument; a new passphrase is refused when empty or easy to guess, on a
// terminal before it is asked a second time. The terminal is a fake TTY stream.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { exitCodeFor } from '../../../cli/exit-codes.js'
import type { CliIo } from '../../../cli/io.js'
import { createCli } from '../../../cli/main.js'
import { readNewPassphrase } from '../../../cli/passphrase.js'
import { readRecoveryKey } from '../../../cli/recovery-key.js'
import { checkNewPassphrase, MIN_PASSPHRASE_SCORE } from '../../../daemon/passphrase-strength.js'
import { InvalidArgumentError, UsageError, WeakPassphraseError } from '../../../daemon/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'p2pbak-secrets-'))
afterAll(() => { if (process.env.P2PBAK_KEEP_TEST_STATE !== '1') rmSync(dir, { recursive: true, force: true }) })

const WORDS = 'abandon amount liar amount expire adjust cage candy arch gather drum bullet absurd math era live bid rhythm alien crouch range attend journey unaware'

/** A fake terminal: `typed` lines are answered one per prompt written to stderr. */
function fakeIo (o: { tty: boolean, typed?: string[], env?: NodeJS.ProcessEnv }): { io: CliIo, err: () => string, out: () => string } {
  let err = ''
  let out = ''
  const stdin = Object.assign(new PassThrough(), { isTTY: o.tty })
  const typed = [...(o.typed ?? [])]
  const io: CliIo = {
    stdout: { write: (s: string) => { out += s; return true } },
    stderr: {
      write: (s: string) => {
        err += s
        // Answer a prompt as a person would: after it is shown.
        if (s.endsWith(': ') && typed.length > 0) { const line = typed.shift()!; setImmediate(() => stdin.write(`${line}\r`)) }
        return true
      }
    },
    stdin,
    env: o.env ?? {},
    cwd: dir
  }
  return { io, err: () => err, out: () => out }
}

async function thrown (p: Promise<unknown>): Promise<unknown> {
  try { await p } catch (e) { return e }
  throw new Error('expected a rejection')
}

describe('the recovery key', () => {
  it('--recovery-key alone asks for it on the terminal without echo', async () => {
    const { io, err, out } = fakeIo({ tty: true, typed: [WORDS] })
    expect(await readRecoveryKey(io, { recoveryKey: true })).toBe(WORDS)
    expect(err()).toContain('recovery key (24 words): ')
    expect(err()).not.toContain('abandon')
    expect(out()).toBe('')
  })

  it('--recovery-key without a terminal says how else to give it', async () => {
    const e = await thrown(readRecoveryKey(fakeIo({ tty: false }).io, { recoveryKey: true }))
    expect(e).toBeInstanceOf(InvalidArgumentError)
    expect((e as InvalidArgumentError).hint).toMatch(/--recovery-key-file.*P2PBAK_RECOVERY_KEY/)
  })

  it('comes from --recovery-key-file first, then P2PBAK_RECOVERY_KEY; none: undefined', async () => {
    const file = join(dir, 'rk')
    writeFileSync(file, `${WORDS}\n`)
    const env = { P2PBAK_RECOVERY_KEY: 'from env' }
    expect(await readRecoveryKey(fakeIo({ tty: false, env }).io, { recoveryKeyFile: 'rk' })).toBe(WORDS)
    expect(await readRecoveryKey(fakeIo({ tty: false, env }).io, {})).toBe('from env')
    expect(await readRecoveryKey(fakeIo({ tty: false, env: { P2PBAK_RECOVERY_KEY: '' } }).io, {})).toBeUndefined()
  })

  it.each([
    ['restore (fresh machine)', ['restore', 'latest', '--target', 't', '--recovery-key', WORDS]],
    ['restore, --recovery-key=…', ['restore', `--recovery-key=${WORDS}`, '--target', 't']],
    ['init --adopt', ['init', '--adopt', '--owner', 'alice', '--recovery-key', WORDS]],
    ['local restore', ['local', 'restore', 'latest', '-t', 't', '-r', 'repo', '--recovery-key', WORDS]]
  ])('%s: a key given as an argument is a usage error (exit 2) that names the safe ways and does not repeat it', async (_, argv) => {
    const { io, err, out } = fakeIo({ tty: false })
    const code = await createCli(io).run(argv)
    expect(code).toBe(exitCodeFor('UsageError'))
    expect(code).toBe(2)
    expect(err()).toMatch(/must not be given on the command line.*`ps`/)
    expect(err()).toMatch(/hint: .*--recovery-key alone.*--recovery-key-file FILE.*P2PBAK_RECOVERY_KEY/)
    expect(err() + out()).not.toContain('abandon')
    expect(new UsageError('x').name).toBe('UsageError')
  })
})

describe('a new passphrase', () => {
  it('refuses score < 3 (e.g. a common password, the owner name) and accepts several uncommon words', async () => {
    expect(MIN_PASSPHRASE_SCORE).toBe(3)
    for (const weak of ['password', 'alice2024', 'alice-laptop', 'qwertyuiop123', 'p2pbak']) {
      const e = await thrown(checkNewPassphrase(weak, ['alice-laptop']))
      expect(e, weak).toBeInstanceOf(WeakPassphraseError)
      expect((e as WeakPassphraseError).message).toMatch(/too easy to guess \(strength \d of 4, at least 3 is needed\)/)
      expect((e as WeakPassphraseError).hint).toMatch(/four or more words/)
    }
    await checkNewPassphrase('lamp orbit velvet cactus', ['alice-laptop'])
  })

  it('refuses an empty one with a plain message (not a schema error)', async () => {
    for (const empty of ['', '   ', '\u3000']) {
      const e = await thrown(checkNewPassphrase(empty))
      expect(e).toBeInstanceOf(WeakPassphraseError)
      expect((e as WeakPassphraseError).message).toBe('the new passphrase is empty')
    }
  })

  it('from a file: an empty file is WeakPassphraseError', async () => {
    const file = join(dir, 'empty')
    writeFileSync(file, '\n')
    expect(await thrown(readNewPassphrase(fakeIo({ tty: false }).io, file))).toBeInstanceOf(WeakPassphraseError)
  })

  it('on a terminal: a weak one is refused before it is asked a second time', async () => {
    const { io, err } = fakeIo({ tty: true, typed: ['password1', 'password1'] })
    expect(await thrown(readNewPassphrase(io, undefined))).toBeInstanceOf(WeakPassphraseError)
    expect(err()).toContain('new passphrase: ')
    expect(err()).not.toContain('repeat it')
  })

  it('on a terminal: a strong one typed twice is returned', async () => {
    const { io, err } = fakeIo({ tty: true, typed: ['lamp orbit velvet cactus', 'lamp orbit velvet cactus'] })
    expect(await readNewPassphrase(io, undefined)).toBe('lamp orbit velvet cactus')
    expect(err()).toContain('repeat it: ')
  })

  it('through the CLI: exit code 30 with a hint', async () => {
    const pw = join(dir, 'weak')
    writeFileSync(pw, 'password\n')
    const { io, err } = fakeIo({ tty: false })
    const code = await createCli(io).run(['local', 'init', '--owner', 'alice', '--repo', join(dir, 'repo'), '--password-file', pw])
    expect(code).toBe(30)
    expect(err()).toMatch(/p2pbak: the new passphrase is too easy to guess[^\n]*\n {2}hint: /)
    expect(existsSync(join(dir, 'repo'))).toBe(false) // nothing created
  })
})
