// Running and timing commands from the benchmarks (bench/daemon.mjs, bench/restore.mjs).
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

/** Runs a command; throws with the end of its stderr unless it succeeds (or opts.allowFail). */
export function sh (cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts })
  if (r.error) throw r.error
  if (r.status !== 0 && opts.allowFail !== true) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}\n${(r.stderr ?? '').slice(-2000)}`)
  return r
}

/** Wall seconds, CPU seconds and peak RSS of one command, by /usr/bin/time (its output file goes in `workDir`). */
export function timed (workDir, cmd, argv, env = {}) {
  const tf = join(workDir, 'time.out')
  rmSync(tf, { force: true })
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', tf, cmd, ...argv], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } })
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}\n${(r.stderr ?? '').slice(-3000)}`)
  const [wall, user, sys, rss] = readFileSync(tf, 'utf8').trim().split('\n').at(-1).split(' ').map(Number)
  return { wallS: wall, cpuS: +(user + sys).toFixed(2), peakRssMiB: Math.round(rss / 1024), stdout: r.stdout }
}

/**
 * Writes back and drops the page cache (root only; otherwise a no-op that says so). Restores are
 * timed after it: creating files right after a large tree was deleted is quadratic on ext4
 * ("recently deleted" inodes; bench/README.md, bench:restore), and dropping the cache removes that artefact.
 */
export function dropCaches () {
  spawnSync('sync')
  const r = spawnSync('sh', ['-c', 'echo 3 > /proc/sys/vm/drop_caches'])
  return r.status === 0
}
