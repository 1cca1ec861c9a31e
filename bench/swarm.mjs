#!/usr/bin/env node
// Swarm benchmark: every daemon is its own OS process (bench/swarm-peer.mjs) on 127.0.0.1.
//   1. Two daemons: pack put throughput (the real putPack client, sequential and 4 in flight)
//      against the same bytes over one raw noise+yamux stream and over a plain TCP socket.
//   2. Five daemons: first backup of the shared dataset with r = 3 through the SwarmStore and a
//      full restore from the peers on a fresh machine (recovery key), against restic in the same run.
// See bench/README.md ("Swarm") for how to read the numbers.
//
//   npm run bench:swarm -- [--runs N] [--profile] [--keep] [--settle SECONDS] [--no-pair] [--no-five]
//   node bench/swarm.mjs --report .bench/swarm-results-<timestamp>.json   (markdown of a saved run)
import { fork, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const BENCH = join(ROOT, '.bench')
const DATA = join(BENCH, 'data')
const DATA_OK = join(BENCH, 'data.ok') // written by bench/run.mjs (or here) once make-dataset.sh succeeded
const WORK = join(BENCH, 'swarm-work')
const PROFILES = join(BENCH, 'swarm-profiles')
const LAST_DELETE = join(BENCH, 'last-delete') // shared with bench/run.mjs: ms of the last big tree deletion
// The dataset tools (bench/tools/): make-dataset.sh builds it, modify-dataset.mjs changes ~1 % of it.
const SHARED = join(ROOT, 'bench', 'tools')
const PEER = join(ROOT, 'bench', 'swarm-peer.mjs')
const TIME = '/usr/bin/time'
const PASSWORD = 'bench-password-not-secret'
const MiB = 1024 * 1024
const PACKS = 48
const PACK_SIZE = 16 * MiB
const HOLDERS = 4
const REPLICAS = 3
let settleMs = 65_000

// ---------------------------------------------------------------- arguments

function parseArgs (argv) {
  const o = { runs: 1, profile: false, keep: false, settleS: undefined, pair: true, five: true }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--runs') o.runs = Number(argv[++i])
    else if (a.startsWith('--runs=')) o.runs = Number(a.slice(7))
    else if (a === '--profile') o.profile = true
    else if (a === '--keep') o.keep = true
    else if (a === '--settle') o.settleS = Number(argv[++i])
    else if (a === '--no-pair') o.pair = false
    else if (a === '--no-five') o.five = false
    else if (a === '--report') o.report = argv[++i]
    else if (a === '-h' || a === '--help') { console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 10).join('\n')); process.exit(0) }
    else { console.error(`unknown argument ${a}; see bench/README.md ("Swarm")`); process.exit(2) }
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) { console.error('--runs needs a positive integer'); process.exit(2) }
  if (o.settleS !== undefined && !(o.settleS >= 0)) { console.error('--settle needs a number of seconds'); process.exit(2) }
  return o
}

// ---------------------------------------------------------------- helpers

function log (msg) { process.stderr.write(`[swarm ${new Date().toISOString().slice(11, 19)}] ${msg}\n`) }

function sh (cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts })
  if (r.error) throw r.error
  if (r.status !== 0 && opts.allowFail !== true) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${(r.stderr ?? '').slice(-2000)}`)
  return r
}

function median (xs) {
  const v = xs.filter(x => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return null
  const m = v.length >> 1
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2
}

function duBytes (path) {
  if (!existsSync(path)) return 0
  return Number(sh('du', ['-sb', path]).stdout.split('\t')[0])
}

function sync () { sh('sync', []) }

function sleepMs (ms) { if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) }

function removeTree (path) {
  if (!existsSync(path)) return
  log(`removing ${path}`)
  rmSync(path, { recursive: true, force: true })
  sync()
  writeFileSync(LAST_DELETE, String(Date.now()))
}

/** Before a timed restore: flush, and let ext4's "recently deleted inodes" window pass (bench/README.md, "Restore and ext4"). */
function quietBeforeCreate () {
  sync()
  const last = existsSync(LAST_DELETE) ? Number(readFileSync(LAST_DELETE, 'utf8')) : 0
  const wait = last + settleMs - Date.now()
  if (wait > 0) { log(`waiting ${(wait / 1000).toFixed(0)} s since the last tree deletion (ext4 inode reuse)`); sleepMs(wait) }
  return Math.max(0, wait)
}

/** Aggregate jiffies (USER_HZ = 100) from /proc/stat: busy and steal. */
function cpuTicks () {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const [user, nice, system, , , irq, softirq, steal] = v
    return { busy: user + nice + system + irq + softirq, steal: steal ?? 0 }
  } catch { return { busy: 0, steal: 0 } }
}

/** Runs one child under GNU time: wall, user+sys CPU and peak RSS. */
function timed (cmd, args, env) {
  const tf = join(WORK, 'time.out')
  rmSync(tf, { force: true })
  const t0 = cpuTicks()
  const r = spawnSync(TIME, ['-f', '%e %U %S %M', '-o', tf, cmd, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } })
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stderr.slice(-3000)}`)
  const t1 = cpuTicks()
  const lines = readFileSync(tf, 'utf8').trim().split('\n')
  const [wall, user, sys, rssKiB] = lines[lines.length - 1].split(' ').map(Number)
  return {
    wallS: wall,
    cpuS: +(user + sys).toFixed(2),
    userS: user,
    sysS: sys,
    peakRssMiB: +(rssKiB / 1024).toFixed(1),
    otherCpuS: +Math.max(0, (t1.busy - t0.busy) / 100 - user - sys).toFixed(1),
    stealS: +((t1.steal - t0.steal) / 100).toFixed(1),
    stdout: r.stdout
  }
}

