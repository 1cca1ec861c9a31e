// Progress bars on a terminal (cli-progress): what is done of the total (files, or packs for check
// and leave), bytes, packs stored, rate and ETA. Drawn on stderr only when stdout and stderr are
// both terminals and --json is off: `p2pbak check > report.txt` or a script sees nothing extra.
import { SingleBar } from 'cli-progress'
import type { Progress } from '../daemon/control/api.js'
import { formatBytes } from './format.js'
import type { CliIo } from './io.js'

export interface ProgressView {
  update: (p: Progress) => void
  stop: () => void
}

export interface ProgressViewOptions {
  /** What `filesDone` / `totalFiles` count. Default 'files'; check and leave count packs. */
  unit?: 'files' | 'packs'
  /** Redraws at most this often (ms); the last state is always drawn at stop. Default 100. */
  redrawMs?: number
  now?: () => number
}

const quiet: ProgressView = { update: () => {}, stop: () => {} }

/** Where the bar stands and what the text fields say, for one progress event. */
export interface ProgressFields {
  /** Bar position of `total`: bytes when the byte total is known, else the count; 0 of 1 while the total is unknown. */
  value: number
  total: number
  payload: { stage: string, pct: string, count: string, bytes: string, packs: string, rate: string, left: string }
}

export function progressFields (p: Progress, unit: 'files' | 'packs' = 'files'): ProgressFields {
  let value = 0
  let total = 1
  let known = false
  if (p.totalBytes !== undefined && p.totalBytes > 0) {
    value = Math.min(p.bytesDone, p.totalBytes); total = p.totalBytes; known = true
  } else if (p.totalFiles !== undefined && p.totalFiles > 0) {
    value = Math.min(p.filesDone, p.totalFiles); total = p.totalFiles; known = true
  } else if (p.totalBytes === 0 || p.totalFiles === 0) {
    value = 1; known = true // nothing to do is all done
  }
  // While the total is unknown (a backup still scanning) the bar stays empty: never "100 %" of 0.
  const pct = known ? `${Math.floor(value / total * 100)}%` : p.filesDone === 0 && p.bytesDone === 0 ? '0%' : '?%'
  const sending = p.sendRate !== undefined && (p.stage === 'replicating' || p.sendRate > 0)
  const rate = p.stage === 'replicating' && p.sendRate !== undefined
    ? `${formatBytes(p.sendRate)}/s sent`
    : `${formatBytes(p.rate)}/s${sending ? `, ${formatBytes(p.sendRate!)}/s sent` : ''}`
  return {
    value,
    total,
    payload: {
      stage: p.stage,
      pct: pct.padStart(4),
      count: p.totalFiles === undefined ? `${p.filesDone} ${unit}` : `${p.filesDone}/${p.totalFiles} ${unit}`,
      bytes: p.totalBytes === undefined ? formatBytes(p.bytesDone) : `${formatBytes(p.bytesDone)}/${formatBytes(p.totalBytes)}`,
      packs: p.packsStored === undefined ? '' : `${p.packsStored} packs stored | `,
      rate,
      left: p.etaMs === undefined ? '--' : formatDuration(p.etaMs) // not "eta": cli-progress computes its own under that name
    }
  }
}

export function progressView (io: CliIo, json: boolean, options: ProgressViewOptions = {}): ProgressView {
  if (json) return progressLines(io)
  if (io.stdout.isTTY !== true || io.stderr.isTTY !== true) return quiet
  const unit = options.unit ?? 'files'
  const now = options.now ?? Date.now
  const redrawMs = options.redrawMs ?? 100
  const bar = new SingleBar({
    stream: io.stderr as unknown as NodeJS.WritableStream,
    format: '{bar} {pct} {stage} | {count} | {bytes} | {packs}{rate} | ETA {left}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false
  })
  let started = false
  let drawnAt = -Infinity
  return {
    update: (p) => {
      const f = progressFields(p, unit)
      if (!started) { bar.start(f.total, f.value, f.payload); started = true }
      bar.setTotal(f.total)
      bar.update(f.value, f.payload)
      // Drawn at once (cli-progress's own timer would wait up to its next frame), at most every redrawMs.
      if (now() - drawnAt >= redrawMs) { bar.render(); drawnAt = now() }
    },
    stop: () => { if (started) { started = false; bar.stop() } }
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
