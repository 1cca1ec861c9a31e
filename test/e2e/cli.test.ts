// The built `p2pbak` binary, driven as a user would: every command's --json output parsed and
// checked, every user error a one-line message with a hint and its exit code, never a stack.
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT_CODES, exitCodeFor } from '../../cli/exit-codes.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { parseJson, runCli } from '../harness/cli.js'
import type { CliResult } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'
import { makeSpecialTree } from '../harness/tree.js'

const dirs = tempDirs()
let root: string
let src: string
let passFile: string
let args: string[]

function expectUserError (r: CliResult, name: string, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(exitCodeFor(name))
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).toMatch(/hint: /)
  expect(r.stderr).not.toMatch(/\n\s+at .*\(/) // no stack trace
}

beforeAll(() => {
  root = dirs.make('p2pbak-cli-')
  src = join(root, 'src')
  makeSpecialTree(src, { largeSize: 2 * 1024 * 1024 })
  passFile = join(root, 'pass')
  writeFileSync(passFile, 'cli test passphrase\n')
  args = ['--repo', join(root, 'repo'), '--state', join(root, 'state'), '--password-file', passFile]
})

afterAll(() => { dirs.cleanup() })

describe('p2pbak CLI', () => {
  it('prints its version, and the exit code table in --help', async () => {
    const v = await runCli(['--version'])
    expect(v.code).toBe(0)
    expect(v.stdout.trim()).toBe((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version)
    const h = await runCli(['--help'])
    expect(h.code).toBe(0)
    for (const e of EXIT_CODES) expect(h.stdout).toContain(e.name)
  })

  it('init, backup, snapshots, ls, restore, check: a full session with --json', async () => {
    const init = await runCli(['--json', 'local', 'init', '--owner', 'alice-laptop', ...args])
    expect(init.code, init.stderr).toBe(0)
    const created = parseJson<{ owner: string, ownerId: string, recoveryKey: string }>(init)
    expect(created.owner).toBe('alice-laptop')
    expect(created.recoveryKey.split(' ')).toHaveLength(24)
    expect(statSync(join(root, 'state', 'keyfile.json')).mode & 0o777).toBe(0o600)
    expect(statSync(join(root, 'state')).mode & 0o777).toBe(0o700)

    const b = await runCli(['--json', 'local', 'backup', '--tag', 'first', ...args, src])
    expect(b.code, b.stderr).toBe(0)
    const backup = parseJson<{ snapshot: string, summary: { totalFiles: number, filesNew: number } }>(b)
    expect(backup.snapshot).toMatch(/^[0-9a-f]{64}$/)
    expect(backup.summary.filesNew).toBe(backup.summary.totalFiles)

    const s = parseJson<Array<{ id: string, paths: string[], tags: string[], owner: string }>>(await runCli(['--json', 'local', 'snapshots', ...args]))
    expect(s).toHaveLength(1)
    expect(s[0]).toMatchObject({ id: backup.snapshot, paths: [src], tags: ['first'], owner: 'alice-laptop' })

    const ls = parseJson<Array<{ path: string, type: string, size: number }>>(await runCli(['--json', 'local', 'ls', backup.snapshot.slice(0, 8), join(src, 'docs'), ...args]))
    expect(ls).toContainEqual(expect.objectContaining({ path: join(src, 'docs/hello.txt'), type: 'file', size: 12 }))
    expect(ls.every(e => e.path.startsWith(join(src, 'docs')))).toBe(true)

    const target = join(root, 'restore')
    const r = await runCli(['--json', 'local', 'restore', 'latest', '--target', target, ...args])
    expect(r.code, r.stderr).toBe(0)
    expect(parseJson<{ files: number }>(r).files).toBeGreaterThan(10)
    expect(compareTrees(src, join(target, src))).toEqual([])

    const c = await runCli(['--json', 'local', 'check', '--read-data', ...args])
    expect(c.code, c.stderr).toBe(0)
    expect(parseJson<{ ok: boolean, bytesRead: number }>(c)).toMatchObject({ ok: true })
  })

  it('changes the passphrase: the old one stops working, the new one works, here and on a fresh state folder', async () => {
    const newPass = join(root, 'newpass')
    writeFileSync(newPass, 'a brand new passphrase\n')
    const p = await runCli(['local', 'passwd', '--new-password-file', newPass, ...args])
    expect(p.code, p.stderr).toBe(0)
    expectUserError(await runCli(['local', 'snapshots', ...args]), 'WrongPassphraseError', /passphrase/)
    const withNew = ['--repo', join(root, 'repo'), '--state', join(root, 'state'), '--password-file', newPass]
    expect((await runCli(['local', 'snapshots', ...withNew])).code).toBe(0)
    const fresh = ['--repo', join(root, 'repo'), '--state', join(root, 'fresh-state'), '--password-file', newPass, '--owner', 'alice-laptop']
    const r = await runCli(['local', 'restore', 'latest', '--target', join(root, 'restore-fresh'), ...fresh])
    expect(r.code, r.stderr).toBe(0)
    writeFileSync(passFile, 'a brand new passphrase\n')
  })

  it('passwd checks the current passphrase before the new one; a weak or empty new one changes nothing (exit 30)', async () => {
    const keyPath = join(root, 'state', 'keyfile.json')
    const before = readFileSync(keyPath)
    const wrong = join(root, 'wrong-current')
    writeFileSync(wrong, 'not the current passphrase\n')
    // No new passphrase anywhere (no file, no P2PBAK_NEW_PASSWORD, no terminal): the wrong current one is what fails.
    const w = await runCli(['local', 'passwd', '--repo', join(root, 'repo'), '--state', join(root, 'state'), '--password-file', wrong], { env: { P2PBAK_NEW_PASSWORD: '' } })
    expectUserError(w, 'WrongPassphraseError', /does not open/)
    const weak = join(root, 'weak')
    writeFileSync(weak, 'password1\n')
    const k = await runCli(['local', 'passwd', '--new-password-file', weak, ...args])
    expectUserError(k, 'WeakPassphraseError', /too easy to guess/)
    const empty = join(root, 'empty')
    writeFileSync(empty, '\n')
    const e = await runCli(['local', 'passwd', '--new-password-file', empty, ...args])
    expectUserError(e, 'WeakPassphraseError', /the new passphrase is empty/)
    expect(e.stderr).not.toMatch(/Too small|expected string/)
    expect(readFileSync(keyPath).equals(before)).toBe(true)
    const i = await runCli(['local', 'init', '--owner', 'bob', '--repo', join(root, 'repo-weak'), '--password-file', weak])
    expectUserError(i, 'WeakPassphraseError', /too easy to guess/)
  })

  it('user errors: one clear line with a hint and their own exit code', async () => {
    expectUserError(await runCli(['local', 'snapshots', '--repo', join(root, 'nowhere'), '--password-file', passFile]), 'NotInitializedError', /nowhere/)
    const wrong = join(root, 'wrong')
    writeFileSync(wrong, 'not the passphrase\n')
    expectUserError(await runCli(['local', 'snapshots', '--repo', join(root, 'repo'), '--state', join(root, 'state'), '--password-file', wrong]), 'WrongPassphraseError', /passphrase/)
    expectUserError(await runCli(['local', 'restore', 'deadbeef', '--target', join(root, 'x'), ...args]), 'SnapshotNotFoundError', /no snapshot matches deadbeef/)
    expectUserError(await runCli(['local', 'restore', 'not-an-id', '--target', join(root, 'x'), ...args]), 'InvalidArgumentError', /not a snapshot ID/)
    expectUserError(await runCli(['local', 'init', '--owner', 'alice-laptop', ...args]), 'AlreadyExistsError', /already/)
    expectUserError(await runCli(['local', 'snapshots', '--repo', join(root, 'repo'), '--state', join(root, 'other')], { env: { P2PBAK_PASSWORD: '' } }), 'InvalidArgumentError', /no passphrase/)
    const badKey = await runCli(['local', 'restore', 'latest', '--target', join(root, 'x'), '--repo', join(root, 'repo'), '--state', join(root, 'rk')], { env: { P2PBAK_RECOVERY_KEY: 'abandon ability able' } })
    expectUserError(badKey, 'InvalidRecoveryKeyError', /recovery key/)
    const onCommandLine = await runCli(['local', 'restore', 'latest', '--target', join(root, 'x'), '--repo', join(root, 'repo'), '--state', join(root, 'rk'), '--recovery-key', 'abandon ability able'])
    expectUserError(onCommandLine, 'UsageError', /must not be given on the command line.*`ps`/)
    expect(onCommandLine.stderr).not.toContain('abandon')
    const usage = await runCli(['local', 'backup'])
    expect(usage.code).toBe(2)
  })

  it('config show: names the key, the bad value and the fix; exit code 3', async () => {
    const cfgDir = join(root, 'cfg')
    mkdirSync(cfgDir)
    const file = join(cfgDir, 'config.toml')
    writeFileSync(file, 'version = 1\n[redundancy]\nreplicas = 0\n[backup]\nintervall = "1h"\n')
    const r = await runCli(['config', 'show', '--config', file])
    expectUserError(r, 'ConfigError', /redundancy\.replicas/)
    expect(r.stderr).toMatch(/interval/) // did-you-mean for the unknown key
    const ok = await runCli(['--json', 'config', 'show'], { env: { P2PBAK_REDUNDANCY_REPLICAS: '2', XDG_CONFIG_HOME: cfgDir + '-none' } })
    expect(ok.code, ok.stderr).toBe(0)
    expect(parseJson<{ redundancy: { replicas: number } }>(ok).redundancy.replicas).toBe(2)
  })
})
