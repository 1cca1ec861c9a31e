// A failed backup neither poisons the next one nor hides (issue: "one failed upload breaks every
// later backup until the daemon restarts", "a failed backup is invisible", "a backup of a path
// that does not exist exits 0"). Real daemons: an owner and two holders as separate `p2pbak
// daemon` processes on 127.0.0.1, driven through the CLI. The holders stop; a backup fails with
// NoHolderError (19) and `status` says so; the holders come back; the next backup succeeds, its
// snapshot restores identically and `check --read-data` is clean. Then missing paths (27, 24),
// and a scheduled backup that fails, is retried sooner than its interval, and is kept in the
// history across a restart.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackupAnswer, CheckAnswer, HistoryEntry, Status } from '../../daemon/control/api.js'
import { exitCodeFor } from '../../cli/exit-codes.js'
import { Office, projectRoot, waitFor } from '../../cli/office.js'
import type { Machine } from '../../cli/office.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { parseJson, runCli } from '../harness/cli.js'
import type { CliResult } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'
import { makeSpecialTree, prngBytes } from '../harness/tree.js'

const dirs = tempDirs()
let root: string
let office: Office
let alice: Machine
let holders: Machine[]
let src: string

const cli = async (m: Machine, args: string[]): Promise<CliResult> => await runCli(['-c', m.configPath, ...args], { env: { HOME: m.dir } })
const json = async <T>(m: Machine, args: string[]): Promise<T> => {
  const r = await cli(m, ['--json', ...args])
  expect(r.code, r.stderr).toBe(0)
  return parseJson<T>(r)
}
const status = async (m: Machine): Promise<Status> => await json<Status>(m, ['status'])
const online = async (m: Machine, n: number): Promise<void> => {
  await waitFor(async () => ((await status(m)).swarm.online === n ? true : undefined), 60_000, `${m.name} to see ${n} peer(s) online`, 300)
}

const ajv = new Ajv2020({ allErrors: true, strict: true })
addFormats.default(ajv)
const schema = (name: string): ReturnType<typeof ajv.compile> => ajv.compile(JSON.parse(readFileSync(join(projectRoot(), 'docs/json', `${name}.schema.json`), 'utf8')) as object)
const validateHistory = schema('history')
const validateBackup = schema('backup')
const expectBackupSchema = (a: BackupAnswer): void => { expect(validateBackup(a), JSON.stringify(validateBackup.errors)).toBe(true) }
/** `p2pbak --json history`, checked against its documented JSON Schema. */
const history = async (m: Machine): Promise<HistoryEntry[]> => {
  const h = await json<HistoryEntry[]>(m, ['history'])
  expect(validateHistory(h), JSON.stringify(validateHistory.errors)).toBe(true)
  return h
}

function expectUserError (r: CliResult, name: string, pattern: RegExp): void {
  expect(r.code, `${r.stderr}${r.stdout}`).toBe(exitCodeFor(name))
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).toMatch(/hint: /)
  expect(r.stderr).not.toMatch(/\n\s+at .*\(/) // no stack trace
}

beforeAll(async () => {
  root = dirs.make('p2pbak-backup-failure-')
  src = join(root, 'src')
  makeSpecialTree(src, { largeSize: 2 * 1024 * 1024 })
  office = new Office({ root: join(root, 'office') })
  holders = []
  for (const [i, name] of ['bob', 'carol'].entries()) {
    const m = await office.addMachine(name, { config: { storage: { domain: `desk-${i}` } } })
    await office.start(m)
    holders.push(m)
  }
  alice = await office.addMachine('alice', { owner: 'alice', passphrase: 'alice test passphrase', config: { redundancy: { replicas: 2 } } })
  await office.start(alice)
  await online(alice, 2)
}, 120_000)

afterAll(async () => {
  await office?.stopAll()
  dirs.cleanup()
}, 60_000)

