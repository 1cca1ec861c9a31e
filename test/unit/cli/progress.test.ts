// Progress bars on a terminal: files, bytes, packs stored, rate and ETA; nothing without a TTY.
import { describe, expect, it } from 'vitest'
import { formatDuration, progressView } from '../../../cli/progress.js'
import type { CliIo } from '../../../cli/io.js'

function fakeIo (isTTY: boolean): { io: CliIo, out: () => string } {
  let text = ''
  const stderr = { write: (s: string) => { text += s; return true }, isTTY, columns: 160, on: () => stderr, removeListener: () => stderr }
  return { io: { stdout: { write: () => true }, stderr, stdin: process.stdin, env: {}, cwd: '/' } as unknown as CliIo, out: () => text }
}

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

  it('draws nothing when stderr is not a terminal, or with --json', () => {
    for (const [tty, json] of [[false, false], [true, true]] as const) {
      const { io, out } = fakeIo(tty)
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
})
