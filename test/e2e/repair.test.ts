// Repair end to end: six real daemon processes on 127.0.0.1 (alice and five holders in three
// failure domains, r = 3), repair settings shortened to seconds. Holders rebuild lost copies by
// themselves (also with alice's daemon dead), a holder paused for less than gone_after causes no
// repair, and bit rot or a silently dropped copy is found and healed.
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CheckAnswer, PeerRow, Status } from '../../daemon/control/api.js'
import { Office, waitFor } from '../../cli/office.js'
import type { Machine } from '../../cli/office.js'
import { packIdOf } from '../../protocol/ids.js'
import { compareTrees } from '../../daemon/verify-tree.js'
import { tempDirs } from '../harness/tmp.js'
import { prngBytes } from '../harness/tree.js'
import { parseJson, runCli } from '../harness/cli.js'
import { heldFiles } from '../harness/held.js'

const REPAIR = { goneAfter: '4s', urgentGrace: '3s', checkInterval: '1s', auditInterval: '1s', trimAfter: '1h', scrubRate: '1GiB' }
const dirs = tempDirs()
let root: string
let office: Office
let alice: Machine
let holders: Machine[]
let src: string
let domainCount = 0

async function addHolder (name: string): Promise<Machine> {
  const m = await office.addMachine(name, { config: { repair: REPAIR, storage: { domain: `room-${domainCount++ % 3}` } }, bootstrap: [alice] })
  await office.start(m)
  return m
}

const alive = (): Machine[] => holders.filter(h => h.proc !== undefined)
async function repairTotals (except?: Machine): Promise<{ copies: number, bytes: number, healed: number }> {
  let copies = 0
  let bytes = 0
  let healed = 0
  for (const h of alive()) {
    if (h === except) continue
    const s = await h.client.status()
    copies += s.repair.copiesMade
    bytes += s.repair.bytesSent
    healed += s.repair.healed
  }
  return { copies, bytes, healed }
}


beforeAll(async () => {
  root = dirs.make('p2pbak-repair-e2e-')
  src = join(root, 'src')
  mkdirSync(src)
  for (let i = 0; i < 6; i++) writeFileSync(join(src, `file-${i}.bin`), prngBytes(`repair-${i}`, 7 * 1024 * 1024))
  writeFileSync(join(src, 'notes.txt'), 'a small file\n')
  office = new Office({ root: join(root, 'office') })
  alice = await office.addMachine('alice', { owner: 'alice', passphrase: 'repair test', config: { repair: REPAIR } })
  await office.start(alice)
  holders = []
  for (const name of ['bob', 'carol', 'dave', 'erin', 'frank']) holders.push(await addHolder(name))
  await waitFor(async () => ((await alice.client.status()).swarm.online === 5 ? true : undefined), 30_000, 'five peers')
}, 120_000)

afterAll(async () => {
  await office?.stopAll()
  dirs.cleanup()
}, 60_000)

