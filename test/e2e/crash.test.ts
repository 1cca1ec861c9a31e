// SIGKILL during a backup, at named fault points and at random moments: the repository stays
// consistent (the previous snapshot readable, `check` clean), and the next run completes, reusing
// what was already durable. The built binary runs as a separate process.
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareTrees } from '../../daemon/verify-tree.js'
import { parseJson, runCli } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'
import { prngBytes } from '../harness/tree.js'

const dirs = tempDirs()
let base: string
let passFile: string

function repoArgs (root: string): string[] {
  return ['--repo', join(root, 'repo'), '--state', join(root, 'state'), '--password-file', passFile]
}

/** Random big files (several packs) and some small ones. */
function addFiles (src: string, tag: string, bigFiles: number): void {
  mkdirSync(join(src, tag), { recursive: true })
  for (let i = 0; i < bigFiles; i++) writeFileSync(join(src, tag, `big-${i}.bin`), prngBytes(`${tag}-${i}`, 9 * 1024 * 1024))
  for (let i = 0; i < 200; i++) writeFileSync(join(src, tag, `small-${i}.txt`), `${tag} file ${i}\n`.repeat(i + 1))
}

interface Summary { bytesAdded: number, bytesRead: number, totalFiles: number }

async function expectConsistent (root: string, snapshots: number): Promise<void> {
  const chk = await runCli(['--json', 'local', 'check', ...repoArgs(root)])
  expect(chk.stderr).toBe('')
  expect(parseJson<{ ok: boolean }>(chk).ok).toBe(true)
  const snaps = parseJson<unknown[]>(await runCli(['--json', 'local', 'snapshots', ...repoArgs(root)]))
  expect(snaps).toHaveLength(snapshots)
}

async function expectCompleteBackup (root: string, src: string): Promise<Summary> {
  const r = await runCli(['--json', 'local', 'backup', ...repoArgs(root), src])
  expect(r.code, r.stderr).toBe(0)
  const summary = parseJson<{ summary: Summary }>(r).summary
  const chk = await runCli(['--json', 'local', 'check', '--read-data', ...repoArgs(root)])
  expect(parseJson<{ ok: boolean, problems: unknown[] }>(chk).problems).toEqual([])
  const target = join(root, 'restore')
  const rr = await runCli(['local', 'restore', 'latest', '--target', target, ...repoArgs(root)])
  expect(rr.code, rr.stderr).toBe(0)
  expect(compareTrees(src, join(target, src))).toEqual([])
  return summary
}

beforeAll(async () => {
  base = dirs.make('p2pbak-crash-')
  passFile = join(base, 'pass')
  writeFileSync(passFile, 'crash test passphrase\n')
  const src = join(base, 'src')
  addFiles(src, 'first', 2)
  const init = await runCli(['local', 'init', '--owner', 'crash', ...repoArgs(base)])
  expect(init.code, init.stderr).toBe(0)
  const first = await runCli(['local', 'backup', ...repoArgs(base), src])
  expect(first.code, first.stderr).toBe(0)
  // The second run has new data to write: three more big files → several new packs.
  addFiles(src, 'second', 3)
}, 120_000)

afterAll(() => { dirs.cleanup() })

/** A private copy of the repository after the first backup, with the changed source. */
function fork (name: string): { root: string, src: string } {
  const root = join(base, name)
  mkdirSync(root)
  for (const d of ['repo', 'state']) cpSync(join(base, d), join(root, d), { recursive: true })
  return { root, src: join(base, 'src') }
}

describe('SIGKILL at named fault points', () => {
  const points: Array<{ point: string, snapshotsAfterCrash: number }> = [
    { point: 'dir-store-before-rename:2', snapshotsAfterCrash: 1 },
    { point: 'after-pack-put:2', snapshotsAfterCrash: 1 },
    { point: 'before-index', snapshotsAfterCrash: 1 },
    { point: 'after-meta-pack', snapshotsAfterCrash: 1 },
    { point: 'before-root', snapshotsAfterCrash: 1 },
    { point: 'after-root', snapshotsAfterCrash: 2 }
  ]
  for (const { point, snapshotsAfterCrash } of points) {
    it(`${point}: the old state stays readable and the next run completes`, async () => {
      const { root, src } = fork(point.replace(/[^a-z0-9]/g, '-'))
      const crashed = await runCli(['local', 'backup', ...repoArgs(root), src], { env: { P2PBAK_FAULT_POINT: point } })
      expect(crashed.signal).toBe('SIGKILL')
      await expectConsistent(root, snapshotsAfterCrash)
      // No half-written pack is visible: every file under packs/ is a whole pack (check passed),
      // and nothing is left in tmp/ once the store is opened again.
      const summary = await expectCompleteBackup(root, src)
      expect(readdirSync(join(root, 'repo', 'tmp'))).toEqual([])
      if (point.startsWith('after-pack-put') || point === 'before-index' || point === 'before-root') {
        // Packs that were durable before the crash are reused, not written again.
        expect(summary.bytesAdded).toBeLessThan(27 * 1024 * 1024 - 8 * 1024 * 1024)
      }
    })
  }
})

describe('SIGKILL at random moments', () => {
  it('five kills in a row, then a complete backup and restore', async () => {
    const seed = Number(process.env.P2PBAK_TEST_SEED ?? Date.now() % 100000)
    console.info(`crash test seed ${seed} (P2PBAK_TEST_SEED to replay)`)
    let x = seed
    const rand = (): number => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648 }
    const { root, src } = fork('random')
    for (let i = 0; i < 5; i++) {
      const r = await runCli(['local', 'backup', ...repoArgs(root), src], { killAfterMs: 100 + Math.floor(rand() * 1500) })
      // Either killed, or it finished before the kill: both must leave a consistent repository.
      expect(r.signal === 'SIGKILL' || r.code === 0, r.stderr).toBe(true)
      const chk = await runCli(['--json', 'local', 'check', ...repoArgs(root)])
      expect(parseJson<{ ok: boolean }>(chk).ok).toBe(true)
    }
    await expectCompleteBackup(root, src)
  })
})