function ensureDataset () {
  if (existsSync(DATA_OK) && existsSync(DATA)) return JSON.parse(readFileSync(DATA_OK, 'utf8'))
  if (existsSync(DATA)) { rmSync(DATA_OK, { force: true }); removeTree(DATA) }
  log('building the dataset (~20-30 s) into .bench/data')
  const r = sh('bash', [join(SHARED, 'make-dataset.sh'), DATA])
  const m = /files: (\d+)\s+bytes: (\d+)/.exec(r.stdout)
  const info = { files: m ? Number(m[1]) : null, bytes: m ? Number(m[2]) : null, builtAt: new Date().toISOString() }
  writeFileSync(DATA_OK, JSON.stringify(info))
  writeFileSync(LAST_DELETE, String(Date.now()))
  return info
}

// ---------------------------------------------------------------- daemons (child processes)

const children = new Set()

function killAll () {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  children.clear()
}

/** Forks one swarm-peer.mjs; `call(cmd, args)` sends a command and resolves with its result. */
async function spawnDaemon (name) {
  const child = fork(PEER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] })
  children.add(child)
  const pending = new Map()
  let nextId = 1
  let exited
  const ready = new Promise((resolve, reject) => {
    child.once('message', (m) => { if (m?.ready) resolve(m); else reject(new Error(`${name}: unexpected first message`)) })
    child.once('exit', (code, sig) => reject(new Error(`${name} exited (${code ?? sig}) before it was ready`)))
  })
  child.on('message', (m) => {
    if (m?.id === undefined) return
    const p = pending.get(m.id)
    if (p === undefined) return
    pending.delete(m.id)
    if (m.ok) p.resolve(m.result)
    else p.reject(new Error(`${name} ${p.cmd}: ${m.error}`))
  })
  child.on('exit', (code, sig) => {
    exited = `${name} exited (${code ?? sig})`
    children.delete(child)
    for (const p of pending.values()) p.reject(new Error(`${exited} during ${p.cmd}`))
    pending.clear()
  })
  await ready
  const call = (cmd, args = {}) => new Promise((resolve, reject) => {
    if (exited !== undefined) { reject(new Error(`${exited}; cannot run ${cmd}`)); return }
    const id = nextId++
    pending.set(id, { resolve, reject, cmd })
    child.send({ id, cmd, args })
  })
  const stop = async () => {
    if (exited !== undefined) return
    const gone = new Promise(resolve => child.once('exit', resolve))
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await call('stop').catch(() => {})
    await gone
    clearTimeout(timer)
  }
  return { name, pid: child.pid, call, stop }
}

async function usages (daemons) {
  return await Promise.all(daemons.map(async d => await d.call('usage')))
}

/** CPU seconds (user+sys) each daemon used between two `usages` snapshots. */
function cpuDelta (before, after) {
  return after.map((a, i) => +((a.userMs + a.sysMs - before[i].userMs - before[i].sysMs) / 1000).toFixed(2))
}

