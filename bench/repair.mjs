#!/usr/bin/env node
// Repair benchmark: six `p2pbak daemon` processes on 127.0.0.1 (cli/office.ts: alice + 5 holders in
// three domains, r = 3). Alice backs up the shared dataset; the holder keeping most of it is
// killed for good; we measure the time from the moment it counts as gone (repair.gone_after) until
// alice's status shows every pack healthy again, and the bytes the holders sent for it against
// the bytes the dead holder had. Baseline in the same run: the replication rate of alice's first
// backup (bytes stored on holders per second), i.e. the same put path with the same daemons.
//
//   npm run bench:repair -- [--keep]
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'

import { BENCH, DATA, ROOT, ensureDataset } from './dataset.mjs'
const WORK = join(BENCH, 'repair-work')
const GONE_AFTER_S = 10
const REPAIR = { goneAfter: `${GONE_AFTER_S}s`, urgentGrace: `${GONE_AFTER_S}s`, checkInterval: '2s', auditInterval: '1h' }

await import(join(ROOT, 'dist', 'daemon', 'polyfill.js'))
const { Office, waitFor } = await import(join(ROOT, 'dist', 'cli', 'office.js'))
const keep = process.argv.includes('--keep')
const log = (m) => process.stderr.write(`[repair-bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`)


function dirBytes (dir) {
  if (!existsSync(dir)) return 0
  let n = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size
  return n
}

const dataset = ensureDataset()
rmSync(WORK, { recursive: true, force: true })
mkdirSync(WORK, { recursive: true })
const office = new Office({ root: join(WORK, 'office') })
try {
  const alice = await office.addMachine('alice', { owner: 'alice', passphrase: 'bench', config: { repair: REPAIR } })
  await office.start(alice)
  const holders = []
  for (const [i, n] of ['bob', 'carol', 'dave', 'erin', 'frank'].entries()) {
    const m = await office.addMachine(n, { config: { repair: REPAIR, storage: { domain: `room-${i % 3}` } }, bootstrap: [alice] })
    await office.start(m)
    holders.push(m)
  }
  await waitFor(async () => ((await alice.client.status()).swarm.online === 5 ? true : undefined), 60_000, 'peers')
  const t0 = Date.now()
  const b = await alice.client.backup({ paths: [DATA] })
  const backupS = (Date.now() - t0) / 1000
  const stored = holders.reduce((n, h) => n + dirBytes(join(h.stateDir, 'packs', 'store', 'packs')), 0)
  log(`backup: ${b.summary.totalFiles} files in ${backupS.toFixed(1)} s; ${(stored / 1e6).toFixed(0)} MB stored on holders`)
  // Let the holders' first surveys settle (copies younger than gone_after are not judged).
  await new Promise(resolve => setTimeout(resolve, GONE_AFTER_S * 1000))
  const peers = await alice.client.peers()
  const victim = [...holders].sort((x, y) => (peers.find(p => p.peerId === y.peerId)?.heldForUs ?? 0) - (peers.find(p => p.peerId === x.peerId)?.heldForUs ?? 0))[0]
  const lost = dirBytes(join(victim.stateDir, 'packs', 'store', 'packs'))
  const killedAt = Date.now()
  await office.stop(victim, 'SIGKILL')
  log(`killed ${victim.name}, which held ${(lost / 1e6).toFixed(0)} MB`)
  const goneAt = killedAt + GONE_AFTER_S * 1000
  await waitFor(async () => {
    const s = await alice.client.status()
    return s.swarm.gone >= 1 && s.owner.packs.healthy === s.owner.packs.total ? s : undefined
  }, 600_000, 'full redundancy', 250)
  const healthyAt = Date.now()
  let sent = 0
  for (const h of holders) if (h !== victim) sent += (await h.client.status()).repair.bytesSent
  const repairS = (healthyAt - goneAt) / 1000
  const result = {
    dataset, cpus: cpus().length, node: process.version,
    backupS, storedBytes: stored, replicationMBps: +(stored / 1e6 / backupS).toFixed(1),
    lostBytes: lost, repairBytes: sent, bytesRatio: +(sent / lost).toFixed(3),
    repairSecondsAfterGone: +repairS.toFixed(1), repairMBps: +(lost / 1e6 / repairS).toFixed(1)
  }
  result.repairVsReplication = +(result.repairMBps / result.replicationMBps).toFixed(2)
  const out = join(BENCH, `repair-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(out, JSON.stringify(result, null, 2))
  console.log([
    `Dataset ${dataset.files} files, ${(dataset.bytes / 1e6).toFixed(0)} MB; six daemons (alice + 5 holders, r = 3, three domains); gone_after ${GONE_AFTER_S} s, check every 2 s.`, '',
    '| measure | value |', '|---|---|',
    `| bytes the dead holder had | ${(lost / 1e6).toFixed(1)} MB |`,
    `| repair bytes sent by the survivors | ${(sent / 1e6).toFixed(1)} MB (**${result.bytesRatio}×** the bytes lost) |`,
    `| time from "gone" to every pack healthy | **${result.repairSecondsAfterGone} s** (${result.repairMBps} MB/s of lost data) |`,
    `| baseline, same run: first backup's replication rate | ${result.replicationMBps} MB/s stored on holders (ratio repair / replication **${result.repairVsReplication}**) |`,
    '', `Saved: ${out}`
  ].join('\n'))
} finally {
  await office.stopAll()
  if (!keep) rmSync(WORK, { recursive: true, force: true })
}