describe('a failed backup', () => {
  it('fails with NoHolderError while the holders are away, shows in status and history, and does not poison the next one', async () => {
    const first = await json<BackupAnswer>(alice, ['backup', src])
    expect(first.skippedCount).toBe(0)

    // New data, then the colleagues go away (a laptop that wakes before them).
    mkdirSync(join(src, 'new'))
    for (let i = 0; i < 3; i++) writeFileSync(join(src, 'new', `n${i}.bin`), prngBytes(`new-${i}`, 1024 * 1024 + i))
    await Promise.all(holders.map(async h => await office.stop(h)))
    await online(alice, 0)
    expectUserError(await cli(alice, ['backup', src]), 'NoHolderError', /no peer/)

    const failed = await status(alice)
    const problem = failed.problems.find(p => p.code === 'last-backup-failed')
    expect(problem).toMatchObject({ severity: 'error', message: expect.stringMatching(/^the last manual backup of .* failed: NoHolderError: /) })
    expect(problem!.hint).toMatch(/no backup is scheduled/) // backup.paths is empty here
    expect(failed.verdict).toBe('error')
    const h1 = await history(alice)
    expect(h1.map(e => [e.trigger, e.outcome])).toEqual([['manual', 'ok'], ['manual', 'failed']])
    expect(h1[1]).toMatchObject({ paths: [src], snapshot: null, error: { name: 'NoHolderError', message: expect.stringMatching(/no peer/), hint: expect.any(String) } })
    const text = await cli(alice, ['history'])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/manual\s+failed\s+-\s+.*\n\s+NoHolderError: .*\n\s+hint: /)

    // They are back: the next backup succeeds (no sticky failure), and stores what the failed one could not.
    await Promise.all(holders.map(async h => await office.start(h)))
    await online(alice, 2)
    const next = await json<BackupAnswer>(alice, ['backup', src])
    expectBackupSchema(next)
    expect(next.summary.filesNew).toBeGreaterThanOrEqual(3)
    expect(next.summary.bytesAdded).toBeGreaterThanOrEqual(3 * 1024 * 1024)
    const target = join(root, 'restore')
    const r = await json<{ snapshot: string }>(alice, ['restore', 'latest', '--target', target])
    expect(r.snapshot).toBe(next.snapshot)
    expect(compareTrees(src, join(target, src))).toEqual([])
    const c = await json<CheckAnswer>(alice, ['check', '--read-data'])
    expect(c.problems).toEqual([])
    expect(c).toMatchObject({ ok: true, snapshots: 2 })

    const ok = await status(alice)
    expect(ok.problems.map(p => p.code)).not.toContain('last-backup-failed')
    const h2 = await history(alice)
    expect(h2.at(-1)).toMatchObject({ trigger: 'manual', outcome: 'ok', snapshot: next.snapshot, error: null, filesNew: next.summary.filesNew, bytesAdded: next.summary.bytesAdded })
  })
})

describe('paths that do not exist, through the daemon', () => {
  it('all missing: SourceNotFoundError (27), no snapshot; some missing: IncompleteSnapshotError (24) with the snapshot of the rest', async () => {
    const before = (await json<unknown[]>(alice, ['snapshots'])).length
    const missing = join(root, 'no-such-folder')
    expectUserError(await cli(alice, ['backup', missing]), 'SourceNotFoundError', new RegExp(`nothing to back up: ${missing} \\(does not exist\\)`))
    expect(await json<unknown[]>(alice, ['snapshots'])).toHaveLength(before)
    expect((await history(alice)).at(-1)).toMatchObject({ outcome: 'failed', error: { name: 'SourceNotFoundError' } })
    expect((await status(alice)).problems).toContainEqual(expect.objectContaining({ code: 'last-backup-failed', message: expect.stringContaining('SourceNotFoundError') }))

    const r = await cli(alice, ['--json', 'backup', src, missing])
    expect(r.code, r.stderr).toBe(exitCodeFor('IncompleteSnapshotError'))
    const a = parseJson<BackupAnswer>(r)
    expectBackupSchema(a)
    expect(a.skipped).toEqual([{ path: missing, reason: 'does not exist' }])
    expect(r.stderr).toMatch(new RegExp(`snapshot ${a.snapshot.slice(0, 8)} was saved, but 1 path\\(s\\) could not be read`))
    expect(await json<unknown[]>(alice, ['snapshots'])).toHaveLength(before + 1)
    expect((await history(alice)).at(-1)).toMatchObject({ outcome: 'incomplete', snapshot: a.snapshot, skipped: [{ path: missing, reason: 'does not exist' }], skippedCount: 1 })
    const s = await status(alice)
    expect(s.problems.map(p => p.code)).not.toContain('last-backup-failed')
    expect(s.problems).toContainEqual(expect.objectContaining({ code: 'last-backup-incomplete', severity: 'warning', message: expect.stringContaining(missing) }))
  })
})

