// Backup sets end to end (docs/format.md §7 "Backup sets", docs/daemon.md §2): real daemon
// processes on 127.0.0.1 (alice with backup.paths configured, two holders), driven through the
// built CLI. After a backup of the configured set, an ad-hoc `p2pbak backup /tmp/x` is a set of
// its own: `restore latest` still restores the configured set, `status` still shows its snapshot,
// the schedule does not move (not even across a daemon restart), `--path` picks the ad-hoc one,
// and a fresh machine with no config (`restore --owner`) finds the configured set too.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackupAnswer, LsEntry, SnapshotRow, Status } from '../../daemon/control/api.js'
import { exitCodeFor } from '../../cli/exit-codes.js'
import { Office, waitFor } from '../../cli/office.js'
import type { Machine } from '../../cli/office.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { parseJson, runCli } from '../harness/cli.js'
import type { CliResult } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'
import { prngBytes } from '../harness/tree.js'

const dirs = tempDirs()
const PASS = 'backup sets passphrase'
const HOUR = 3_600_000
let root: string
let office: Office
let alice: Machine
let configured: string
let adHoc: string
/** The configured set's snapshot, and the ad-hoc one made after it. */
let setSnap: BackupAnswer
let adHocSnap: BackupAnswer
let nextBefore: string

const cli = async (args: string[]): Promise<CliResult> => await runCli(['-c', alice.configPath, ...args], { env: { HOME: alice.dir }, timeoutMs: 120_000 })
const json = async <T>(args: string[]): Promise<T> => {
  const r = await cli(['--json', ...args])
  expect(r.code, r.stderr).toBe(0)
  return parseJson<T>(r)
}
const status = async (): Promise<Status> => await json<Status>(['status'])

function fill (dir: string, label: string, n: number): void {
  mkdirSync(join(dir, 'sub'), { recursive: true })
  for (let i = 0; i < n; i++) writeFileSync(join(dir, i % 2 === 0 ? '' : 'sub', `${label}-${i}.txt`), prngBytes(`${label}-${i}`, 5_000 + i * 100))
}

beforeAll(async () => {
  root = dirs.make('p2pbak-sets-')
  configured = join(root, 'home', 'Documents')
  adHoc = join(root, 'tmp', 'x')
  fill(configured, 'doc', 12)
  fill(adHoc, 'scratch', 6)
  office = new Office({ root: join(root, 'office') })
  const holders: Machine[] = []
  for (const n of ['bob', 'carol']) {
    const m = await office.addMachine(n)
    await office.start(m)
    holders.push(m)
  }
  // No jitter: the next scheduled backup is exactly backup.interval after the last one of the set.
  alice = await office.addMachine('alice', {
    owner: 'alice', passphrase: PASS, bootstrap: holders,
    config: { backup: { paths: [configured], interval: '1h', jitter: '0s' }, redundancy: { replicas: 2 } }
  })
  await office.start(alice)
  await waitFor(async () => ((await alice.client.status()).swarm.online === 2 ? true : undefined), 30_000, 'two peers')
  // The configured set: `p2pbak backup` without paths (it joins the start-up scheduled run if that is going).
  setSnap = await json<BackupAnswer>(['backup'])
  const s = await waitFor(async () => {
    const st = await alice.client.status()
    return st.owner?.lastBackup?.snapshot === setSnap.snapshot && Date.parse(st.owner.nextBackup ?? '1970-01-01T00:00:00Z') > Date.now() + HOUR / 2 ? st : undefined
  }, 30_000, 'the configured backup in status and the next one planned')
  nextBefore = s.owner!.nextBackup!
  adHocSnap = await json<BackupAnswer>(['backup', adHoc])
}, 180_000)

afterAll(async () => {
  await office?.stopAll()
  dirs.cleanup()
}, 60_000)

