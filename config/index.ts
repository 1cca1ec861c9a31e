// Contract of config/: one schema, one TOML file, one load path (STYLE.md §14, docs/config.md).
//
// Naming: TOML keys, environment variables and error messages use snake_case (`redundancy.data_shards`,
// P2PBAK_REDUNDANCY_DATA_SHARDS); the Config object uses the same names in camelCase (`redundancy.dataShards`).
// The mapping is mechanical: each `_x` becomes `X`. Top-level `state_dir` is `stateDir`.
//
// Units: every duration is a number of milliseconds, every size a number of bytes, every rate bytes per second.

export type { ConfigProblem } from './errors.js'
export { ConfigError } from './errors.js'
export { loadConfig, defaultConfig, renderConfigToml } from './load.js'
export type { LoadConfigOptions, RenderConfigOptions } from './load.js'
export {
  CONFIG_VERSION, ENV_PREFIX, CONFIG_KEYS, CONFIG_SECTIONS,
  parseDuration, formatDuration, parseSize, formatSize
} from './schema.js'
export type { KeySpec, KeyKind } from './schema.js'
export {
  APP_DIR_NAME, CONFIG_FILE_NAME, STATE_ENTRIES,
  configFilePath, stateDirPath, xdgConfigFile, xdgStateDir, expandHome
} from './paths.js'

/** Milliseconds. */
export type Duration = number
/** Bytes. */
export type Size = number

export interface OwnerConfig {
  /** `owner.name`: 1–64 of [A-Za-z0-9._-]. Default: the hostname, sanitized. */
  readonly name: string
}

export interface BackupConfig {
  /** `backup.paths`: absolute, normalized. Default []. */
  readonly paths: readonly string[]
  /** `backup.exclude`: glob patterns. Default []. */
  readonly exclude: readonly string[]
  /** `backup.exclude_caches`: skip directories holding CACHEDIR.TAG. Default true. */
  readonly excludeCaches: boolean
  /** `backup.one_file_system`: do not cross mount points. Default false. */
  readonly oneFileSystem: boolean
  /** `backup.interval` (ms, > 0). Default 1h. */
  readonly interval: Duration
  /** `backup.jitter` (ms). Default 5m. */
  readonly jitter: Duration
  /** `backup.compression`. Default "auto". */
  readonly compression: 'auto' | 'off'
}

export interface RedundancyConfig {
  /** `redundancy.mode`. Default "replicate". */
  readonly mode: 'replicate' | 'erasure'
  /** `redundancy.replicas`: 1..16. Default 3. */
  readonly replicas: number
  /** `redundancy.data_shards` (k). Default 4. In erasure mode k ≥ 1. */
  readonly dataShards: number
  /** `redundancy.parity_shards` (m). Default 2. In erasure mode m ≥ 1 and k + m ≤ 32. */
  readonly parityShards: number
}

export interface StorageConfig {
  /** `storage.quota` (bytes offered to others). Default 10GiB. */
  readonly quota: Size
  /** `storage.reserve` (bytes always left free). Default 1GiB. */
  readonly reserve: Size
  /** `storage.domain`: failure-domain label, "" for none. Default "". */
  readonly domain: string
  /** `storage.dir`: held packs. Default `<stateDir>/packs`. */
  readonly dir: string
}

export interface NetworkConfig {
  /** `network.listen`: multiaddrs. Default ["/ip4/0.0.0.0/tcp/4701"]. */
  readonly listen: readonly string[]
  /** `network.bootstrap`: multiaddrs. Default []. */
  readonly bootstrap: readonly string[]
  /** `network.mdns`. Default true. */
  readonly mdns: boolean
  /** `network.swarm_key_file`. Default `<stateDir>/swarm.key`. */
  readonly swarmKeyFile: string
  /** `network.allow`: peer IDs; empty = anyone with the swarm key. Default []. */
  readonly allow: readonly string[]
  /** `network.max_connections`. Default 256. */
  readonly maxConnections: number
  /** `network.bandwidth_limit` (bytes/s, 0 = unlimited). Default 0. */
  readonly bandwidthLimit: Size
}

export interface RepairConfig {
  /** `repair.gone_after` (ms). Default 3d. */
  readonly goneAfter: Duration
  /** `repair.urgent_grace` (ms). Default 6h. */
  readonly urgentGrace: Duration
  /** `repair.check_interval` (ms). Default 10m. */
  readonly checkInterval: Duration
  /** `repair.audit_interval` (ms). Default 1h. */
  readonly auditInterval: Duration
  /** `repair.scrub_rate` (bytes/s, > 0). Default 10MiB. */
  readonly scrubRate: Size
  /** `repair.trim_after` (ms). Default 7d. */
  readonly trimAfter: Duration
}

export interface ControlConfig {
  /** `control.socket`: Unix socket. Default `<stateDir>/control.sock`. */
  readonly socket: string
  /** `control.tcp_listen`: "host:port", or undefined for no TCP control API. Default undefined. */
  readonly tcpListen: string | undefined
  /** `control.token_file`: required when tcpListen is set. Default undefined. */
  readonly tokenFile: string | undefined
}

export interface LogConfig {
  /** `log.format`. Default "human". */
  readonly format: 'human' | 'json'
  /** `log.level`. Default "info". */
  readonly level: 'debug' | 'info' | 'warn' | 'error'
}

/** The validated, deeply frozen configuration. */
export interface Config {
  /** The file format version this build writes (CONFIG_VERSION). */
  readonly version: 1
  /** `state_dir`. Default `$XDG_DATA_HOME/p2pbak` or `~/.local/share/p2pbak`; env P2PBAK_STATE_DIR. */
  readonly stateDir: string
  readonly owner: OwnerConfig
  readonly backup: BackupConfig
  readonly redundancy: RedundancyConfig
  readonly storage: StorageConfig
  readonly network: NetworkConfig
  readonly repair: RepairConfig
  readonly control: ControlConfig
  readonly log: LogConfig
}

/** Every property optional, at every depth; arrays are replaced whole, never merged. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T

/**
 * Overrides from the caller (command-line flags), camelCase like Config. Number leaves (durations, sizes, counts)
 * also take the human strings the file takes ("30s", "16MiB"), so the CLI can pass flag text through unparsed
 * and errors still name the flag. Undefined leaves are ignored.
 */
export type ConfigFlags = LooseLeaves<DeepPartial<Omit<Config, 'version'>>>

type LooseLeaves<T> = T extends readonly unknown[]
  ? T
  : T extends object ? { [K in keyof T]: LooseLeaves<T[K]> } : T extends number ? number | string : T
