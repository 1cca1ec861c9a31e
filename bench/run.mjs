#!/usr/bin/env node
// Engine benchmark: p2pbak's `local` CLI against restic on the same ~1 GiB dataset, in the same
// run, alternating the two tools, plus an in-memory micro-benchmark of the blob pipeline.
// See bench/README.md for how to run it and how to read the numbers.
//
//   npm run bench -- [--runs N] [--fresh] [--no-micro] [--no-macro | --micro-only] [--verify]
//                    [--check] [--profile] [--keep] [--settle SECONDS]
import { spawnSync } from 'node:child_process'
import { randomBytes, randomFillSync, createHash, createHmac, createCipheriv, createDecipheriv } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, openSync, readSync, closeSync, statSync } from 'node:fs'
import { cpus, loadavg, release } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const BENCH = join(ROOT, '.bench')
const DATA = join(BENCH, 'data')
const DATA_OK = join(BENCH, 'data.ok') // written only after make-dataset.sh succeeded
const WORK = join(BENCH, 'work')
const LAST_DELETE = join(BENCH, 'last-delete') // ms timestamp of the last big tree deletion
// The dataset tools (bench/tools/): make-dataset.sh builds it, modify-dataset.mjs changes ~1 % of it.
const SHARED = join(ROOT, 'bench', 'tools')
const CLI = join(ROOT, 'dist', 'cli', 'bin.js')
const TIME = '/usr/bin/time'
const PASSWORD = 'bench-password-not-secret'
// ext4 avoids reusing inodes freed in the last 60 s (longer while their table block is dirty), and
// checks every candidate: creating ~54k files right after deleting a big tree runs 2-3x slower.
// 65 s by default; --settle 300 also covers inode-table blocks that were still dirty.
let settleMs = 65_000
const MICRO_BYTES = 256 * 1024 * 1024
const MICRO_MSG = 1024 * 1024
const STEPS = ['init', 'backup1', 'backup2', 'backup3', 'restore', 'check']
const STEP_LABEL = {
  init: 'init',
  backup1: 'first backup',
  backup2: 'no-change backup',
  backup3: 'backup after modify',
  restore: 'full restore',
  check: 'check --read-data'
}

// ---------------------------------------------------------------- arguments

function parseArgs (argv) {
  const o = { runs: 3, settleS: undefined, fresh: false, micro: true, macro: true, verify: false, check: false, profile: false, keep: false, microChild: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--runs') o.runs = Number(argv[++i])
    else if (a.startsWith('--runs=')) o.runs = Number(a.slice(7))
    else if (a === '--fresh') o.fresh = true
    else if (a === '--no-micro') o.micro = false
    else if (a === '--micro-only' || a === '--no-macro') o.macro = false
    else if (a === '--verify') o.verify = true
    else if (a === '--check') o.check = true
    else if (a === '--profile') o.profile = true
    else if (a === '--keep') o.keep = true
    else if (a === '--settle') o.settleS = Number(argv[++i])
    else if (a === '--micro-child') o.microChild = true
    else if (a === '-h' || a === '--help') { console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 7).join('\n')); process.exit(0) }
    else { console.error(`unknown argument ${a}; see bench/README.md`); process.exit(2) }
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) { console.error('--runs needs a positive integer'); process.exit(2) }
  if (o.settleS !== undefined && !(o.settleS >= 0)) { console.error('--settle needs a number of seconds'); process.exit(2) }
  return o
}

// ---------------------------------------------------------------- helpers

function log (msg) { process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`) }

function sh (cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts })
  if (r.error) throw r.error
  if (r.status !== 0 && opts.allowFail !== true) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${(r.stderr ?? '').slice(-2000)}`)
  }
  return r
}

function have (cmd) { return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0 }

function median (xs) {
  const v = xs.filter(x => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return null
  const m = v.length >> 1
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2
}

function duBytes (path) {
  if (!existsSync(path)) return null
  return Number(sh('du', ['-sb', path]).stdout.split('\t')[0])
}

function sleepMs (ms) { if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) }

function sync () { sh('sync', []) }

