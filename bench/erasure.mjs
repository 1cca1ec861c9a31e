#!/usr/bin/env node
// Erasure-coding benchmark.
//  1. Primitives, in process, on 16 MiB random packs (the pack size p2pbak aims at): p2pbak's
//     splitPack / joinPack / rebuildShards (daemon/erasure.ts: padding, copies and a SHA-256 of
//     every shard and pack included) against the raw @ronomon/reed-solomon call on preallocated
//     buffers, in the same run. MB/s count pack bytes.
//  2. Offices (skipped with --quick): the shared dataset backed up by alice into eight holders,
//     once with r = 3 and once with erasure 4 + 2, in the same run: storage on the holders' disks
//     against the packed bytes, backup time, and repair after the biggest holder is killed.
//
//   npm run bench:erasure -- [--quick] [--keep]
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { BENCH, ROOT, ensureDataset } from './dataset.mjs'

const { splitPack, joinPack, rebuildShards } = await import(join(ROOT, 'dist', 'daemon', 'erasure.js'))
const { packIdOf } = await import(join(ROOT, 'dist', 'protocol', 'ids.js'))
const rs = createRequire(import.meta.url)('@ronomon/reed-solomon')
const log = (m) => process.stderr.write(`[erasure-bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`)
const quick = process.argv.includes('--quick')

const PACK = 16 * 1024 * 1024
const PACKS = 16
const PASSES = 3
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function rawCode (ctx, sources, targets, data, parity) {
  return new Promise((resolve, reject) => rs.encode(ctx, sources, targets, data, 0, data.length, parity, 0, parity.length, (e) => e ? reject(e) : resolve()))
}

async function timeMBps (fn) {
  const runs = []
  for (let p = 0; p < PASSES; p++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < PACKS; i++) await fn(i)
    runs.push(PACKS * PACK / 1e6 / (Number(process.hrtime.bigint() - t0) / 1e9))
  }
  return +median(runs).toFixed(0)
}

async function primitives (k, m) {
  const packs = Array.from({ length: PACKS }, () => randomBytes(PACK))
  const ids = packs.map(p => packIdOf(p))
  const shardSize = Math.ceil(PACK / k / 8) * 8
  const ctx = rs.create(k, m)
  let all = 0
  for (let i = 0; i < k + m; i++) all |= 1 << i
  let dataMask = 0
  for (let i = 0; i < k; i++) dataMask |= 1 << i
  const lostMask = (1 << m) - 1 // the first m data shards: the worst case, every one decoded
  const data = Buffer.alloc(shardSize * k)
  const parity = Buffer.alloc(shardSize * m)

  const rawEncode = await timeMBps(async (i) => { data.set(packs[i]); await rawCode(ctx, dataMask, all & ~dataMask, data, parity) })
  const split = await timeMBps(async (i) => { await splitPack(ids[i], packs[i], k, m) })
  const stripes = []
  for (let i = 0; i < PACKS; i++) stripes.push(await splitPack(ids[i], packs[i], k, m))
  const rawDecode = await timeMBps(async () => { await rawCode(ctx, all & ~lostMask, lostMask, data, parity) })
  const haveAll = stripes.map(s => new Map(s.shards.map((b, j) => [j, b])))
  const haveLost = stripes.map(s => new Map(s.shards.map((b, j) => [j, b]).filter(([j]) => j >= m)))
  const joinNoDecode = await timeMBps(async (i) => { await joinPack(stripes[i].stripe, new Map([...haveAll[i]].filter(([j]) => j < k))) })
  const joinDecode = await timeMBps(async (i) => { await joinPack(stripes[i].stripe, haveLost[i]) })
  const rebuildOne = await timeMBps(async (i) => { await rebuildShards(stripes[i].stripe, new Map([...haveAll[i]].filter(([j]) => j !== k)), [k]) })
  const storage = stripes[0].shards.length * shardSize / PACK
  return { k, m, rawEncode, split, splitVsRaw: +(split / rawEncode).toFixed(2), rawDecode, joinDecode, joinVsRaw: +(joinDecode / rawDecode).toFixed(2), joinNoDecode, rebuildOne, storage: +storage.toFixed(4) }
}

const prim = []
for (const [k, m] of [[4, 2], [10, 4]]) {
  prim.push(await primitives(k, m))
  log(`primitives ${k}+${m}: ${JSON.stringify(prim.at(-1))}`)
}

let offices
if (!quick) {
  const { runRepairOffice } = await import('./office-run.mjs')
  const dataset = ensureDataset()
  const keep = process.argv.includes('--keep')
  log('office, replicate r = 3, eight holders')
  const replicate = await runRepairOffice({ work: join(BENCH, 'erasure-work-r3'), holders: 8, goneAfterS: 10, keep, log })
  log(`replicate: ${JSON.stringify(replicate)}`)
  log('office, erasure 4 + 2, eight holders')
  const erasure = await runRepairOffice({ work: join(BENCH, 'erasure-work-ec'), holders: 8, goneAfterS: 10, keep, log, redundancy: { mode: 'erasure', dataShards: 4, parityShards: 2 } })
  log(`erasure: ${JSON.stringify(erasure)}`)
  offices = { dataset, replicate, erasure }
}

const result = { cpus: cpus().length, node: process.version, packBytes: PACK, primitives: prim, offices }
const out = join(BENCH, `erasure-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
writeFileSync(out, JSON.stringify(result, null, 2))
const lines = [
  `Primitives: ${PACKS} random packs of 16 MiB, median of ${PASSES} passes, one thread; MB/s of pack bytes. Decode loses the first m data shards (the worst case).`, '',
  '| k+m | raw encode | splitPack | ratio | raw decode | joinPack (decoding) | ratio | joinPack (all data shards) | rebuild 1 shard | storage |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...prim.map(p => `| ${p.k}+${p.m} | ${p.rawEncode} | ${p.split} | **${p.splitVsRaw}** | ${p.rawDecode} | ${p.joinDecode} | **${p.joinVsRaw}** | ${p.joinNoDecode} | ${p.rebuildOne} | ${p.storage}× |`)
]
if (offices !== undefined) {
  const { dataset, replicate: r, erasure: e } = offices
  lines.push('', `Offices: dataset ${dataset.files} files, ${(dataset.bytes / 1e6).toFixed(0)} MB; alice + 8 holders; the biggest holder killed; gone_after 10 s, check every 2 s.`, '',
    '| measure | r = 3 | erasure 4+2 | ratio |', '|---|---:|---:|---:|',
    `| stored on holders / packed | ${r.storageRatio}× | ${e.storageRatio}× | **${(e.storedBytes / r.storedBytes).toFixed(2)}** |`,
    `| first backup | ${r.backupS.toFixed(1)} s | ${e.backupS.toFixed(1)} s | ${(e.backupS / r.backupS).toFixed(2)} |`,
    `| bytes the dead holder had | ${(r.lostBytes / 1e6).toFixed(1)} MB | ${(e.lostBytes / 1e6).toFixed(1)} MB | |`,
    `| repair bytes sent / lost | ${r.bytesRatio} | ${e.bytesRatio} | |`,
    `| repair bytes fetched (rebuild inputs) | ${(r.repairFetchedBytes / 1e6).toFixed(1)} MB | ${(e.repairFetchedBytes / 1e6).toFixed(1)} MB | |`,
    `| "gone" → every pack healthy | ${r.repairSecondsAfterGone} s | ${e.repairSecondsAfterGone} s | ${(e.repairSecondsAfterGone / r.repairSecondsAfterGone).toFixed(2)} |`)
}
lines.push('', `Saved: ${out}`)
console.log(lines.join('\n'))
