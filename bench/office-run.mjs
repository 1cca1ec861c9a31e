// One office run shared by bench/repair.mjs and bench/erasure.mjs: alice and N holders as
// `p2pbak daemon` processes on 127.0.0.1 (cli/office.ts). Alice backs up the shared dataset; the
// holder keeping most of it is killed for good; we measure the time from the moment it counts as
// gone (repair.gone_after) until alice's status shows every pack healthy again, and the bytes the
// holders sent (and fetched, for erasure-coded stripes) against the bytes the dead holder had.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DATA, ROOT } from './dataset.mjs'

await import(join(ROOT, 'dist', 'daemon', 'polyfill.js'))
const { Office, waitFor } = await import(join(ROOT, 'dist', 'cli', 'office.js'))

export function dirBytes (dir) {
  if (!existsSync(dir)) return 0
  let n = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size
  return n
}

/**
 * @param {{ work: string, holders: number, domains?: number, redundancy?: object, goneAfterS: number, keep?: boolean, log: (m: string) => void }} o
 */
export async function runRepairOffice (o) {
  const REPAIR = { goneAfter: `${o.goneAfterS}s`, urgentGrace: `${o.goneAfterS}s`, checkInterval: '2s', auditInterval: '1h' }
  rmSync(o.work, { recursive: true, force: true })
  mkdirSync(o.work, { recursive: true })
  const office = new Office({ root: join(o.work, 'office') })
  try {
    const alice = await office.addMachine('alice', { owner: 'alice', passphrase: 'bench', config: { repair: REPAIR, ...(o.redundancy === undefined ? {} : { redundancy: o.redundancy }) } })
    await office.start(alice)
    const holders = []
    for (let i = 0; i < o.holders; i++) {
      const m = await office.addMachine(`holder-${i}`, { config: { repair: REPAIR, storage: { domain: o.domains === undefined ? '' : `room-${i % o.domains}` } }, bootstrap: [alice] })
      await office.start(m)
      holders.push(m)
    }
    await waitFor(async () => ((await alice.client.status()).swarm.online === o.holders ? true : undefined), 60_000, 'peers')
    const t0 = Date.now()
    const b = await alice.client.backup({ paths: [DATA] })
    const backupS = (Date.now() - t0) / 1000
    const held = (h) => dirBytes(join(h.stateDir, 'packs', 'store', 'packs'))
    const stored = holders.reduce((n, h) => n + held(h), 0)
    o.log(`backup: ${b.summary.totalFiles} files in ${backupS.toFixed(1)} s; ${(b.summary.bytesStored / 1e6).toFixed(0)} MB packed, ${(stored / 1e6).toFixed(0)} MB stored on holders`)
    // Let the holders' first surveys settle (copies younger than gone_after are not judged).
    await new Promise(resolve => setTimeout(resolve, o.goneAfterS * 1000))
    const victim = [...holders].sort((x, y) => held(y) - held(x))[0]
    const lost = held(victim)
    const killedAt = Date.now()
    await office.stop(victim, 'SIGKILL')
    o.log(`killed ${victim.name}, which held ${(lost / 1e6).toFixed(0)} MB`)
    const goneAt = killedAt + o.goneAfterS * 1000
    await waitFor(async () => {
      const s = await alice.client.status()
      return s.swarm.gone >= 1 && s.owner.packs.healthy === s.owner.packs.total ? s : undefined
    }, 600_000, 'full redundancy', 250)
    const healthyAt = Date.now()
    let sent = 0
    let fetched = 0
    for (const h of holders) {
      if (h === victim) continue
      const r = (await h.client.status()).repair
      sent += r.bytesSent
      fetched += r.bytesFetched ?? 0
    }
    const repairS = (healthyAt - goneAt) / 1000
    return {
      backupS, packedBytes: b.summary.bytesStored, storedBytes: stored, storageRatio: +(stored / b.summary.bytesStored).toFixed(3),
      replicationMBps: +(stored / 1e6 / backupS).toFixed(1),
      lostBytes: lost, repairBytes: sent, repairFetchedBytes: fetched, bytesRatio: +(sent / lost).toFixed(3),
      repairSecondsAfterGone: +repairS.toFixed(1), repairMBps: +(lost / 1e6 / repairS).toFixed(1)
    }
  } finally {
    await office.stopAll()
    if (o.keep !== true) rmSync(o.work, { recursive: true, force: true })
  }
}
