import { isAbsolute, resolve } from 'node:path'
import { isIP } from 'node:net'
import { z } from 'zod'
import { base58btc } from 'multiformats/bases/base58'
import * as Digest from 'multiformats/hashes/digest'
import { CID } from 'multiformats/cid'
import { InvalidArgumentError } from '../daemon/errors.js'
import { expandHome } from './paths.js'

// One table describes every key (its TOML name, environment variable, flag path, rule and doc); the zod schema,
// the env parser, unknown-key suggestions, renderConfigToml and docs/config.md all follow it.

/** Version written as `version = N` at the top of the file. */
export const CONFIG_VERSION = 1

/** Prefix of every environment variable that sets a key: `P2PBAK_<SECTION>_<KEY>`. */
export const ENV_PREFIX = 'P2PBAK_'

// ---------------------------------------------------------------------------------------------------------------
// Durations and sizes

type Parsed<T> = { ok: true, value: T } | { ok: false, detail: string }

const DURATION_UNITS: Record<string, bigint> = {
  ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n, d: 86_400_000n, w: 604_800_000n
}
const DURATION_PART = /^(\d+)(?:\.(\d+))?([a-zA-Z]*)/
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** `int.frac * unit` in exact integer arithmetic, or undefined when it is not a whole number. */
function scaled (int: string, frac: string | undefined, unit: bigint): bigint | undefined {
  const f = frac ?? ''
  const denominator = 10n ** BigInt(f.length)
  const numerator = BigInt(int + f) * unit
  return numerator % denominator === 0n ? numerator / denominator : undefined
}

function safeInteger (value: unknown, what: string): Parsed<number> {
  if (typeof value === 'bigint') value = Number(value)
  if (typeof value !== 'number' || !Number.isInteger(value)) return { ok: false, detail: `a number of ${what} must be a whole number` }
  if (value < 0) return { ok: false, detail: 'must not be negative' }
  if (!Number.isSafeInteger(value)) return { ok: false, detail: 'too large' }
  return { ok: true, value }
}

export function tryParseDuration (input: unknown): Parsed<number> {
  if (typeof input !== 'string') {
    if (typeof input === 'number' || typeof input === 'bigint') return safeInteger(input, 'milliseconds')
    return { ok: false, detail: 'not a string or an integer' }
  }
  let rest = input.replace(/\s+/g, '')
  if (rest === '') return { ok: false, detail: 'empty' }
  if (rest === '0') return { ok: true, value: 0 }
  let total = 0n
  while (rest !== '') {
    const m = DURATION_PART.exec(rest)
    if (m === null) return { ok: false, detail: `cannot read "${rest}"` }
    const [whole, int, frac, unit] = m as unknown as [string, string, string | undefined, string]
    if (unit === '') return { ok: false, detail: `"${int}${frac === undefined ? '' : '.' + frac}" has no unit (use ms, s, m, h, d or w)` }
    const factor = DURATION_UNITS[unit]
    if (factor === undefined) return { ok: false, detail: `unknown unit "${unit}" (use ms, s, m, h, d or w)` }
    const ms = scaled(int, frac, factor)
    if (ms === undefined) return { ok: false, detail: 'not a whole number of milliseconds' }
    total += ms
    rest = rest.slice(whole.length)
  }
  if (total > MAX_SAFE) return { ok: false, detail: 'too large' }
  return { ok: true, value: Number(total) }
}

/**
 * "250ms", "30s", "5m", "12h", "3d", "2w", compounds like "1h30m", decimals like "1.5h", or an integer of
 * milliseconds → milliseconds. Throws InvalidArgumentError otherwise.
 */
export function parseDuration (input: string | number): number {
  const r = tryParseDuration(input)
  if (r.ok) return r.value
  throw new InvalidArgumentError(`invalid duration ${JSON.stringify(input)}: ${r.detail}`, {
    hint: 'write a duration like "250ms", "30s", "5m", "12h", "3d" or "1h30m", or an integer of milliseconds'
  })
}