async function startSwarm (dir, names, swarmKeyHex) {
  const daemons = []
  const addrs = []
  for (const name of names) {
    const d = await spawnDaemon(name)
    const s = await d.call('start', { stateDir: join(dir, name), swarmKeyHex, bootstrap: [...addrs], quota: 1e12 })
    d.peerId = s.peerId
    d.addrs = s.addrs
    d.stateDir = join(dir, name)
    addrs.push(...s.addrs)
    daemons.push(d)
  }
  // Bootstrap lists name the earlier peers; they dial back, so everyone ends up connected to everyone.
  await Promise.all(daemons.map(async d => await d.call('waitPeers', { n: daemons.length - 1 })))
  return daemons
}

async function swarmKeyHex () {
  const { generateSwarmKey } = await import('../dist/daemon/swarm/index.js')
  return Buffer.from(generateSwarmKey()).toString('hex')
}

// ---------------------------------------------------------------- part 1: two daemons

const MODES = ['tcp', 'raw', 'put1', 'put4']
const MODE_LABEL = {
  tcp: 'plain TCP socket (node:net)',
  raw: 'raw noise+yamux, one stream, 1 MiB lpStream frames',
  put1: 'pack put (putPack), sequential',
  put4: 'pack put (putPack), 4 in flight'
}

async function runPair (opts) {
  const dir = join(WORK, 'pair')
  const key = await swarmKeyHex()
  log('part 1: starting two daemons (owner, holder)')
  const [holder, owner] = await startSwarm(dir, ['holder', 'owner'], key)
  const both = [owner, holder]
  try {
    const port = await holder.call('tcpListen')
    log(`part 1: ${PACKS} random packs of ${PACK_SIZE / MiB} MiB in the owner process (not timed)`)
    await owner.call('makePacks', { count: PACKS, size: PACK_SIZE })
    // Warm-up (not counted): JIT, yamux window growth, first holder writes.
    await owner.call('renewPackIds', { tag: 'warm' })
    await owner.call('rawSend', { to: holder.peerId })
    await owner.call('tcpSend', { port })
    const results = []
    const profiles = {}
    for (let run = 1; run <= opts.runs; run++) {
      const order = MODES.map((_, i) => MODES[(i + run - 1) % MODES.length])
      for (const mode of order) {
        if (mode.startsWith('put')) await owner.call('renewPackIds', { tag: `r${run}${mode}` }) // fresh IDs, not timed
        sync() // the previous step's dirty pages are not charged to this one
        const t0 = cpuTicks()
        const u0 = await usages(both)
        const prof = opts.profile && run === 1 && mode === 'put4'
        if (prof) await Promise.all(both.map(async d => await d.call('profileStart')))
        const r = mode === 'tcp'
          ? await owner.call('tcpSend', { port })
          : mode === 'raw'
            ? await owner.call('rawSend', { to: holder.peerId })
            : await owner.call('putPacks', { to: holder.peerId, inFlight: mode === 'put4' ? 4 : 1 })
        if (prof) for (const d of both) profiles[`put4-${d.name}`] = await d.call('profileStop', { file: join(PROFILES, `put4-${d.name}.cpuprofile`) })
        const u1 = await usages(both)
        const t1 = cpuTicks()
        const [ownerCpuS, holderCpuS] = cpuDelta(u0, u1)
        const row = {
          run, mode, ms: +r.ms.toFixed(1), bytes: r.bytes, mbPerS: +(r.bytes / 1e6 / (r.ms / 1000)).toFixed(1),
          ownerCpuS, holderCpuS, otherCpuS: +Math.max(0, (t1.busy - t0.busy) / 100 - ownerCpuS - holderCpuS).toFixed(1),
          stealS: +((t1.steal - t0.steal) / 100).toFixed(1), statuses: r.statuses
        }
        if (r.statuses !== undefined && (r.statuses.durable ?? 0) !== PACKS) throw new Error(`put ${mode}: holder answered ${JSON.stringify(r.statuses)}, expected ${PACKS} durable`)
        results.push(row)
        log(`part 1 run ${run} ${mode.padEnd(4)} ${row.mbPerS} MB/s (${(row.ms / 1000).toFixed(2)} s), CPU owner ${ownerCpuS} s, holder ${holderCpuS} s, others ${row.otherCpuS} s`)
      }
    }
    const heldBytes = duBytes(join(holder.stateDir, 'held'))
    await owner.call('dropPacks')
    return { results, heldBytes, medians: pairMedians(results), profiles }
  } finally {
    await Promise.all(both.map(async d => await d.stop()))
  }
}

