#!/usr/bin/env node
// Daemon benchmark: the product as a user runs it. Five `p2pbak daemon` processes on 127.0.0.1
// (cli/office.ts: alice + 4 colleagues, r = 3); every step is the `p2pbak` CLI talking to alice's
// daemon over its control socket, timed from the outside like restic on the same data in the same
// run (restic to a local repository: the baseline a user would otherwise have).
//
//   npm run bench:daemon -- [--runs N] [--keep]
//
// Steps: first backup of the shared dataset, a backup with nothing changed, `status` (median of 5),
// a full restore into an empty folder (verified with diff -r). Writes .bench/daemon-results-<time>.json
// and prints a markdown table with the ratios p2pbak / restic.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'

import { sh, timed as timedIn } from './proc.mjs'
import { BENCH, DATA, ROOT, ensureDataset } from './dataset.mjs'
const WORK = join(BENCH, 'daemon-work')
const BIN = join(ROOT, 'dist', 'cli', 'bin.js')
const PASSWORD = 'bench-password-not-secret'

await import(join(ROOT, 'dist', 'daemon', 'polyfill.js'))
const { Office, waitFor } = await import(join(ROOT, 'dist', 'cli', 'office.js'))

const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1] ?? 1) || 1
const keep = args.includes('--keep')

function log (msg) { process.stderr.write(`[daemon-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`) }


const timed = (cmd, argv, env = {}) => timedIn(WORK, cmd, argv, env)

function median (xs) {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b)
  if (v.length === 0) return null
  const m = v.length >> 1
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2
}


function daemonCpuS (office) {
  let total = 0
  for (const m of office.machines) {
    if (m.proc?.pid === undefined) continue
    const stat = readFileSync(`/proc/${m.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ')
    total += (Number(stat[11]) + Number(stat[12])) / 100 // utime + stime, clock ticks (100 Hz)
  }
  return total
}

async function oneRun (run) {
  const dir = join(WORK, `run-${run}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const rows = []
  // ---- p2pbak: an office of five daemons
  const office = new Office({ root: join(dir, 'office') })
  const alice = await office.addMachine('alice', { owner: 'alice', passphrase: PASSWORD, config: { redundancy: { replicas: 3 } } })
  await office.start(alice)
  const peers = []
  for (const n of ['bob', 'carol', 'dave', 'erin']) peers.push(await office.addMachine(n, { bootstrap: [alice] }))
  await Promise.all(peers.map(async m => await office.start(m)))
  await waitFor(async () => ((await alice.client.status()).swarm.online >= 4 ? true : undefined), 60_000, 'peers')
  const cli = (argv) => {
    const c0 = daemonCpuS(office)
    const t = timed(process.execPath, [BIN, '-c', alice.configPath, ...argv], { HOME: alice.dir })
    return { ...t, daemonsCpuS: +(daemonCpuS(office) - c0).toFixed(2) }
  }
  try {
    const first = cli(['--json', 'backup', DATA])
    rows.push({ tool: 'p2pbak', step: 'first backup', ...strip(first) })
    log(`run ${run} p2pbak first backup ${first.wallS} s (daemons' CPU ${first.daemonsCpuS} s)`)
    const again = cli(['--json', 'backup', DATA])
    rows.push({ tool: 'p2pbak', step: 'no-change backup', ...strip(again) })
    log(`run ${run} p2pbak no-change backup ${again.wallS} s`)
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push(cli(['--json', 'status']).wallS)
    rows.push({ tool: 'p2pbak', step: 'status', wallS: median(statuses) })
    const target = join(dir, 'p2pbak-restore')
    const rest = cli(['--json', 'restore', 'latest', '--target', target])
    sh('diff', ['-r', DATA, join(target, DATA)])
    rows.push({ tool: 'p2pbak', step: 'full restore', ...strip(rest) })
    log(`run ${run} p2pbak restore ${rest.wallS} s (verified with diff -r)`)
    rmSync(target, { recursive: true, force: true })
  } finally {
    await office.stopAll()
  }
  // ---- restic to a local repository
  const repo = join(dir, 'restic-repo')
  const env = { RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(dir, 'restic-cache') }
  sh('restic', ['init', '-r', repo], { env: { ...process.env, ...env } })
  const rb = timed('restic', ['backup', '--json', DATA, '-r', repo], env)
  rows.push({ tool: 'restic', step: 'first backup', ...strip(rb) })
  const rb2 = timed('restic', ['backup', '--json', DATA, '-r', repo], env)
  rows.push({ tool: 'restic', step: 'no-change backup', ...strip(rb2) })
  const snaps = []
  for (let i = 0; i < 5; i++) snaps.push(timed('restic', ['snapshots', '-r', repo], env).wallS)
  rows.push({ tool: 'restic', step: 'status', wallS: median(snaps), note: '`restic snapshots`' })
  const rt = join(dir, 'restic-restore')
  const rr = timed('restic', ['restore', 'latest', '--target', rt, '-r', repo], env)
  rows.push({ tool: 'restic', step: 'full restore', ...strip(rr) })
  log(`run ${run} restic backup ${rb.wallS} s, no-change ${rb2.wallS} s, restore ${rr.wallS} s`)
  if (!keep) rmSync(dir, { recursive: true, force: true })
  return rows
}

function strip (t) {
  const { stdout: _, ...rest } = t
  return rest
}

const dataset = ensureDataset()
mkdirSync(WORK, { recursive: true })
if (spawnSync('sh', ['-c', 'command -v restic']).status !== 0) { console.error('restic is missing: apt-get install -y restic'); process.exit(2) }
const env = { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgStart: loadavg().map(x => +x.toFixed(2)), node: process.version, restic: sh('restic', ['version']).stdout.trim() }
const all = []
for (let run = 1; run <= runs; run++) all.push(...await oneRun(run))
const steps = ['first backup', 'no-change backup', 'status', 'full restore']
const table = steps.map(step => {
  const p = median(all.filter(r => r.tool === 'p2pbak' && r.step === step).map(r => r.wallS))
  const r = median(all.filter(r => r.tool === 'restic' && r.step === step).map(r => r.wallS))
  const pc = median(all.filter(r => r.tool === 'p2pbak' && r.step === step).map(r => r.daemonsCpuS))
  return { step, p2pbakWallS: p, resticWallS: r, ratio: p !== null && r ? +(p / r).toFixed(2) : null, p2pbakDaemonsCpuS: pc }
})
const report = { env, dataset, runs, rows: all, table, at: new Date().toISOString() }
const out = join(BENCH, `daemon-results-${report.at.replace(/[:.]/g, '-')}.json`)
writeFileSync(out, JSON.stringify(report, null, 2))
const L = [`Dataset: ${dataset.files} files, ${(dataset.bytes / 1e6).toFixed(1)} MB. ${env.cpus} × ${env.cpuModel}; ${env.node}; ${env.restic}. Runs: ${runs} (medians).`, '',
  '| step (through the CLI) | p2pbak wall s | restic wall s | ratio | CPU of the five daemons s |', '|---|---|---|---|---|',
  ...table.map(t => `| ${t.step} | ${t.p2pbakWallS ?? '–'} | ${t.resticWallS ?? '–'} | **${t.ratio ?? '–'}** | ${t.p2pbakDaemonsCpuS ?? '–'} |`), '',
  'p2pbak: `p2pbak backup|status|restore` against alice\'s daemon, which replicates every pack to 3 of 4 colleagues (r = 3). restic: the same data to a local repository; its "status" is `restic snapshots`. Wall time includes each CLI\'s process start.', `Saved: ${out}`]
console.log(L.join('\n'))