const FORMAT_DURATION_UNITS: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]]

/** Milliseconds → the shortest exact string parseDuration reads back, e.g. 5_400_000 → "1h30m", 0 → "0s". */
export function formatDuration (ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new InvalidArgumentError(`cannot format ${ms} as a duration`, { hint: 'pass a non-negative integer of milliseconds' })
  }
  if (ms === 0) return '0s'
  let rest = ms
  let out = ''
  for (const [unit, size] of FORMAT_DURATION_UNITS) {
    const n = Math.floor(rest / size)
    if (n > 0) { out += `${n}${unit}`; rest -= n * size }
  }
  return out
}

const SIZE_UNITS: Record<string, bigint> = {
  b: 1n,
  kb: 1000n, mb: 1000n ** 2n, gb: 1000n ** 3n, tb: 1000n ** 4n, pb: 1000n ** 5n,
  kib: 1024n, mib: 1024n ** 2n, gib: 1024n ** 3n, tib: 1024n ** 4n, pib: 1024n ** 5n
}
const SIZE_RE = /^(\d+)(?:\.(\d+))?\s*([a-zA-Z]*)$/

export function tryParseSize (input: unknown, options: { rate?: boolean } = {}): Parsed<number> {
  if (typeof input !== 'string') {
    if (typeof input === 'number' || typeof input === 'bigint') return safeInteger(input, 'bytes')
    return { ok: false, detail: 'not a string or an integer' }
  }
  let text = input.trim()
  if (options.rate === true && text.endsWith('/s')) text = text.slice(0, -2).trimEnd()
  const m = SIZE_RE.exec(text)
  if (m === null) return { ok: false, detail: `cannot read "${input}"` }
  const [, int, frac, unitText] = m as unknown as [string, string, string | undefined, string]
  const unit = unitText === '' ? 'b' : unitText.toLowerCase()
  const factor = SIZE_UNITS[unit]
  if (factor === undefined) {
    return { ok: false, detail: `unknown unit "${unitText}" (use B, KB, MB, GB, TB for powers of 1000 or KiB, MiB, GiB, TiB for powers of 1024)` }
  }
  const bytes = scaled(int, frac, factor)
  if (bytes === undefined) return { ok: false, detail: 'not a whole number of bytes' }
  if (bytes > MAX_SAFE) return { ok: false, detail: 'too large' }
  return { ok: true, value: Number(bytes) }
}

/**
 * "512KiB", "16MiB", "10GiB" (powers of 1024), "10GB" (powers of 1000), "123B", "123" or an integer → bytes.
 * Throws InvalidArgumentError otherwise.
 */
export function parseSize (input: string | number): number {
  const r = tryParseSize(input)
  if (r.ok) return r.value
  throw new InvalidArgumentError(`invalid size ${JSON.stringify(input)}: ${r.detail}`, {
    hint: 'write a size like "512KiB", "16MiB", "10GiB" or "10GB", or an integer of bytes'
  })
}

const FORMAT_SIZE_UNITS: Array<[string, number]> = [
  ['PiB', 1024 ** 5], ['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024],
  ['PB', 1000 ** 5], ['TB', 1000 ** 4], ['GB', 1000 ** 3], ['MB', 1000 ** 2], ['KB', 1000]
]

/** Bytes → the shortest exact string parseSize reads back, e.g. 16777216 → "16MiB", 10^10 → "10GB", 1500 → "1500B". */
export function formatSize (bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new InvalidArgumentError(`cannot format ${bytes} as a size`, { hint: 'pass a non-negative integer of bytes' })
  }
  if (bytes === 0) return '0B'
  // Of the units that divide exactly, the one giving the smallest number (binary wins ties, listed first).
  let best = `${bytes}B`
  let bestCount = bytes
  for (const [unit, size] of FORMAT_SIZE_UNITS) {
    if (bytes % size === 0 && bytes / size < bestCount) { best = `${bytes / size}${unit}`; bestCount = bytes / size }
  }
  return best
}

// ---------------------------------------------------------------------------------------------------------------
// The key table

