// A reader that closes early (`p2pbak ls latest | head`): the built binary ends quietly, with
// no stack trace and no "internal error".
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, runCli } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'

const dirs = tempDirs()
let args: string[]

beforeAll(async () => {
  const root = dirs.make('p2pbak-pipe-')
  const src = join(root, 'src')
  // Enough names that `ls` prints far more than a pipe buffer (64 KiB) holds.
  for (let d = 0; d < 20; d++) {
    mkdirSync(join(src, `folder-with-a-long-name-${d}`), { recursive: true })
    for (let f = 0; f < 150; f++) writeFileSync(join(src, `folder-with-a-long-name-${d}`, `a-file-with-a-rather-long-name-${f}.txt`), `${d}/${f}\n`)
  }
  const pass = join(root, 'pass')
  writeFileSync(pass, 'pipe test passphrase\n')
  args = ['--repo', join(root, 'repo'), '--state', join(root, 'state'), '--password-file', pass]
  expect((await runCli(['local', 'init', '--owner', 'pipe', ...args])).code).toBe(0)
  const b = await runCli(['local', 'backup', ...args, src])
  expect(b.code, b.stderr).toBe(0)
}, 120_000)

afterAll(() => { dirs.cleanup() })

/** Runs the binary with its stdout read by a reader that closes after the first chunk (like `head -c`). */
async function runIntoClosingReader (argv: string[]): Promise<{ code: number | null, signal: NodeJS.Signals | null, stderr: string, firstChunk: string }> {
  const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  let firstChunk = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  child.stdout.once('data', (d: Buffer) => {
    firstChunk = d.toString('utf8')
    child.stdout.destroy() // the reader goes away: the next write of the binary gets EPIPE
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return await new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => { clearTimeout(killer); resolve({ code, signal, stderr, firstChunk }) })
  })
}

describe('a closed stdout', () => {
  it('ends `local ls latest | head` quietly: exit 0, no stack trace, no internal error', async () => {
    const full = await runCli(['local', 'ls', 'latest', ...args])
    expect(full.code, full.stderr).toBe(0)
    expect(full.stdout.length).toBeGreaterThan(256 * 1024)
    for (const argv of [['local', 'ls', 'latest', ...args], ['--json', 'local', 'ls', 'latest', ...args]]) {
      const r = await runIntoClosingReader(argv)
      expect(r.firstChunk.length).toBeGreaterThan(0)
      expect(r.signal).toBeNull()
      expect(r.code, r.stderr).toBe(0)
      expect(r.stderr).toBe('')
    }
  }, 120_000)
})
