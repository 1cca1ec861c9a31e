import { P2pbakError } from '../daemon/errors.js'
import type { ErrorDetails } from '../daemon/errors.js'

/** One thing wrong with the configuration. Many of these are reported together in one ConfigError. */
export interface ConfigProblem {
  /** Dotted snake_case key as written in the TOML file, e.g. `redundancy.replicas` (`backup.paths[2]` for an array item, `''` for the file as a whole). */
  key: string
  /** The offending value as it was given (before normalization); undefined when missing. */
  value: unknown
  /** The rule that failed, starting with the key, e.g. `redundancy.replicas must be an integer from 1 to 16`. */
  message: string
  /** What to do about it, naming where to change it. */
  hint: string
  /** Where the value came from: `<file>:<line> (key)`, `environment variable P2PBAK_…`, `flag …` or `built-in default`. */
  source: string
  /** Position in the TOML file, when the problem is in the file and the position is known. */
  line?: number
  column?: number
}

/** The configuration cannot be used. Lists every problem found, not just the first. */
export class ConfigError extends P2pbakError {
  override name = 'ConfigError'
  readonly problems: ConfigProblem[]

  constructor (problems: ConfigProblem[], details: ErrorDetails = {}) {
    super(formatProblems(problems), {
      hint: details.hint ?? 'fix each key listed above (docs/config.md describes every key), then try again',
      cause: details.cause
    })
    this.problems = problems
  }
}

function formatProblems (problems: ConfigProblem[]): string {
  const head = problems.length === 1 ? 'invalid configuration:' : `invalid configuration (${problems.length} problems):`
  const lines = problems.map((p) => {
    const got = p.key === '' || p.value === undefined ? '' : `got ${formatValue(p.value)}, `
    return `  - ${p.message} (${got}from ${p.source})\n    fix: ${p.hint}`
  })
  return [head, ...lines].join('\n')
}

/** Short, single-line rendering of a config value for messages. */
export function formatValue (value: unknown): string {
  if (value === undefined) return '(missing)'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (Array.isArray(value)) {
    const inner = value.slice(0, 5).map(formatValue).join(', ')
    return `[${inner}${value.length > 5 ? ', …' : ''}]`
  }
  if (value !== null && typeof value === 'object') {
    // TOML dates and times stringify to their ISO form; plain tables are shown by their keys.
    const proto = Object.getPrototypeOf(value)
    if (proto !== null && proto !== Object.prototype) return String(value)
    return `{ ${Object.keys(value).join(', ')} }`
  }
  return String(value)
}
