// The JSON Schemas of every command's --json output (docs/json/<verb>[-<subverb>].schema.json),
// compiled once with ajv (draft 2020-12, `date-time` checked by ajv-formats).
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import type { CliResult } from './cli.js'

export const SCHEMA_DIR = fileURLToPath(new URL('../../docs/json/', import.meta.url))

/** The schemas that belong to no command: the error object and the NDJSON progress line. */
export const SHARED_SCHEMAS = ['error', 'progress']

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020
const ajv = new Ajv2020({ allErrors: true, strict: true })
addFormats(ajv)
const compiled = new Map<string, ValidateFunction>()

/** Names of the schemas in docs/json/ ("status", "swarm-init", "error", …). */
export function schemaNames (): string[] {
  return readdirSync(SCHEMA_DIR).filter(f => f.endsWith('.schema.json')).map(f => f.slice(0, -'.schema.json'.length)).sort()
}

/** "swarm init" → "swarm-init": the schema file of a command. */
export function schemaNameOf (command: string): string {
  return command.trim().split(/\s+/).join('-')
}

export function validator (name: string): ValidateFunction {
  let v = compiled.get(name)
  if (v === undefined) {
    v = ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}${name}.schema.json`, 'utf8')) as object)
    compiled.set(name, v)
  }
  return v
}

/** Throws, naming the schema and every violation, when `value` does not match. */
export function expectValid (name: string, value: unknown): void {
  const v = validator(name)
  if (!v(value)) throw new Error(`output does not match docs/json/${name}.schema.json: ${ajv.errorsText(v.errors, { separator: '; ' })}\n${JSON.stringify(value).slice(0, 2000)}`)
}

/**
 * Checks a finished `--json` command: each line before the last is a progress event
 * (progress.schema.json), the last one the answer (the command's schema), or an error object
 * (error.schema.json) when it failed. Returns the answer and the progress lines.
 */
export function expectJsonOutput (command: string, r: CliResult): { answer: unknown, progress: unknown[] } {
  let whole: unknown
  try { whole = JSON.parse(r.stdout) } catch {}
  const lines = whole !== undefined ? [whole] : r.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as unknown)
  if (lines.length === 0) throw new Error(`${command}: nothing on stdout (exit ${r.code}); stderr: ${r.stderr}`)
  const progress = lines.slice(0, -1)
  for (const p of progress) expectValid('progress', p)
  const answer = lines.at(-1)
  if (r.code !== 0) expectValid('error', answer)
  else expectValid(schemaNameOf(command), answer)
  return { answer, progress }
}
