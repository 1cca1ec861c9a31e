// The lost laptop, end to end: five real daemon processes on 127.0.0.1 (alice and four holders,
// r = 3). Alice backs up; then her daemon and her whole state directory are gone. A brand-new
// state directory that holds only the office's swarm key restores everything with the built
// binary (`p2pbak restore --owner alice`, passphrase from the environment), again from the
// recovery key alone, resumes after being killed half-way (the most recent files came first),
// copes with a holder offline, reports exactly what is missing when a pack is out of reach and
// completes on a re-run, and finally adopts the identity: the next backup sends nothing the
// peers already hold.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Office, waitFor } from '../../cli/office.js'
import type { Machine } from '../../cli/office.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { parseJson, runCli } from '../harness/cli.js'
import { expectJsonOutput } from '../harness/json-schema.js'
import type { CliResult } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'
import { makeSpecialTree, prngBytes } from '../harness/tree.js'
import { heldBytes } from '../harness/held.js'

const dirs = tempDirs()
const PASS = 'lost laptop passphrase'
let root: string
let office: Office
let alice: Machine
let holders: Machine[]
let src: string
let bootstrap: string
let fresh = 0

/** A brand-new machine: an empty state directory with only the swarm key copied in. */
function newMachine (): { home: string, state: string } {
  const home = join(root, `fresh-${fresh++}`)
  const state = join(home, 'state')
  mkdirSync(state, { recursive: true, mode: 0o700 })
  copyFileSync(office.swarmKeyPath, join(state, 'swarm.key'))
  return { home, state }
}

async function p2pbak (m: { home: string, state: string }, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return await runCli(['--json', ...args, '--state-dir', m.state, '--bootstrap', bootstrap], {
    env: { HOME: m.home, P2PBAK_NETWORK_MDNS: 'false', P2PBAK_NETWORK_LISTEN: '/ip4/127.0.0.1/tcp/0', ...env },
    timeoutMs: 180_000
  })
}

/** Regular files under `dir`, relative (names as raw bytes, spelled latin1: some are not UTF-8), with their mtimes (ms). */
function regularFiles (dir: string, rel: Buffer = Buffer.alloc(0)): Array<{ path: string, mtimeMs: number }> {
  const out: Array<{ path: string, mtimeMs: number }> = []
  const here = Buffer.concat([Buffer.from(dir), rel])
  for (const name of readdirSync(here, { encoding: 'buffer' })) {
    const p = Buffer.concat([rel, Buffer.from('/'), name])
    const st = lstatSync(Buffer.concat([Buffer.from(dir), p]))
    if (st.isDirectory()) out.push(...regularFiles(dir, p))
    else if (st.isFile()) out.push({ path: p.toString('latin1'), mtimeMs: st.mtimeMs })
  }
  return out
}

/** Bytes in the holders' pack stores. */
function heldByHolders (): number {
  return holders.reduce((n, h) => n + heldBytes(h), 0)
}

beforeAll(async () => {
  root = dirs.make('p2pbak-lost-')
  src = join(root, 'src')
  makeSpecialTree(src, { largeSize: 2 * 1024 * 1024 })
  // Thirty files of today's work, each a second newer than the last: the restore brings them first.
  mkdirSync(join(src, 'work'))
  const now = Date.now() / 1000
  for (let i = 0; i < 30; i++) {
    const f = join(src, 'work', `doc-${String(i).padStart(2, '0')}.txt`)
    writeFileSync(f, prngBytes(`work-${i}`, 20_000 + i * 1000))
    utimesSync(f, now + i, now + i)
  }
  for (let i = 0; i < 4; i++) writeFileSync(join(src, `bulk-${i}.bin`), prngBytes(`bulk-${i}`, 3 * 1024 * 1024))
  office = new Office({ root: join(root, 'office') })
  alice = await office.addMachine('alice', { owner: 'alice', passphrase: PASS })
  await office.start(alice)
  holders = []
  for (const n of ['bob', 'carol', 'dave', 'erin']) {
    // No scrub: the test takes a pack file away for a while, and scrub would drop the holder's record of it.
    const m = await office.addMachine(n, { bootstrap: [alice], config: { repair: { scrubRate: '1B' } } })
    await office.start(m)
    holders.push(m)
  }
  await waitFor(async () => ((await alice.client.status()).swarm.online === 4 ? true : undefined), 30_000, 'four peers')
  await alice.client.backup({ paths: [src] })
  bootstrap = holders[0]!.address!
  // The laptop is stolen: its daemon dies and nothing of its state is left.
  await office.stop(alice, 'SIGKILL')
  rmSync(alice.dir, { recursive: true, force: true })
}, 120_000)

afterAll(async () => {
  await office?.stopAll()
  dirs.cleanup()
}, 60_000)

