// The peer book, end to end with real daemon processes on 127.0.0.1: a fresh-machine restore
// (`p2pbak restore --owner`, the built binary) is a short-lived peer that no daemon keeps in its
// peer book once it is gone, and `p2pbak peers forget` removes a machine that left the office
// without `p2pbak leave`. The same office shows the progress events that backup, check
// --read-data and leave stream through the control API.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Office, waitFor } from '../../cli/office.js'
import type { Machine } from '../../cli/office.js'
import { PEERS_DB_NAME } from '../../daemon/daemon.js'
import { loadOrCreateNodeKey } from '../../daemon/swarm/index.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import type { PeerRow, PeersForgetAnswer, Progress } from '../../daemon/control/api.js'
import { parseJson, runCli } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'
import { prngBytes } from '../harness/tree.js'

const dirs = tempDirs()
const PASS = 'peer book passphrase'
let root: string
let office: Office
let alice: Machine
let bob: Machine
let carol: Machine
let dave: Machine
let src: string

/** The rows of a daemon's peers.db that name `peerId` (read beside the running daemon). */
function bookRows (m: Machine, peerId: string): number {
  const db = new Database(join(m.stateDir, PEERS_DB_NAME), { readonly: true, fileMustExist: true })
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM peers WHERE peer = ?').get(peerId) as { n: number }).n
  } finally {
    db.close()
  }
}

beforeAll(async () => {
  root = dirs.make('p2pbak-peers-e2e-')
  src = join(root, 'src')
  mkdirSync(src)
  for (let i = 0; i < 5; i++) writeFileSync(join(src, `f-${i}.bin`), prngBytes(`peers-${i}`, 200_000))
  office = new Office({ root: join(root, 'office') })
  const config = { redundancy: { replicas: 2 }, repair: { goneAfter: '3s' } }
  alice = await office.addMachine('alice', { owner: 'alice', passphrase: PASS, config })
  await office.start(alice)
  bob = await office.addMachine('bob', { bootstrap: [alice], config })
  carol = await office.addMachine('carol', { bootstrap: [alice], config })
  dave = await office.addMachine('dave', { bootstrap: [alice], config })
  await office.start(bob)
  await office.start(carol)
  await office.start(dave)
  await waitFor(async () => ((await alice.client.status()).swarm.online === 3 ? true : undefined), 30_000, 'three peers')
  await alice.client.backup({ paths: [src] })
}, 120_000)

afterAll(async () => {
  await office?.stopAll()
  dirs.cleanup()
}, 60_000)

