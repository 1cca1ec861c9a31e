// The operator log: JSON or human lines, level filtering, and secrets never written.
import { describe, expect, it } from 'vitest'
import { createOperatorLog, humanLine, silentLog } from '../../../daemon/log.js'
import type { LogLevel, OperatorLog } from '../../../daemon/log.js'

function collect (format: 'human' | 'json', level: LogLevel = 'debug'): { log: OperatorLog, lines: string[], text: () => string } {
  const lines: string[] = []
  const log = createOperatorLog({ format, level, destination: { write: (l: string) => lines.push(l) } })
  return { log, lines, text: () => lines.join('') }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

describe('operator log', () => {
  it('json: one object per line with level, time, msg and the fields', async () => {
    const { log, lines } = collect('json')
    log.info('backup finished', { snapshot: '1a2b3c4d', files: 12 })
    log.warn('peer gone')
    expect(lines).toHaveLength(2)
    expect(lines.every(l => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true)
    const first = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(first).toEqual({ level: 'info', time: expect.stringMatching(ISO), msg: 'backup finished', snapshot: '1a2b3c4d', files: 12 })
    expect(Math.abs(Date.parse(first.time as string) - Date.now())).toBeLessThan(60_000)
    expect(JSON.parse(lines[1]!)).toEqual({ level: 'warn', time: expect.stringMatching(ISO), msg: 'peer gone' })
  })

  it('human: "<iso time> LEVEL msg  k=v", strings with spaces quoted', async () => {
    const { log, lines } = collect('human')
    log.info('backup finished', { snapshot: '1a2b3c4d', files: 12, path: '/home/a b', ok: true })
    log.error('disk full')
    expect(lines).toHaveLength(2)
    const m = /^(\S+) INFO  backup finished {2}snapshot=1a2b3c4d files=12 path="\/home\/a b" ok=true\n$/.exec(lines[0]!)
    expect(m, lines[0]).not.toBeNull()
    expect(m![1]).toMatch(ISO)
    expect(lines[1]).toMatch(/^\S+ ERROR disk full\n$/)
  })

  it('humanLine renders a pino line and leaves what is not JSON as it is', async () => {
    expect(humanLine('{"level":"warn","time":"2026-11-27T03:40:00.123Z","msg":"peer gone","peer":"12D3","nested":{"a":1}}'))
      .toBe('2026-11-27T03:40:00.123Z WARN  peer gone  peer=12D3 nested={"a":1}\n')
    expect(humanLine('{"level":"debug","time":"2026-11-27T03:40:00.123Z","msg":"tick"}')).toBe('2026-11-27T03:40:00.123Z DEBUG tick\n')
    expect(humanLine('not json\n')).toBe('not json\n')
  })

  it('drops lines below the configured level', async () => {
    const { log, lines } = collect('json', 'warn')
    log.debug('d')
    log.info('i')
    log.warn('w')
    log.error('e')
    expect(lines.map(l => (JSON.parse(l) as { msg: string }).msg)).toEqual(['w', 'e'])
    const debug = collect('json', 'debug')
    debug.log.debug('d')
    expect(debug.lines).toHaveLength(1)
    const info = collect('human', 'info')
    info.log.debug('d')
    info.log.info('i')
    expect(info.lines).toHaveLength(1)
    expect(info.lines[0]).toContain(' INFO  i')
  })

  for (const format of ['json', 'human'] as const) {
    it(`redacts secret-looking fields (${format}) and never writes their values`, async () => {
      const { log, lines, text } = collect(format)
      const secrets = {
        passphrase: 'correct horse battery',
        password: 'hunter2-secret',
        token: 'tok-0123456789abcdef',
        recoveryKey: 'abandon ability able about above absent',
        masterKey: 'mk-deadbeefcafebabe',
        swarmKey: 'sk-feedfacefeedface'
      }
      log.info('key changed', { ...secrets, owner: 'alice', key: { passphrase: 'nested-pass-phrase', password: 'nested-password', token: 'nested-token-value', file: '/k' } })
      expect(lines).toHaveLength(1)
      for (const v of [...Object.values(secrets), 'nested-pass-phrase', 'nested-password', 'nested-token-value']) expect(text()).not.toContain(v)
      if (format === 'json') {
        expect(JSON.parse(lines[0]!)).toMatchObject({
          passphrase: '[redacted]',
          password: '[redacted]',
          token: '[redacted]',
          recoveryKey: '[redacted]',
          masterKey: '[redacted]',
          swarmKey: '[redacted]',
          owner: 'alice',
          key: { passphrase: '[redacted]', password: '[redacted]', token: '[redacted]', file: '/k' }
        })
      } else {
        expect(lines[0]).toContain('passphrase=[redacted]')
        expect(lines[0]).toContain('recoveryKey=[redacted]')
        expect(lines[0]).toContain('owner=alice')
        expect(lines[0]).toContain('key={"passphrase":"[redacted]","password":"[redacted]","token":"[redacted]","file":"/k"}')
      }
    })
  }

  it('does not change the caller\'s fields object while redacting', async () => {
    const { log } = collect('json')
    const fields = { passphrase: 'still-mine' }
    log.info('x', fields)
    expect(fields.passphrase).toBe('still-mine')
  })

  it('flush() is safe on a plain destination, and the silent log writes nothing', async () => {
    const { log, lines } = collect('json')
    log.info('a')
    expect(() => { log.flush() }).not.toThrow()
    expect(lines).toHaveLength(1)
    expect(() => { silentLog.error('nothing', { passphrase: 'x' }); silentLog.flush() }).not.toThrow()
  })
})