export type KeyKind =
  | 'path' | 'optional-path' | 'socket-path' | 'path-list'
  | 'name' | 'label' | 'glob-list' | 'bool' | 'int' | 'enum'
  | 'duration' | 'size' | 'rate'
  | 'multiaddr-list' | 'peer-id-list' | 'host-port'

export interface KeySpec {
  /** Dotted snake_case key as written in TOML, e.g. `redundancy.data_shards`. */
  readonly key: string
  /** Table it lives in; undefined for top-level keys. */
  readonly section: string | undefined
  /** Key within its table, e.g. `data_shards`. */
  readonly name: string
  /** camelCase property in Config, e.g. `dataShards`. */
  readonly prop: string
  /** Environment variable, e.g. `P2PBAK_REDUNDANCY_DATA_SHARDS`. */
  readonly env: string
  readonly kind: KeyKind
  /** What a valid value is, phrased to follow "must be". */
  readonly rule: string
  /** A valid TOML value, shown in fixes. */
  readonly example: string
  /** The default as shown in docs and comments. */
  readonly defaultText: string
  /** What the key does. */
  readonly doc: string
  /** Absent means "none" (or a default derived from state_dir). */
  readonly optional: boolean
  readonly min?: number
  readonly max?: number
  readonly values?: readonly string[]
  /** For lists: what each item must be, phrased to follow "must be". */
  readonly itemRule?: string
}

export function snakeToCamel (s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

export function camelToSnake (s: string): string {
  return s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())
}

type SpecInit = Pick<KeySpec, 'kind' | 'rule' | 'example' | 'defaultText' | 'doc'> & Partial<Pick<KeySpec, 'optional' | 'min' | 'max' | 'values' | 'itemRule'>>

function spec (key: string, init: SpecInit): KeySpec {
  const dot = key.indexOf('.')
  const section = dot === -1 ? undefined : key.slice(0, dot)
  const name = dot === -1 ? key : key.slice(dot + 1)
  return {
    key,
    section,
    name,
    prop: snakeToCamel(name),
    env: ENV_PREFIX + key.replace('.', '_').toUpperCase(),
    optional: false,
    ...init
  }
}

const PATH_RULE = 'an absolute path (or one starting with ~/)'
const DURATION_RULE = 'a duration like "30s", "5m", "12h" or "3d", or an integer of milliseconds'
const POSITIVE_DURATION_RULE = 'a duration greater than zero like "30s", "5m", "12h" or "3d", or an integer of milliseconds'
const SIZE_RULE = 'a size like "512KiB", "16MiB", "10GiB" or "10GB", or an integer of bytes'
const RATE_RULE = 'a rate like "512KiB/s" or "10MiB/s", or an integer of bytes per second'
const MULTIADDR_RULE = 'a list of multiaddrs like "/ip4/0.0.0.0/tcp/4701"'
const MULTIADDR_ITEM_RULE = 'a multiaddr like "/ip4/0.0.0.0/tcp/4701"'