describe('scheduled backups', () => {
  it('a failed one is retried in a minute, not an interval; the history survives a restart; an incomplete one is recorded as such', async () => {
    const docs = join(root, 'erin-docs')
    const erin = await office.addMachine('erin', {
      owner: 'erin', passphrase: 'erin test passphrase',
      config: { redundancy: { replicas: 2 }, backup: { interval: '1h', jitter: '0s' } },
      bootstrap: holders
    })
    // backup.paths names a folder that is not there yet: the start-up backup fails.
    await office.start(erin, { env: { P2PBAK_BACKUP_PATHS: docs } })
    const [failed] = await waitFor(async () => { const h = await history(erin); return h.length > 0 ? h : undefined }, 60_000, 'the scheduled backup', 300)
    expect(failed).toMatchObject({ trigger: 'scheduled', outcome: 'failed', paths: [docs], error: { name: 'SourceNotFoundError' } })
    const s = await status(erin)
    const p = s.problems.find(x => x.code === 'last-backup-failed')
    expect(p?.message).toMatch(/^the last scheduled backup of .* failed: SourceNotFoundError: nothing to back up/)
    expect(p?.hint).toMatch(/the next scheduled backup runs in \d+ s \(/)
    // Retried after 1 min (RETRY_MIN_MS), not after the 1 h interval.
    const retryIn = Date.parse(s.owner!.nextBackup!) - Date.parse(failed!.end)
    expect(retryIn).toBeGreaterThanOrEqual(59_000)
    expect(retryIn).toBeLessThanOrEqual(61_000)

    // The folder appears, next to one that is still missing; erin restarts: the failed run is
    // still in the history, and the start-up backup makes an incomplete snapshot.
    writeFiles(docs)
    const gone = join(root, 'erin-unplugged')
    await office.stop(erin)
    await office.start(erin, { env: { P2PBAK_BACKUP_PATHS: `${docs},${gone}` } })
    const h = await waitFor(async () => { const x = await history(erin); return x.length > 1 ? x : undefined }, 60_000, 'the second scheduled backup', 300)
    expect(h[0]).toEqual(failed)
    expect(h[1]).toMatchObject({ trigger: 'scheduled', outcome: 'incomplete', paths: [docs, gone], skipped: [{ path: gone, reason: 'does not exist' }], filesNew: 2 })
    const after = await status(erin)
    expect(after.problems.map(x => x.code)).toContain('last-backup-incomplete')
    expect(after.problems.map(x => x.code)).not.toContain('last-backup-failed')
    // A snapshot was made: the schedule is back to the interval.
    expect(Date.parse(after.owner!.nextBackup!) - Date.parse(h[1]!.end)).toBeGreaterThan(59 * 60_000)
  })
})

function writeFiles (dir: string): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'letter.txt'), 'dear colleagues\n')
  writeFileSync(join(dir, 'data.bin'), prngBytes('erin', 300_000))
}
