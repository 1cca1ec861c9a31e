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

/** Parses the JSON a `--json` command printed; fails with its stderr when it printed none. */
export function parseJson<T> (r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T
  } catch {
    throw new Error(`expected JSON on stdout (exit ${r.code}, signal ${r.signal}); stderr: ${r.stderr}; stdout: ${r.stdout}`)
  }
}
