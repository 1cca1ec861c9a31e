// The daemon and its CLI end to end: the built `p2pbak` binary as separate daemon processes on
// 127.0.0.1 (an owner and three holders, r = 3), driven only through the CLI. Every command's
// --json output is parsed and checked, every user error has its exit code and a hint, and the
// daemon survives SIGTERM in the middle of a backup.
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackupAnswer, CheckAnswer, LsEntry, PeerRow, SnapshotRow, Status } from '../../daemon/control/api.js'
import { exitCodeFor } from '../../cli/exit-codes.js'
import { DaemonClient } from '../../cli/client.js'
import { Office, waitFor } from '../../cli/office.js'
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
let passFile: string
let aliceConfig: string
let recoveryKey: string

const cli = async (args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> => await runCli(['-c', aliceConfig, ...args], { env: { HOME: root, ...env } })
const json = async <T>(args: string[]): Promise<T> => {
  const r = await cli(['--json', ...args])
  expect(r.code, r.stderr).toBe(0)
  return parseJson<T>(r)
}

function expectUserError (r: CliResult, name: string, pattern: RegExp): void {
  expect(r.code, `${r.stderr}${r.stdout}`).toBe(exitCodeFor(name))
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).toMatch(/hint: /)
  expect(r.stderr).not.toMatch(/\n\s+at .*\(/) // no stack trace
}

beforeAll(async () => {
  root = dirs.make('p2pbak-daemon-e2e-')
  src = join(root, 'src')
  makeSpecialTree(src, { largeSize: 3 * 1024 * 1024 })
  passFile = join(root, 'pass')
  writeFileSync(passFile, 'daemon test passphrase\n', { mode: 0o600 })
  aliceConfig = join(root, 'alice', 'config.toml')
  office = new Office({ root: join(root, 'office') })
}, 60_000)

afterAll(async () => {
  await office?.stopAll()
  dirs.cleanup()
}, 60_000)

describe('p2pbak daemon and CLI', () => {
  it('swarm init writes a private key file once and refuses to overwrite it', async () => {
    const keyPath = join(root, 'swarm.key')
    const r = await runCli(['--json', 'swarm', 'init', '--out', keyPath])
    expect(r.code, r.stderr).toBe(0)
    expect(parseJson<{ swarmKeyFile: string, swarmId: string }>(r)).toMatchObject({ swarmKeyFile: keyPath, swarmId: expect.stringMatching(/^[0-9a-f]{8}$/) })
    expect(statSync(keyPath).mode & 0o777).toBe(0o600)
    const before = readFileSync(keyPath)
    expectUserError(await runCli(['swarm', 'init', '--out', keyPath]), 'AlreadyExistsError', /refusing to overwrite/)
    expect(readFileSync(keyPath)).toEqual(before)
  })

  it('init writes the config and the owner, prints the recovery key once, and refuses to run twice', async () => {
    const r = await cli(['--json', 'init', '--owner', 'alice', '--password-file', passFile, '--state-dir', join(root, 'alice', 'state'),
      '--swarm-key', office.swarmKeyPath, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--replicas', '3'])
    expect(r.code, r.stderr).toBe(0)
    const init = parseJson<{ owner: string, recoveryKey: string, config: string, configWritten: boolean, peerId: string, stateDir: string }>(r)
    expect(init).toMatchObject({ owner: 'alice', config: aliceConfig, configWritten: true, peerId: expect.stringMatching(/^12D3KooW/) })
    expect(init.recoveryKey.split(' ')).toHaveLength(24)
    recoveryKey = init.recoveryKey
    const toml = readFileSync(aliceConfig, 'utf8')
    expect(toml).toMatch(/name = "alice"/)
    expect(toml).not.toContain(init.recoveryKey.split(' ')[0]! + ' ' + init.recoveryKey.split(' ')[1]!)
    for (const f of ['keyfile.json', 'owner.key']) expect(statSync(join(init.stateDir, 'owner', f)).mode & 0o777).toBe(0o600)
    expect(statSync(init.stateDir).mode & 0o777).toBe(0o700)
    // A second init: the config exists (so no config flags), and the owner exists.
    expectUserError(await cli(['init', '--owner', 'alice', '--password-file', passFile]), 'AlreadyExistsError', /exists/)
    expectUserError(await cli(['init', '--password-file', passFile]), 'AlreadyExistsError', /already holds the owner/)
  })

  it('with no daemon running, a command says so in one line and exits with its code', async () => {
    expectUserError(await cli(['status']), 'DaemonNotRunningError', /no p2pbak daemon is running/)
    expectUserError(await cli(['backup', src]), 'DaemonNotRunningError', /no p2pbak daemon is running/)
  })

  it('starts an office: the control socket is private to its owner', async () => {
    alice = await office.register('alice', aliceConfig)
    await office.start(alice)
    holders = []
    for (const [i, name] of ['bob', 'carol', 'dave'].entries()) {
      holders.push(await office.addMachine(name, { config: { storage: { domain: `desk-${i}` } }, bootstrap: [alice] }))
    }
    await Promise.all(holders.map(async m => await office.start(m)))
    const socket = join(alice.stateDir, 'control.sock')
    expect(statSync(socket).isSocket()).toBe(true)
    expect(statSync(socket).mode & 0o777).toBe(0o600)
    const online = await waitFor(async () => { const s = await json<Status>(['status']); return s.swarm.online === 3 ? s : undefined }, 30_000, '3 peers online', 300)
    expect(online.daemon.peerId).toBe(alice.peerId)
  })

  it('backup, status, snapshots, ls, restore, check, peers: every --json answer', async () => {
    const b = await json<BackupAnswer>(['backup', '--tag', 'first', src])
    expect(b.snapshot).toMatch(/^[0-9a-f]{64}$/)
    expect(b.joined).toBe(false)
    expect(b.degradedPacks).toBe(0)
    expect(b.summary.filesNew).toBe(b.summary.totalFiles)
    expect(b.summary.totalBytes).toBeGreaterThan(3 * 1024 * 1024)

    // Status: the at-a-glance answer, with the share restorable now computed in the background.
    const s = await waitFor(async () => { const x = await json<Status>(['status']); return x.owner?.restorable !== null ? x : undefined }, 30_000, 'restorable share', 300)
    expect(s).toMatchObject({
      apiVersion: 1,
      verdict: 'ok',
      daemon: { peerId: alice.peerId, pid: alice.proc!.pid },
      swarm: { online: 3, absent: 0, gone: 0 },
      owner: { name: 'alice', replicas: 3, lastBackup: { snapshot: b.snapshot, files: b.summary.totalFiles }, restorable: { snapshot: b.snapshot, share: 1 } },
      problems: []
    })
    expect(s.owner!.packs.total).toBeGreaterThan(0)
    expect(s.owner!.packs.healthy).toBe(s.owner!.packs.total)
    expect(s.owner!.nextBackup).toBeNull() // no backup.paths configured: nothing scheduled
    const human = await cli(['status'])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/^p2pbak status: OK/)
    expect(human.stdout).toMatch(/packs\s+\d+ stored: \d+ healthy, 0 degraded, 0 at risk, 0 lost/)

    const snaps = await json<SnapshotRow[]>(['snapshots'])
    expect(snaps).toHaveLength(1)
    expect(snaps[0]).toMatchObject({ id: b.snapshot, paths: [src], tags: ['first'], owner: 'alice', files: b.summary.totalFiles })

    const ls = await json<LsEntry[]>(['ls', b.snapshot.slice(0, 8), join(src, 'docs')])
    expect(ls).toContainEqual(expect.objectContaining({ path: join(src, 'docs/hello.txt'), type: 'file', size: 12 }))
    expect(ls.every(e => e.path.startsWith(join(src, 'docs')))).toBe(true)

    const target = join(root, 'restore-1')
    const r = await json<{ files: number, snapshot: string }>(['restore', 'latest', '--target', target])
    expect(r.snapshot).toBe(b.snapshot)
    expect(r.files).toBeGreaterThan(10)
    expect(compareTrees(src, join(target, src))).toEqual([])

    const c = await json<CheckAnswer>(['check', '--read-data'])
    expect(c).toMatchObject({ ok: true, snapshots: 1, problems: [] })
    expect(c.bytesRead).toBeGreaterThan(0)

    const peers = await json<PeerRow[]>(['peers'])
    expect(peers.map(p => p.peerId).sort()).toEqual(holders.map(h => h.peerId).sort())
    for (const p of peers) {
      expect(p).toMatchObject({ liveness: 'online', quota: 10 * 1024 ** 3 })
      expect(p.heldForUs).toBeGreaterThan(0) // r = 3 over 3 holders: each holds every pack
      expect(p.domain).toMatch(/^desk-\d$/)
    }
    const fromBob = parseJson<PeerRow[]>(await runCli(['--json', '-c', holders[0]!.configPath, 'peers']))
    expect(fromBob.find(p => p.peerId === alice.peerId)?.heldForThem).toBe(peers.find(p => p.peerId === holders[0]!.peerId)?.heldForUs)
  })

  it('user errors through the daemon: unknown snapshot, wrong passphrase, bad config, holder without owner', async () => {
    expectUserError(await cli(['restore', 'deadbeef', '--target', join(root, 'x')]), 'SnapshotNotFoundError', /no snapshot matches deadbeef/)
    expectUserError(await cli(['ls', 'not-an-id']), 'InvalidArgumentError', /not a snapshot ID/)
    const wrong = join(root, 'wrong')
    writeFileSync(wrong, 'not the passphrase\n')
    expectUserError(await cli(['key', 'recovery', '--password-file', wrong]), 'WrongPassphraseError', /passphrase/)
    const bad = join(root, 'bad.toml')
    writeFileSync(bad, 'version = 1\n[network]\nmax_connections = "many"\n')
    expectUserError(await runCli(['-c', bad, 'status']), 'ConfigError', /network\.max_connections/)
    const bob = await runCli(['--json', '-c', holders[0]!.configPath, 'status'])
    expect(parseJson<Status>(bob)).toMatchObject({ owner: null, problems: expect.arrayContaining([expect.objectContaining({ code: 'no-owner' })]) })
    expectUserError(await runCli(['-c', holders[0]!.configPath, 'backup', src]), 'NotInitializedError', /no owner on this machine/)
  })

  it('key passwd checks the current passphrase first; a weak or empty new one changes nothing (exit 30)', async () => {
    const keyFile = join(alice.stateDir, 'owner', 'keyfile.json')
    const before = readFileSync(keyFile)
    // The current passphrase is checked first: wrong, it fails before a new one is looked for.
    const wrong = join(root, 'wrong-current')
    writeFileSync(wrong, 'not the current passphrase\n', { mode: 0o600 })
    expectUserError(await cli(['key', 'passwd', '--password-file', wrong], { P2PBAK_NEW_PASSWORD: '' }), 'WrongPassphraseError', /does not open/)
    const weak = join(root, 'weak')
    writeFileSync(weak, 'alice2024\n', { mode: 0o600 })
    expectUserError(await cli(['key', 'passwd', '--password-file', passFile, '--new-password-file', weak]), 'WeakPassphraseError', /too easy to guess/)
    const empty = join(root, 'empty')
    writeFileSync(empty, '\n', { mode: 0o600 })
    const e = await cli(['key', 'passwd', '--password-file', passFile, '--new-password-file', empty])
    expectUserError(e, 'WeakPassphraseError', /the new passphrase is empty/)
    expect(e.stderr).not.toMatch(/Too small|expected string/)
    // The daemon judges too, for any client of the control API: wrong current first, then weak or empty new.
    const api = new DaemonClient({ socketPath: join(alice.stateDir, 'control.sock') })
    await expect(api.keyPasswd('not the current passphrase', '')).rejects.toMatchObject({ name: 'WrongPassphraseError' })
    await expect(api.keyPasswd(readFileSync(passFile, 'utf8').trim(), '')).rejects.toMatchObject({ name: 'WeakPassphraseError', message: 'the new passphrase is empty' })
    expect(await api.keyVerify(readFileSync(passFile, 'utf8').trim())).toEqual({ ok: true })
    expect(readFileSync(keyFile).equals(before)).toBe(true)
  })

  it('key recovery shows the recovery key again; key passwd changes the passphrase', async () => {
    const k = await json<{ recoveryKey: string }>(['key', 'recovery', '--password-file', passFile])
    expect(k.recoveryKey).toBe(recoveryKey)
    const newPass = join(root, 'newpass')
    writeFileSync(newPass, 'a new daemon passphrase\n', { mode: 0o600 })
    const p = await json<{ changed: boolean, storedInSwarm: boolean }>(['key', 'passwd', '--password-file', passFile, '--new-password-file', newPass])
    expect(p).toEqual({ changed: true, storedInSwarm: true })
    expectUserError(await cli(['key', 'recovery', '--password-file', passFile]), 'WrongPassphraseError', /passphrase/)
    expect((await json<{ recoveryKey: string }>(['key', 'recovery', '--password-file', newPass])).recoveryKey).toBe(recoveryKey)
    writeFileSync(passFile, 'a new daemon passphrase\n')
  })

  it('a second backup of the same paths while one runs joins it instead of running twice', async () => {
    const more = join(src, 'more')
    mkdirSync(more)
    writeFileSync(join(more, 'a.bin'), prngBytes('join', 6 * 1024 * 1024))
    const before = (await json<SnapshotRow[]>(['snapshots'])).length
    // Slow replication down (18 MiB to send at 4 MiB/s), so that the first is surely running when the second comes.
    await office.stop(alice)
    await office.start(alice, { env: { P2PBAK_NETWORK_BANDWIDTH_LIMIT: '4MiB' } })
    await waitFor(async () => ((await json<Status>(['status'])).swarm.online === 3 ? true : undefined), 30_000, 'peers back', 300)
    const first = cli(['--json', 'backup', src])
    await waitFor(async () => ((await json<Status>(['status'])).operations.some(o => o.kind === 'backup' && o.state === 'running') ? true : undefined), 30_000, 'the first backup to run', 100)
    const second = await cli(['--json', 'backup', src])
    const x = await first
    expect(x.code, x.stderr).toBe(0)
    expect(second.code, second.stderr).toBe(0)
    const a = parseJson<BackupAnswer>(x)
    const b = parseJson<BackupAnswer>(second)
    expect(b.snapshot).toBe(a.snapshot)
    expect(a.joined).toBe(false)
    expect(b.joined).toBe(true)
    expect(await json<SnapshotRow[]>(['snapshots'])).toHaveLength(before + 1)
  })

  it('SIGTERM during a backup: the daemon stops at a safe point, exits 0, and the next backup completes', async () => {
    const big = join(root, 'big')
    mkdirSync(big)
    for (let i = 0; i < 3; i++) writeFileSync(join(big, `part-${i}.bin`), prngBytes(`big-${i}`, 16 * 1024 * 1024))
    await office.stop(alice)
    // Slow replication down, so that the backup is surely running when the signal comes.
    await office.start(alice, { env: { P2PBAK_NETWORK_BANDWIDTH_LIMIT: '4MiB' } })
    await waitFor(async () => ((await json<Status>(['status'])).swarm.online === 3 ? true : undefined), 30_000, 'peers back', 300)
    const running = cli(['--json', 'backup', big])
    await waitFor(async () => {
      const s = await json<Status>(['status'])
      return s.operations.some(o => o.kind === 'backup' && (o.progress?.packsStored ?? 0) >= 1) ? true : undefined
    }, 60_000, 'the backup to store its first pack', 200)
    const code = await office.stop(alice, 'SIGTERM', 20_000)
    expect(code).toBe(0)
    const r = await running
    expectUserError(r, 'ShuttingDown', /shutting down/)
    expect(readFileSync(alice.logPath, 'utf8')).toMatch(/backup stopped; the packs already stored are kept/)

    await office.start(alice)
    await waitFor(async () => ((await json<Status>(['status'])).swarm.online === 3 ? true : undefined), 30_000, 'peers back', 300)
    const c = await json<CheckAnswer>(['check'])
    expect(c.ok).toBe(true)
    const b = await json<BackupAnswer>(['backup', big])
    expect(b.summary.totalFiles).toBe(3)
    const target = join(root, 'restore-big')
    await json(['restore', b.snapshot, '--target', target])
    expect(compareTrees(big, join(target, big))).toEqual([])
    expect((await json<CheckAnswer>(['check', '--read-data'])).ok).toBe(true)
  })

  it('status shows the packs a gone holder took with it, and problems with what to do', async () => {
    await office.stop(alice)
    await office.start(alice, { env: { P2PBAK_REPAIR_GONE_AFTER: '2s', P2PBAK_LOG_LEVEL: 'debug' } })
    await waitFor(async () => ((await json<Status>(['status'])).swarm.online === 3 ? true : undefined), 30_000, 'peers back', 300)
    await office.stop(holders[2]!, 'SIGKILL')
    const s = await waitFor(async () => { const x = await json<Status>(['status']); return x.swarm.gone === 1 ? x : undefined }, 30_000, 'the holder to count as gone', 300)
    const packs = s.owner!.packs
    expect(packs.degraded).toBe(packs.total) // every pack had a copy there (r = 3 over 3 holders)
    expect(packs.lost + packs.atRisk + packs.healthy).toBe(0)
    expect(s.verdict).toBe('warning')
    expect(s.problems.map(p => p.code)).toEqual(expect.arrayContaining(['packs-degraded', 'too-few-peers']))
    for (const p of s.problems) expect(p.hint.length).toBeGreaterThan(10)
    const human = await cli(['status'])
    expect(human.stdout).toMatch(/^p2pbak status: WARNING/)
    expect(human.stdout).toMatch(/→ /)
  })
})

describe('scheduled backups', () => {
  it('run by themselves every backup.interval, with the configured excludes, and status shows the next one', async () => {
    const docs = join(src, 'docs')
    const before = (await json<SnapshotRow[]>(['snapshots'])).filter(x => x.paths.includes(docs)).length
    await office.stop(alice)
    await office.start(alice, { env: { P2PBAK_BACKUP_PATHS: docs, P2PBAK_BACKUP_INTERVAL: '3s', P2PBAK_BACKUP_JITTER: '0s', P2PBAK_BACKUP_EXCLUDE: '*.txt' } })
    const scheduled = await waitFor(async () => {
      const rows = (await json<SnapshotRow[]>(['snapshots'])).filter(x => x.paths.includes(docs))
      return rows.length >= before + 2 ? rows : undefined
    }, 45_000, 'two scheduled backups', 500)
    const [a, b] = scheduled.slice(-2)
    expect(Date.parse(b!.time) - Date.parse(a!.time)).toBeGreaterThanOrEqual(2900) // one interval apart, at least
    const s = await json<Status>(['status'])
    expect(s.owner!.backupPaths).toEqual([docs])
    expect(Date.parse(s.owner!.nextBackup!)).toBeGreaterThan(Date.parse(s.time) - 1000)
    const files = await json<LsEntry[]>(['ls', b!.id, docs])
    expect(files.some(f => f.type === 'file')).toBe(true)
    expect(files.filter(f => f.path.endsWith('.txt'))).toEqual([])
    await office.stop(alice)
    await office.start(alice)
  })
})

describe('starting a daemon: what can go wrong, and init beside a running daemon', () => {
  it('a missing swarm key, or a port already in use: one line, a hint, its exit code', async () => {
    const eve = await office.addMachine('eve', { config: { network: { swarmKeyFile: join(root, 'no-such-swarm.key') } } })
    expectUserError(await runCli(['-c', eve.configPath, 'daemon'], { env: { HOME: eve.dir } }), 'NotInitializedError', /no swarm key at .*no-such-swarm\.key/)
    const busy = createServer()
    await new Promise<void>(resolve => { busy.listen(0, '127.0.0.1', resolve) })
    try {
      const port = (busy.address() as AddressInfo).port
      const frank = await office.addMachine('frank', { config: { network: { listen: [`/ip4/127.0.0.1/tcp/${port}`] } } })
      expectUserError(await runCli(['-c', frank.configPath, 'daemon'], { env: { HOME: frank.dir } }), 'InvalidArgumentError', /address is in use/)
    } finally {
      busy.close()
    }
  })

  it('init on a machine whose daemon runs: the daemon picks up the new owner at once', async () => {
    const bob = holders[0]!
    expect(parseJson<Status>(await runCli(['--json', '-c', bob.configPath, 'status'])).owner).toBeNull()
    const r = await runCli(['--json', '-c', bob.configPath, 'init', '--password-file', passFile], { env: { HOME: bob.dir } })
    expect(r.code, r.stderr).toBe(0)
    expect(parseJson<{ owner: string, configWritten: boolean }>(r)).toMatchObject({ owner: 'bob', configWritten: false })
    const s = parseJson<Status>(await runCli(['--json', '-c', bob.configPath, 'status']))
    expect(s.owner).toMatchObject({ name: 'bob', lastBackup: null })
    const b = parseJson<BackupAnswer>(await runCli(['--json', '-c', bob.configPath, 'backup', join(src, 'docs')]))
    expect(b.summary.totalFiles).toBeGreaterThan(0)
  })
})

// The socket test above checks the mode the daemon sets; this checks the directory the daemon
// refuses to share: a second daemon on the same state directory.
describe('one daemon per state directory', () => {
  it('a second daemon on the same state directory fails with LockedError', async () => {
    if (alice?.proc === undefined) await office.start(alice)
    const r = await runCli(['-c', aliceConfig, 'daemon'], { env: { HOME: root }, timeoutMs: 30_000 })
    expectUserError(r, 'LockedError', /in use by process/)
    chmodSync(alice.stateDir, 0o700)
  })
})
