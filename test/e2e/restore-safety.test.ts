// Restoring over what is already there, with the built binary on a `local` repository: a failed
// restore leaves the target as it was, a hard link is replaced rather than written through, the
// overwrite modes, --dry-run, --to-original, relative --include and `ls` paths, and their errors.
import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv2020 from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exitCodeFor } from '../../cli/exit-codes.js'
import type { RestoreAnswer } from '../../daemon/control/api.js'
import { parseJson, runCli } from '../harness/cli.js'
import type { CliResult } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'
import { prngBytes } from '../harness/tree.js'

const dirs = tempDirs()
let root: string
let src: string
let repo: string
let args: string[]

function expectUserError (r: CliResult, name: string, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(exitCodeFor(name))
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).toMatch(/hint: /)
  expect(r.stderr).not.toMatch(/\n\s+at .*\(/)
}

/** The biggest pack file of the repository: big.bin's content. */
function biggestPack (): string {
  let best = ''
  let size = 0
  const packs = join(repo, 'packs')
  for (const shard of readdirSync(packs)) {
    for (const f of readdirSync(join(packs, shard))) {
      const s = statSync(join(packs, shard, f)).size
      if (s > size) { size = s; best = join(packs, shard, f) }
    }
  }
  return best
}

/** The answer matches docs/json/local-restore.schema.json. */
function expectSchema (value: unknown): void {
  const schema = JSON.parse(readFileSync(new URL('../../docs/json/local-restore.schema.json', import.meta.url), 'utf8')) as object
  const validate = new Ajv2020.default({ strict: true }).compile(schema)
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true)
}

function flipByte (path: string): void {
  const bytes = readFileSync(path)
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01
  writeFileSync(path, bytes)
}

beforeAll(async () => {
  root = dirs.make('p2pbak-restore-safety-')
  src = join(root, 'src')
  mkdirSync(join(src, 'sub'), { recursive: true })
  writeFileSync(join(src, 'big.bin'), prngBytes('big', 3 * 1024 * 1024))
  writeFileSync(join(src, 'a.txt'), 'the snapshot\'s a.txt\n')
  writeFileSync(join(src, 'sub', 'b.txt'), 'the snapshot\'s b.txt\n')
  writeFileSync(join(root, 'pass'), 'restore safety passphrase\n')
  repo = join(root, 'repo')
  args = ['--repo', repo, '--state', join(root, 'state'), '--password-file', join(root, 'pass')]
  expect((await runCli(['local', 'init', '--owner', 'alice', ...args])).code).toBe(0)
  const b = await runCli(['local', 'backup', ...args, src])
  expect(b.code, b.stderr).toBe(0)
})

afterAll(() => { dirs.cleanup() })

