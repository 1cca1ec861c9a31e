// Progress bars on a terminal (cli-progress): files, bytes, packs stored, rate and ETA. Nothing
// is drawn when stderr is not a terminal or --json is on.
import { SingleBar } from 'cli-progress'
import type { Progress } from '../daemon/control/api.js'
import { formatBytes } from './format.js'
import type { CliIo } from './io.js'

export interface ProgressView {
  update: (p: Progress) => void
  stop: () => void
}

const quiet: ProgressView = { update: () => {}, stop: () => {} }

export function progressView (io: CliIo, json: boolean): ProgressView {
  if (json) return progressLines(io)
  if (io.stderr.isTTY !== true) return quiet
  const bar = new SingleBar({
    stream: io.stderr as unknown as NodeJS.WritableStream,
    format: '{bar} {pct} | {files} files | {bytes} | {packs}{rate}/s | ETA {left}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 1
  })
  let started = false
  return {
    update: (p) => {
      const total = p.totalBytes ?? 0
      const payload = {
        pct: p.totalBytes === undefined ? ' ...' : `${Math.floor(Math.min(1, p.bytesDone / Math.max(1, total)) * 100)}%`.padStart(4),
        files: p.totalFiles === undefined ? String(p.filesDone) : `${p.filesDone}/${p.totalFiles}`,
        bytes: p.totalBytes === undefined ? formatBytes(p.bytesDone) : `${formatBytes(p.bytesDone)}/${formatBytes(p.totalBytes)}`,
        packs: p.packsStored === undefined ? '' : `${p.packsStored} packs stored | `,
        rate: formatBytes(p.rate),
        left: p.etaMs === undefined ? '--' : formatDuration(p.etaMs) // not "eta": cli-progress computes its own under that name
      }
      if (!started) { bar.start(Math.max(1, total), p.bytesDone, payload); started = true }
      bar.setTotal(Math.max(1, total, p.bytesDone))
      bar.update(p.bytesDone, payload)
    },
    stop: () => { if (started) bar.stop() }
  }
}

export function formatDuration (ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
}

/** Least time between two progress lines of `--json` (the daemon reports per file). */
export const PROGRESS_LINE_INTERVAL_MS = 250

/**
 * `--json`: progress as NDJSON on stdout, one `{"type":"progress","progress":{…}}` line at most
 * every PROGRESS_LINE_INTERVAL_MS (the latest one is written at stop), before the command's final
 * answer (docs/control-api.md §"--json", docs/json/progress.schema.json).
 */
export function progressLines (io: CliIo, now: () => number = Date.now): ProgressView {
  let lastAt = -Infinity
  let pending: Progress | undefined
  const write = (p: Progress): void => {
    lastAt = now()
    pending = undefined
    io.stdout.write(JSON.stringify({ type: 'progress', progress: p }) + '\n')
  }
  return {
    update: (p) => {
      if (now() - lastAt >= PROGRESS_LINE_INTERVAL_MS) write(p)
      else pending = p
    },
    stop: () => { if (pending !== undefined) write(pending) }
  }
}
