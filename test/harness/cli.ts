// Runs the built `p2pbak` binary as a separate process (end-to-end tests).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Kill the process with SIGKILL after this many ms (crash tests). */
  killAfterMs?: number
  timeoutMs?: number
}

export async function runCli (args: string[], options: RunOptions = {}): Promise<CliResult> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does it)`)
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, DEBUG: '', ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const timers: NodeJS.Timeout[] = []
  if (options.killAfterMs !== undefined) timers.push(setTimeout(() => child.kill('SIGKILL'), options.killAfterMs))
  timers.push(setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000))
  return await new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/**
 * The answer a `--json` command printed: its last line. A long operation (backup, restore, check,
 * leave) prints NDJSON progress lines before it, each `{"type":"progress",…}` (checked here).
 */
export function parseJson<T> (r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T // one value (possibly pretty-printed, as `config show`)
  } catch {}
  const lines = r.stdout.split('\n').filter(l => l.trim() !== '')
  try {
    for (const l of lines.slice(0, -1)) {
      if ((JSON.parse(l) as { type?: unknown }).type !== 'progress') throw new Error(`not a progress line: ${l}`)
    }
    return JSON.parse(lines.at(-1) ?? '') as T
  } catch {
    throw new Error(`expected JSON on stdout (exit ${r.code}, signal ${r.signal}); stderr: ${r.stderr}; stdout: ${r.stdout}`)
  }
}

/** The NDJSON progress lines a `--json` command printed before its answer. */
export function progressLines (r: CliResult): Array<{ type: 'progress', progress: Record<string, unknown> }> {
  return r.stdout.split('\n').filter(l => l.trim() !== '').slice(0, -1).map(l => JSON.parse(l) as { type: 'progress', progress: Record<string, unknown> })
}