/** Every key, in the order the docs and rendered file list them. */
export const CONFIG_KEYS: readonly KeySpec[] = [
  spec('state_dir', {
    kind: 'path', rule: PATH_RULE, example: '"/var/lib/p2pbak"',
    defaultText: '`$XDG_DATA_HOME/p2pbak`, else `~/.local/share/p2pbak`',
    doc: 'Where p2pbak keeps its state: keys, index, cache, held packs, control socket.'
  }),

  spec('owner.name', {
    kind: 'name', rule: '1 to 64 characters from A-Z a-z 0-9 . _ -', example: '"alice-laptop"',
    defaultText: 'this host\'s name, other characters replaced by `-`',
    doc: 'The name this machine\'s backups go by in the swarm; give the same name to restore on a new machine.'
  }),

  spec('backup.paths', {
    kind: 'path-list', rule: 'a list of absolute paths (or ones starting with ~/)', itemRule: PATH_RULE, example: '["~/Documents", "/srv/projects"]',
    defaultText: '`[]`', doc: 'Directories and files to back up.'
  }),
  spec('backup.exclude', {
    kind: 'glob-list', rule: 'a list of non-empty glob patterns', itemRule: 'a non-empty glob pattern', example: '["**/node_modules", "*.tmp"]',
    defaultText: '`[]`', doc: 'Glob patterns of paths to leave out: one without "/" matches a name at any depth ("*.tmp", "node_modules"), one with "/" the whole absolute path ("/home/*/.cache"). Excluded folders are not entered.'
  }),
  spec('backup.exclude_caches', {
    kind: 'bool', rule: 'true or false', example: 'true', defaultText: '`true`',
    doc: 'Leave out the contents of directories holding a valid CACHEDIR.TAG (bford.info/cachedir); the tag file itself is kept.'
  }),
  spec('backup.one_file_system', {
    kind: 'bool', rule: 'true or false', example: 'false', defaultText: '`false`',
    doc: 'Stay on the file system of each backup path; a mount point below it is kept as an empty folder.'
  }),
  spec('backup.interval', {
    kind: 'duration', min: 1, rule: POSITIVE_DURATION_RULE, example: '"1h"', defaultText: '`"1h"`',
    doc: 'Time between scheduled backups.'
  }),
  spec('backup.jitter', {
    kind: 'duration', min: 0, rule: DURATION_RULE, example: '"5m"', defaultText: '`"5m"`',
    doc: 'Random delay of up to this much added to each scheduled backup, so peers do not all start at once.'
  }),
  spec('backup.compression', {
    kind: 'enum', values: ['auto', 'off'], rule: '"auto" or "off"', example: '"auto"', defaultText: '`"auto"`',
    doc: '"auto" compresses blobs where it pays (zstd); "off" never compresses.'
  }),

  spec('redundancy.mode', {
    kind: 'enum', values: ['replicate', 'erasure'], rule: '"replicate" or "erasure"', example: '"replicate"',
    defaultText: '`"replicate"`',
    doc: '"replicate": whole copies of each pack on `replicas` peers. "erasure": `data_shards` + `parity_shards` shards, each on its own peer.'
  }),
  spec('redundancy.replicas', {
    kind: 'int', min: 1, max: 16, rule: 'an integer from 1 to 16', example: '3', defaultText: '`3`',
    doc: 'Copies of each pack kept on other peers (replicate mode).'
  }),
  spec('redundancy.data_shards', {
    kind: 'int', min: 0, max: 32, rule: 'an integer from 0 to 32', example: '4', defaultText: '`4`',
    doc: 'k: data shards per pack (erasure mode). Any k of the k+m shards rebuild the pack.'
  }),
  spec('redundancy.parity_shards', {
    kind: 'int', min: 0, max: 32, rule: 'an integer from 0 to 32', example: '2', defaultText: '`2`',
    doc: 'm: parity shards per pack (erasure mode): how many shards may be lost. Erasure mode needs 1 ≤ k ≤ 24 and 1 ≤ m ≤ 6.'
  }),

  spec('storage.quota', {
    kind: 'size', rule: SIZE_RULE, example: '"10GiB"', defaultText: '`"10GiB"`',
    doc: 'Space this machine offers for other peers\' packs.'
  }),
  spec('storage.reserve', {
    kind: 'size', rule: SIZE_RULE, example: '"1GiB"', defaultText: '`"1GiB"`',
    doc: 'Space always left free on the disk, whatever the quota.'
  }),
  spec('storage.domain', {
    kind: 'label', rule: 'a label of at most 64 characters without control characters ("" for none)',
    example: '"floor-2"', defaultText: '`""` (none)',
    doc: 'Failure-domain label (desk, room, floor, building) shared by machines likely to fail together; copies of a pack go to different domains.'
  }),
  spec('storage.dir', {
    kind: 'optional-path', optional: true, rule: PATH_RULE, example: '"/data/p2pbak-packs"',
    defaultText: '`<state_dir>/packs`', doc: 'Directory for the packs this machine holds for others.'
  }),

  spec('network.listen', {
    kind: 'multiaddr-list', rule: MULTIADDR_RULE, itemRule: MULTIADDR_ITEM_RULE, example: '["/ip4/0.0.0.0/tcp/4701"]',
    defaultText: '`["/ip4/0.0.0.0/tcp/4701"]`', doc: 'Addresses to accept peer connections on.'
  }),
  spec('network.bootstrap', {
    kind: 'multiaddr-list', rule: MULTIADDR_RULE, itemRule: MULTIADDR_ITEM_RULE, example: '["/ip4/192.168.1.10/tcp/4701/p2p/12D3KooW…"]',
    defaultText: '`[]`', doc: 'Peers to dial at start-up, for networks where mDNS does not reach.'
  }),
  spec('network.mdns', {
    kind: 'bool', rule: 'true or false', example: 'true', defaultText: '`true`',
    doc: 'Find peers on the local network with mDNS.'
  }),
  spec('network.swarm_key_file', {
    kind: 'optional-path', optional: true, rule: PATH_RULE, example: '"/etc/p2pbak/swarm.key"',
    defaultText: '`<state_dir>/swarm.key`',
    doc: 'The swarm\'s pre-shared key (`p2pbak swarm init` writes it); peers without it cannot connect.'
  }),
  spec('network.allow', {
    kind: 'peer-id-list', rule: 'a list of peer IDs like "12D3KooW…"', itemRule: 'a peer ID like "12D3KooW…"', example: '["12D3KooW…"]',
    defaultText: '`[]` (anyone with the swarm key)', doc: 'If not empty, only these peers may connect.'
  }),
  spec('network.max_connections', {
    kind: 'int', min: 1, max: 100_000, rule: 'an integer from 1 to 100000', example: '256', defaultText: '`256`',
    doc: 'Upper bound on open peer connections.'
  }),
  spec('network.bandwidth_limit', {
    kind: 'rate', rule: `${RATE_RULE} (0 for unlimited)`, example: '"5MiB/s"', defaultText: '`0` (unlimited)',
    doc: 'Cap on the bytes per second this machine sends to peers (pack replication), shared by all transfers; 0 = unlimited.'
  }),

  spec('repair.gone_after', {
    kind: 'duration', min: 1, rule: POSITIVE_DURATION_RULE, example: '"3d"', defaultText: '`"3d"`',
    doc: 'How long a peer may be absent before it counts as gone and its packs are copied elsewhere. Laptops sleep: keep this in days (tests use seconds).'
  }),
  spec('repair.urgent_grace', {
    kind: 'duration', min: 0, rule: DURATION_RULE, example: '"6h"', defaultText: '`"6h"`',
    doc: 'When a pack is down to its last copy, repair starts after this much absence instead of `gone_after`.'
  }),
  spec('repair.check_interval', {
    kind: 'duration', min: 1, rule: POSITIVE_DURATION_RULE, example: '"10m"', defaultText: '`"10m"`',
    doc: 'Time between scans of held packs for missing replicas.'
  }),
  spec('repair.audit_interval', {
    kind: 'duration', min: 1, rule: POSITIVE_DURATION_RULE, example: '"1h"', defaultText: '`"1h"`',
    doc: 'Time between audits of other holders of the packs held here.'
  }),
  spec('repair.scrub_rate', {
    kind: 'rate', min: 1, rule: `${RATE_RULE}, greater than zero`, example: '"10MiB/s"', defaultText: '`"10MiB/s"`',
    doc: 'How fast held packs are re-read and re-hashed to find bit rot.'
  }),
  spec('repair.trim_after', {
    kind: 'duration', min: 0, rule: DURATION_RULE, example: '"7d"', defaultText: '`"7d"`',
    doc: 'How long a pack must stay over-replicated before the surplus copies are deleted.'
  }),

  spec('control.socket', {
    kind: 'socket-path', optional: true, rule: `${PATH_RULE}, at most 107 bytes long (a Unix socket limit)`,
    example: '"/run/p2pbak/control.sock"', defaultText: '`<state_dir>/control.sock`',
    doc: 'Unix socket the CLI and dashboard use to talk to the daemon.'
  }),
  spec('control.tcp_listen', {
    kind: 'host-port', optional: true, rule: 'a "host:port" address like "127.0.0.1:4702" ("" for none)',
    example: '"127.0.0.1:4702"', defaultText: 'none',
    doc: 'Also serve the control API over TCP here. Needs `token_file`.'
  }),
  spec('control.token_file', {
    kind: 'optional-path', optional: true, rule: PATH_RULE, example: '"/etc/p2pbak/control.token"',
    defaultText: 'none', doc: 'File holding the bearer token TCP clients must present. Required when `tcp_listen` is set.'
  }),

  spec('log.format', {
    kind: 'enum', values: ['human', 'json'], rule: '"human" or "json"', example: '"human"', defaultText: '`"human"`',
    doc: 'Operator log format.'
  }),
  spec('log.level', {
    kind: 'enum', values: ['debug', 'info', 'warn', 'error'], rule: '"debug", "info", "warn" or "error"',
    example: '"info"', defaultText: '`"info"`', doc: 'Least severe operator log level written.'
  })
]

