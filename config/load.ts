import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { parse as parseToml, stringify as stringifyToml, TomlError } from 'smol-toml'
import { ConfigError, formatValue } from './errors.js'
import type { ConfigProblem } from './errors.js'
import { chooseConfigFile, STATE_ENTRIES, xdgStateDir } from './paths.js'
import {
  CONFIG_KEYS, CONFIG_SECTIONS, CONFIG_VERSION, ENV_PREFIX, KEY_BY_ENV, KEY_BY_NAME,
  camelToSnake, createConfigSchema, formatDuration, formatSize
} from './schema.js'
import type { CrossFieldParams, KeySpec, ParsedConfigDocument } from './schema.js'
import type { Config, ConfigFlags } from './index.js'

export interface LoadConfigOptions {
  /** TOML file to read. Given explicitly (here or via P2PBAK_CONFIG), it must exist. Default: the XDG location. */
  file?: string
  /** Environment to read P2PBAK_* (and HOME, XDG_*) from. Default: process.env. */
  env?: NodeJS.ProcessEnv
  /** Highest-precedence overrides, camelCase like Config. */
  flags?: ConfigFlags
  /** Fail when the file does not exist even at the default location. Default false. */
  requireFile?: boolean
}

// ---------------------------------------------------------------------------------------------------------------
// Migrations

/** Turns a document of version N into version N+1 (the runner sets `version`). Gets a copy it may change. */
export type ConfigMigration = (doc: Record<string, unknown>) => Record<string, unknown>

/** Keyed by the version migrated from. Add an entry here when CONFIG_VERSION goes up; never edit an old one. */
export const MIGRATIONS: Readonly<Record<number, ConfigMigration>> = Object.freeze({})

export type MigrationResult =
  | { ok: true, doc: Record<string, unknown>, from: number }
  | { ok: false, value: unknown, message: string, hint: string }

/** Brings a parsed file up to `currentVersion`; the result has no `version` key. A missing version counts as current. */
export function migrateDocument (
  doc: Record<string, unknown>,
  migrations: Readonly<Record<number, ConfigMigration>> = MIGRATIONS,
  currentVersion: number = CONFIG_VERSION
): MigrationResult {
  const { version: raw, ...rest } = doc
  const version = raw === undefined ? currentVersion : raw
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return { ok: false, value: raw, message: 'must be a whole number', hint: `set version = ${currentVersion} at the top of the file` }
  }
  if (version > currentVersion) {
    return {
      ok: false,
      value: raw,
      message: `is newer than this p2pbak understands (config versions up to ${currentVersion})`,
      hint: 'upgrade p2pbak on this machine, or write the file for the older version'
    }
  }
  let current: Record<string, unknown> = rest
  for (let v = version; v < currentVersion; v++) {
    const step = migrations[v]
    if (step === undefined) {
      return {
        ok: false,
        value: raw,
        message: `cannot be migrated: no migration from version ${v} to ${v + 1}`,
        hint: `rewrite the file for version ${currentVersion} (docs/config.md), or use the p2pbak release that wrote it`
      }
    }
    current = step(structuredClone(current))
    delete current.version
  }
  return { ok: true, doc: current, from: version }
}

// ---------------------------------------------------------------------------------------------------------------
// Layers: each source becomes a list of entries, one per key it sets

type LayerKind = 'default' | 'file' | 'env' | 'flag'

interface Entry {
  /** A KeySpec key, or a bare section name when a whole section was given a non-table value. */
  key: string
  value: unknown
  kind: LayerKind
  source: string
  /** How to name the place to change, in a fix. */
  where: string
  line?: number
}

interface Layer {
  entries: Entry[]
  problems: ConfigProblem[]
}

const PROP_INDEX: ReadonlyMap<string, KeySpec> = new Map(CONFIG_KEYS.map((k) => [k.section === undefined ? k.prop : `${k.section}.${k.prop}`, k]))
const SECTION_SET: ReadonlySet<string> = new Set(CONFIG_SECTIONS)

function isTable (value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  // smol-toml builds tables without a prototype; dates and other objects are values, not tables.
  const proto = Object.getPrototypeOf(value)
  return proto === null || proto === Object.prototype
}

function sanitizedHostname (): string {
  const name = hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64)
  return name === '' ? 'p2pbak' : name
}

