#!/usr/bin/env node
// Whole-laptop restore benchmark (issue 6, docs/restore.md): alice and four holders as `p2pbak
// daemon` processes on 127.0.0.1 (cli/office.ts, r = 3). Alice backs up the shared dataset, then
// her daemon and state directory are deleted. A fresh state directory with only the swarm key runs
// `p2pbak restore --owner alice --target T` (the built binary, no daemon), timed from the outside,
// and reports when the most recently modified 10 % of the files were back. Baseline in the same
// run: `restic restore` of the same data from a local repository. Both results are checked with
// diff -r.
//
//   npm run bench:restore -- [--keep] [--profile DIR]
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { dropCaches, sh, timed as timedIn } from './proc.mjs'
import { BENCH, DATA, ROOT, ensureDataset } from './dataset.mjs'

const WORK = join(BENCH, 'restore-work')
const PASS = 'bench restore passphrase'
const keep = process.argv.includes('--keep')
// --profile DIR: a CPU profile of the restoring CLI process (node --cpu-prof) into DIR.
const profileDir = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : undefined
const log = (m) => process.stderr.write(`[restore-bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`)

await import(join(ROOT, 'dist', 'daemon', 'polyfill.js'))
const { Office, waitFor } = await import(join(ROOT, 'dist', 'cli', 'office.js'))


const timed = (cmd, argv, env = {}) => timedIn(WORK, cmd, argv, env)

if (spawnSync('sh', ['-c', 'command -v restic']).status !== 0) { console.error('restic is missing: apt-get install -y restic'); process.exit(2) }
const dataset = ensureDataset()
rmSync(WORK, { recursive: true, force: true })
mkdirSync(WORK, { recursive: true })
const office = new Office({ root: join(WORK, 'office') })
let result
try {
  const alice = await office.addMachine('alice', { owner: 'alice', passphrase: PASS })
  await office.start(alice)
  const holders = []
  for (const n of ['bob', 'carol', 'dave', 'erin']) {
    const m = await office.addMachine(n, { bootstrap: [alice] })
    await office.start(m)
    holders.push(m)
  }
  await waitFor(async () => ((await alice.client.status()).swarm.online === 4 ? true : undefined), 60_000, 'peers')
  const t0 = Date.now()
  await alice.client.backup({ paths: [DATA] })
  log(`alice backed up in ${((Date.now() - t0) / 1000).toFixed(1)} s; her laptop is now lost`)
  await office.stop(alice, 'SIGKILL')
  rmSync(alice.dir, { recursive: true, force: true })

  // The new laptop: a state directory with only the swarm key.
  const home = join(WORK, 'new-laptop')
  const state = join(home, 'state')
  mkdirSync(state, { recursive: true, mode: 0o700 })
  copyFileSync(office.swarmKeyPath, join(state, 'swarm.key'))
  const target = join(WORK, 'p2pbak-restore')
  // Both restores start with a cold page cache (see dropCaches).
  const dropped = dropCaches()
  if (!dropped) log('could not drop the page cache (not root): restore times may carry the ext4 artefact after a large deletion (bench/README.md)')
  const p = timed(process.execPath, [...(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir]), join(ROOT, 'dist', 'cli', 'bin.js'), '--json', 'restore', '--owner', 'alice', '--target', target, '--state-dir', state, '--bootstrap', holders[0].address],
    { HOME: home, P2PBAK_PASSWORD: PASS, P2PBAK_NETWORK_MDNS: 'false', P2PBAK_NETWORK_LISTEN: '/ip4/127.0.0.1/tcp/0' })
  const out = JSON.parse(p.stdout)
  sh('diff', ['-r', DATA, join(target, DATA)])
  log(`p2pbak restore ${p.wallS} s (newest 10 % after ${(out.firstTenthMs / 1000).toFixed(1)} s), verified with diff -r`)

  // restic: the same data, a local repository, in the same run.
  const repo = join(WORK, 'restic-repo')
  const env = { RESTIC_PASSWORD: PASS, RESTIC_CACHE_DIR: join(WORK, 'restic-cache') }
  sh('restic', ['init', '-r', repo], { env: { ...process.env, ...env } })
  sh('restic', ['backup', DATA, '-r', repo], { env: { ...process.env, ...env } })
  const rt = join(WORK, 'restic-restore')
  dropCaches()
  const r = timed('restic', ['restore', 'latest', '--target', rt, '-r', repo], env)
  sh('diff', ['-r', DATA, join(rt, DATA)])
  log(`restic restore ${r.wallS} s, verified with diff -r`)
  result = {
    dataset, cpus: cpus().length, node: process.version, restic: sh('restic', ['version']).stdout.trim(), coldCache: dropped,
    p2pbak: { wallS: p.wallS, cpuS: p.cpuS, peakRssMiB: p.peakRssMiB, firstTenthS: +(out.firstTenthMs / 1000).toFixed(1), files: out.files },
    resticRestore: { wallS: r.wallS, cpuS: r.cpuS, peakRssMiB: r.peakRssMiB },
    ratio: +(p.wallS / r.wallS).toFixed(2)
  }
} finally {
  await office.stopAll()
  if (!keep) rmSync(WORK, { recursive: true, force: true })
}
const file = join(BENCH, `restore-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
writeFileSync(file, JSON.stringify(result, null, 2))
console.log([
  `Dataset ${dataset.files} files, ${(dataset.bytes / 1e6).toFixed(0)} MB; alice + 4 holders (r = 3) on 127.0.0.1; the new laptop has only the swarm key.`, '',
  '| measure | p2pbak (`restore --owner`, from the peers) | restic (`restore`, local repository) | ratio |', '|---|---:|---:|---:|',
  `| whole restore, wall | ${result.p2pbak.wallS} s | ${result.resticRestore.wallS} s | **${result.ratio}** |`,
  `| CPU of the restoring process | ${result.p2pbak.cpuS} s | ${result.resticRestore.cpuS} s | ${(result.p2pbak.cpuS / result.resticRestore.cpuS).toFixed(2)} |`,
  `| most recent 10 % of the files back | ${result.p2pbak.firstTenthS} s | – | ${(result.p2pbak.firstTenthS / result.resticRestore.wallS).toFixed(2)} of restic's whole restore |`,
  '', `Saved: ${file}`
].join('\n'))