/** Table names, in order. */
export const CONFIG_SECTIONS: readonly string[] = [...new Set(CONFIG_KEYS.flatMap((k) => k.section === undefined ? [] : [k.section]))]

export const KEY_BY_NAME: ReadonlyMap<string, KeySpec> = new Map(CONFIG_KEYS.map((k) => [k.key, k]))
export const KEY_BY_ENV: ReadonlyMap<string, KeySpec> = new Map(CONFIG_KEYS.map((k) => [k.env, k]))

// ---------------------------------------------------------------------------------------------------------------
// Leaf checks


const NAME_RE = /^[A-Za-z0-9._-]{1,64}$/
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/

function checkPath (value: unknown, env: NodeJS.ProcessEnv): Parsed<string> {
  if (typeof value !== 'string') return { ok: false, detail: 'not a string' }
  if (value === '') return { ok: false, detail: 'empty' }
  if (value.includes('\0')) return { ok: false, detail: 'contains a NUL byte' }
  const expanded = expandHome(value, env)
  if (!isAbsolute(expanded)) return { ok: false, detail: 'relative paths are ambiguous for a daemon' }
  return { ok: true, value: resolve(expanded) }
}

const KNOWN_FIRST_PROTOCOLS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6', 'dnsaddr', 'memory', 'unix', 'p2p', 'p2p-circuit'])