describe('backup sets: latest is the configured set', () => {
  it('snapshots records the origin, groups by set, and marks the configured set\'s newest as latest', async () => {
    const rows = await json<SnapshotRow[]>(['snapshots'])
    const ajv = new Ajv2020({ strict: true })
    addFormats.default(ajv)
    const validate = ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/json/snapshots.schema.json'), 'utf8')) as object)
    expect(validate(rows), JSON.stringify(validate.errors)).toBe(true)
    const set = rows.find(r => r.id === setSnap.snapshot)!
    const x = rows.find(r => r.id === adHocSnap.snapshot)!
    expect(set).toMatchObject({ paths: [configured], tags: [], origin: 'configured', latest: true, set: expect.stringMatching(/^[0-9a-f]{8}$/) })
    expect(x).toMatchObject({ paths: [adHoc], tags: [], origin: 'ad-hoc', latest: false })
    expect(x.set).not.toBe(set.set)
    expect(rows.filter(r => r.latest)).toHaveLength(1)
    // With a filter, `latest` is the newest snapshot that matches it.
    const filtered = await json<SnapshotRow[]>(['snapshots', '--path', adHoc])
    expect(filtered.map(r => [r.id, r.latest])).toEqual([[adHocSnap.snapshot, true]])
    const text = await cli(['snapshots'])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain(`set ${set.set} on `)
    expect(text.stdout).toMatch(new RegExp(`set ${set.set} on \\S+ \\(configured backup.paths\\): ${configured}\\n`))
    expect(text.stdout).toMatch(new RegExp(`set ${x.set} on \\S+ \\(ad hoc\\): ${adHoc}\\n`))
    expect(text.stdout).toContain(`${setSnap.snapshot.slice(0, 8)}`)
  })

  it('status keeps the configured set\'s backup, shows the ad-hoc one apart, and the schedule did not move', async () => {
    const s = await status()
    expect(s.owner!.lastBackup!.snapshot).toBe(setSnap.snapshot)
    expect(s.owner!.lastAdHocBackup).toMatchObject({ snapshot: adHocSnap.snapshot, paths: [adHoc], tags: [] })
    expect(s.owner!.nextBackup).toBe(nextBefore)
    expect(s.problems.map(p => p.code)).not.toContain('no-backup-yet')
    const text = await cli(['status'])
    expect(text.stdout).toContain(`last backup`)
    expect(text.stdout).toContain(`(${setSnap.snapshot.slice(0, 8)},`)
    expect(text.stdout).toMatch(new RegExp(`ad hoc +${adHocSnap.snapshot.slice(0, 8)} .* of ${adHoc}`))
  })

  it('restore latest restores the configured set; with --path the ad-hoc one', async () => {
    const t1 = join(root, 'restore-latest')
    const r1 = await json<{ snapshot: string }>(['restore', 'latest', '--target', t1])
    expect(r1.snapshot).toBe(setSnap.snapshot)
    expect(compareTrees(configured, join(t1, configured))).toEqual([])
    expect(existsSync(join(t1, adHoc))).toBe(false)
    const t2 = join(root, 'restore-adhoc')
    const r2 = await json<{ snapshot: string }>(['restore', 'latest', '--path', adHoc, '--target', t2])
    expect(r2.snapshot).toBe(adHocSnap.snapshot)
    expect(compareTrees(adHoc, join(t2, adHoc))).toEqual([])
    expect(existsSync(join(t2, configured))).toBe(false)
    // ls follows the same rule.
    const files = await json<LsEntry[]>(['ls', 'latest'])
    expect(files.some(e => e.path === join(configured, 'doc-0.txt'))).toBe(true)
    expect(files.some(e => e.path.startsWith(adHoc))).toBe(false)
    const adHocFiles = await json<LsEntry[]>(['ls', 'latest', '--path', adHoc])
    expect(adHocFiles.some(e => e.path === join(adHoc, 'scratch-0.txt'))).toBe(true)
  })

  it('filters that match nothing, and an ID outside them, are clear errors', async () => {
    const none = await cli(['restore', 'latest', '--tag', 'nope', '--target', join(root, 'never')])
    expect(none.code, none.stderr).toBe(exitCodeFor('SnapshotNotFoundError'))
    expect(none.stderr).toMatch(/no snapshot matching --tag nope/)
    expect(none.stderr).toMatch(/hint: /)
    const outside = await cli(['ls', setSnap.snapshot.slice(0, 12), '--path', adHoc])
    expect(outside.code).toBe(exitCodeFor('SnapshotNotFoundError'))
    expect(existsSync(join(root, 'never'))).toBe(false)
  })

  it('after a restart the next scheduled backup is still computed from the configured set, not the ad-hoc backup', async () => {
    const rows = await json<SnapshotRow[]>(['snapshots'])
    const setTime = Date.parse(rows.find(r => r.id === setSnap.snapshot)!.time)
    const adHocTime = Date.parse(rows.find(r => r.id === adHocSnap.snapshot)!.time)
    await office.stop(alice)
    const s = await office.start(alice)
    // The plan at start-up reads when the configured set's last backup finished (after its commit,
    // before the ad-hoc backup began): interval after it, so before the ad-hoc backup's time +
    // interval, which is where recording every backup would have put it.
    expect(s.owner!.nextBackup).not.toBeNull()
    expect(Date.parse(s.owner!.nextBackup!)).toBeGreaterThanOrEqual(setTime + HOUR)
    expect(Date.parse(s.owner!.nextBackup!)).toBeLessThan(adHocTime + HOUR)
    expect(Date.parse(s.owner!.nextBackup!)).toBeLessThanOrEqual(Date.parse(nextBefore))
  })

  it('a fresh machine without config (restore --owner) restores the configured set as latest, and the ad-hoc one with --path', async () => {
    await waitFor(async () => (readFileSync(alice.logPath, 'utf8').includes('owner key record stored in the swarm') ? true : undefined), 60_000, 'the key record in the swarm')
    const home = join(root, 'fresh')
    const state = join(home, 'state')
    mkdirSync(state, { recursive: true, mode: 0o700 })
    copyFileSync(office.swarmKeyPath, join(state, 'swarm.key'))
    const bootstrap = office.machines.find(m => m.name === 'bob')!.address!
    const fresh = async (args: string[]): Promise<CliResult> => await runCli(['--json', ...args, '--state-dir', state, '--bootstrap', bootstrap], {
      env: { HOME: home, P2PBAK_NETWORK_MDNS: 'false', P2PBAK_NETWORK_LISTEN: '/ip4/127.0.0.1/tcp/0', P2PBAK_PASSWORD: PASS },
      timeoutMs: 180_000
    })
    const t3 = join(root, 'fresh-latest')
    const r3 = await fresh(['restore', '--owner', 'alice', '--target', t3])
    expect(r3.code, r3.stderr).toBe(0)
    expect(parseJson(r3)).toMatchObject({ snapshot: setSnap.snapshot })
    expect(compareTrees(configured, join(t3, configured))).toEqual([])
    expect(existsSync(join(t3, adHoc))).toBe(false)
    const t4 = join(root, 'fresh-adhoc')
    const r4 = await fresh(['restore', '--owner', 'alice', '--path', adHoc, '--target', t4])
    expect(r4.code, r4.stderr).toBe(0)
    expect(parseJson(r4)).toMatchObject({ snapshot: adHocSnap.snapshot })
    expect(compareTrees(adHoc, join(t4, adHoc))).toEqual([])
  })
})

