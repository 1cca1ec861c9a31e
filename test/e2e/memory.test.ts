// Memory does not grow with the number of files (DESIGN.md §12.6): a backup of 100k files runs
// in a V8 heap capped at 64 MiB, so no per-file structure may live in JavaScript memory (at
// ~700 bytes a file it would not fit). The built binary runs as a separate process.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN, parseJson, runCli } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'

const dirs = tempDirs()
afterAll(() => { dirs.cleanup() })

async function runCapped (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, ['--max-old-space-size=64', BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stdout, stderr }
}

describe('bounded memory', () => {
  it('backs up 100k files twice in a 64 MiB heap', async () => {
    const root = dirs.make('p2pbak-mem-')
    const src = join(root, 'src')
    const files = 100_000
    for (let i = 0; i < files; i++) {
      const d = join(src, `d${Math.floor(i / 2000)}`, `e${Math.floor(i / 250) % 8}`)
      if (i % 250 === 0) mkdirSync(d, { recursive: true })
      writeFileSync(join(d, `f${i}`), `file number ${i}\n`)
    }
    const env = { P2PBAK_PASSWORD: 'memory test' }
    const repo = ['--repo', join(root, 'repo')]
    expect((await runCli(['local', 'init', '--owner', 'mem', ...repo], { env })).code).toBe(0)
    const first = await runCapped(['--json', 'local', 'backup', ...repo, src], env)
    expect(first.code, first.stderr).toBe(0)
    expect(parseJson<{ summary: { totalFiles: number } }>({ ...first, signal: null }).summary.totalFiles).toBe(files)
    const second = await runCapped(['--json', 'local', 'backup', ...repo, src], env)
    expect(second.code, second.stderr).toBe(0)
    expect(parseJson<{ summary: { filesUnmodified: number } }>({ ...second, signal: null }).summary.filesUnmodified).toBe(files)
  }, 180_000)
})
