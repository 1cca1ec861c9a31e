// The operator log (STYLE.md §12): what a person running the daemon wants to read, one event per
// line, human by default or JSON with log.format = "json". Debug tracing is separate
// (`DEBUG=p2pbak:*` through @libp2p/logger). pino does the levels, the JSON encoding and the
// redaction of secret-looking fields; for the human format its JSON lines are re-rendered.
import { pino } from 'pino'
import type { Logger as Pino } from 'pino'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface OperatorLog {
  debug: (msg: string, fields?: Record<string, unknown>) => void
  info: (msg: string, fields?: Record<string, unknown>) => void
  warn: (msg: string, fields?: Record<string, unknown>) => void
  error: (msg: string, fields?: Record<string, unknown>) => void
  flush: () => void
}

export interface OperatorLogOptions {
  format: 'human' | 'json'
  level: LogLevel
  /** Where lines go. Default process.stderr (stdout stays free for the CLI's output). */
  destination?: { write: (line: string) => unknown }
}

/** Field names never written, whatever a caller passes. */
const SECRET_FIELDS = ['passphrase', 'password', 'oldPassphrase', 'newPassphrase', 'recoveryKey', 'masterKey', 'token', 'swarmKey']
const REDACT = [...SECRET_FIELDS, ...SECRET_FIELDS.map(f => `*.${f}`)]

export function createOperatorLog (options: OperatorLogOptions): OperatorLog {
  const dest = options.destination ?? process.stderr
  const stream = options.format === 'json'
    ? { write: (line: string) => dest.write(line) }
    : { write: (line: string) => dest.write(humanLine(line)) }
  const p: Pino = pino({
    level: options.level,
    base: undefined,
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT, censor: '[redacted]' }
  }, stream)
  const at = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>): void => {
    if (fields === undefined) p[level](msg)
    else p[level](fields, msg)
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), flush: () => { p.flush() } }
}

/** `2026-11-27T03:40:00.123Z INFO  backup finished  snapshot=1a2b3c4d files=12` */
export function humanLine (jsonLine: string): string {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(jsonLine) as Record<string, unknown>
  } catch {
    return jsonLine
  }
  const { time, level, msg, ...rest } = o
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
  return `${String(time)} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${fields.length > 0 ? '  ' + fields.join(' ') : ''}\n`
}

/** A log that drops everything (tests, and commands that run a daemon part without one). */
export const silentLog: OperatorLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, flush: () => {} }