/** The built-in defaults as a snake_case document (optional keys explicitly undefined). */
function defaultDocument (env: NodeJS.ProcessEnv): Record<string, unknown> {
  return {
    state_dir: xdgStateDir(env),
    owner: { name: sanitizedHostname() },
    backup: {
      paths: [], exclude: [], exclude_caches: true, one_file_system: false,
      interval: 3_600_000, jitter: 300_000, compression: 'auto'
    },
    redundancy: { mode: 'replicate', replicas: 3, data_shards: 4, parity_shards: 2 },
    storage: { quota: 10 * 1024 ** 3, reserve: 1024 ** 3, domain: '', dir: undefined },
    network: {
      listen: ['/ip4/0.0.0.0/tcp/4701'], bootstrap: [], mdns: true, swarm_key_file: undefined,
      allow: [], max_connections: 256, bandwidth_limit: 0
    },
    repair: {
      gone_after: 3 * 86_400_000, urgent_grace: 6 * 3_600_000, check_interval: 600_000,
      audit_interval: 3_600_000, scrub_rate: 10 * 1024 ** 2, trim_after: 7 * 86_400_000
    },
    control: { socket: undefined, tcp_listen: undefined, token_file: undefined },
    log: { format: 'human', level: 'info' }
  }
}

function defaultLayer (env: NodeJS.ProcessEnv): Layer {
  const doc = defaultDocument(env)
  const entries: Entry[] = CONFIG_KEYS.map((spec) => ({
    key: spec.key,
    value: spec.section === undefined ? doc[spec.name] : (doc[spec.section] as Record<string, unknown>)[spec.name],
    kind: 'default',
    source: 'built-in default',
    where: spec.key
  }))
  return { entries, problems: [] }
}

// ---- unknown keys

function levenshtein (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length] as number
}

const loose = (s: string): string => s.toLowerCase().replace(/[-_]/g, '')

/** The known dotted key (or table) closest to an unknown one, if any is close enough to be a plausible typo. */
export function suggestKey (unknown: string): string | undefined {
  const dotted = unknown.toLowerCase()
  const candidates = [...CONFIG_KEYS.map((k) => k.key), ...CONFIG_SECTIONS]
  const exact = candidates.find((c) => loose(c) === loose(dotted))
  if (exact !== undefined) return exact
  // Right key, wrong (or no) table: `[backup] replicas = 3` or a top-level `replicas = 3`.
  const leaf = dotted.slice(dotted.lastIndexOf('.') + 1)
  const moved = CONFIG_KEYS.filter((k) => loose(k.name) === loose(leaf))
  if (moved.length === 1) return moved[0]?.key
  let best: string | undefined
  let bestDistance = Infinity
  for (const c of candidates) {
    const d = levenshtein(dotted, c)
    if (d < bestDistance) { best = c; bestDistance = d }
  }
  return bestDistance <= Math.max(2, Math.floor(leaf.length / 3)) ? best : undefined
}

function knownKeysOf (section: string | undefined): string {
  if (section === undefined || !SECTION_SET.has(section)) {
    return `known tables: ${CONFIG_SECTIONS.join(', ')}; top-level keys: version, ${CONFIG_KEYS.filter((k) => k.section === undefined).map((k) => k.key).join(', ')}`
  }
  return `known keys in [${section}]: ${CONFIG_KEYS.filter((k) => k.section === section).map((k) => k.name).join(', ')}`
}

function unknownKeyProblem (key: string, value: unknown, source: string, render: (known: string) => string, line?: number): ConfigProblem {
  const suggestion = suggestKey(key)
  const section = key.includes('.') ? key.slice(0, key.indexOf('.')) : undefined
  const known = knownKeysOf(section)
  const hint = suggestion === undefined
    ? `remove it (${known})`
    : `did you mean ${render(suggestion)}? Rename or remove it (${known})`
  const problem: ConfigProblem = { key, value, message: `${key} is not a known key`, hint, source }
  if (line !== undefined) problem.line = line
  return problem
}

// ---- file