function pairMedians (results) {
  const m = {}
  for (const mode of MODES) {
    const rows = results.filter(r => r.mode === mode)
    if (rows.length === 0) continue
    m[mode] = {
      n: rows.length,
      mbPerS: median(rows.map(r => r.mbPerS)),
      seconds: median(rows.map(r => r.ms / 1000)),
      ownerCpuS: median(rows.map(r => r.ownerCpuS)),
      holderCpuS: median(rows.map(r => r.holderCpuS)),
      otherCpuS: median(rows.map(r => r.otherCpuS))
    }
  }
  const ratio = (a, b) => (m[a] && m[b]) ? +(m[a].mbPerS / m[b].mbPerS).toFixed(2) : null
  m.ratios = { put1OverRaw: ratio('put1', 'raw'), put4OverRaw: ratio('put4', 'raw'), rawOverTcp: ratio('raw', 'tcp') }
  return m
}

// ---------------------------------------------------------------- part 2: five daemons vs restic

function resticTool (dir) {
  const repo = join(dir, 'repo')
  const env = { RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(dir, 'cache') }
  return {
    repo,
    init: () => { mkdirSync(dir, { recursive: true }); return timed('restic', ['init', '-r', repo], env) },
    backup: () => timed('restic', ['backup', '--json', DATA, '-r', repo], env),
    restore: (target) => timed('restic', ['restore', 'latest', '--target', target, '-r', repo], env)
  }
}