describe('repair by the holders', () => {
  it('two holders killed during a backup: the backup completes, then every pack is back to 3 copies in distinct domains, repair traffic ≈ what was lost, restore identical', async () => {
    await office.stop(alice)
    await office.start(alice, { env: { P2PBAK_NETWORK_BANDWIDTH_LIMIT: '16MiB' } }) // a backup of a few seconds
    await waitFor(async () => ((await alice.client.status()).swarm.online === 5 ? true : undefined), 30_000, 'five peers')
    const running = alice.client.backup({ paths: [src] })
    await waitFor(async () => ((await alice.client.status()).operations.some(o => (o.progress?.packsStored ?? 0) >= 1) ? true : undefined), 60_000, 'a first pack stored', 100)
    // The two holders keeping most of alice's packs so far die for good.
    const held = new Map((await alice.client.peers()).map(p => [p.peerId, p.heldForUs]))
    const victims = [...holders].sort((a, b) => (held.get(b.peerId) ?? 0) - (held.get(a.peerId) ?? 0)).slice(0, 2)
    for (const v of victims) await office.stop(v, 'SIGKILL')
    const b = await running
    expect(b.summary.totalFiles).toBe(7)
    // What repair must rebuild: the copies the victims had made durable (their files on disk).
    const lost = victims.reduce((n, v) => n + [...heldFiles(v).values()].reduce((m, f) => m + statSync(f).size, 0), 0)
    const status = await waitFor(async () => {
      const s = await alice.client.status()
      return s.swarm.gone === 2 && s.owner!.packs.healthy === s.owner!.packs.total ? s : undefined
    }, 60_000, 'every pack back to 3 live copies in distinct domains', 500)
    expect(status.owner!.packs.total).toBeGreaterThan(3)
    const { bytes } = await repairTotals()
    if (lost > 0) expect(bytes).toBeGreaterThan(0)
    expect(bytes).toBeLessThanOrEqual(1.5 * lost + 1)
    // Every pack really is where the owner's view says: three distinct live holders in three rooms.
    const rows: PeerRow[] = await alice.client.peers()
    expect(rows.filter(p => p.liveness === 'online' && p.heldForUs > 0).length).toBe(3)
    const target = join(root, 'restore-1')
    await alice.client.restore({ snapshot: 'latest', target })
    expect(compareTrees(src, join(target, src))).toEqual([])
    const c: CheckAnswer = await alice.client.check({ readData: true })
    expect(c.ok).toBe(true)
    await office.stop(alice)
    await office.start(alice)
    holders = holders.filter(h => !victims.includes(h))
    // Two new machines join, so that the office has spare room again for the next tests.
    holders.push(await addHolder('grace'), await addHolder('heidi'))
    await waitFor(async () => ((await alice.client.status()).swarm.online === 5 ? true : undefined), 30_000, 'five peers online')
  })

  it('a holder paused (SIGSTOP) for less than gone_after causes no repair', async () => {
    const before = await repairTotals()
    const paused = alive().find(h => heldFiles(h).size > 0)!
    paused.proc!.kill('SIGSTOP')
    try {
      // 2.5 s of silence: absent, not gone (gone_after = 4 s); three check rounds run meanwhile.
      await new Promise(resolve => setTimeout(resolve, 2500))
      const s = await alice.client.status()
      expect(s.swarm.gone).toBe(2) // only the two machines killed for good earlier
    } finally {
      paused.proc!.kill('SIGCONT')
    }
    await waitFor(async () => {
      const st = await paused.client.status().catch(() => undefined)
      return st !== undefined && st.repair.lastCheck !== null && Date.parse(st.repair.lastCheck) > Date.now() - 1500 ? true : undefined
    }, 20_000, 'the paused holder to check again')
    const after = await repairTotals()
    expect(after.copies).toBe(before.copies)
  })

  it('bit rot in a held pack: scrub finds it and heals the copy from another holder', async () => {
    const victim = alive().find(h => heldFiles(h).size > 0)!
    const [id, file] = [...heldFiles(victim)].sort((a, b) => readFileSync(b[1]).byteLength - readFileSync(a[1]).byteLength)[0]!
    const bytes = readFileSync(file)
    bytes[Math.floor(bytes.byteLength / 2)]! ^= 0x40
    writeFileSync(file, bytes) // (scrub may notice within milliseconds: nothing is read back here)
    const s = await waitFor(async () => { const x = await victim.client.status(); return x.repair.healed >= 1 ? x : undefined }, 30_000, 'scrub to heal the copy', 300)
    expect(s.repair.damaged).toBeGreaterThanOrEqual(1)
    expect(packIdOf(readFileSync(heldFiles(victim).get(id)!))).toBe(id)
    const target = join(root, 'restore-2')
    await alice.client.restore({ snapshot: 'latest', target })
    expect(compareTrees(src, join(target, src))).toEqual([])
  })

  it('a holder that acknowledged a pack and silently dropped it is found out by audits and the copy replaced', async () => {
    // The liar does not scrub (almost): only the other holders' audits can find it out.
    // A pack with exactly three copies, one of them the liar's: once its copy no longer counts, the
    // pack is short of one and must be copied again. Chosen after the liar's restart (a restart
    // slower than gone_after makes the others rebuild its copies, which changes the counts).
    const copies = (id: string): number => alive().filter(h => heldFiles(h).has(id)).length
    const liar = alive().find(h => [...heldFiles(h).keys()].some(id => copies(id) === 3))!
    await office.stop(liar)
    await office.start(liar, { env: { P2PBAK_REPAIR_SCRUB_RATE: '1B' } })
    await waitFor(async () => ((await alice.client.status()).swarm.online === 5 ? true : undefined), 30_000, 'the liar back online')
    const id = await waitFor(async () => [...heldFiles(liar).keys()].find(p => copies(p) === 3), 30_000, 'a pack with exactly three copies, one on the liar', 500)
    const file = heldFiles(liar).get(id)!
    const before = await repairTotals()
    unlinkSync(file) // gone from the disk; the holder's database still claims it, and `has` says yes
    await waitFor(async () => {
      let failed = 0
      for (const h of alive()) if (h !== liar) failed += (await h.client.status()).repair.auditsFailed
      return failed > 0 ? true : undefined
    }, 30_000, 'an audit to fail', 300)
    await waitFor(async () => (alive().filter(h => h !== liar && heldFiles(h).has(id)).length >= 3 ? true : undefined), 30_000, 'three honest copies of the pack', 300)
    // Somebody acted: a coordinator copied the pack, or a holder replaced a copy from a co-holder.
    const after = await repairTotals()
    expect(after.copies + after.healed).toBeGreaterThan(before.copies + before.healed)
    expect(existsSync(file)).toBe(false) // the liar did not heal itself: the others replaced its copy
    const target = join(root, 'restore-3')
    await alice.client.restore({ snapshot: 'latest', target })
    expect(compareTrees(src, join(target, src))).toEqual([])
  })

  it('with the owner\'s daemon dead, the holders still rebuild what a lost holder had', async () => {
    await office.stop(alice, 'SIGKILL')
    const before = await repairTotals()
    const victim = [...alive()].sort((a, b) => heldFiles(b).size - heldFiles(a).size)[0]!
    const lostPacks = [...heldFiles(victim).keys()]
    expect(lostPacks.length).toBeGreaterThan(0)
    await office.stop(victim, 'SIGKILL')
    holders = holders.filter(h => h !== victim)
    // Every surviving holder reports no pack below its wanted copies, after a check that saw the loss.
    const killedAt = Date.now()
    let seen = ''
    await waitFor(async () => {
      seen = ''
      for (const h of alive()) {
        const s = await h.client.status()
        seen += `${h.name}: lastCheck ${s.repair.lastCheck === null ? 'never' : Date.parse(s.repair.lastCheck) - killedAt} deficient ${s.repair.deficient}; `
        if (s.repair.lastCheck === null || Date.parse(s.repair.lastCheck) < killedAt + 4000 || s.repair.deficient > 0) return undefined
      }
      return true
    }, 60_000, 'the holders to rebuild the lost copies', 500).catch((err: Error) => { throw new Error(`${err.message}; last seen: ${seen}`) })
    const after = await repairTotals()
    expect(after.copies).toBeGreaterThan(before.copies)
    // Each pack the victim had is on three live machines again.
    for (const id of lostPacks) expect(alive().filter(h => heldFiles(h).has(id)).length, id).toBeGreaterThanOrEqual(3)
    // The owner comes back and restores everything.
    await office.start(alice)
    await waitFor(async () => ((await alice.client.status()).swarm.online >= 3 ? true : undefined), 30_000, 'alice back online')
    const target = join(root, 'restore-4')
    await alice.client.restore({ snapshot: 'latest', target })
    expect(compareTrees(src, join(target, src))).toEqual([])
    const s: Status = await alice.client.status()
    expect(s.owner!.packs.lost).toBe(0)
  }, 150_000)
  it('a planned absence (`p2pbak away`) longer than gone_after causes no repair; `p2pbak leave` hands everything over first', async () => {
    // Away: announced to every online peer, then the machine is off for longer than gone_after.
    const away = alive().find(h => heldFiles(h).size > 0)!
    const r = await runCli(['--json', '-c', away.configPath, 'away', '--for', '1h'])
    expect(r.code, r.stderr).toBe(0)
    const told = parseJson(r) as { awayUntil: string, told: number, online: number }
    expect(told.told).toBe(told.online)
    expect(Date.parse(told.awayUntil)).toBeGreaterThan(Date.now() + 59 * 60_000)
    const goneBefore = (await alice.client.status()).swarm.gone
    const before = await repairTotals(away) // the others' figures (the away machine's go with it)
    await office.stop(away)
    const stoppedAt = Date.now()
    // Until every other holder has run a check round well past gone_after (4 s) since the stop.
    await waitFor(async () => {
      for (const h of alive()) {
        const s = await h.client.status()
        if (s.repair.lastCheck === null || Date.parse(s.repair.lastCheck) < stoppedAt + 6000) return undefined
      }
      return true
    }, 30_000, 'check rounds past gone_after', 300)
    const row = (await alice.client.peers()).find(p => p.peerId === away.peerId)!
    expect(row.liveness).toBe('absent')
    expect(row.awayUntil).toBe(told.awayUntil)
    expect((await alice.client.status()).swarm.gone).toBe(goneBefore)
    expect((await repairTotals(away)).copies).toBe(before.copies)
    await office.start(away)
    const back = await runCli(['--json', '-c', away.configPath, 'away', '--cancel'])
    expect(back.code, back.stderr).toBe(0)
    await waitFor(async () => ((await alice.client.peers()).find(p => p.peerId === away.peerId)?.awayUntil === null ? true : undefined), 30_000, 'the absence to end everywhere')

    // Leave: another holder hands over every pack it holds, then holds nothing. A new colleague
    // joins first: four holders for r = 3 leave no room to hand over to (one of them failed an
    // audit for a pack, so it may not take that pack again).
    holders.push(await addHolder('ivan'))
    await waitFor(async () => ((await alice.client.status()).swarm.online === alive().length ? true : undefined), 30_000, 'ivan online')
    const leaver = alive().find(h => h !== away && heldFiles(h).size > 0)!
    const had = [...heldFiles(leaver).keys()]
    const l = await runCli(['--json', '-c', leaver.configPath, 'leave'])
    expect(l.code, l.stderr).toBe(0)
    const answer = parseJson(l) as { leaving: boolean, moved: number, dropped: number, kept: number }
    expect(answer).toMatchObject({ leaving: true, kept: 0 })
    expect(answer.moved + answer.dropped).toBe(had.length)
    expect(heldFiles(leaver).size).toBe(0)
    const others = alive().filter(h => h !== leaver)
    for (const id of had) expect(others.filter(h => heldFiles(h).has(id)).length, id).toBeGreaterThanOrEqual(3)
    // A leaving machine takes nothing new, and counts as gone the moment it disconnects: nobody
    // waits gone_after for it, and nothing needs rebuilding.
    expect(parseJson<Status>(await runCli(['--json', '-c', leaver.configPath, 'status'])).daemon.leaving).toBe(true)
    const beforeLeave = await repairTotals(leaver)
    await office.stop(leaver)
    holders = holders.filter(h => h !== leaver)
    await waitFor(async () => ((await alice.client.peers()).find(p => p.peerId === leaver.peerId)?.liveness === 'gone' ? true : undefined), 10_000, 'the leaver to count as gone')
    expect((await repairTotals(leaver)).copies).toBe(beforeLeave.copies)
    const target = join(root, 'restore-5')
    await alice.client.restore({ snapshot: 'latest', target })
    expect(compareTrees(src, join(target, src))).toEqual([])
  }, 150_000)
})