/** Best-effort line of `[section]` or `section.key` in TOML text, for messages; smol-toml keeps no positions. */
export function locateKey (text: string, key: string): number | undefined {
  const lines = text.split(/\r?\n/)
  const clean = (s: string): string => s.replace(/["']/g, '').replace(/\s*\.\s*/g, '.').trim()
  let table = ''
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const header = /^\s*\[\s*([^[\]]+?)\s*\]\s*(#.*)?$/.exec(line)
    if (header !== null) {
      table = clean(header[1] as string)
      if (table === key) return i + 1
      continue
    }
    const assignment = /^\s*([A-Za-z0-9_."' -]+?)\s*=/.exec(line)
    if (assignment === null) continue
    const name = clean(assignment[1] as string)
    const full = table === '' ? name : `${table}.${name}`
    if (full === key || (table === '' && name === key)) return i + 1
  }
  return undefined
}

interface FileRead {
  layer: Layer
  /** False when the file could not be read or parsed: the merged result would be meaningless. */
  usable: boolean
}

function fileLayer (
  options: LoadConfigOptions,
  env: NodeJS.ProcessEnv,
  migrations: Readonly<Record<number, ConfigMigration>>,
  currentVersion: number
): FileRead {
  const choice = chooseConfigFile(options.file, env)
  const path = choice.path
  const empty = (problems: ConfigProblem[], usable: boolean): FileRead => ({ layer: { entries: [], problems }, usable })

  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !choice.explicit && options.requireFile !== true) return empty([], true)
    const message = code === 'ENOENT'
      ? `config file not found (chosen by ${choice.via})`
      : `config file cannot be read (${code ?? String(err)})`
    const hint = code === 'ENOENT'
      ? 'create it with `p2pbak init`, or point P2PBAK_CONFIG / --config at the right file'
      : code === 'EISDIR' ? 'point the config file option at a file, not a directory' : 'make the file readable by the user running p2pbak'
    return empty([{ key: '', value: path, message, hint, source: path }], false)
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)

  let raw: Record<string, unknown>
  try {
    raw = parseToml(text) as Record<string, unknown>
  } catch (err) {
    if (!(err instanceof TomlError)) throw err
    const reason = (err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '')
    return empty([{
      key: '',
      value: undefined,
      message: `TOML syntax error at line ${err.line}, column ${err.column}: ${reason}\n${err.codeblock}`,
      hint: `fix the TOML syntax at ${path}:${err.line}:${err.column} (https://toml.io)`,
      source: `${path}:${err.line}:${err.column}`,
      line: err.line,
      column: err.column
    }], false)
  }

  const migrated = migrateDocument(raw, migrations, currentVersion)
  if (!migrated.ok) {
    const line = locateKey(text, 'version')
    return empty([{
      key: 'version',
      value: migrated.value,
      message: `version ${migrated.message}`,
      hint: migrated.hint,
      source: `${path}${line === undefined ? '' : ':' + line} (key version)`,
      ...(line === undefined ? {} : { line })
    }], false)
  }
  const note = migrated.from < currentVersion ? `, migrated from version ${migrated.from}` : ''

  const entries: Entry[] = []
  const problems: ConfigProblem[] = []
  const at = (key: string): { source: string, line?: number } => {
    const line = locateKey(text, key)
    return { source: `${path}${line === undefined ? '' : ':' + line} (key ${key}${note})`, ...(line === undefined ? {} : { line }) }
  }
  const add = (key: string, value: unknown): void => {
    entries.push({ key, value, kind: 'file', where: `${key} in ${path}`, ...at(key) })
  }
  const unknown = (key: string, value: unknown): void => {
    const { source, line } = at(key)
    problems.push(unknownKeyProblem(key, value, source, (s) => s, line))
  }
  for (const [name, value] of Object.entries(migrated.doc)) {
    if (KEY_BY_NAME.has(name)) add(name, value)
    else if (SECTION_SET.has(name)) {
      if (!isTable(value)) { add(name, value); continue }
      for (const [inner, v] of Object.entries(value)) {
        const key = `${name}.${inner}`
        if (KEY_BY_NAME.has(key)) add(key, v)
        else unknown(key, v)
      }
    } else unknown(name, value)
  }
  return { layer: { entries, problems }, usable: true }
}

// ---- environment

const BOOL_WORDS: Record<string, boolean> = { true: true, false: false, 1: true, 0: false, yes: true, no: false, on: true, off: false }

/** Env text → the value the file would hold. Text that does not convert is passed on so the schema reports it. */
function fromEnvText (spec: KeySpec, text: string): { value: unknown, skip: boolean } {
  switch (spec.kind) {
    case 'path-list': case 'glob-list': case 'multiaddr-list': case 'peer-id-list':
      return { value: text.split(',').map((s) => s.trim()).filter((s) => s !== ''), skip: false }
    case 'label': return { value: text, skip: false }
    default: break
  }
  if (text === '') return { value: undefined, skip: !spec.optional }
  switch (spec.kind) {
    case 'bool': {
      const b = BOOL_WORDS[text.trim().toLowerCase()]
      return { value: b ?? text, skip: false }
    }
    case 'int': return { value: /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : text, skip: false }
    case 'duration': case 'size': case 'rate': return { value: /^\s*\d+\s*$/.test(text) ? Number(text) : text, skip: false }
    default: return { value: text, skip: false }
  }
}

function envLayer (env: NodeJS.ProcessEnv): Layer {
  const entries: Entry[] = []
  const problems: ConfigProblem[] = []
  const sectionPrefixes = CONFIG_SECTIONS.map((s) => `${ENV_PREFIX}${s.toUpperCase()}_`)
  for (const [name, text] of Object.entries(env)) {
    if (text === undefined || !name.startsWith(ENV_PREFIX)) continue
    const spec = KEY_BY_ENV.get(name)
    if (spec !== undefined) {
      const { value, skip } = fromEnvText(spec, text)
      if (!skip) entries.push({ key: spec.key, value, kind: 'env', source: `environment variable ${name}`, where: name })
      continue
    }
    // Other P2PBAK_* variables (P2PBAK_CONFIG, P2PBAK_FAULT_POINT, …) are not keys; only a known table's prefix is.
    const prefix = sectionPrefixes.find((p) => name.startsWith(p))
    if (prefix === undefined) continue
    const key = `${prefix.slice(ENV_PREFIX.length, -1).toLowerCase()}.${name.slice(prefix.length).toLowerCase()}`
    problems.push(unknownKeyProblem(key, text, `environment variable ${name}`, (s) => KEY_BY_NAME.get(s)?.env ?? s))
  }
  return { entries, problems }
}

// ---- flags

function flagLayer (flags: ConfigFlags | undefined): Layer {
  const entries: Entry[] = []
  const problems: ConfigProblem[] = []
  if (flags === undefined) return { entries, problems }
  const camelOf = (key: string): string => {
    const spec = KEY_BY_NAME.get(key)
    if (spec === undefined) return key
    return spec.section === undefined ? spec.prop : `${spec.section}.${spec.prop}`
  }
  const add = (spec: KeySpec | string, path: string, value: unknown): void => {
    entries.push({ key: typeof spec === 'string' ? spec : spec.key, value, kind: 'flag', source: `flag ${path}`, where: `the ${path} flag` })
  }
  const unknown = (path: string, value: unknown): void => {
    const key = path.split('.').map(camelToSnake).join('.')
    problems.push(unknownKeyProblem(key, value, `flag ${path}`, camelOf))
  }
  for (const [name, value] of Object.entries(flags as Record<string, unknown>)) {
    if (value === undefined) continue
    if (name === 'version' && value === CONFIG_VERSION) continue
    const spec = PROP_INDEX.get(name)
    if (spec !== undefined && spec.section === undefined) add(spec, name, value)
    else if (SECTION_SET.has(name)) {
      if (!isTable(value)) { add(name, name, value); continue }
      for (const [inner, v] of Object.entries(value)) {
        if (v === undefined) continue
        const path = `${name}.${inner}`
        const innerSpec = PROP_INDEX.get(path)
        if (innerSpec !== undefined) add(innerSpec, path, v)
        else unknown(path, v)
      }
    } else unknown(name, value)
  }
  return { entries, problems }
}

// ---------------------------------------------------------------------------------------------------------------
// Merge, validate, build

/** Later layers win per key; a whole-section value and that section's keys replace each other. */
function merge (layers: Layer[]): Map<string, Entry> {
  const merged = new Map<string, Entry>()
  for (const layer of layers) {
    for (const entry of layer.entries) {
      if (SECTION_SET.has(entry.key)) {
        for (const k of [...merged.keys()]) if (k.startsWith(entry.key + '.')) merged.delete(k)
      } else if (entry.key.includes('.')) {
        merged.delete(entry.key.slice(0, entry.key.indexOf('.')))
      }
      merged.set(entry.key, entry)
    }
  }
  return merged
}

function toDocument (merged: Map<string, Entry>): Record<string, unknown> {
  const doc: Record<string, unknown> = {}
  for (const section of CONFIG_SECTIONS) doc[section] = {}
  for (const [key, entry] of merged) {
    const dot = key.indexOf('.')
    if (dot === -1) { doc[key] = entry.value; continue }
    const table = doc[key.slice(0, dot)]
    if (isTable(table)) table[key.slice(dot + 1)] = entry.value
  }
  return doc
}

/** A value shown in a fix: TOML syntax for the file, bare text for env and flags. */
function exampleFor (spec: KeySpec, kind: LayerKind): string {
  if (kind === 'file' || kind === 'default') return spec.example
  if (spec.example.startsWith('[')) {
    const list = (parseToml(`v = ${spec.example}`) as { v: string[] }).v
    return kind === 'env' ? list.join(',') : JSON.stringify(list)
  }
  return spec.example.replace(/^"(.*)"$/, '$1')
}

function getIn (doc: unknown, path: readonly PropertyKey[]): unknown {
  let at = doc
  for (const p of path) {
    if (at === null || typeof at !== 'object') return undefined
    at = (at as Record<PropertyKey, unknown>)[p]
  }
  return at
}

interface IssueLike {
  code: string
  path: PropertyKey[]
  message: string
  params?: Record<string, unknown>
  keys?: string[]
}

function problemFromIssue (issue: IssueLike, doc: Record<string, unknown>, merged: Map<string, Entry>): ConfigProblem[] {
  const path = issue.path.map((p) => typeof p === 'symbol' ? p.toString() : p)
  const head = String(path[0] ?? '')
  const located = (entry: Entry | undefined): Pick<ConfigProblem, 'source'> & { line?: number } =>
    entry === undefined ? { source: 'built-in default' } : { source: entry.source, ...(entry.line === undefined ? {} : { line: entry.line }) }

  if (issue.code === 'unrecognized_keys') {
    // Unknown keys are filtered out before validation; kept for safety should a layer let one through.
    return (issue.keys ?? []).map((k) => {
      const key = [...path.map(String), k].join('.')
      return unknownKeyProblem(key, getIn(doc, [...path, k]), 'configuration', (s) => s)
    })
  }

  // A section given a non-table value.
  if (path.length === 1 && SECTION_SET.has(head)) {
    const entry = merged.get(head)
    return [{
      key: head,
      value: getIn(doc, path),
      message: `${head} must be a table of keys ([${head}] in the file)`,
      hint: `write the ${head} settings as keys under a [${head}] header (${knownKeysOf(head)})`,
      ...located(entry)
    }]
  }

  const specKey = path.length === 1 ? head : `${head}.${String(path[1])}`
  const spec = KEY_BY_NAME.get(specKey)
  const entry = merged.get(specKey)
  const index = path.length > 2 && typeof path[2] === 'number' ? path[2] : undefined
  const key = index === undefined ? specKey : `${specKey}[${index}]`
  const value = getIn(doc, path)

  const cross = issue.params as Partial<CrossFieldParams> | undefined
  if (issue.code === 'custom' && typeof cross?.hint === 'string') {
    const related = (cross.related ?? []).filter((k) => k !== specKey)
    const others = related.map((k) => `${k} = ${formatValue(getIn(doc, k.split('.')))} from ${merged.get(k)?.source ?? 'built-in default'}`)
    const where = located(entry)
    return [{
      key,
      value,
      message: `${key} ${issue.message}`,
      hint: cross.hint,
      ...where,
      source: [where.source, ...others].join('; ')
    }]
  }

  if (spec === undefined) {
    return [{ key, value, message: `${key}: ${issue.message}`, hint: 'see docs/config.md for the valid keys and values', ...located(entry) }]
  }
  const detail = typeof issue.params?.detail === 'string' && issue.params.detail !== '' ? `; ${issue.params.detail}` : ''
  const kind = entry?.kind ?? 'default'
  const message = index === undefined
    ? `${specKey} must be ${spec.rule}${detail}`
    : `item ${index + 1} of ${specKey} must be ${spec.itemRule ?? spec.rule}${detail}`
  return [{
    key,
    value,
    message,
    hint: `set ${entry?.where ?? spec.key} to ${spec.rule}, e.g. ${exampleFor(spec, kind)}`,
    ...located(entry)
  }]
}

function buildConfig (p: ParsedConfigDocument): Config {
  const stateDir = p.state_dir
  return {
    version: CONFIG_VERSION as 1,
    stateDir,
    owner: { name: p.owner.name },
    backup: {
      paths: p.backup.paths,
      exclude: p.backup.exclude,
      excludeCaches: p.backup.exclude_caches,
      oneFileSystem: p.backup.one_file_system,
      interval: p.backup.interval,
      jitter: p.backup.jitter,
      compression: p.backup.compression
    },
    redundancy: {
      mode: p.redundancy.mode,
      replicas: p.redundancy.replicas,
      dataShards: p.redundancy.data_shards,
      parityShards: p.redundancy.parity_shards
    },
    storage: {
      quota: p.storage.quota,
      reserve: p.storage.reserve,
      domain: p.storage.domain,
      dir: p.storage.dir ?? join(stateDir, STATE_ENTRIES.packs)
    },
    network: {
      listen: p.network.listen,
      bootstrap: p.network.bootstrap,
      mdns: p.network.mdns,
      swarmKeyFile: p.network.swarm_key_file ?? join(stateDir, STATE_ENTRIES.swarmKey),
      allow: p.network.allow,
      maxConnections: p.network.max_connections,
      bandwidthLimit: p.network.bandwidth_limit
    },
    repair: {
      goneAfter: p.repair.gone_after,
      urgentGrace: p.repair.urgent_grace,
      checkInterval: p.repair.check_interval,
      auditInterval: p.repair.audit_interval,
      scrubRate: p.repair.scrub_rate,
      trimAfter: p.repair.trim_after
    },
    control: {
      socket: p.control.socket ?? join(stateDir, STATE_ENTRIES.controlSocket),
      tcpListen: p.control.tcp_listen,
      tokenFile: p.control.token_file
    },
    log: { format: p.log.format, level: p.log.level }
  }
}

function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

function validate (layers: Layer[], env: NodeJS.ProcessEnv): { config?: Config, problems: ConfigProblem[] } {
  const merged = merge(layers)
  const doc = toDocument(merged)
  const result = createConfigSchema({ env }).safeParse(doc)
  if (!result.success) {
    const problems = result.error.issues.flatMap((i) => problemFromIssue(i as unknown as IssueLike, doc, merged))
    return { problems }
  }
  const config = buildConfig(result.data)
  const problems: ConfigProblem[] = []
  // The socket path derived from state_dir is only known now; Unix sockets cap sun_path at 108 bytes.
  if (result.data.control.socket === undefined && Buffer.byteLength(config.control.socket) > 107) {
    const stateEntry = merged.get('state_dir')
    problems.push({
      key: 'control.socket',
      value: config.control.socket,
      message: `control.socket defaults to <state_dir>/${STATE_ENTRIES.controlSocket}, which is ${Buffer.byteLength(config.control.socket)} bytes long; Unix socket paths are limited to 107 bytes`,
      hint: 'set control.socket to a shorter path (e.g. "/tmp/p2pbak.sock"), or use a shorter state_dir',
      source: `built-in default, from state_dir set by ${stateEntry?.source ?? 'built-in default'}`
    })
    return { problems }
  }
  return { config, problems }
}

// ---------------------------------------------------------------------------------------------------------------
// Public entry points

/** Internal seam: loadConfig with a chosen migration table and current version (tests use a fake v0 → v1). */
export function loadConfigWith (
  options: LoadConfigOptions,
  internals: { migrations: Readonly<Record<number, ConfigMigration>>, currentVersion: number }
): Config {
  const env = options.env ?? process.env
  const file = fileLayer(options, env, internals.migrations, internals.currentVersion)
  const layers = [defaultLayer(env), file.layer, envLayer(env), flagLayer(options.flags)]
  const problems = layers.flatMap((l) => l.problems)
  if (!file.usable) throw new ConfigError(problems)
  const result = validate(layers, env)
  problems.push(...dedupe(result.problems))
  if (problems.length > 0 || result.config === undefined) throw new ConfigError(problems)
  return deepFreeze(result.config)
}

function dedupe (problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const id = `${p.key}\n${p.message}`
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

/**
 * Reads and validates the configuration: defaults < TOML file < environment (P2PBAK_<SECTION>_<KEY>) < flags.
 * Returns a deeply frozen Config; throws ConfigError listing every problem found.
 */
export function loadConfig (options: LoadConfigOptions = {}): Config {
  return loadConfigWith(options, { migrations: MIGRATIONS, currentVersion: CONFIG_VERSION })
}

/** The built-in defaults (state_dir and home from `env`'s XDG_DATA_HOME / HOME; P2PBAK_* are not read). Frozen. */
export function defaultConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const result = validate([defaultLayer(env)], env)
  if (result.config === undefined || result.problems.length > 0) throw new ConfigError(result.problems)
  return deepFreeze(result.config)
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

export interface RenderConfigOptions {
  /** Used to tell whether stateDir is the XDG default (then it is left commented out). Default: process.env. */
  env?: NodeJS.ProcessEnv
}

function tomlLiteral (value: unknown): string {
  return stringifyToml({ v: value }).trim().replace(/^v = /, '')
}

function wrapComment (text: string, width = 100): string[] {
  const out: string[] = []
  let line = '#'
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') { out.push(line); line = '#' }
    line += ' ' + word
  }
  out.push(line)
  return out
}

function valueOf (config: Config, spec: KeySpec): unknown {
  if (spec.section === undefined) return (config as unknown as Record<string, unknown>)[spec.prop]
  return ((config as unknown as Record<string, Record<string, unknown>>)[spec.section] as Record<string, unknown>)[spec.prop]
}

const DERIVED: Record<string, string> = {
  'storage.dir': STATE_ENTRIES.packs,
  'network.swarm_key_file': STATE_ENTRIES.swarmKey,
  'control.socket': STATE_ENTRIES.controlSocket
}

/**
 * A commented TOML file that loads back to `config` (given the same environment). Keys whose value is derived
 * from state_dir, unset optional keys and a default state_dir are written commented out.
 */
export function renderConfigToml (config: Config, options: RenderConfigOptions = {}): string {
  const env = options.env ?? process.env
  const out: string[] = [
    '# p2pbak configuration. Every key is optional: a missing key takes the default shown above it.',
    '# Environment variables (P2PBAK_<SECTION>_<KEY>) override this file; command-line flags override both.',
    '# Durations: "250ms", "30s", "5m", "12h", "3d" or integer milliseconds.',
    '# Sizes: "512KiB", "16MiB", "10GiB" (powers of 1024), "10GB" (powers of 1000) or integer bytes.',
    '# Every key is described in docs/config.md.',
    '',
    `version = ${CONFIG_VERSION}`
  ]
  let section: string | undefined
  for (const spec of CONFIG_KEYS) {
    if (spec.section !== section) {
      section = spec.section
      out.push('', `[${section ?? ''}]`)
    } else {
      out.push('')
    }
    out.push(...wrapComment(spec.doc), `# Default: ${spec.defaultText.replace(/`/g, '')}. Env: ${spec.env}.`)
    const value = valueOf(config, spec)
    let text: string
    let commented = false
    if (value === undefined) {
      text = spec.example
      commented = true
    } else {
      switch (spec.kind) {
        case 'duration': text = tomlLiteral(formatDuration(value as number)); break
        case 'size': text = tomlLiteral(formatSize(value as number)); break
        case 'rate': text = value === 0 ? '0' : tomlLiteral(`${formatSize(value as number)}/s`); break
        default: text = tomlLiteral(value)
      }
      const derived = DERIVED[spec.key]
      if (derived !== undefined && value === join(config.stateDir, derived)) commented = true
      if (spec.key === 'state_dir' && value === xdgStateDir(env)) commented = true
    }
    out.push(`${commented ? '# ' : ''}${spec.name} = ${text}`)
  }
  return out.join('\n') + '\n'
}
