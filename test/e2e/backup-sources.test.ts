// `p2pbak local backup` of paths that are missing or unreadable, with the built binary: all
// missing → SourceNotFoundError (27) and no snapshot, so `restore latest` has nothing to restore;
// some missing or unreadable → a snapshot of the rest and IncompleteSnapshotError (24) listing them.
// Unreadable files are real: the suite runs as root (which reads everything), so the binary runs
// as the unprivileged user `nobody` through setpriv(1), and the files are root's with mode 000.
import { spawn } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exitCodeFor } from '../../cli/exit-codes.js'
import { projectRoot } from '../../cli/office.js'
import { BIN, parseJson } from '../harness/cli.js'
import type { CliResult } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'

const NOBODY = 65534
const dirs = tempDirs()
let base: string
let src: string

/** The built binary as `nobody` (setpriv drops root's uid, gid and groups before exec). */
async function asNobody (args: string[]): Promise<CliResult> {
  const child = spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, BIN, ...args], {
    env: { ...process.env, DEBUG: '', HOME: base, P2PBAK_PASSWORD: 'a long enough test passphrase' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return await new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }) })
  })
}

const repo = (): string[] => ['--repo', join(base, 'repo'), '--state', join(base, 'state')]

function expectUserError (r: CliResult, name: string, pattern: RegExp): void {
  expect(r.code, `${r.stderr}${r.stdout}`).toBe(exitCodeFor(name))
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).toMatch(/hint: /)
  expect(r.stderr).not.toMatch(/\n\s+at .*\(/)
}

beforeAll(async () => {
  base = dirs.make('p2pbak-sources-')
  chownSync(base, NOBODY, NOBODY) // nobody's home: the repository and its state live here
  src = join(base, 'src')
  mkdirSync(join(src, 'locked'), { recursive: true })
  writeFileSync(join(src, 'readable.txt'), 'anyone may read this\n')
  writeFileSync(join(src, 'locked', 'inside.txt'), 'behind a locked folder\n')
  writeFileSync(join(src, 'secret.txt'), 'only root\n')
  chmodSync(join(src, 'secret.txt'), 0o000) // root's, mode 000: nobody cannot open it
  chmodSync(join(src, 'locked'), 0o000) // nor list this folder
  const init = await asNobody(['local', 'init', '--owner', 'nobody-laptop', ...repo()])
  expect(init.code, init.stderr).toBe(0)
}, 60_000)

afterAll(() => { dirs.cleanup() })

describe('local backup of missing and unreadable paths', () => {
  it('all missing: SourceNotFoundError (27), no snapshot, and restore latest finds none', async () => {
    const missing = join(base, 'no-such-folder')
    expectUserError(await asNobody(['local', 'backup', ...repo(), missing]), 'SourceNotFoundError', new RegExp(`nothing to back up: ${missing} \\(does not exist\\)`))
    const snaps = await asNobody(['--json', 'local', 'snapshots', ...repo()])
    expect(parseJson<unknown[]>(snaps)).toEqual([])
    expectUserError(await asNobody(['local', 'restore', 'latest', '--target', join(base, 'out'), ...repo()]), 'SnapshotNotFoundError', /no snapshots yet/)
  })

  it('unreadable files and folders inside, and a missing path: a snapshot of the rest, IncompleteSnapshotError (24) listing them', async () => {
    const missing = join(base, 'unplugged-disk')
    const r = await asNobody(['--json', 'local', 'backup', ...repo(), src, missing])
    expect(r.code, r.stderr).toBe(exitCodeFor('IncompleteSnapshotError'))
    const out = parseJson<{ snapshot: string, summary: { totalFiles: number }, skipped: Array<{ path: string, reason: string }>, skippedCount: number }>(r)
    expect(out.skipped).toEqual(expect.arrayContaining([
      { path: missing, reason: 'does not exist' },
      { path: join(src, 'secret.txt'), reason: 'permission denied' },
      { path: join(src, 'locked'), reason: 'permission denied' }
    ]))
    expect(out.skippedCount).toBe(3)
    const ajv = new Ajv2020({ allErrors: true, strict: true })
    addFormats.default(ajv)
    const valid = ajv.compile(JSON.parse(readFileSync(join(projectRoot(), 'docs/json/local-backup.schema.json'), 'utf8')) as object)
    expect(valid(out), JSON.stringify(valid.errors)).toBe(true)
    expect(out.summary.totalFiles).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`snapshot ${out.snapshot.slice(0, 8)} was saved, but 3 path\\(s\\) could not be read`))
    expect(r.stderr).toMatch(/hint: /)

    // The snapshot holds what could be read, and restores it.
    const target = join(base, 'restored')
    const rr = await asNobody(['--json', 'local', 'restore', out.snapshot.slice(0, 8), '--target', target, ...repo()])
    expect(rr.code, rr.stderr).toBe(0)
    expect(parseJson<{ files: number }>(rr).files).toBe(1)

    // In text, the summary still comes first on stdout, then the one-line error.
    const human = await asNobody(['local', 'backup', ...repo(), src])
    expect(human.code).toBe(exitCodeFor('IncompleteSnapshotError'))
    expect(human.stdout).toMatch(/^snapshot [0-9a-f]{8} saved/)
    expectUserError(human, 'IncompleteSnapshotError', /2 path\(s\) could not be read and are not in it: .*secret\.txt \(permission denied\)/)
  })
})