function removeTree (path) {
  if (!existsSync(path)) return
  log(`removing ${path}`)
  rmSync(path, { recursive: true, force: true })
  sync()
  writeFileSync(LAST_DELETE, String(Date.now()))
}

/** Before creating a big tree that is timed: flush, and let ext4's "recently deleted" window pass. */
function quietBeforeCreate () {
  sync()
  const last = existsSync(LAST_DELETE) ? Number(readFileSync(LAST_DELETE, 'utf8')) : 0
  const wait = last + settleMs - Date.now()
  if (wait > 0) { log(`waiting ${(wait / 1000).toFixed(0)} s since the last tree deletion (ext4 inode reuse)`); sleepMs(wait) }
  return Math.max(0, wait)
}

/** Runs one timed child under /usr/bin/time; returns wall, CPU and peak RSS of the child. */
function timed (cmd, args, env) {
  const tf = join(BENCH, 'time.out')
  rmSync(tf, { force: true })
  sync() // flush the previous step's writes so they are not charged to this one
  const load1 = +loadavg()[0].toFixed(2)
  const cpu0 = cpuTicks()
  const r = spawnSync(TIME, ['-f', '%e %U %S %M', '-o', tf, cmd, ...args], {
    encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env }
  })
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stderr.slice(-3000)}`)
  const cpu1 = cpuTicks()
  const lines = readFileSync(tf, 'utf8').trim().split('\n')
  const [wall, user, sys, rssKiB] = lines[lines.length - 1].split(' ').map(Number)
  // The machine may be shared: CPU seconds other processes used during the step (USER_HZ = 100),
  // and seconds the host took from this VM (steal). Large values make the step's wall time suspect.
  const otherCpuS = +Math.max(0, (cpu1.busy - cpu0.busy) / 100 - user - sys).toFixed(1)
  const machine = { load1, otherCpuS, stealS: +((cpu1.steal - cpu0.steal) / 100).toFixed(1) }
  return { wallS: wall, userS: user, sysS: sys, cpuS: +(user + sys).toFixed(2), peakRssMiB: +(rssKiB / 1024).toFixed(1), machine, stdout: r.stdout, stderr: r.stderr }
}

/** Aggregate jiffies from /proc/stat: busy (user..softirq), steal, total. */
function cpuTicks () {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = v
    return { busy: user + nice + system + irq + softirq, steal: steal ?? 0, total: v.slice(0, 8).reduce((a, x) => a + (x ?? 0), 0) }
  } catch { return { busy: 0, steal: 0, total: 0 } }
}

function lastJson (text, pred = () => true) {
  const lines = text.trim().split('\n').reverse()
  for (const l of lines) {
    try { const v = JSON.parse(l); if (pred(v)) return v } catch {}
  }
  return null
}

// ---------------------------------------------------------------- the two tools

function p2pbak (dir) {
  const repo = join(dir, 'repo')
  const state = join(dir, 'state')
  const pw = join(dir, 'password')
  const base = ['--repo', repo, '--state', state, '--password-file', pw]
  const run = (args, extraNodeArgs = []) => timed(process.execPath, [...extraNodeArgs, CLI, '--json', 'local', ...args], {})
  return {
    name: 'p2pbak', repo, state,
    init: () => { mkdirSync(dir, { recursive: true }); writeFileSync(pw, PASSWORD + '\n', { mode: 0o600 }); return run(['init', ...base, '--owner', 'bench']) },
    backup: (src, nodeArgs) => run(['backup', ...base, src], nodeArgs),
    restore: (target, nodeArgs) => run(['restore', 'latest', ...base, '--target', target], nodeArgs),
    check: () => run(['check', ...base, '--read-data']),
    summary: (out) => lastJson(out)
  }
}

function restic (dir) {
  const repo = join(dir, 'repo')
  const state = join(dir, 'cache')
  const pw = join(dir, 'password')
  const env = { RESTIC_CACHE_DIR: state }
  const run = (args) => timed('restic', [...args, '-r', repo, '--password-file', pw], env)
  return {
    name: 'restic', repo, state,
    init: () => { mkdirSync(dir, { recursive: true }); writeFileSync(pw, PASSWORD + '\n', { mode: 0o600 }); return run(['init']) },
    backup: (src) => run(['backup', '--json', src]),
    restore: (target) => run(['restore', 'latest', '--target', target]),
    check: () => run(['check', '--read-data']),
    summary: (out) => lastJson(out, v => v.message_type === 'summary') ?? { text: out.trim().split('\n').slice(-3).join(' | ') }
  }
}

// ---------------------------------------------------------------- dataset

function ensureDataset (fresh) {
  if (!fresh && existsSync(DATA_OK) && existsSync(DATA)) return JSON.parse(readFileSync(DATA_OK, 'utf8'))
  if (existsSync(DATA)) { rmSync(DATA_OK, { force: true }); removeTree(DATA) }
  log('building the dataset (~20-30 s) into .bench/data')
  const r = sh('bash', [join(SHARED, 'make-dataset.sh'), DATA])
  const m = /files: (\d+)\s+bytes: (\d+)/.exec(r.stdout)
  const info = { files: m ? Number(m[1]) : null, bytes: m ? Number(m[2]) : null, builtAt: new Date().toISOString() }
  writeFileSync(DATA_OK, JSON.stringify(info))
  writeFileSync(LAST_DELETE, String(Date.now())) // make-dataset.sh deletes before it copies
  return info
}

// ---------------------------------------------------------------- macro benchmark

function record (results, rep, tool, step, t, extra = {}) {
  const row = {
    rep, tool: tool.name, step,
    wallS: t.wallS, userS: t.userS, sysS: t.sysS, cpuS: t.cpuS, peakRssMiB: t.peakRssMiB,
    repoBytes: duBytes(tool.repo), stateBytes: duBytes(tool.state), machine: t.machine,
    summary: tool.summary(t.stdout), ...extra
  }
  results.push(row)
  log(`rep ${rep} ${tool.name.padEnd(6)} ${step.padEnd(8)} wall ${t.wallS.toFixed(2)} s, cpu ${t.cpuS.toFixed(2)} s, rss ${t.peakRssMiB} MiB, repo ${(row.repoBytes / 1e6).toFixed(1)} MB; others used ${t.machine.otherCpuS} CPU s, steal ${t.machine.stealS} s, load ${t.machine.load1}`)
  return row
}

function runMacro (opts) {
  const results = []
  const notes = []
  for (let rep = 1; rep <= opts.runs; rep++) {
    const repDir = join(WORK, `rep-${rep}`)
    const src = join(repDir, 'data')
    // Alternate who goes first, so neither tool always gets the other's leftovers in the page cache.
    const dirs = { p2pbak: join(repDir, 'p2pbak'), restic: join(repDir, 'restic') }
    const tools = rep % 2 === 1 ? [p2pbak(dirs.p2pbak), restic(dirs.restic)] : [restic(dirs.restic), p2pbak(dirs.p2pbak)]
    log(`rep ${rep}/${opts.runs}: copying the dataset (timed only as a reference), order ${tools.map(t => t.name).join(' then ')}`)
    mkdirSync(repDir, { recursive: true })
    // Timed only as a reference (a floor for restore: the same files created with no backup tool).
    const cp = timed('cp', ['-a', DATA, src], {})
    results.push({ rep, tool: 'cp -a', step: 'copy', wallS: cp.wallS, userS: cp.userS, sysS: cp.sysS, cpuS: cp.cpuS, peakRssMiB: cp.peakRssMiB, machine: cp.machine })
    log(`rep ${rep} cp -a of the dataset (reference) wall ${cp.wallS.toFixed(2)} s, sys ${cp.sysS.toFixed(2)} s`)
    for (const t of tools) record(results, rep, t, 'init', t.init())
    for (const t of tools) record(results, rep, t, 'backup1', t.backup(src))
    for (const t of tools) record(results, rep, t, 'backup2', t.backup(src))
    const mod = sh(process.execPath, [join(SHARED, 'modify-dataset.mjs'), src])
    if (rep === 1) notes.push(`modify-dataset: ${mod.stdout.trim()}`)
    for (const t of tools) record(results, rep, t, 'backup3', t.backup(src))
    for (const t of tools) {
      const target = join(repDir, `restore-${t.name}`) // fresh, never existed
      const waited = quietBeforeCreate()
      const row = record(results, rep, t, 'restore', t.restore(target), { waitedBeforeMs: waited })
      if (opts.verify) {
        const d = sh('diff', ['-rq', src, join(target, src)], { allowFail: true })
        row.verified = d.status === 0
        log(`rep ${rep} ${t.name} restore ${row.verified ? 'identical to the source (diff -r)' : 'DIFFERS: ' + d.stdout.slice(0, 500)}`)
      }
    }
    if (opts.check) for (const t of tools) record(results, rep, t, 'check', t.check())
  }
  return { results, notes }
}

function summarize (results) {
  const out = {}
  for (const step of STEPS) {
    const s = {}
    for (const tool of ['p2pbak', 'restic']) {
      const rows = results.filter(r => r.step === step && r.tool === tool)
      if (rows.length === 0) continue
      s[tool] = {
        n: rows.length,
        wallS: median(rows.map(r => r.wallS)),
        cpuS: median(rows.map(r => r.cpuS)),
        userS: median(rows.map(r => r.userS)),
        sysS: median(rows.map(r => r.sysS)),
        peakRssMiB: median(rows.map(r => r.peakRssMiB)),
        repoBytes: median(rows.map(r => r.repoBytes)),
        stateBytes: median(rows.map(r => r.stateBytes)),
        otherCpuS: median(rows.map(r => r.machine?.otherCpuS)),
        stealS: median(rows.map(r => r.machine?.stealS))
      }
    }
    if (s.p2pbak && s.restic) {
      const ratio = (k) => s.restic[k] ? +(s.p2pbak[k] / s.restic[k]).toFixed(2) : null
      s.ratio = { wallS: ratio('wallS'), cpuS: ratio('cpuS'), peakRssMiB: ratio('peakRssMiB'), repoBytes: ratio('repoBytes') }
    }
    if (Object.keys(s).length > 0) out[step] = s
  }
  const cp = results.filter(r => r.step === 'copy')
  if (cp.length > 0) out.copyReference = { n: cp.length, wallS: median(cp.map(r => r.wallS)), sysS: median(cp.map(r => r.sysS)), cpuS: median(cp.map(r => r.cpuS)) }
  return out
}

function goalsOf (med) {
  const g = []
  const cmp = (name, step, key, note) => {
    const s = med[step]
    if (!s?.ratio) return
    g.push({ goal: name, p2pbak: s.p2pbak[key], restic: s.restic[key], ratio: s.ratio[key], met: s.p2pbak[key] <= s.restic[key], note })
  }
  cmp('first backup no slower than restic', 'backup1', 'wallS', 'wall s')
  cmp('restore no slower than restic', 'restore', 'wallS', 'wall s')
  if (med.backup2?.p2pbak) g.push({ goal: 'no-change backup under 2 s', p2pbak: med.backup2.p2pbak.wallS, restic: med.backup2.restic?.wallS ?? null, ratio: med.backup2.ratio?.wallS ?? null, met: med.backup2.p2pbak.wallS < 2, note: 'wall s' })
  cmp('stored bytes ≤ restic (after first backup)', 'backup1', 'repoBytes', 'repo bytes')
  cmp('stored bytes ≤ restic (after all three backups)', 'backup3', 'repoBytes', 'repo bytes')
  return g
}

// ---------------------------------------------------------------- micro benchmark (child process)

async function microChild () {
  const dist = (p) => pathToFileURL(join(ROOT, 'dist', p)).href
  const { createChunkerParams, findCutPoint } = await import(dist('daemon/repository/chunker.js'))
  const { computeBlobId, encodeBlob, decodeBlob } = await import(dist('daemon/repository/blob.js'))
  const { seal } = await import(dist('daemon/crypto/aead.js'))
  const keys = { encryptionKey: new Uint8Array(randomBytes(32)), blobIdKey: new Uint8Array(randomBytes(32)) }
  const params = createChunkerParams(new Uint8Array(randomBytes(32)))

  const random = new Uint8Array(MICRO_BYTES)
  for (let o = 0; o < random.length; o += 65536) randomFillSync(random, o, Math.min(65536, random.length - o))
  const text = datasetBytes(MICRO_BYTES)

  const chunks = (buf) => { const out = []; let pos = 0; while (pos < buf.length) { const n = findCutPoint(buf, pos, buf.length, params); out.push(buf.subarray(pos, pos + n)); pos += n } return out }
  const msgs = (buf) => { const out = []; for (let o = 0; o < buf.length; o += MICRO_MSG) out.push(buf.subarray(o, o + MICRO_MSG)); return out }
  const aesKey = randomBytes(32)
  const gcmSeal = (m) => { const iv = randomBytes(12); const c = createCipheriv('aes-256-gcm', aesKey, iv); const ct = c.update(m); c.final(); return { iv, ct, tag: c.getAuthTag() } }
  const randomMsgs = msgs(random)
  const sealedRaw = randomMsgs.map(gcmSeal)
  const encoded = (buf, compress) => chunks(buf).map(c => { const id = computeBlobId(keys, c); const e = encodeBlob(keys, id, c, compress); return { sealed: e.sealed, loc: { id, rawLength: c.byteLength, compressed: e.compressed } } })
  const encRandom = encoded(random, false)
  const encText = encoded(text, true)

  const cases = [
    ['node:crypto SHA-256 (1 MiB messages)', random, () => { for (const m of randomMsgs) createHash('sha256').update(m).digest() }],
    ['node:crypto HMAC-SHA256 (1 MiB messages)', random, () => { for (const m of randomMsgs) createHmac('sha256', aesKey).update(m).digest() }],
    ['node:crypto AES-256-GCM encrypt (1 MiB messages)', random, () => { for (const m of randomMsgs) gcmSeal(m) }],
    ['node:crypto AES-256-GCM decrypt (1 MiB messages)', random, () => { for (const s of sealedRaw) { const d = createDecipheriv('aes-256-gcm', aesKey, s.iv); d.setAuthTag(s.tag); d.update(s.ct); d.final() } }],
    ['p2pbak chunk (findCutPoint)', random, () => { chunks(random) }],
    ['p2pbak chunk + blob ID (HMAC-SHA256)', random, () => { for (const c of chunks(random)) computeBlobId(keys, c) }],
    ['p2pbak chunk + ID + seal (aead.seal)', random, () => { for (const c of chunks(random)) seal(keys.encryptionKey, c, computeBlobId(keys, c)) }],
    ['p2pbak chunk + ID + encodeBlob, compression off', random, () => { for (const c of chunks(random)) encodeBlob(keys, computeBlobId(keys, c), c, false) }],
    ['p2pbak chunk + ID + encodeBlob, compression on (random: zstd tried, discarded)', random, () => { for (const c of chunks(random)) encodeBlob(keys, computeBlobId(keys, c), c, true) }],
    ['p2pbak chunk + ID + encodeBlob, compression on (dataset bytes)', text, () => { for (const c of chunks(text)) encodeBlob(keys, computeBlobId(keys, c), c, true) }],
    ['p2pbak decodeBlob (open + ID check), uncompressed', random, () => { for (const e of encRandom) decodeBlob(keys, e.loc, e.sealed) }],
    ['p2pbak decodeBlob (open + zstd + ID check), dataset bytes', text, () => { for (const e of encText) decodeBlob(keys, e.loc, e.sealed) }]
  ]
  const out = []
  for (const [name, input, fn] of cases) {
    fn() // warm-up: JIT and allocator
    const times = []
    for (let i = 0; i < 3; i++) { const t0 = process.hrtime.bigint(); fn(); times.push(Number(process.hrtime.bigint() - t0) / 1e9) }
    const s = median(times)
    out.push({ name, bytes: input.byteLength, secondsMedian: +s.toFixed(4), mbPerS: +(input.byteLength / 1e6 / s).toFixed(0), passes: times.map(x => +x.toFixed(4)) })
  }
  const compressedShare = encText.reduce((a, e) => a + e.sealed.byteLength, 0) / text.byteLength
  process.stdout.write(JSON.stringify({ cases: out, chunks: encRandom.length, datasetBytesSealedShare: +compressedShare.toFixed(3) }) + '\n')
}

/** First `n` bytes of the dataset's files in sorted path order: realistic, compressible input. */
function datasetBytes (n) {
  const buf = new Uint8Array(n)
  let pos = 0
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (pos >= n) return
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) {
        const fd = openSync(p, 'r')
        try { pos += readSync(fd, buf, pos, Math.min(n - pos, statSync(p).size), 0) } finally { closeSync(fd) }
      }
    }
  }
  walk(DATA)
  if (pos < n) for (let o = pos; o < n; o += pos) buf.copyWithin(o, 0, Math.min(pos, n - o)) // dataset smaller than n: repeat it
  return buf
}

function runMicro () {
  log('micro-benchmark: 256 MiB in memory, one thread pinned to one core (~30 s)')
  const pin = have('taskset') ? ['taskset', ['-c', '0', process.execPath]] : [process.execPath, []]
  const r = sh(pin[0], [...pin[1], fileURLToPath(import.meta.url), '--micro-child'])
  const res = JSON.parse(r.stdout.trim().split('\n').pop())
  const by = (prefix) => res.cases.find(c => c.name.startsWith(prefix))?.mbPerS
  // What the components predict for chunk + HMAC + GCM if nothing else cost anything.
  const parts = [by('p2pbak chunk (findCutPoint)'), by('node:crypto HMAC'), by('node:crypto AES-256-GCM encrypt')]
  res.predictedChunkHmacGcmMbPerS = parts.every(Boolean) ? Math.round(1 / parts.reduce((a, x) => a + 1 / x, 0)) : null
  res.pinned = pin[0] === 'taskset'
  return res
}

// ---------------------------------------------------------------- CPU profile (optional)

function profileP2pbak () {
  const dir = join(WORK, 'profile')
  const src = join(dir, 'data')
  const profDir = join(BENCH, 'profiles')
  rmSync(profDir, { recursive: true, force: true })
  mkdirSync(profDir, { recursive: true })
  mkdirSync(dir, { recursive: true })
  sh('cp', ['-a', DATA, src])
  const t = p2pbak(join(dir, 'p2pbak'))
  t.init()
  const out = {}
  for (const [step, fn] of [['backup1', () => t.backup(src, ['--cpu-prof', '--cpu-prof-dir', join(profDir, 'backup1')])],
    ['backup2', () => t.backup(src, ['--cpu-prof', '--cpu-prof-dir', join(profDir, 'backup2')])],
    ['restore', () => { quietBeforeCreate(); return t.restore(join(dir, 'restore'), ['--cpu-prof', '--cpu-prof-dir', join(profDir, 'restore')]) }]]) {
    log(`profiling p2pbak ${step}`)
    const r = fn()
    const file = readdirSync(join(profDir, step)).find(f => f.endsWith('.cpuprofile'))
    const prof = JSON.parse(readFileSync(join(profDir, step, file), 'utf8'))
    out[step] = { wallS: r.wallS, cpuS: r.cpuS, profile: join(profDir, step, file), top: topSelf(prof, 12), topProject: topInclusive(prof, 12) }
  }
  return out
}

function frameName (cf) {
  return `${cf.functionName || '(anonymous)'} ${cf.url ? cf.url.replace(/^file:\/\//, '').replace(ROOT + '/', '') + ':' + (cf.lineNumber + 1) : ''}`.trim()
}

/** Self time per function of a V8 .cpuprofile, largest first. */
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

/** Inclusive (self + callees) time of p2pbak's own functions (dist/), largest first. */
function topInclusive (prof, n) {
  const byId = new Map(prof.nodes.map(nd => [nd.id, nd]))
  const parent = new Map()
  for (const nd of prof.nodes) for (const c of nd.children ?? []) parent.set(c, nd.id)
  const incl = new Map()
  let total = 0
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0
    total += dt
    const seen = new Set() // count a recursive function once per sample
    for (let id = prof.samples[i]; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id).callFrame
      if (!cf.url.includes('/dist/')) continue
      const key = frameName(cf)
      if (seen.has(key)) continue
      seen.add(key)
      incl.set(key, (incl.get(key) ?? 0) + dt)
    }
  }
  return [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), pct: +(100 * us / total).toFixed(1) }))
}