describe('restore over existing files', () => {
  it('a failed restore (a flipped byte in a pack) leaves the files already in the target byte-identical', async () => {
    const target = join(root, 'over-damaged')
    mkdirSync(join(target, src), { recursive: true })
    writeFileSync(join(target, src, 'big.bin'), 'my own big.bin\n')
    writeFileSync(join(target, src, 'a.txt'), 'my own a.txt\n')
    const pack = biggestPack()
    flipByte(pack)
    try {
      const r = await runCli(['local', 'restore', 'latest', '--target', target, ...args])
      expectUserError(r, 'RestoreIncompleteError', /big\.bin: pack \S+ is damaged/)
      expect(readFileSync(join(target, src, 'big.bin'), 'utf8')).toBe('my own big.bin\n')
      expect(readFileSync(join(target, src, 'a.txt'), 'utf8')).toMatch(/^(my own a\.txt|the snapshot's a\.txt)\n$/)
      expect(readdirSync(join(target, src)).filter(n => n.startsWith('.p2pbak-tmp-'))).toEqual([])
    } finally {
      flipByte(pack)
    }
  })

  it('a hard link in the target whose other name is outside the target is not written through', async () => {
    const target = join(root, 'over-link')
    mkdirSync(join(target, src), { recursive: true })
    const outside = join(root, 'outside.txt')
    writeFileSync(outside, 'outside the target: must not change\n')
    linkSync(outside, join(target, src, 'a.txt'))
    const r = await runCli(['local', 'restore', 'latest', '--target', target, ...args])
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(outside, 'utf8')).toBe('outside the target: must not change\n')
    expect(readFileSync(join(target, src, 'a.txt'), 'utf8')).toBe('the snapshot\'s a.txt\n')
  })

  it('--overwrite never keeps what is there; --dry-run lists, in JSON and text, and writes nothing', async () => {
    const target = join(root, 'modes')
    mkdirSync(join(target, src), { recursive: true })
    writeFileSync(join(target, src, 'a.txt'), 'mine\n')
    const dry = await runCli(['--json', 'local', 'restore', 'latest', '--target', target, '--dry-run', ...args])
    expect(dry.code, dry.stderr).toBe(0)
    const plan = parseJson<RestoreAnswer>(dry)
    expectSchema(plan)
    expect(plan).toMatchObject({ dryRun: true, files: 3, symlinks: 0 })
    expect(plan.items).toContainEqual({ path: join(target, src, 'a.txt'), type: 'file', action: 'replace', size: 21 })
    expect(plan.items).toContainEqual({ path: join(target, src, 'sub'), type: 'dir', action: 'create', size: 0 })
    expect(readFileSync(join(target, src, 'a.txt'), 'utf8')).toBe('mine\n')
    expect(readdirSync(join(target, src))).toEqual(['a.txt'])
    const text = await runCli(['local', 'restore', 'latest', '--target', target, '--dry-run', '--overwrite', 'never', ...args])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain(`skip    file    ${join(target, src, 'a.txt')}: exists (--overwrite never)`)
    expect(text.stdout).toContain(`create  file    ${join(target, src, 'big.bin')} (3.00 MiB)`)
    const never = await runCli(['--json', 'local', 'restore', 'latest', '--target', target, '--overwrite', 'never', ...args])
    expect(never.code, never.stderr).toBe(0)
    expect(parseJson<RestoreAnswer>(never)).toMatchObject({ skipped: 1, files: 2 })
    expectSchema(parseJson(never))
    expect(readFileSync(join(target, src, 'a.txt'), 'utf8')).toBe('mine\n')
    expect(readFileSync(join(target, src, 'sub', 'b.txt'), 'utf8')).toBe('the snapshot\'s b.txt\n')
  })
})

describe('where to restore', () => {
  it('--to-original restores to the original paths and keeps files newer than the snapshot\'s', async () => {
    rmSync(join(src, 'a.txt'))
    writeFileSync(join(src, 'sub', 'b.txt'), 'edited after the backup\n')
    const later = Date.now() / 1000 + 60
    utimesSync(join(src, 'sub', 'b.txt'), later, later)
    const r = await runCli(['--json', 'local', 'restore', 'latest', '--to-original', ...args])
    expect(r.code, r.stderr).toBe(0)
    expect(parseJson<RestoreAnswer>(r)).toMatchObject({ target: '/', dryRun: false })
    expect(readFileSync(join(src, 'a.txt'), 'utf8')).toBe('the snapshot\'s a.txt\n')
    expect(readFileSync(join(src, 'sub', 'b.txt'), 'utf8')).toBe('edited after the backup\n')
    // Unless --overwrite says otherwise.
    const all = await runCli(['local', 'restore', 'latest', '--to-original', '--overwrite', 'always', ...args])
    expect(all.code, all.stderr).toBe(0)
    expect(readFileSync(join(src, 'sub', 'b.txt'), 'utf8')).toBe('the snapshot\'s b.txt\n')
  })

  it('one of --target and --to-original is required, and not both (usage error, exit 2)', async () => {
    const none = await runCli(['local', 'restore', 'latest', ...args])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/--target DIR .* or --to-original/)
    const both = await runCli(['local', 'restore', 'latest', '--target', join(root, 'x'), '--to-original', ...args])
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/cannot be used with/)
  })

  it('--include and ls take a relative path from the current folder; one that matches nothing is NothingMatchedError (exit 28)', async () => {
    const target = join(root, 'relative')
    const r = await runCli(['--json', 'local', 'restore', 'latest', '--target', target, '--include', 'sub', ...args], { cwd: src })
    expect(r.code, r.stderr).toBe(0)
    expect(parseJson<RestoreAnswer>(r).files).toBe(1)
    expect(readFileSync(join(target, src, 'sub', 'b.txt'), 'utf8')).toBe('the snapshot\'s b.txt\n')
    const ls = await runCli(['--json', 'local', 'ls', 'latest', 'sub', ...args], { cwd: src })
    expect(ls.code, ls.stderr).toBe(0)
    expect(parseJson<Array<{ path: string }>>(ls).map(e => e.path)).toEqual([join(src, 'sub'), join(src, 'sub', 'b.txt')])

    const none = await runCli(['local', 'restore', 'latest', '--target', join(root, 'never'), '--include', 'nope', ...args], { cwd: src })
    expectUserError(none, 'NothingMatchedError', new RegExp(`matches --include "${join(src, 'nope')}"; nothing was restored`))
    const lsNone = await runCli(['local', 'ls', 'latest', 'nope', ...args], { cwd: src })
    expectUserError(lsNone, 'NothingMatchedError', new RegExp(`${join(src, 'nope')} is not in snapshot`))
  })
})