async function runFive (opts, run) {
  const dir = join(WORK, `five-${run}`)
  const key = await swarmKeyHex()
  const holderNames = Array.from({ length: HOLDERS }, (_, i) => `holder-${i + 1}`)
  log(`part 2 run ${run}: starting ${HOLDERS} holders and the owner's daemon`)
  const daemons = await startSwarm(dir, [...holderNames, 'owner'], key)
  const holders = daemons.slice(0, HOLDERS)
  let owner = daemons[HOLDERS]
  let laptop
  const rows = []
  const restic = resticTool(join(dir, 'restic'))
  const ownerState = join(owner.stateDir, 'owner')
  const profile = opts.profile && run === 1
  try {
    const init = await owner.call('ownerInit', { stateDir: ownerState, name: 'bench', pass: PASSWORD })
    restic.init()
    const order = run % 2 === 1 ? ['p2pbak', 'restic'] : ['restic', 'p2pbak']

    for (const tool of order) {
      sync()
      if (tool === 'p2pbak') {
        const t0 = cpuTicks()
        const u0 = await usages(daemons)
        const r = await owner.call('ownerBackup', { stateDir: ownerState, name: 'bench', paths: [DATA], profileTo: profile ? join(PROFILES, 'backup-owner.cpuprofile') : undefined })
        const u1 = await usages(daemons)
        const t1 = cpuTicks()
        const per = cpuDelta(u0, u1)
        const cpuS = +per.reduce((a, x) => a + x, 0).toFixed(2)
        const held = holders.map(h => duBytes(join(h.stateDir, 'held')))
        const row = {
          run, tool, step: 'backup', wallS: +(r.ms / 1000).toFixed(2), cpuS, cpuByProcessS: Object.fromEntries(daemons.map((d, i) => [d.name, per[i]])),
          peakRssMiB: +(u1[HOLDERS].maxRssKiB / 1024).toFixed(1), storedBytes: held.reduce((a, x) => a + x, 0), heldByHolder: held,
          ownerHeldBytes: duBytes(join(owner.stateDir, 'held')), ownerStateBytes: duBytes(ownerState),
          otherCpuS: +Math.max(0, (t1.busy - t0.busy) / 100 - cpuS).toFixed(1), stealS: +((t1.steal - t0.steal) / 100).toFixed(1),
          summary: r.summary, degradedPacks: r.degraded, profile: r.profile
        }
        rows.push(row)
        log(`part 2 run ${run} p2pbak backup wall ${row.wallS} s, CPU ${cpuS} s (owner ${per[HOLDERS]} s), owner peak RSS ${row.peakRssMiB} MiB, stored ${(row.storedBytes / 1e6).toFixed(1)} MB on holders, ${r.summary.packsAdded} packs, degraded ${r.degraded}; others ${row.otherCpuS} s`)
      } else {
        const t = restic.backup()
        const row = { run, tool, step: 'backup', wallS: t.wallS, cpuS: t.cpuS, userS: t.userS, sysS: t.sysS, peakRssMiB: t.peakRssMiB, storedBytes: duBytes(restic.repo), otherCpuS: t.otherCpuS, stealS: t.stealS }
        rows.push(row)
        log(`part 2 run ${run} restic backup wall ${row.wallS} s, CPU ${row.cpuS} s, peak RSS ${row.peakRssMiB} MiB, repo ${(row.storedBytes / 1e6).toFixed(1)} MB; others ${row.otherCpuS} s`)
      }
    }

    // The owner's laptop is gone: a new machine (fresh daemon, fresh state, recovery key) restores from the holders.
    await owner.stop()
    owner = undefined
    laptop = await spawnDaemon('laptop')
    const s = await laptop.call('start', { stateDir: join(dir, 'laptop'), swarmKeyHex: key, bootstrap: holders.flatMap(h => h.addrs), quota: 1e12 })
    laptop.peerId = s.peerId
    await Promise.all([laptop, ...holders].map(async d => await d.call('waitPeers', { n: HOLDERS })))
    const restoring = [...holders, laptop]

    for (const tool of order) {
      const target = join(dir, `restore-${tool}`) // never existed before
      const waitedMs = quietBeforeCreate()
      let row
      if (tool === 'p2pbak') {
        const t0 = cpuTicks()
        const u0 = await usages(restoring)
        const r = await laptop.call('ownerRestore', { stateDir: join(dir, 'laptop', 'owner'), recoveryKey: init.recoveryKey, target, profileTo: profile ? join(PROFILES, 'restore-laptop.cpuprofile') : undefined })
        const u1 = await usages(restoring)
        const t1 = cpuTicks()
        const per = cpuDelta(u0, u1)
        const cpuS = +per.reduce((a, x) => a + x, 0).toFixed(2)
        row = {
          run, tool, step: 'restore', wallS: +(r.ms / 1000).toFixed(2), openS: +(r.openMs / 1000).toFixed(2), cpuS, cpuByProcessS: Object.fromEntries(restoring.map((d, i) => [d.name, per[i]])),
          peakRssMiB: +(u1[HOLDERS].maxRssKiB / 1024).toFixed(1), files: r.files, bytes: r.bytes, holderFailures: r.holderFailures,
          otherCpuS: +Math.max(0, (t1.busy - t0.busy) / 100 - cpuS).toFixed(1), stealS: +((t1.steal - t0.steal) / 100).toFixed(1), waitedBeforeMs: waitedMs, profile: r.profile
        }
      } else {
        const t = restic.restore(target)
        row = { run, tool, step: 'restore', wallS: t.wallS, cpuS: t.cpuS, userS: t.userS, sysS: t.sysS, peakRssMiB: t.peakRssMiB, otherCpuS: t.otherCpuS, stealS: t.stealS, waitedBeforeMs: waitedMs }
      }
      const d = sh('diff', ['-rq', DATA, join(target, DATA)], { allowFail: true })
      row.verified = d.status === 0
      if (!row.verified) row.diff = (d.stdout + d.stderr).slice(0, 2000)
      rows.push(row)
      log(`part 2 run ${run} ${tool} restore wall ${row.wallS} s${row.openS !== undefined ? ` (open ${row.openS} s)` : ''}, CPU ${row.cpuS} s, peak RSS ${row.peakRssMiB} MiB, diff -r: ${row.verified ? 'identical' : 'DIFFERS ' + row.diff.slice(0, 300)}; others ${row.otherCpuS} s`)
    }
    return rows
  } finally {
    await Promise.all([...holders, owner, laptop].filter(d => d !== undefined).map(async d => await d.stop()))
  }
}

function fiveMedians (rows) {
  const m = {}
  for (const step of ['backup', 'restore']) {
    const s = {}
    for (const tool of ['p2pbak', 'restic']) {
      const r = rows.filter(x => x.step === step && x.tool === tool)
      if (r.length === 0) continue
      s[tool] = {
        n: r.length,
        wallS: median(r.map(x => x.wallS)),
        cpuS: median(r.map(x => x.cpuS)),
        peakRssMiB: median(r.map(x => x.peakRssMiB)),
        storedBytes: median(r.map(x => x.storedBytes)),
        otherCpuS: median(r.map(x => x.otherCpuS)),
        openS: median(r.map(x => x.openS))
      }
    }
    if (s.p2pbak && s.restic) {
      const q = (k) => s.restic[k] ? +(s.p2pbak[k] / s.restic[k]).toFixed(2) : null
      s.ratio = { wallS: q('wallS'), cpuS: q('cpuS'), peakRssMiB: q('peakRssMiB'), storedBytes: q('storedBytes') }
    }
    m[step] = s
  }
  return m
}

