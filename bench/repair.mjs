#!/usr/bin/env node
// Repair benchmark: six `p2pbak daemon` processes on 127.0.0.1 (alice + 5 holders in three
// domains, r = 3); see bench/office-run.mjs for what is measured. Baseline in the same run: the
// replication rate of alice's first backup (bytes stored on holders per second), i.e. the same put
// path with the same daemons.
//
//   npm run bench:repair -- [--keep]
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { BENCH, ensureDataset } from './dataset.mjs'
import { runRepairOffice } from './office-run.mjs'

const GONE_AFTER_S = 10
const log = (m) => process.stderr.write(`[repair-bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`)
const dataset = ensureDataset()
const r = await runRepairOffice({ work: join(BENCH, 'repair-work'), holders: 5, domains: 3, goneAfterS: GONE_AFTER_S, keep: process.argv.includes('--keep'), log })
const result = { dataset, cpus: cpus().length, node: process.version, ...r, repairVsReplication: +(r.repairMBps / r.replicationMBps).toFixed(2) }
const out = join(BENCH, `repair-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
writeFileSync(out, JSON.stringify(result, null, 2))
console.log([
  `Dataset ${dataset.files} files, ${(dataset.bytes / 1e6).toFixed(0)} MB; six daemons (alice + 5 holders, r = 3, three domains); gone_after ${GONE_AFTER_S} s, check every 2 s.`, '',
  '| measure | value |', '|---|---|',
  `| bytes the dead holder had | ${(r.lostBytes / 1e6).toFixed(1)} MB |`,
  `| repair bytes sent by the survivors | ${(r.repairBytes / 1e6).toFixed(1)} MB (**${r.bytesRatio}×** the bytes lost) |`,
  `| time from "gone" to every pack healthy | **${r.repairSecondsAfterGone} s** (${r.repairMBps} MB/s of lost data) |`,
  `| baseline, same run: first backup's replication rate | ${r.replicationMBps} MB/s stored on holders (ratio repair / replication **${result.repairVsReplication}**) |`,
  '', `Saved: ${out}`
].join('\n'))