function checkMultiaddr (value: unknown): Parsed<string> {
  if (typeof value !== 'string') return { ok: false, detail: 'not a string' }
  if (!value.startsWith('/') || /\s/.test(value)) return { ok: false, detail: `${JSON.stringify(value)} is not a multiaddr` }
  const parts = value.slice(1).split('/')
  if (parts.some((p) => p === '')) return { ok: false, detail: `${JSON.stringify(value)} has an empty part` }
  const first = parts[0] as string
  if (!KNOWN_FIRST_PROTOCOLS.has(first)) return { ok: false, detail: `${JSON.stringify(value)} starts with unknown protocol "${first}"` }
  for (let i = 0; i < parts.length; i++) {
    const proto = parts[i]
    const arg = parts[i + 1]
    if (proto === 'ip4' && (arg === undefined || isIP(arg) !== 4)) return { ok: false, detail: `${JSON.stringify(value)} has a bad IPv4 address` }
    if (proto === 'ip6' && (arg === undefined || isIP(arg) !== 6)) return { ok: false, detail: `${JSON.stringify(value)} has a bad IPv6 address` }
    if ((proto === 'tcp' || proto === 'udp') && (arg === undefined || !/^\d{1,5}$/.test(arg) || Number(arg) > 65535)) {
      return { ok: false, detail: `${JSON.stringify(value)} has a bad port` }
    }
  }
  return { ok: true, value }
}