// ---------------------------------------------------------------- profile summary

function frameName (cf) {
  return `${cf.functionName || '(anonymous)'} ${cf.url ? cf.url.replace(/^file:\/\//, '').replace(ROOT + '/', '') + ':' + (cf.lineNumber + 1) : ''}`.trim()
}

/** Self time per function of a .cpuprofile, largest first. */
function topSelf (prof, n) {
  const byId = new Map(prof.nodes.map(nd => [nd.id, nd]))
  const self = new Map()
  let total = 0
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0
    total += dt
    const key = frameName(byId.get(prof.samples[i]).callFrame)
    self.set(key, (self.get(key) ?? 0) + dt)
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), pct: +(100 * us / total).toFixed(1) }))
}

/** Inclusive time of the frames `match` names (p2pbak's own functions, or packages), largest first. */
function topInclusive (prof, n, match) {
  const byId = new Map(prof.nodes.map(nd => [nd.id, nd]))
  const parent = new Map()
  for (const nd of prof.nodes) for (const c of nd.children ?? []) parent.set(c, nd.id)
  const incl = new Map()
  let total = 0
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0
    total += dt
    const seen = new Set()
    for (let id = prof.samples[i]; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id).callFrame
      const key = match(cf)
      if (key === undefined || seen.has(key)) continue
      seen.add(key)
      incl.set(key, (incl.get(key) ?? 0) + dt)
    }
  }
  return [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), pct: +(100 * us / total).toFixed(1) }))
}

function summarizeProfile (file) {
  const prof = JSON.parse(readFileSync(file, 'utf8'))
  const pkg = (cf) => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(cf.url)
    return m ? m[1] : undefined
  }
  return {
    file,
    top: topSelf(prof, 12),
    topProject: topInclusive(prof, 12, cf => cf.url.includes(`${ROOT}/dist/`) ? frameName(cf) : undefined),
    topPackages: topInclusive(prof, 8, pkg)
  }
}

function profileSummaries () {
  const out = {}
  for (const [step, file] of [['put4-owner', join(PROFILES, 'put4-owner.cpuprofile')], ['put4-holder', join(PROFILES, 'put4-holder.cpuprofile')],
    ['backup', join(PROFILES, 'backup-owner.cpuprofile')], ['restore', join(PROFILES, 'restore-laptop.cpuprofile')]]) {
    if (existsSync(file)) out[step] = summarizeProfile(file)
  }
  return out
}

// ---------------------------------------------------------------- report

const f = (x, d = 2) => (x === null || x === undefined) ? '–' : Number(x).toFixed(d)
const mb = (x) => (x === null || x === undefined) ? '–' : (x / 1e6).toFixed(1)

