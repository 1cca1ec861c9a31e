// Progress bars on a terminal: files, bytes, packs stored, rate and ETA; nothing without a TTY.
import { describe, expect, it } from 'vitest'
import { formatDuration, progressFields, progressView } from '../../../cli/progress.js'
import { Operation } from '../../../daemon/operations.js'
import type { Progress } from '../../../daemon/operations.js'
import type { CliIo } from '../../../cli/io.js'

function fakeIo (isTTY: boolean, stdoutTTY = isTTY): { io: CliIo, out: () => string } {
  let text = ''
  const stderr = { write: (s: string) => { text += s; return true }, isTTY, columns: 200, on: () => stderr, removeListener: () => stderr }
  return { io: { stdout: { write: () => true, isTTY: stdoutTTY }, stderr, stdin: process.stdin, env: {}, cwd: '/' } as unknown as CliIo, out: () => text }
}

/** The last line drawn (cli-progress rewrites the line in place). */
function lastLine (text: string): string {
  // eslint-disable-next-line no-control-regex
  const lines = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '\n').split(/[\r\n]/).filter(l => l.trim() !== '')
  return lines.at(-1) ?? ''
}

const FULL = '\u2588'

describe('progress bar', () => {
  it('shows files, bytes, packs stored, rate and ETA on a terminal', () => {
    const { io, out } = fakeIo(true)
    const v = progressView(io, false)
    v.update({ kind: 'backup', stage: 'backing up', filesDone: 10, bytesDone: 1048576, totalFiles: 100, totalBytes: 10485760, packsStored: 2, rate: 524288, etaMs: 18_000 })
    v.stop()
    const text = out()
    expect(text).toContain('10%')
    expect(text).toContain('10/100 files')
    expect(text).toContain('1.00 MiB/10.0 MiB')
    expect(text).toContain('2 packs stored')
    expect(text).toContain('512.0 KiB/s')
    expect(text).toContain('ETA 18s')
  })

  it('before the scan knows the total: counts without a percentage or ETA', () => {
    const { io, out } = fakeIo(true)
    const v = progressView(io, false)
    v.update({ kind: 'restore', stage: 'restoring', filesDone: 3, bytesDone: 2048, rate: 0 })
    v.stop()
    expect(out()).toContain('3 files')
    expect(out()).toContain('ETA --')
  })

  it('draws nothing when stdout or stderr is not a terminal, or with --json', () => {
    for (const [tty, stdoutTTY, json] of [[false, false, false], [true, true, true], [true, false, false], [false, true, false]] as const) {
      const { io, out } = fakeIo(tty, stdoutTTY)
      const v = progressView(io, json)
      v.update({ kind: 'backup', stage: 'backing up', filesDone: 1, bytesDone: 1, rate: 1 })
      v.stop()
      expect(out()).toBe('')
    }
  })

  it('formats durations for humans', () => {
    expect(formatDuration(4_400)).toBe('4s')
    expect(formatDuration(125_000)).toBe('2m05s')
    expect(formatDuration(3_600_000 + 7 * 60_000)).toBe('1h07m')
  })

  it('a backup starts empty while scanning: 0 of an unknown total, never 100 % of 0', () => {
    const scanning: Progress = { kind: 'backup', stage: 'scanning', filesDone: 0, bytesDone: 0, packsStored: 0, bytesSent: 0, rate: 0, sendRate: 0 }
    expect(progressFields(scanning)).toMatchObject({ value: 0, payload: { pct: '  0%', count: '0 files' } })
    // Files already read before the scan has counted them all: still no total, still not full.
    const early = progressFields({ ...scanning, stage: 'backing up', filesDone: 40, bytesDone: 5e6 })
    expect(early.value).toBe(0)
    expect(early.payload.pct).toBe('  ?%')
    const { io, out } = fakeIo(true)
    let t = 0
    const v = progressView(io, false, { now: () => t })
    v.update(scanning)
    const first = lastLine(out())
    expect(first).toContain('0%')
    expect(first).toContain('scanning')
    expect(first).not.toContain('100%')
    expect(first).not.toContain(FULL) // an empty bar
    t += 1000
    v.update({ ...scanning, stage: 'backing up', filesDone: 40, bytesDone: 5e6 })
    expect(lastLine(out())).not.toContain(FULL)
    expect(lastLine(out())).not.toContain('100%')
    v.stop()
  })

  it('packs stored and the rates change as events arrive; replicating shows the rate of bytes sent', () => {
    const { io, out } = fakeIo(true)
    let t = 0
    const v = progressView(io, false, { now: () => t })
    const base: Progress = { kind: 'backup', stage: 'backing up', filesDone: 10, bytesDone: 5 * 1048576, totalFiles: 20, totalBytes: 10 * 1048576, packsStored: 0, bytesSent: 0, rate: 1048576, sendRate: 0 }
    v.update(base)
    expect(lastLine(out())).toContain('0 packs stored')
    expect(lastLine(out())).toContain('1.00 MiB/s')
    t += 1000
    v.update({ ...base, filesDone: 20, bytesDone: 10 * 1048576, packsStored: 3, bytesSent: 6 * 1048576, rate: 2 * 1048576, sendRate: 3 * 1048576 })
    expect(lastLine(out())).toContain('3 packs stored')
    expect(lastLine(out())).toContain('2.00 MiB/s, 3.00 MiB/s sent')
    t += 1000
    v.update({ ...base, stage: 'replicating', filesDone: 20, bytesDone: 10 * 1048576, packsStored: 5, bytesSent: 16 * 1048576, rate: 0, sendRate: 10 * 1048576 })
    const line = lastLine(out())
    expect(line).toContain('replicating')
    expect(line).toContain('5 packs stored')
    expect(line).toContain('10.0 MiB/s sent')
    v.stop()
  })

  it('check and leave count packs: done of total, bytes, rate and ETA', () => {
    const { io, out } = fakeIo(true)
    const v = progressView(io, false, { unit: 'packs' })
    v.update({ kind: 'check', stage: 'reading packs', filesDone: 3, totalFiles: 12, bytesDone: 3 * 1048576, totalBytes: 12 * 1048576, rate: 1048576, etaMs: 9000 })
    const line = lastLine(out())
    expect(line).toContain('25%')
    expect(line).toContain('3/12 packs')
    expect(line).toContain('3.00 MiB/12.0 MiB')
    expect(line).toContain('ETA 9s')
    v.stop()
  })

  it('the send rate is over a sliding window: a burst shows at once, not averaged since the start', () => {
    let t = 0
    const op = new Operation('backup', undefined, () => t)
    const rates: number[] = []
    op.on('progress', (p) => { rates.push(p.sendRate!) })
    let sent = 0
    // A minute at 1 KiB/s...
    for (let i = 0; i <= 60; i++) { t = i * 1000; sent = i * 1024; op.report({ stage: 'replicating', filesDone: 1, bytesDone: 1, bytesSent: sent }) }
    expect(rates.at(-1)).toBeCloseTo(1024, 0)
    // ... then 50 MiB in one second.
    t += 1000
    sent += 50 * 1048576
    op.report({ stage: 'replicating', filesDone: 1, bytesDone: 1, bytesSent: sent })
    const burst = rates.at(-1)!
    expect(burst).toBeGreaterThan(50 * 1048576 / 6) // over the last ~5 s
    expect(burst).toBeGreaterThan(10 * (sent / 62)) // far above the average since the start
    // Once the burst is over, it leaves the window.
    for (let i = 0; i < 7; i++) { t += 1000; op.report({ stage: 'replicating', filesDone: 1, bytesDone: 1, bytesSent: sent }) }
    expect(rates.at(-1)).toBe(0)
  })
})
