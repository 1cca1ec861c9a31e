// --json progress: NDJSON lines on stdout, at most one per interval, the latest always written at stop.
import { describe, expect, it } from 'vitest'
import { PROGRESS_LINE_INTERVAL_MS, progressLines, progressView } from '../../../cli/progress.js'
import type { CliIo } from '../../../cli/io.js'
import type { Progress } from '../../../daemon/control/api.js'

function fakeIo (): { io: CliIo, lines: () => Array<{ type: string, progress: Progress }> } {
  let out = ''
  const io = { stdout: { write: (s: string) => { out += s; return true } }, stderr: { write: () => true, isTTY: true }, stdin: process.stdin, env: {}, cwd: '/' } as unknown as CliIo
  return { io, lines: () => out.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as { type: string, progress: Progress }) }
}
const p = (filesDone: number): Progress => ({ kind: 'backup', stage: 'backing up', filesDone, bytesDone: filesDone * 10, rate: 0 })

describe('--json progress lines', () => {
  it('writes the first event at once, then at most one per interval, and the latest at stop', () => {
    let t = 1000
    const { io, lines } = fakeIo()
    const v = progressLines(io, () => t)
    v.update(p(1))
    v.update(p(2))
    t += PROGRESS_LINE_INTERVAL_MS - 1
    v.update(p(3))
    t += 1
    v.update(p(4))
    t += 10
    v.update(p(5))
    v.stop()
    v.stop() // stopping twice writes nothing more
    expect(lines()).toEqual([1, 4, 5].map(n => ({ type: 'progress', progress: p(n) })))
  })

  it('is what progressView gives with --json, even on a terminal', () => {
    const { io, lines } = fakeIo()
    const v = progressView(io, true)
    v.update(p(7))
    v.stop()
    expect(lines()).toEqual([{ type: 'progress', progress: p(7) }])
  })
})