function markdown (report) {
  const L = []
  const e = report.env
  L.push(`# p2pbak swarm benchmark, ${report.startedAt}`, '')
  L.push(`Machine: ${e.cpus} × ${e.cpuModel}, kernel ${e.kernel}, load average at start ${e.loadavgStart.join(' / ')}, at end ${e.loadavgEnd?.join(' / ') ?? '?'}. Node ${e.node}, ${e.restic}. Every daemon is its own Node process on 127.0.0.1 (TCP + noise + yamux). Runs: ${report.options.runs}, medians. Cache: **warm** (the dataset was read just before part 2; packs and restore sources are in the page cache; caches not dropped).`, '')
  const p = report.pair?.medians
  if (p) {
    L.push(`## Two daemons: ${PACKS} packs of ${PACK_SIZE / MiB} MiB (${mb(PACKS * PACK_SIZE)} MB) from the owner's process to the holder's`, '')
    L.push('| path | MB/s | s | owner CPU s | holder CPU s | others\' CPU s |', '|---|---:|---:|---:|---:|---:|')
    for (const mode of MODES) {
      const r = p[mode]
      if (r) L.push(`| ${MODE_LABEL[mode]} | **${f(r.mbPerS, 0)}** | ${f(r.seconds)} | ${f(r.ownerCpuS)} | ${f(r.holderCpuS)} | ${f(r.otherCpuS, 1)} |`)
    }
    L.push('')
    L.push(`Ratios: put sequential / raw = **${f(p.ratios.put1OverRaw)}**, put 4 in flight / raw = **${f(p.ratios.put4OverRaw)}** (goal ≥ 0.80: ${p.ratios.put4OverRaw >= 0.8 || p.ratios.put1OverRaw >= 0.8 ? 'met' : '**not met**'}), raw noise+yamux / TCP = **${f(p.ratios.rawOverTcp)}**.`)
    L.push('Pack put includes what a holder does before it answers durable: SHA-256 of the bytes, a temp file, fsync, rename, fsync of the folder, a SQLite insert and a DHT provide in the background. Raw and TCP only count bytes in memory. MB = 10^6 B.', '')
  }
  const m = report.five?.medians
  if (m) {
    L.push(`## Five daemons: first backup with r = ${REPLICAS} (${HOLDERS} holders + the owner's daemon) and a full restore on a fresh machine, against restic to a local repository`, '')
    if (report.dataset) L.push(`Dataset: ${report.dataset.files} files, ${mb(report.dataset.bytes)} MB, backed up in place at \`.bench/data\` by both tools.`, '')
    L.push('| step | p2pbak wall s | restic wall s | ratio | p2pbak CPU s (all daemons) | restic CPU s | ratio | p2pbak peak RSS MiB (owner / new machine) | restic peak RSS MiB | ratio | others\' CPU s p2pbak / restic |')
    L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for (const step of ['backup', 'restore']) {
      const s = m[step]
      if (!s?.p2pbak) continue
      const a = s.p2pbak
      const b = s.restic ?? {}
      const q = s.ratio ?? {}
      L.push(`| ${step === 'backup' ? 'first backup' : 'full restore (from peers / local repo)'} | ${f(a.wallS)} | ${f(b.wallS)} | **${f(q.wallS)}** | ${f(a.cpuS)} | ${f(b.cpuS)} | ${f(q.cpuS)} | ${f(a.peakRssMiB, 0)} | ${f(b.peakRssMiB, 0)} | ${f(q.peakRssMiB)} | ${f(a.otherCpuS, 1)} / ${f(b.otherCpuS, 1)} |`)
    }
    L.push('')
    const b = m.backup
    if (b?.p2pbak && b.restic) {
      L.push(`Stored: p2pbak **${mb(b.p2pbak.storedBytes)} MB** across the ${HOLDERS} holders (\`du -sb\` of their held/ folders) vs restic repository **${mb(b.restic.storedBytes)} MB**: ratio **${f(b.ratio.storedBytes)}** (r = ${REPLICAS}, expected ~${REPLICAS}).`)
      if (report.dataset?.bytes) L.push(`First backup throughput: p2pbak ${(report.dataset.bytes / 1e6 / b.p2pbak.wallS).toFixed(0)} MB/s of dataset (${(b.p2pbak.storedBytes / 1e6 / b.p2pbak.wallS).toFixed(0)} MB/s leaving the owner towards holders), restic ${(report.dataset.bytes / 1e6 / b.restic.wallS).toFixed(0)} MB/s.`)
    }
    const r = m.restore
    if (r?.p2pbak?.openS !== null && r?.p2pbak?.openS !== undefined) L.push(`The p2pbak restore time includes opening the owner with the recovery key on the empty state folder (fetching the key record, root record and indexes from the peers): ${f(r.p2pbak.openS)} s.`)
    const ver = report.five.rows.filter(x => x.verified !== undefined)
    L.push(`Restores verified with diff -r against the dataset: ${ver.filter(x => x.verified).length}/${ver.length} identical.`, '')
    for (const x of report.five.failures ?? []) L.push(`**Repetition ${x.run} failed** (not in the medians): ${x.error}`, '')
    const last = report.five.rows.filter(x => x.tool === 'p2pbak')
    for (const x of last) if (x.cpuByProcessS) L.push(`CPU by process, ${x.step} run ${x.run}: ${Object.entries(x.cpuByProcessS).map(([k, v]) => `${k} ${f(v)} s`).join(', ')}.`)
    L.push('', 'CPU of p2pbak = user+sys of every daemon process during the step (process.cpuUsage() before and after, over IPC), including the holders\' hashing, fsyncs and DHT work. Peak RSS = getrusage maxrss of the owner\'s process (backup) and of the new machine\'s process (restore); each is a fresh process. restic figures come from /usr/bin/time. Ratio = p2pbak / restic. Others\' CPU s = CPU used by every other process on the machine during the step.', '')
  }
  if (report.profiles) {
    for (const [step, p] of Object.entries(report.profiles)) {
      const who = { 'put4-owner': 'the owner\'s daemon during pack put, 4 in flight', 'put4-holder': 'the holder\'s daemon during pack put, 4 in flight', backup: 'the owner\'s daemon during the first backup', restore: 'the new machine\'s daemon during the restore' }[step]
      L.push(`CPU profile: ${who} (main thread, sampled every 1 ms during the timed step; ${p.file}):`, '')
      L.push('| self time: function | ms | % | | inclusive: p2pbak function | ms | % |', '|---|---:|---:|---|---|---:|---:|')
      for (let i = 0; i < Math.max(p.top.length, p.topProject.length); i++) {
        const a = p.top[i]
        const c = p.topProject[i]
        L.push(`| ${a ? `\`${a.fn}\` | ${a.ms} | ${a.pct}` : ' | | '} | | ${c ? `\`${c.fn}\` | ${c.ms} | ${c.pct}` : ' | | '} |`)
      }
      L.push('', `Inclusive time by package: ${p.topPackages.map(x => `${x.fn} ${x.pct} %`).join(', ')}.`, '')
    }
  }
  return L.join('\n')
}

// ---------------------------------------------------------------- main

async function main () {
  const opts = parseArgs(process.argv.slice(2))
  if (opts.report !== undefined) {
    const saved = JSON.parse(readFileSync(opts.report, 'utf8'))
    if (saved.options?.profile && saved.profiles === undefined) saved.profiles = profileSummaries() // the run stopped before it summarized them
    console.log(markdown(saved))
    return
  }
  if (opts.settleS !== undefined) settleMs = opts.settleS * 1000
  for (const need of [join(ROOT, 'dist', 'daemon', 'swarm', 'peer.js'), join(ROOT, 'dist', 'daemon', 'polyfill.js')]) {
    if (!existsSync(need)) { console.error(`${need} is missing: run \`npm run build\` (npm run bench:swarm does it)`); process.exit(2) }
  }
  if (opts.five && !existsSync(TIME)) { console.error('GNU time is missing at /usr/bin/time: apt-get install -y time'); process.exit(2) }
  if (opts.five && spawnSync('sh', ['-c', 'command -v restic']).status !== 0) { console.error('restic is missing: apt-get install -y restic'); process.exit(2) }
  mkdirSync(BENCH, { recursive: true })
  const startedAt = new Date().toISOString()
  const stamp = startedAt.replace(/[:.]/g, '-')
  const out = join(BENCH, `swarm-results-${stamp}.json`)
  const env = {
    node: process.version,
    restic: spawnSync('restic', ['version'], { encoding: 'utf8' }).stdout?.trim() ?? null,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    kernel: release(),
    loadavgStart: loadavg().map(x => +x.toFixed(2)),
    cache: 'warm'
  }
  const report = { startedAt, options: opts, env }
  const save = () => { writeFileSync(out, JSON.stringify(report, null, 2) + '\n') }

  if (existsSync(WORK)) removeTree(WORK) // leftovers of an earlier or interrupted run
  mkdirSync(WORK, { recursive: true })
  if (opts.profile) rmSync(PROFILES, { recursive: true, force: true })

  if (opts.pair) {
    report.pair = await runPair(opts)
    save()
  }
  if (opts.five) {
    report.dataset = ensureDataset()
    log('reading the dataset once so both tools find it in the page cache (not timed)')
    sh('sh', ['-c', `find "${DATA}" -type f -print0 | xargs -0 cat > /dev/null`])
    const rows = []
    const failures = []
    for (let run = 1; run <= opts.runs; run++) {
      try {
        rows.push(...await runFive(opts, run))
      } catch (err) {
        // One failed repetition (e.g. a daemon error under load) must not lose the others.
        log(`part 2 run ${run} FAILED: ${err.message.split('\n')[0]}`)
        failures.push({ run, error: err.message.split('\n').slice(0, 3).join(' ') })
      }
      report.five = { rows, medians: fiveMedians(rows), failures }
      save()
    }
  }
  if (opts.profile) report.profiles = profileSummaries()
  report.env.loadavgEnd = loadavg().map(x => +x.toFixed(2))
  save()
  if (!opts.keep) removeTree(WORK)
  console.log(markdown(report))
  console.log(`\nJSON: ${out}`)
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAll(); process.exit(130) })
process.on('exit', killAll)
try {
  await main()
} catch (err) {
  killAll()
  console.error(err?.stack ?? String(err))
  process.exitCode = 1
}