describe('restore a lost laptop from the peers', () => {
  it('with name and passphrase on a fresh machine: byte-identical with metadata, most recent files first', async () => {
    const m = newMachine()
    const target = join(root, 'restore-pass')
    const r = await p2pbak(m, ['restore', '--owner', 'alice', '--target', target], { P2PBAK_PASSWORD: PASS })
    expect(r.code, r.stderr).toBe(0)
    const out = parseJson(r) as { owner: string, files: number, skipped: number, firstTenthMs: number }
    expect(out).toMatchObject({ owner: 'alice', skipped: 0 })
    expect(out.firstTenthMs).toBeGreaterThan(0)
    expect(compareTrees(src, join(target, src))).toEqual([])
  })

  it('from the recovery key alone', async () => {
    const m = newMachine()
    const target = join(root, 'restore-words')
    const keyFile = join(root, 'recovery-key.txt')
    writeFileSync(keyFile, `${alice.recoveryKey!}\n`, { mode: 0o600 })
    const r = await p2pbak(m, ['restore', 'latest', '--recovery-key-file', keyFile, '--target', target])
    expect(r.code, r.stderr).toBe(0)
    expect(compareTrees(src, join(target, src))).toEqual([])
  })

  it('--to-original --dry-run: lists the original paths, where every file is in place (nothing newer is replaced), and writes nothing', async () => {
    const m = newMachine()
    const r = await p2pbak(m, ['restore', '--owner', 'alice', '--to-original', '--dry-run'], { P2PBAK_PASSWORD: PASS })
    expect(r.code, r.stderr).toBe(0)
    const out = parseJson(r) as { target: string, dryRun: boolean, files: number, skipped: number, items: Array<{ path: string, type: string, action: string, reason?: string }> }
    expect(out).toMatchObject({ target: '/', dryRun: true, files: 0 })
    const files = out.items.filter(i => i.type === 'file')
    expect(files.length).toBe(regularFiles(src).length)
    expect(out.skipped).toBe(files.length)
    for (const f of files) expect(f).toMatchObject({ action: 'skip', reason: 'already in place' })
    expect(files.map(f => f.path)).toContain(join(src, 'work', 'doc-00.txt'))
  })

  it('a wrong passphrase and an unknown owner are clear errors, without a stack trace', async () => {
    const wrong = await p2pbak(newMachine(), ['restore', '--owner', 'alice', '--target', join(root, 'never-1')], { P2PBAK_PASSWORD: 'not it' })
    expect(wrong.code).toBe(6)
    expect(wrong.stderr).toMatch(/passphrase does not open/)
    expect(wrong.stderr).not.toMatch(/\n\s+at /)
    const unknown = await p2pbak(newMachine(), ['restore', '--owner', 'nobody-here', '--target', join(root, 'never-2')], { P2PBAK_PASSWORD: PASS })
    expect(unknown.code).toBe(4)
    expect(unknown.stderr).toMatch(/no owner named "nobody-here"/)
    expect(existsSync(join(root, 'never-1'))).toBe(false)
  })

  it('killed half-way, it resumes: the newest files were back first, and nothing is fetched twice', async () => {
    const m = newMachine()
    const target = join(root, 'restore-resume')
    // Killed right after the first tenth of the files is written.
    const all = regularFiles(src)
    const tenth = Math.ceil(all.length / 10)
    const killed = await p2pbak(m, ['restore', '--owner', 'alice', '--target', target], { P2PBAK_PASSWORD: PASS, P2PBAK_FAULT_POINT: `restore-file:${tenth}` })
    expect(killed.signal).toBe('SIGKILL')
    // The files in place are exactly the most recently modified tenth of the snapshot.
    const newest = all.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.path < b.path ? -1 : 1)).slice(0, tenth).map(f => f.path)
    const there = regularFiles(join(target, src)).map(f => f.path)
    expect(there.sort()).toEqual(newest.sort())
    const again = await p2pbak(m, ['restore', '--owner', 'alice', '--target', target], { P2PBAK_PASSWORD: PASS })
    expect(again.code, again.stderr).toBe(0)
    expect(parseJson<{ skipped: number }>(again).skipped).toBe(tenth)
    expect(compareTrees(src, join(target, src))).toEqual([])
  })

  it('with a holder offline the restore is still complete', async () => {
    await office.stop(holders[3]!)
    try {
      const target = join(root, 'restore-offline')
      const r = await p2pbak(newMachine(), ['restore', '--owner', 'alice', '--target', target], { P2PBAK_PASSWORD: PASS })
      expect(r.code, r.stderr).toBe(0)
      expect(compareTrees(src, join(target, src))).toEqual([])
    } finally {
      await office.start(holders[3]!)
    }
  })

  it('with a pack out of reach it restores the rest, lists what is missing and why, and a re-run completes', async () => {
    // The biggest pack (file content) is taken away from every holder for a while.
    const copies: Array<[string, string]> = []
    let biggest = ''
    let size = 0
    for (const h of holders) {
      const d = join(h.stateDir, 'packs', 'store', 'packs')
      for (const s of readdirSync(d)) for (const f of readdirSync(join(d, s))) if (statSync(join(d, s, f)).size > size) { size = statSync(join(d, s, f)).size; biggest = f }
    }
    for (const h of holders) {
      const d = join(h.stateDir, 'packs', 'store', 'packs')
      for (const s of readdirSync(d)) if (existsSync(join(d, s, biggest))) { const aside = join(h.dir, biggest); renameSync(join(d, s, biggest), aside); copies.push([aside, join(d, s, biggest)]) }
    }
    expect(copies.length).toBe(3)
    const m = newMachine()
    const target = join(root, 'restore-partial')
    const partial = await p2pbak(m, ['restore', '--owner', 'alice', '--target', target], { P2PBAK_PASSWORD: PASS })
    expect(partial.code).toBe(10) // RestoreIncompleteError
    expect(partial.stderr).toMatch(/restore-missing\.txt/)
    const missing = readFileSync(join(m.state, 'restore-missing.txt'), 'utf8').trim().split('\n')
    expect(missing.length).toBeGreaterThan(0)
    for (const line of missing) {
      // A JSON string (names may hold any byte but NUL and "/"), a tab, the reason: the missing pack.
      const [path, reason] = line.split('\t')
      expect(JSON.parse(path!)).toMatch(/^\//)
      expect(reason).toContain(biggest)
    }
    const restoredFirst = regularFiles(join(target, src)).length
    expect(restoredFirst).toBeGreaterThan(0)
    // The colleagues' machines are back: the same command completes the restore.
    for (const [aside, back] of copies) renameSync(aside, back)
    const done = await p2pbak(m, ['restore', '--owner', 'alice', '--target', target], { P2PBAK_PASSWORD: PASS })
    expect(done.code, done.stderr).toBe(0)
    expect(parseJson<{ skipped: number }>(done).skipped).toBe(restoredFirst)
    expect(compareTrees(src, join(target, src))).toEqual([])
  })

  it('the new machine adopts the identity and backs up into the same history without sending again what the peers hold', async () => {
    // The machine of the first test restored with name and passphrase; it becomes alice.
    const m = { home: join(root, 'fresh-0'), state: join(root, 'fresh-0', 'state') }
    const configPath = join(m.home, 'config.toml')
    const a = await runCli(['--json', '-c', configPath, 'init', '--adopt', '--owner', 'alice', '--state-dir', m.state,
      '--bootstrap', bootstrap, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns'], { env: { HOME: m.home, P2PBAK_PASSWORD: PASS } })
    expect(a.code, a.stderr).toBe(0)
    expect(parseJson(a)).toMatchObject({ owner: 'alice', adopted: true, snapshots: 1 })
    expectJsonOutput('init', a) // the --adopt shape of docs/json/init.schema.json
    const laptop = await office.register('alice-new', configPath)
    await office.start(laptop)
    await waitFor(async () => ((await laptop.client.status()).swarm.online >= 3 ? true : undefined), 30_000, 'the new laptop online')
    const before = heldByHolders()
    const b = await laptop.client.backup({ paths: [src] })
    expect(b.summary.filesUnmodified + b.summary.filesChanged + b.summary.filesNew).toBeGreaterThan(30)
    // Every file is read again (new inodes), but no content is stored again: only the new
    // snapshot's metadata (its trees and index) goes to the peers.
    expect(b.summary.bytesAdded).toBeLessThan(64 * 1024)
    const grown = heldByHolders() - before
    expect(grown).toBeLessThan(3 * 256 * 1024)
    const snaps = await laptop.client.snapshots()
    expect(snaps).toHaveLength(2)
  })
  it('adopting with the recovery key alone sets a new passphrase, which then opens the owner on any new machine', async () => {
    // This machine adopted alice with the passphrase first, so it already has her key file: the
    // new one (same master key, new passphrase) replaces it.
    const m = newMachine()
    const configPath = join(m.home, 'config.toml')
    const first = await runCli(['--json', '-c', configPath, 'init', '--adopt', '--owner', 'alice', '--state-dir', m.state,
      '--bootstrap', bootstrap, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns'], { env: { HOME: m.home, P2PBAK_PASSWORD: PASS } })
    expect(first.code, first.stderr).toBe(0)
    const a = await runCli(['--json', '-c', configPath, 'init', '--adopt', '--owner', 'alice', '--state-dir', m.state,
      '--bootstrap', bootstrap, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns'], { env: { HOME: m.home, P2PBAK_RECOVERY_KEY: alice.recoveryKey!, P2PBAK_PASSWORD: 'a brand new passphrase' } })
    expect(a.code, a.stderr).toBe(0)
    expect(parseJson(a)).toMatchObject({ owner: 'alice', adopted: true })
    const target = join(root, 'restore-new-pass')
    const r = await p2pbak(newMachine(), ['restore', '--owner', 'alice', '--target', target, '--include', join(src, 'work')], { P2PBAK_PASSWORD: 'a brand new passphrase' })
    expect(r.code, r.stderr).toBe(0)
    expect(compareTrees(join(src, 'work'), join(target, src, 'work'))).toEqual([])
  })
})