describe('p2pbak local: the same filters without a daemon', () => {
  it('snapshots, ls and restore take --path, --tag (a,b = both; repeated = either) and --host; latest is the newest that matches', async () => {
    const passFile = join(root, 'local-pass')
    writeFileSync(passFile, 'local sets passphrase\n', { mode: 0o600 })
    const args = ['--repo', join(root, 'local-repo'), '--state', join(root, 'local-state'), '--password-file', passFile]
    const local = async <T>(a: string[]): Promise<T> => {
      const r = await runCli(['--json', 'local', ...a, ...args])
      expect(r.code, r.stderr).toBe(0)
      return parseJson<T>(r)
    }
    await local(['init', '--owner', 'alice-local'])
    const docs = await local<{ snapshot: string }>(['backup', configured, '--tag', 'daily,home'])
    const x = await local<{ snapshot: string }>(['backup', adHoc, '--tag', 'scratch'])
    const all = await local<SnapshotRow[]>(['snapshots'])
    expect(all.map(r => [r.id, r.tags, r.origin, r.latest])).toEqual([[docs.snapshot, ['daily', 'home'], 'ad-hoc', false], [x.snapshot, ['scratch'], 'ad-hoc', true]])
    expect((await local<SnapshotRow[]>(['snapshots', '--tag', 'daily,home'])).map(r => r.id)).toEqual([docs.snapshot])
    expect(await local<SnapshotRow[]>(['snapshots', '--tag', 'daily,scratch'])).toEqual([])
    expect((await local<SnapshotRow[]>(['snapshots', '--tag', 'home', '--tag', 'scratch'])).map(r => r.id)).toEqual([docs.snapshot, x.snapshot])
    expect(await local<SnapshotRow[]>(['snapshots', '--host', 'no-such-host'])).toEqual([])
    const files = await local<LsEntry[]>(['ls', 'latest', '--path', configured])
    expect(files.some(e => e.path === join(configured, 'doc-0.txt'))).toBe(true)
    const target = join(root, 'local-restore')
    const r = await local<{ snapshot: string }>(['restore', 'latest', '--tag', 'home', '--target', target])
    expect(r.snapshot).toBe(docs.snapshot)
    expect(compareTrees(configured, join(target, configured))).toEqual([])
  })
})