describe('peer books', () => {
  it('a fresh-machine restore leaves no entry for its temporary peer in any daemon\'s peer book', async () => {
    const daemons = [alice, bob, carol, dave]
    const before = await Promise.all(daemons.map(async m => (await m.client.peers()).map(p => p.peerId).sort()))
    const home = join(root, 'fresh')
    const state = join(home, 'state')
    mkdirSync(state, { recursive: true, mode: 0o700 })
    copyFileSync(office.swarmKeyPath, join(state, 'swarm.key'))
    // Its identity, made before it runs (the restore loads the same node.key), so the test knows its peer ID.
    const restorer = peerIdFromPrivateKey(await loadOrCreateNodeKey(state)).toString()
    const target = join(root, 'restored')
    const r = await runCli(['--json', 'restore', '--owner', 'alice', '--target', target, '--state-dir', state, '--bootstrap', bob.address!], {
      env: { HOME: home, P2PBAK_PASSWORD: PASS, P2PBAK_NETWORK_MDNS: 'false', P2PBAK_NETWORK_LISTEN: '/ip4/127.0.0.1/tcp/0' },
      timeoutMs: 120_000
    })
    expect(r.code, r.stderr).toBe(0)
    expect(compareTrees(src, join(target, src))).toEqual([])
    // It really was a peer of each daemon it got packs or records from.
    const met = daemons.filter(m => readFileSync(m.logPath, 'utf8').split('\n').some(l => l.includes('"peer online"') && l.includes(restorer)))
    expect(met.length).toBeGreaterThanOrEqual(2)
    // Once it has gone, nothing of it is left: no row, no listed peer, no count in status.
    for (const m of daemons) {
      await expect.poll(() => bookRows(m, restorer), { timeout: 15_000, interval: 200 }).toBe(0)
      const now = (await m.client.peers()).map(p => p.peerId).sort()
      expect(now).not.toContain(restorer)
      expect(now).toEqual(before[daemons.indexOf(m)])
      const s = await m.client.status()
      expect(s.swarm.online + s.swarm.absent + s.swarm.gone).toBe(before[daemons.indexOf(m)]!.length)
    }
  })

  it('backup, check --read-data and leave stream progress events through the control API', async () => {
    // Backup: scanning first (nothing done, no total yet), then packs stored and bytes sent to holders.
    const more = join(root, 'more')
    mkdirSync(more)
    for (let i = 0; i < 4; i++) writeFileSync(join(more, `m-${i}.bin`), prngBytes(`more-${i}`, 1024 * 1024))
    const backup: Progress[] = []
    await alice.client.backup({ paths: [more] }, { onProgress: (p) => backup.push(p) })
    expect(backup[0]).toMatchObject({ kind: 'backup', stage: 'scanning', filesDone: 0, bytesDone: 0 })
    expect(backup[0]!.totalBytes).toBeUndefined()
    const last = backup.at(-1)!
    expect(last.packsStored).toBeGreaterThan(0)
    expect(last.bytesSent).toBeGreaterThanOrEqual(2 * 4 * 1024 * 1024) // every pack to two holders
    expect(backup.some(p => (p.sendRate ?? 0) > 0)).toBe(true)

    // check --read-data: packs done of the total, bytes read of the total.
    const check: Progress[] = []
    const r = await alice.client.check({ readData: true }, { onProgress: (p) => check.push(p) })
    expect(r.ok).toBe(true)
    const reading = check.filter(p => p.stage === 'reading packs')
    expect(reading.length).toBeGreaterThan(2)
    expect(reading[0]).toMatchObject({ kind: 'check', filesDone: 0, bytesDone: 0 })
    expect(reading.at(-1)).toMatchObject({ filesDone: reading.at(-1)!.totalFiles, bytesDone: r.bytesRead, totalBytes: r.bytesRead })
    expect(reading.at(-1)!.totalFiles).toBeGreaterThanOrEqual(r.packs)

    // leave: bob hands over what it holds, packs done of the total, then stays after all.
    const held = (await bob.client.status()).storage.packs
    expect(held).toBeGreaterThan(0)
    const leave: Progress[] = []
    const left = await bob.client.leave({}, { onProgress: (p) => leave.push(p) })
    expect(left.leaving).toBe(true)
    expect(leave[0]).toMatchObject({ kind: 'leave', filesDone: 0, totalFiles: held })
    expect(leave.at(-1)).toMatchObject({ filesDone: held, totalFiles: held })
    expect(leave.at(-1)!.totalBytes).toBeGreaterThan(0)
    await bob.client.leave({ cancel: true })

    // Without a terminal the CLI adds nothing: the same text as ever, nothing on stderr.
    const plain = await runCli(['-c', alice.configPath, 'check', '--read-data'], { env: { HOME: alice.dir }, timeoutMs: 60_000 })
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stderr).toBe('')
    expect(plain.stdout).toMatch(/^\d+ snapshots, \d+ packs, \d+ blobs, .* read\nno problems found\n$/)
  }, 120_000)

  it('`peers forget` refuses an online peer without --force, and removes a gone one with what it held', async () => {
    const cli = async (args: string[]): Promise<Awaited<ReturnType<typeof runCli>>> =>
      await runCli(['--json', '-c', alice.configPath, ...args], { env: { HOME: alice.dir }, timeoutMs: 60_000 })
    // bob is online: refused, with the way out in the hint; nothing changes.
    const refused = await cli(['peers', 'forget', bob.peerId.slice(-12)])
    expect(refused.code).toBe(14)
    expect(refused.stderr).toMatch(/is online/)
    expect(refused.stderr).toMatch(/--force/)
    // carol leaves without `p2pbak leave`: once gone, she stays in the book as gone...
    const heldByCarol = (await alice.client.peers()).find(p => p.peerId === carol.peerId)!.heldForUs
    expect(heldByCarol).toBeGreaterThan(0)
    await office.stop(carol, 'SIGKILL')
    await expect.poll(async () => (await alice.client.peers()).find(p => p.peerId === carol.peerId)?.liveness, { timeout: 20_000, interval: 200 }).toBe('gone')
    // ... until forgotten, named as `p2pbak peers` prints it.
    const r = await cli(['peers', 'forget', `…${carol.peerId.slice(-12)}`])
    expect(r.code, r.stderr).toBe(0)
    const answer = parseJson<PeersForgetAnswer>(r)
    expect(answer).toMatchObject({ peerId: carol.peerId, liveness: 'gone', heldForUs: { bytes: heldByCarol } })
    expect(answer.heldForUs.packs).toBeGreaterThan(0)
    const rows = parseJson<PeerRow[]>(await cli(['peers']))
    expect(rows.map(p => p.peerId).sort()).toEqual([bob.peerId, dave.peerId].sort())
    expect(bookRows(alice, carol.peerId)).toBe(0)
    const s = await alice.client.status()
    expect(s.swarm).toMatchObject({ online: 2, absent: 0, gone: 0 })
    // A second forget finds nobody.
    const again = await runCli(['-c', alice.configPath, 'peers', 'forget', carol.peerId], { env: { HOME: alice.dir } })
    expect(again.code).toBe(14)
    expect(again.stderr).toMatch(/no known peer matches/)
  })
})
