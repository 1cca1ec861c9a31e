// The state directory across processes (the built binary): one process at a time through an flock
// that the kernel drops when its holder dies, even by SIGKILL; loose permissions fixed or refused.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { chmodSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exitCodeFor } from '../../cli/exit-codes.js'
import { runCli } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'

const dirs = tempDirs()
let root: string
let args: string[]
let state: string
const children: ChildProcess[] = []

beforeAll(async () => {
  root = dirs.make('p2pbak-statedir-')
  writeFileSync(join(root, 'pass'), 'state dir test passphrase\n')
  state = join(root, 'state')
  args = ['--repo', join(root, 'repo'), '--state', state, '--password-file', join(root, 'pass')]
  const init = await runCli(['local', 'init', '--owner', 'alice', ...args])
  expect(init.code, init.stderr).toBe(0)
})

afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
  dirs.cleanup()
})

/** Another process that takes the state directory's lock and holds it until killed. */
async function holdLock (dir: string): Promise<ChildProcess> {
  const mod = pathToFileURL(join(import.meta.dirname, '../../dist/daemon/fs/state-dir.js')).href
  const child = spawn(process.execPath, ['--input-type=module', '-e',
    `const m = await import(${JSON.stringify(mod)}); m.lockStateDir(${JSON.stringify(dir)}); process.stdout.write('locked\\n'); setInterval(() => {}, 60000)`
  ], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { if (d.includes('locked')) resolve() })
    child.on('exit', (code) => { reject(new Error(`the lock holder exited early (${code})`)) })
  })
  return child
}

describe('the state directory lock', () => {
  it('a second process gets LockedError (exit 8) while the first holds it; after SIGKILL of the first it is free at once', async () => {
    const holder = await holdLock(state)
    const blocked = await runCli(['local', 'snapshots', ...args])
    expect(blocked.code, blocked.stderr).toBe(exitCodeFor('LockedError'))
    expect(blocked.stderr).toContain(`in use by process ${holder.pid}`)
    expect(blocked.stderr).toMatch(/hint: /)

    const gone = new Promise(resolve => holder.once('exit', resolve))
    holder.kill('SIGKILL')
    await gone
    // No stale lock: the very next command runs, with no wait and no clean-up.
    const after = await runCli(['local', 'snapshots', ...args])
    expect(after.code, after.stderr).toBe(0)
    expect(after.stdout).toContain('no snapshots yet')
  })
})

describe('state directory permissions', () => {
  it('a state directory at 0755 is made 0700', async () => {
    chmodSync(state, 0o755)
    const r = await runCli(['local', 'snapshots', ...args])
    expect(r.code, r.stderr).toBe(0)
    expect(statSync(state).mode & 0o777).toBe(0o700)
  })

  it('one that cannot be made private is refused with InsecureStateDirError (exit 29)', async () => {
    // The kernel refuses mode changes under /proc/<pid>, even for root.
    const r = await runCli(['local', 'snapshots', '--repo', join(root, 'repo'), '--state', '/proc/1', '--password-file', join(root, 'pass')])
    expect(r.code, r.stderr).toBe(exitCodeFor('InsecureStateDirError'))
    expect(r.stderr).toMatch(/\/proc\/1 is open to other users \(mode 0555\)/)
    expect(r.stderr).toMatch(/hint: run `chmod 700 \/proc\/1`/)
    expect(r.stderr).not.toMatch(/\n\s+at .*\(/)
  })
})
