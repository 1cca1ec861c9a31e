// A full disk is exit 13 (NoSpaceError) with a hint, whatever filled: the built binary, a real
// tmpfs. A restore onto a full disk stops with NoSpaceError instead of listing every file as
// unrestorable; a backup whose repository and state fill up says so, never "internal error".
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { exitCodeFor } from '../../cli/exit-codes.js'
import { runCli } from '../harness/cli.js'
import type { CliResult } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'
import { mountTmpfs } from '../harness/tmpfs.js'
import type { Tmpfs } from '../harness/tmpfs.js'
import { prngBytes } from '../harness/tree.js'

const dirs = tempDirs()
let root: string
let src: string
let passFile: string
let fs: Tmpfs | undefined

beforeAll(() => {
  root = dirs.make('p2pbak-no-space-')
  src = join(root, 'src')
  mkdirSync(src)
  for (let i = 0; i < 4; i++) writeFileSync(join(src, `file-${i}.bin`), prngBytes(`no-space-${i}`, 512 * 1024))
  passFile = join(root, 'pass')
  writeFileSync(passFile, 'no space test passphrase\n')
})
afterEach(() => { fs?.unmount(); fs = undefined })
afterAll(() => { dirs.cleanup() })

function expectNoSpace (r: CliResult): void {
  expect(r.code, r.stderr).toBe(exitCodeFor('NoSpaceError'))
  expect(r.stderr).toMatch(/no space left/)
  expect(r.stderr).toMatch(/hint: /)
  expect(r.stderr).not.toMatch(/internal error/)
  expect(r.stderr).not.toMatch(/\n\s+at .*\(/)
}

describe('a full disk', () => {
  it('restore onto a full disk: exit 13, NoSpaceError', async () => {
    const args = ['--repo', join(root, 'repo'), '--state', join(root, 'state'), '--password-file', passFile]
    expect((await runCli(['local', 'init', '--owner', 'nospace', ...args])).code).toBe(0)
    expect((await runCli(['local', 'backup', ...args, src])).code).toBe(0)
    fs = mountTmpfs(1024 * 1024) // room for half of the 2 MiB snapshot
    expectNoSpace(await runCli(['local', 'restore', 'latest', '--target', join(fs.dir, 'target'), ...args]))
  })

  it('backup into a repository and state directory on a full disk: exit 13, NoSpaceError', async () => {
    fs = mountTmpfs(1536 * 1024)
    const args = ['--repo', join(fs.dir, 'repo'), '--state', join(fs.dir, 'state'), '--password-file', passFile]
    expect((await runCli(['local', 'init', '--owner', 'nospace', ...args])).code).toBe(0)
    expectNoSpace(await runCli(['local', 'backup', ...args, src]))
  })
})