/** A libp2p peer ID: a base58btc multihash (12D3KooW…, Qm…) or a CIDv1 with the libp2p-key codec. */
export function isPeerId (value: string): boolean {
  try {
    if (value.startsWith('1') || value.startsWith('Q')) {
      const digest = Digest.decode(base58btc.decode('z' + value))
      return digest.code === 0x00 || digest.code === 0x12
    }
    return CID.parse(value).code === 0x72
  } catch {
    return false
  }
}

function checkHostPort (value: unknown): Parsed<string | undefined> {
  if (value === undefined || value === '') return { ok: true, value: undefined }
  if (typeof value !== 'string') return { ok: false, detail: 'not a string' }
  const m = /^(\[([0-9A-Fa-f:.]+)\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value)
  if (m === null) return { ok: false, detail: 'expected host:port, with IPv6 hosts in brackets' }
  if (m[2] !== undefined && isIP(m[2]) !== 6) return { ok: false, detail: `"${m[2]}" is not an IPv6 address` }
  if (Number(m[3]) > 65535) return { ok: false, detail: 'port above 65535' }
  return { ok: true, value }
}

/** A zod leaf that runs one of the checks above; the detail rides along in the issue's params. */
function leaf<T> (check: (value: unknown) => Parsed<T>): z.ZodType<T> {
  return z.unknown().transform((value, ctx) => {
    const r = check(value)
    if (r.ok) return r.value
    ctx.addIssue({ code: 'custom', message: r.detail, params: { detail: r.detail } })
    return z.NEVER
  }) as unknown as z.ZodType<T>
}

function listOf<T> (check: (value: unknown) => Parsed<T>): z.ZodType<T[]> {
  return z.array(leaf(check)) as unknown as z.ZodType<T[]>
}

function durationLeaf (min: number): z.ZodType<number> {
  return leaf((v) => {
    const r = tryParseDuration(v)
    if (r.ok && r.value < min) return { ok: false, detail: 'must be greater than zero' }
    return r
  })
}

function sizeLeaf (options: { rate: boolean, min: number }): z.ZodType<number> {
  return leaf((v) => {
    const r = tryParseSize(v, { rate: options.rate })
    if (r.ok && r.value < options.min) return { ok: false, detail: 'must be greater than zero' }
    return r
  })
}

function intLeaf (min: number, max: number): z.ZodType<number> {
  return z.int().min(min).max(max)
}

/** Params carried by cross-field issues so the loader can write the fix and name every key involved. */
export interface CrossFieldParams {
  hint: string
  /** Other dotted keys that take part in the rule. */
  related: string[]
}

/**
 * The schema for the merged snake_case document (without `version`). Paths expand `~` with `env`'s HOME.
 * Optional paths stay undefined here; the loader fills the ones derived from state_dir.
 */
export function createConfigSchema (options: { env: NodeJS.ProcessEnv }) {
  const env = options.env
  const path = leaf((v) => checkPath(v, env))
  const optionalPath = leaf<string | undefined>((v) => v === undefined || v === '' ? { ok: true, value: undefined } : checkPath(v, env))
  const socketPath = leaf<string | undefined>((v) => {
    if (v === undefined || v === '') return { ok: true, value: undefined }
    const r = checkPath(v, env)
    if (r.ok && Buffer.byteLength(r.value) > 107) return { ok: false, detail: `${Buffer.byteLength(r.value)} bytes long` }
    return r
  })

  return z.strictObject({
    state_dir: path,
    owner: z.strictObject({
      name: leaf((v) => typeof v === 'string' && NAME_RE.test(v) ? { ok: true, value: v } : { ok: false, detail: '' })
    }),
    backup: z.strictObject({
      paths: listOf((v) => checkPath(v, env)),
      exclude: listOf((v) => typeof v === 'string' && v !== '' && !v.includes('\0') ? { ok: true, value: v } : { ok: false, detail: '' }),
      exclude_caches: z.boolean(),
      one_file_system: z.boolean(),
      interval: durationLeaf(1),
      jitter: durationLeaf(0),
      compression: z.enum(['auto', 'off'])
    }),
    redundancy: z.strictObject({
      mode: z.enum(['replicate', 'erasure']),
      replicas: intLeaf(1, 16),
      data_shards: intLeaf(0, 32),
      parity_shards: intLeaf(0, 32)
    }).superRefine((r, ctx) => {
      if (r.mode !== 'erasure') return
      const related = ['redundancy.mode', 'redundancy.data_shards', 'redundancy.parity_shards']
      if (r.data_shards < 1) {
        ctx.addIssue({ code: 'custom', path: ['data_shards'], message: 'must be at least 1 when redundancy.mode is "erasure"',
          params: { hint: 'set redundancy.data_shards to 1 or more (4 is usual), or set redundancy.mode = "replicate"', related } })
      }
      if (r.parity_shards < 1) {
        ctx.addIssue({ code: 'custom', path: ['parity_shards'], message: 'must be at least 1 when redundancy.mode is "erasure" (with 0 no shard may be lost)',
          params: { hint: 'set redundancy.parity_shards to 1 or more (2 is usual), or set redundancy.mode = "replicate"', related } })
      }
      // The limits of the Reed-Solomon code used (docs/erasure.md).
      if (r.data_shards > 24) {
        ctx.addIssue({ code: 'custom', path: ['data_shards'], message: `is ${r.data_shards}; erasure mode allows at most 24 data shards`,
          params: { hint: 'lower redundancy.data_shards to 24 or less (4 to 10 is usual)', related } })
      }
      if (r.parity_shards > 6) {
        ctx.addIssue({ code: 'custom', path: ['parity_shards'], message: `is ${r.parity_shards}; erasure mode allows at most 6 parity shards`,
          params: { hint: 'lower redundancy.parity_shards to 6 or less (2 to 4 is usual)', related } })
      }
    }),
    storage: z.strictObject({
      quota: sizeLeaf({ rate: false, min: 0 }),
      reserve: sizeLeaf({ rate: false, min: 0 }),
      domain: leaf((v) => typeof v === 'string' && v.length <= 64 && !CONTROL_CHARS.test(v) ? { ok: true, value: v } : { ok: false, detail: '' }),
      dir: optionalPath
    }),
    network: z.strictObject({
      listen: listOf(checkMultiaddr),
      bootstrap: listOf(checkMultiaddr),
      mdns: z.boolean(),
      swarm_key_file: optionalPath,
      allow: listOf((v) => typeof v === 'string' && isPeerId(v) ? { ok: true, value: v } : { ok: false, detail: `${JSON.stringify(v)} is not a peer ID` }),
      max_connections: intLeaf(1, 100_000),
      bandwidth_limit: sizeLeaf({ rate: true, min: 0 })
    }),
    repair: z.strictObject({
      gone_after: durationLeaf(1),
      urgent_grace: durationLeaf(0),
      check_interval: durationLeaf(1),
      audit_interval: durationLeaf(1),
      scrub_rate: sizeLeaf({ rate: true, min: 1 }),
      trim_after: durationLeaf(0)
    }),
    control: z.strictObject({
      socket: socketPath,
      tcp_listen: leaf(checkHostPort),
      token_file: optionalPath
    }).superRefine((c, ctx) => {
      if (c.tcp_listen !== undefined && c.token_file === undefined) {
        ctx.addIssue({ code: 'custom', path: ['token_file'],
          message: 'is required when control.tcp_listen is set: the TCP control API must not be open without a token',
          params: { hint: 'set control.token_file to a file holding a secret token, or remove control.tcp_listen', related: ['control.tcp_listen'] } })
      }
    }),
    log: z.strictObject({
      format: z.enum(['human', 'json']),
      level: z.enum(['debug', 'info', 'warn', 'error'])
    })
  })
}

export type ConfigSchema = ReturnType<typeof createConfigSchema>
/** The validated snake_case document, before derived paths are filled in. */
export type ParsedConfigDocument = z.output<ConfigSchema>