// ---------------------------------------------------------------- report

const f = (x, d = 2) => (x === null || x === undefined) ? '–' : Number(x).toFixed(d)
const mb = (x) => (x === null || x === undefined) ? '–' : (x / 1e6).toFixed(1)

function markdown (report) {
  const L = []
  const e = report.env
  L.push(`# p2pbak engine benchmark, ${report.startedAt}`, '')
  L.push(`Machine: ${e.cpus} × ${e.cpuModel}, kernel ${e.kernel}, load average at start ${e.loadavgStart.join(' / ')}. Node ${e.node}, ${e.restic}. Cache: **warm** (dataset copied just before; caches not dropped).`)
  if (report.dataset) L.push(`Dataset: ${report.dataset.files} files, ${mb(report.dataset.bytes)} MB (MB = 10^6 B). Runs: ${report.options.runs}, medians; order alternates per repetition (odd: p2pbak first).`)
  for (const n of report.notes ?? []) L.push(`Note: ${n}`)
  L.push('')
  if (report.medians) {
    const m = report.medians
    L.push('| step | p2pbak wall s | restic wall s | ratio | p2pbak CPU s (user+sys) | restic CPU s | ratio | p2pbak peak RSS MiB | restic peak RSS MiB | p2pbak repo MB | restic repo MB | ratio | p2pbak state MB | restic cache MB | others\' CPU s p2pbak / restic |')
    L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for (const step of STEPS) {
      const s = m[step]
      if (!s) continue
      const p = s.p2pbak ?? {}
      const r = s.restic ?? {}
      const q = s.ratio ?? {}
      L.push(`| ${STEP_LABEL[step]} | ${f(p.wallS)} | ${f(r.wallS)} | **${f(q.wallS)}** | ${f(p.cpuS)} (${f(p.userS, 1)}+${f(p.sysS, 1)}) | ${f(r.cpuS)} (${f(r.userS, 1)}+${f(r.sysS, 1)}) | ${f(q.cpuS)} | ${f(p.peakRssMiB, 0)} | ${f(r.peakRssMiB, 0)} | ${mb(p.repoBytes)} | ${mb(r.repoBytes)} | ${f(q.repoBytes)} | ${mb(p.stateBytes)} | ${mb(r.stateBytes)} | ${f(p.otherCpuS, 1)} / ${f(r.otherCpuS, 1)} |`)
    }
    L.push('', 'Ratio = p2pbak / restic (below 1: p2pbak is faster / smaller). Repo MB = `du -sb` of the repository folder after the step; p2pbak state (SQLite) and restic cache are beside it, not in it. Others\' CPU s = CPU time that other processes on the machine used during the step (should be near 0 on an idle machine).', '')
    if (m.copyReference) L.push(`Reference: \`cp -a\` of the dataset into a new folder (the same ${report.dataset?.files ?? ''} files created, no backup tool; first thing in each repetition): ${f(m.copyReference.wallS)} s wall, ${f(m.copyReference.sysS)} s sys. A floor for a restore on this file system as it is now.`, '')
    const b1 = m.backup1
    if (b1?.p2pbak && report.dataset?.bytes) L.push(`First backup throughput: p2pbak ${(report.dataset.bytes / 1e6 / b1.p2pbak.wallS).toFixed(0)} MB/s, restic ${(report.dataset.bytes / 1e6 / b1.restic.wallS).toFixed(0)} MB/s.`, '')
    L.push('| goal | p2pbak | restic | ratio | met |', '|---|---:|---:|---:|---|')
    for (const g of report.goals) {
      const v = (x) => g.note === 'repo bytes' ? `${mb(x)} MB` : `${f(x)} s`
      L.push(`| ${g.goal} | ${v(g.p2pbak)} | ${v(g.restic)} | ${f(g.ratio)} | ${g.met ? 'yes' : '**no**'} |`)
    }
    L.push('')
    const ver = report.results.filter(r => r.verified !== undefined)
    if (ver.length > 0) L.push(`Restores verified with diff -r: ${ver.filter(r => r.verified).length}/${ver.length} identical.`, '')
  }
  if (report.micro) {
    L.push(`Micro-benchmark (in memory, ${MICRO_BYTES / 1048576} MiB, one thread${report.micro.pinned ? ' pinned with taskset -c 0' : ''}, median of 3 passes after a warm-up; ${report.micro.chunks} chunks on random data):`, '')
    L.push('| path | MB/s |', '|---|---:|')
    for (const c of report.micro.cases) L.push(`| ${c.name} | ${c.mbPerS} |`)
    L.push(`| *predicted chunk + HMAC + GCM from the parts* | *${report.micro.predictedChunkHmacGcmMbPerS}* |`, '')
    L.push(`Dataset bytes sealed with compression: ${(100 * report.micro.datasetBytesSealedShare).toFixed(1)} % of their size.`, '')
  }
  if (report.profile) {
    for (const [step, p] of Object.entries(report.profile)) {
      L.push(`CPU profile of p2pbak ${STEP_LABEL[step]} (wall ${f(p.wallS)} s, CPU ${f(p.cpuS)} s, under the profiler; main thread; ${p.profile}):`, '')
      L.push('| self time: function | ms | % | | inclusive time: p2pbak function | ms | % |', '|---|---:|---:|---|---|---:|---:|')
      for (let i = 0; i < Math.max(p.top.length, p.topProject.length); i++) {
        const a = p.top[i]
        const b = p.topProject[i]
        L.push(`| ${a ? `\`${a.fn}\` | ${a.ms} | ${a.pct}` : ' | | '} | | ${b ? `\`${b.fn}\` | ${b.ms} | ${b.pct}` : ' | | '} |`)
      }
      L.push('')
    }
  }
  return L.join('\n')
}

// ---------------------------------------------------------------- main

async function main () {
  const opts = parseArgs(process.argv.slice(2))
  if (opts.microChild) return microChild()
  if (opts.settleS !== undefined) settleMs = opts.settleS * 1000
  if (!existsSync(CLI)) { console.error('dist/cli/bin.js is missing: run `npm run build` (npm run bench does it)'); process.exit(2) }
  mkdirSync(BENCH, { recursive: true })
  const startedAt = new Date().toISOString()
  if (opts.macro) {
    if (!existsSync(TIME)) { log('installing GNU time (apt-get install -y time)'); sh('apt-get', ['install', '-y', 'time']) }
    if (!have('restic')) { log('installing restic (apt-get install -y restic)'); sh('apt-get', ['install', '-y', 'restic']) }
  }
  const env = {
    node: process.version,
    restic: have('restic') ? sh('restic', ['version']).stdout.trim() : null,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    kernel: release(),
    loadavgStart: loadavg().map(x => +x.toFixed(2)),
    cache: 'warm'
  }
  log(`${env.restic ?? 'restic missing'}; node ${env.node}`)
  const report = { startedAt, options: opts, env }
  const stamp = startedAt.replace(/[:.]/g, '-')
  const save = () => { writeFileSync(join(BENCH, `results-${stamp}.json`), JSON.stringify(report, null, 2) + '\n') }
  if (existsSync(WORK)) removeTree(WORK) // leftovers of an interrupted run
  report.dataset = (opts.macro || opts.micro) ? ensureDataset(opts.fresh) : null
  if (opts.macro) {
    const { results, notes } = runMacro(opts)
    report.results = results
    report.notes = notes
    report.medians = summarize(results)
    report.goals = goalsOf(report.medians)
    save()
  }
  if (opts.micro) { report.micro = runMicro(); save() }
  if (opts.profile) { report.profile = profileP2pbak(); save() }
  report.env.loadavgEnd = loadavg().map(x => +x.toFixed(2))
  save()
  if (!opts.keep) removeTree(WORK)
  console.log(markdown(report))
  console.log(`\nJSON: ${join(BENCH, `results-${stamp}.json`)}`)
}

await main()
