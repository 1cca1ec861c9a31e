import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { base58btc } from 'multiformats/bases/base58'
import { identity } from 'multiformats/hashes/identity'
import { ConfigError, defaultConfig, loadConfig } from '../../../config/index.js'
import type { Config, ConfigFlags, ConfigProblem, DeepPartial } from '../../../config/index.js'
import { P2pbakError } from '../../../daemon/errors.js'
import { loadConfigWith, migrateDocument, suggestKey } from '../../../config/load.js'
import type { ConfigMigration } from '../../../config/load.js'

let dir: string
let env: NodeJS.ProcessEnv
let file: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2pbak-config-'))
  // Only what the test sets: nothing leaks in from the real environment or home directory.
  env = { HOME: join(dir, 'home') }
  file = join(dir, 'config.toml')
})

afterEach(() => {
  if (process.env.P2PBAK_KEEP_TEST_STATE !== '1') rmSync(dir, { recursive: true, force: true })
})

function write (text: string): string {
  writeFileSync(file, text)
  return file
}

function load (options: { toml?: string, env?: NodeJS.ProcessEnv, flags?: ConfigFlags } = {}): Config {
  return loadConfig({
    ...(options.toml === undefined ? {} : { file: write(options.toml) }),
    env: { ...env, ...options.env },
    ...(options.flags === undefined ? {} : { flags: options.flags })
  })
}

function problemsOf (fn: () => unknown): ConfigProblem[] {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    expect(err).toBeInstanceOf(P2pbakError)
    expect((err as ConfigError).name).toBe('ConfigError')
    return (err as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

function errorOf (fn: () => unknown): ConfigError {
  try { fn() } catch (err) { return err as ConfigError }
  throw new Error('expected a ConfigError')
}

function peerId (seed: number): string {
  const key = new Uint8Array([8, 1, 18, 32, ...new Uint8Array(32).fill(seed)])
  return base58btc.encode(identity.digest(key).bytes).slice(1)
}

describe('defaults', () => {
  it('are valid, complete and follow the XDG locations', () => {
    const c = defaultConfig(env)
    const home = join(dir, 'home')
    expect(c.version).toBe(1)
    expect(c.stateDir).toBe(join(home, '.local/share/p2pbak'))
    expect(c.owner.name).toMatch(/^[A-Za-z0-9._-]{1,64}$/)
    expect(c.backup).toEqual({
      paths: [], exclude: [], excludeCaches: true, oneFileSystem: false, interval: 3_600_000, jitter: 300_000, compression: 'auto'
    })
    expect(c.redundancy).toEqual({ mode: 'replicate', replicas: 3, dataShards: 4, parityShards: 2 })
    expect(c.storage).toEqual({ quota: 10 * 1024 ** 3, reserve: 1024 ** 3, domain: '', dir: join(c.stateDir, 'packs') })
    expect(c.network).toEqual({
      listen: ['/ip4/0.0.0.0/tcp/4701'], bootstrap: [], mdns: true, swarmKeyFile: join(c.stateDir, 'swarm.key'),
      allow: [], maxConnections: 256, bandwidthLimit: 0
    })
    expect(c.repair).toEqual({
      goneAfter: 3 * 86_400_000, urgentGrace: 6 * 3_600_000, checkInterval: 600_000, auditInterval: 3_600_000,
      scrubRate: 10 * 1024 ** 2, trimAfter: 7 * 86_400_000
    })
    expect(c.control).toEqual({ socket: join(c.stateDir, 'control.sock'), tcpListen: undefined, tokenFile: undefined })
    expect(c.log).toEqual({ format: 'human', level: 'info' })
  })

  it('honour XDG_DATA_HOME', () => {
    expect(defaultConfig({ ...env, XDG_DATA_HOME: '/xdg/data' }).stateDir).toBe('/xdg/data/p2pbak')
    // The XDG spec says relative values are ignored.
    expect(defaultConfig({ ...env, XDG_DATA_HOME: 'rel' }).stateDir).toBe(join(dir, 'home/.local/share/p2pbak'))
  })

  it('are what loadConfig returns with no file, env or flags', () => {
    expect(load()).toEqual(defaultConfig(env))
  })

  it('are deeply frozen', () => {
    const c = load()
    expect(Object.isFrozen(c)).toBe(true)
    expect(Object.isFrozen(c.redundancy)).toBe(true)
    expect(Object.isFrozen(c.network.listen)).toBe(true)
    expect(() => { (c.redundancy as { replicas: number }).replicas = 9 }).toThrow(TypeError)
    expect(() => { (c.network.listen as string[]).push('/ip4/1.2.3.4/tcp/1') }).toThrow(TypeError)
    expect(Object.isFrozen(defaultConfig(env).backup.paths)).toBe(true)
  })
})

describe('precedence: defaults < file < environment < flags', () => {
  it('the file overrides defaults', () => {
    const c = load({ toml: 'version = 1\n[redundancy]\nreplicas = 2\n[repair]\ngone_after = "30s"\n' })
    expect(c.redundancy.replicas).toBe(2)
    expect(c.repair.goneAfter).toBe(30_000)
    expect(c.repair.urgentGrace).toBe(6 * 3_600_000) // untouched keys keep their default
  })

  it('the environment overrides the file', () => {
    const c = load({
      toml: '[redundancy]\nreplicas = 2\n[repair]\ngone_after = "30s"\n',
      env: { P2PBAK_REDUNDANCY_REPLICAS: '5', P2PBAK_REPAIR_GONE_AFTER: '30s' }
    })
    expect(c.redundancy.replicas).toBe(5)
    expect(c.repair.goneAfter).toBe(30_000)
    const d = load({ toml: '[repair]\ngone_after = "1d"\n', env: { P2PBAK_REPAIR_GONE_AFTER: '2m' } })
    expect(d.repair.goneAfter).toBe(120_000)
  })

  it('flags override the environment', () => {
    const c = load({
      toml: '[redundancy]\nreplicas = 2\n',
      env: { P2PBAK_REDUNDANCY_REPLICAS: '5', P2PBAK_LOG_LEVEL: 'warn' },
      flags: { redundancy: { replicas: 7 }, repair: { goneAfter: '45s' }, log: { level: undefined } }
    })
    expect(c.redundancy.replicas).toBe(7)
    expect(c.repair.goneAfter).toBe(45_000)
    expect(c.log.level).toBe('warn') // an undefined flag does not override
  })

  it('flags typed as DeepPartial<Config> are accepted as they are', () => {
    const flags: DeepPartial<Config> = { version: 1, backup: { paths: ['/srv'] }, redundancy: { mode: 'erasure' } }
    const c = loadConfig({ env, flags })
    expect(c.backup.paths).toEqual(['/srv'])
    expect(c.redundancy.mode).toBe('erasure')
  })

  it('converts environment text by the key\'s type', () => {
    const c = load({
      env: {
        P2PBAK_BACKUP_PATHS: '/srv/a, ~/docs',
        P2PBAK_BACKUP_EXCLUDE_CACHES: 'no',
        P2PBAK_NETWORK_MDNS: 'off',
        P2PBAK_STORAGE_QUOTA: '500GB',
        P2PBAK_NETWORK_BANDWIDTH_LIMIT: '4MiB/s',
        P2PBAK_BACKUP_JITTER: '1500',
        P2PBAK_STORAGE_DOMAIN: 'floor-2',
        P2PBAK_CONTROL_TCP_LISTEN: '127.0.0.1:4702',
        P2PBAK_CONTROL_TOKEN_FILE: '/etc/p2pbak/token'
      }
    })
    expect(c.backup.paths).toEqual(['/srv/a', join(dir, 'home/docs')])
    expect(c.backup.excludeCaches).toBe(false)
    expect(c.network.mdns).toBe(false)
    expect(c.storage.quota).toBe(500_000_000_000)
    expect(c.network.bandwidthLimit).toBe(4 * 1024 ** 2)
    expect(c.backup.jitter).toBe(1500)
    expect(c.storage.domain).toBe('floor-2')
    expect(c.control.tcpListen).toBe('127.0.0.1:4702')
  })

  it('an empty variable clears an optional key or list and is ignored for other keys', () => {
    const c = load({
      toml: '[backup]\npaths = ["/srv"]\n[control]\ntcp_listen = "127.0.0.1:1"\ntoken_file = "/t"\n',
      env: { P2PBAK_CONTROL_TCP_LISTEN: '', P2PBAK_BACKUP_PATHS: '', P2PBAK_LOG_LEVEL: '' }
    })
    expect(c.control.tcpListen).toBeUndefined()
    expect(c.backup.paths).toEqual([])
    expect(c.log.level).toBe('info')
  })

  it('state_dir: XDG default < file < P2PBAK_STATE_DIR < flag, and derived paths follow it', () => {
    expect(load({ toml: 'state_dir = "/from/file"\n' }).stateDir).toBe('/from/file')
    const fromEnv = load({ toml: 'state_dir = "/from/file"\n', env: { P2PBAK_STATE_DIR: '/from/env' } })
    expect(fromEnv.stateDir).toBe('/from/env')
    expect(fromEnv.storage.dir).toBe('/from/env/packs')
    expect(fromEnv.network.swarmKeyFile).toBe('/from/env/swarm.key')
    expect(fromEnv.control.socket).toBe('/from/env/control.sock')
    expect(load({ env: { P2PBAK_STATE_DIR: '/from/env' }, flags: { stateDir: '/from/flag' } }).stateDir).toBe('/from/flag')
    // An explicit path is not moved by state_dir.
    expect(load({ toml: '[storage]\ndir = "/big/disk"\n', env: { P2PBAK_STATE_DIR: '/s' } }).storage.dir).toBe('/big/disk')
  })

  it('reads the default file location, and P2PBAK_CONFIG', () => {
    const xdg = join(dir, 'xdg')
    mkdirSync(join(xdg, 'p2pbak'), { recursive: true })
    writeFileSync(join(xdg, 'p2pbak', 'config.toml'), '[log]\nlevel = "debug"\n')
    expect(loadConfig({ env: { ...env, XDG_CONFIG_HOME: xdg } }).log.level).toBe('debug')
    write('[log]\nlevel = "error"\n')
    expect(loadConfig({ env: { ...env, XDG_CONFIG_HOME: xdg, P2PBAK_CONFIG: file } }).log.level).toBe('error')
  })
})

describe('file presence', () => {
  it('a missing default file is fine', () => {
    expect(() => loadConfig({ env })).not.toThrow()
  })

  it('a missing file is an error when requireFile is set', () => {
    const [p] = problemsOf(() => loadConfig({ env, requireFile: true }))
    expect(p?.message).toMatch(/config file not found/)
    expect(p?.value).toBe(join(dir, 'home/.config/p2pbak/config.toml'))
    expect(p?.hint).toMatch(/p2pbak init/)
  })

  it('a missing file is an error when given explicitly or via P2PBAK_CONFIG', () => {
    expect(problemsOf(() => loadConfig({ env, file: join(dir, 'nope.toml') }))[0]?.message).toMatch(/not found \(chosen by the config file option\)/)
    expect(problemsOf(() => loadConfig({ env: { ...env, P2PBAK_CONFIG: join(dir, 'nope.toml') } }))[0]?.message)
      .toMatch(/chosen by environment variable P2PBAK_CONFIG/)
  })

  it('a directory instead of a file is reported', () => {
    const [p] = problemsOf(() => loadConfig({ env, file: dir }))
    expect(p?.message).toMatch(/cannot be read \(EISDIR\)/)
  })
})

describe('errors name the key, the value, the rule, the fix and the source', () => {
  it('a bad value in the file', () => {
    const path = write('version = 1\n\n[redundancy]\nmode = "replicate"\nreplicas = 20\n')
    const err = errorOf(() => loadConfig({ file: path, env }))
    expect(err).toBeInstanceOf(ConfigError)
    const [p] = err.problems
    expect(p).toMatchObject({ key: 'redundancy.replicas', value: 20, line: 5 })
    expect(p?.message).toBe('redundancy.replicas must be an integer from 1 to 16')
    expect(p?.source).toBe(`${path}:5 (key redundancy.replicas)`)
    expect(p?.hint).toBe(`set redundancy.replicas in ${path} to an integer from 1 to 16, e.g. 3`)
    // The message carries all of it, for a CLI that prints only the message.
    expect(err.message).toContain('redundancy.replicas must be an integer from 1 to 16 (got 20, from')
    expect(err.message).toContain(`${path}:5`)
    expect(err.message).toContain('fix: set redundancy.replicas')
    expect(err.hint).toMatch(/docs\/config\.md/)
  })

  it('a bad value in the environment', () => {
    const [p] = problemsOf(() => load({ env: { P2PBAK_REDUNDANCY_REPLICAS: 'three' } }))
    expect(p).toMatchObject({ key: 'redundancy.replicas', value: 'three', source: 'environment variable P2PBAK_REDUNDANCY_REPLICAS' })
    expect(p?.hint).toBe('set P2PBAK_REDUNDANCY_REPLICAS to an integer from 1 to 16, e.g. 3')
  })

  it('a bad value in a flag', () => {
    const [p] = problemsOf(() => load({ flags: { repair: { goneAfter: '3 days' } } }))
    expect(p).toMatchObject({ key: 'repair.gone_after', value: '3 days', source: 'flag repair.goneAfter' })
    expect(p?.message).toMatch(/must be a duration greater than zero .*; unknown unit "days"/)
    expect(p?.hint).toBe('set the repair.goneAfter flag to a duration greater than zero like "30s", "5m", "12h" or "3d", or an integer of milliseconds, e.g. 3d')
  })

  it('reports the value in effect: a bad file value overridden by the environment is not an error', () => {
    expect(load({ toml: '[redundancy]\nreplicas = 99\n', env: { P2PBAK_REDUNDANCY_REPLICAS: '4' } }).redundancy.replicas).toBe(4)
  })

  it('reports several problems together, from every source', () => {
    const problems = problemsOf(() => load({
      toml: '[backup]\ninterval = "0s"\npaths = ["/ok", "relative/dir"]\ncompression = "zstd"\n[log]\nformat = "xml"\n',
      env: { P2PBAK_STORAGE_QUOTA: '10 gigs', P2PBAK_NETWORK_MDNS: 'maybe' },
      flags: { owner: { name: 'bad name!' } }
    }))
    const byKey = Object.fromEntries(problems.map((p) => [p.key, p]))
    expect(Object.keys(byKey).sort()).toEqual([
      'backup.compression', 'backup.interval', 'backup.paths[1]', 'log.format', 'network.mdns', 'owner.name', 'storage.quota'
    ])
    expect(byKey['backup.interval']?.message).toMatch(/greater than zero/)
    expect(byKey['backup.paths[1]']).toMatchObject({ value: 'relative/dir' })
    expect(byKey['backup.paths[1]']?.message).toBe('item 2 of backup.paths must be an absolute path (or one starting with ~/); relative paths are ambiguous for a daemon')
    expect(byKey['backup.compression']?.message).toBe('backup.compression must be "auto" or "off"')
    expect(byKey['storage.quota']?.source).toBe('environment variable P2PBAK_STORAGE_QUOTA')
    expect(byKey['network.mdns']).toMatchObject({ value: 'maybe' })
    expect(byKey['owner.name']).toMatchObject({ value: 'bad name!', source: 'flag owner.name' })
  })

  it('each kind of value is checked', () => {
    const cases: Array<[string, RegExp]> = [
      ['[network]\nlisten = ["ip4/1.2.3.4"]', /network.listen/],
      ['[network]\nlisten = ["/ip4/300.1.1.1/tcp/1"]', /bad IPv4/],
      ['[network]\nbootstrap = ["/ip4/10.0.0.1/tcp/99999"]', /bad port/],
      ['[network]\nallow = ["not-a-peer"]', /not a peer ID/],
      ['[network]\nmax_connections = 0', /network.max_connections must be an integer from 1 to 100000/],
      ['[control]\ntcp_listen = "localhost"\ntoken_file = "/t"', /host:port/],
      ['[control]\nsocket = "/' + 'x'.repeat(120) + '"', /107 bytes/],
      ['[storage]\ndomain = "a\\u0001b"', /storage.domain/],
      ['[storage]\nreserve = -1', /negative/],
      ['[repair]\nscrub_rate = 0', /repair.scrub_rate .*greater than zero/],
      ['[backup]\nexclude = [""]', /backup.exclude/],
      ['[redundancy]\nreplicas = 2.5', /integer from 1 to 16/],
      ['[backup]\none_file_system = "yes"', /true or false/],
      ['owner = "alice"', /owner must be a table/],
      ['state_dir = "relative"', /state_dir must be an absolute path/]
    ]
    for (const [toml, pattern] of cases) {
      const problems = problemsOf(() => load({ toml }))
      expect(problems.map((p) => p.message).join('\n'), toml).toMatch(pattern)
    }
    expect(load({ toml: `[network]\nallow = ["${peerId(1)}"]` }).network.allow).toEqual([peerId(1)])
  })

  it('the derived control socket is checked against the Unix limit, naming state_dir', () => {
    const [p] = problemsOf(() => load({ env: { P2PBAK_STATE_DIR: '/' + 'd'.repeat(100) } }))
    expect(p?.key).toBe('control.socket')
    expect(p?.source).toMatch(/state_dir set by environment variable P2PBAK_STATE_DIR/)
    expect(p?.hint).toMatch(/shorter/)
  })
})

describe('unknown keys', () => {
  it('suggest the closest known key', () => {
    const path = write('[redundancy]\nreplica = 2\n')
    const [p] = problemsOf(() => loadConfig({ file: path, env }))
    expect(p).toMatchObject({ key: 'redundancy.replica', value: 2, message: 'redundancy.replica is not a known key', line: 2 })
    expect(p?.hint).toMatch(/^did you mean redundancy.replicas\?/)
    expect(p?.source).toBe(`${path}:2 (key redundancy.replica)`)
  })

  it('suggest the right table for a key in the wrong one, and the table for a misspelt table', () => {
    expect(problemsOf(() => load({ toml: '[backup]\nreplicas = 2\n' }))[0]?.hint).toMatch(/did you mean redundancy.replicas\?/)
    expect(problemsOf(() => load({ toml: 'gone_after = "1d"\n' }))[0]?.hint).toMatch(/did you mean repair.gone_after\?/)
    const [p] = problemsOf(() => load({ toml: '[redundency]\nreplicas = 2\n' }))
    expect(p).toMatchObject({ key: 'redundency', line: 1 })
    expect(p?.hint).toMatch(/did you mean redundancy\?/)
    expect(problemsOf(() => load({ toml: '[backup]\nexcludeCaches = true\n' }))[0]?.hint).toMatch(/did you mean backup.exclude_caches\?/)
  })

  it('list the known keys when nothing is close', () => {
    const [p] = problemsOf(() => load({ toml: '[log]\ncolour = true\n' }))
    expect(p?.hint).toBe('remove it (known keys in [log]: format, level)')
  })

  it('in the environment and in flags too, in their own spelling', () => {
    const [e] = problemsOf(() => load({ env: { P2PBAK_REDUNDANCY_REPLICA: '2', P2PBAK_FAULT_POINT: 'x', P2PBAK_KEEP_TEST_STATE: '1' } }))
    expect(e).toMatchObject({ key: 'redundancy.replica', source: 'environment variable P2PBAK_REDUNDANCY_REPLICA' })
    expect(e?.hint).toMatch(/did you mean P2PBAK_REDUNDANCY_REPLICAS\?/)
    const [f] = problemsOf(() => load({ flags: { backup: { excludeCache: true } } as unknown as ConfigFlags }))
    expect(f).toMatchObject({ key: 'backup.exclude_cache', source: 'flag backup.excludeCache' })
    expect(f?.hint).toMatch(/did you mean backup.excludeCaches\?/)
  })

  it('suggestKey leaves far-off names alone', () => {
    expect(suggestKey('network.mdsn')).toBe('network.mdns')
    expect(suggestKey('backup.something_else_entirely')).toBeUndefined()
  })
})

describe('TOML syntax errors', () => {
  it('give file, line and column', () => {
    const path = write('version = 1\n[redundancy]\nreplicas = = 3\n')
    const err = errorOf(() => loadConfig({ file: path, env }))
    expect(err).toBeInstanceOf(ConfigError)
    const [p] = err.problems
    expect(p).toMatchObject({ key: '', line: 3, column: 12, source: `${path}:3:12` })
    expect(p?.message).toMatch(/^TOML syntax error at line 3, column 12/)
    expect(p?.hint).toContain(`${path}:3:12`)
  })

  it('are reported alongside problems in the environment', () => {
    const problems = problemsOf(() => load({ toml: '[log\n', env: { P2PBAK_LOG_LEVL: 'x' } }))
    expect(problems.map((p) => p.key)).toEqual(['', 'log.levl'])
  })
})

describe('cross-field rules', () => {
  it('erasure mode needs 1 ≤ k ≤ 24 and 1 ≤ m ≤ 6', () => {
    const ok = load({ toml: '[redundancy]\nmode = "erasure"\ndata_shards = 10\nparity_shards = 4\n' })
    expect(ok.redundancy).toMatchObject({ mode: 'erasure', dataShards: 10, parityShards: 4 })

    const zero = problemsOf(() => load({ toml: '[redundancy]\nmode = "erasure"\ndata_shards = 0\nparity_shards = 0\n' }))
    expect(zero.map((p) => p.key)).toEqual(['redundancy.data_shards', 'redundancy.parity_shards'])
    expect(zero[0]?.message).toMatch(/at least 1 when redundancy.mode is "erasure"/)
    expect(zero[0]?.source).toMatch(/\(key redundancy.data_shards\); redundancy.mode = "erasure" from .*\(key redundancy.mode\)/)

    const many = problemsOf(() => load({ toml: '[redundancy]\nmode = "erasure"\ndata_shards = 20\n', env: { P2PBAK_REDUNDANCY_PARITY_SHARDS: '13' } }))
    expect(many).toHaveLength(1)
    expect(many[0]?.message).toMatch(/is 13; erasure mode allows at most 6 parity shards/)
    expect(many[0]?.source).toMatch(/environment variable P2PBAK_REDUNDANCY_PARITY_SHARDS/)
    expect(many[0]?.hint).toMatch(/6 or less/)
    const wide = problemsOf(() => load({ toml: '[redundancy]\nmode = "erasure"\ndata_shards = 25\n' }))
    expect(wide.map(p => p.key)).toEqual(['redundancy.data_shards'])
    expect(wide[0]?.message).toMatch(/at most 24 data shards/)

    // Replicate mode does not care about the shard counts.
    expect(load({ toml: '[redundancy]\ndata_shards = 0\nparity_shards = 0\n' }).redundancy.mode).toBe('replicate')
  })

  it('tcp_listen needs token_file, and is reported together with other problems', () => {
    const problems = problemsOf(() => load({ env: { P2PBAK_CONTROL_TCP_LISTEN: '127.0.0.1:4702', P2PBAK_REDUNDANCY_REPLICAS: '0' } }))
    const tcp = problems.find((p) => p.key === 'control.token_file')
    expect(tcp?.message).toMatch(/required when control.tcp_listen is set/)
    expect(tcp?.source).toMatch(/control.tcp_listen = "127.0.0.1:4702" from environment variable P2PBAK_CONTROL_TCP_LISTEN/)
    expect(tcp?.hint).toMatch(/set control.token_file/)
    expect(problems.some((p) => p.key === 'redundancy.replicas')).toBe(true)
    expect(load({ env: { P2PBAK_CONTROL_TCP_LISTEN: '[::1]:0', P2PBAK_CONTROL_TOKEN_FILE: '~/token' } }).control)
      .toMatchObject({ tcpListen: '[::1]:0', tokenFile: join(dir, 'home/token') })
  })
})

describe('version and migrations', () => {
  it('a file newer than this build is refused with the version named', () => {
    const path = write('version = 2\n[log]\nlevel = "info"\n')
    const [p] = problemsOf(() => loadConfig({ file: path, env }))
    expect(p).toMatchObject({ key: 'version', value: 2, line: 1 })
    expect(p?.message).toMatch(/newer than this p2pbak understands/)
    expect(p?.hint).toMatch(/upgrade p2pbak/)
  })

  it('a bad version value is reported', () => {
    expect(problemsOf(() => load({ toml: 'version = "one"\n' }))[0]).toMatchObject({ key: 'version', value: 'one' })
  })

  it('a file without a version is read as the current version', () => {
    expect(load({ toml: '[log]\nlevel = "warn"\n' }).log.level).toBe('warn')
  })

  it('runs the migration table from an older version', () => {
    // A fake v0 in which the backup interval was called `every` and lived at the top level.
    const migrations: Record<number, ConfigMigration> = {
      0: (doc) => {
        const { every, ...rest } = doc
        const backup = { ...(rest.backup as Record<string, unknown> | undefined), interval: every }
        return { ...rest, backup }
      }
    }
    const path = write('version = 0\nevery = "2h"\n[log]\nlevel = "warn"\n')
    const c = loadConfigWith({ file: path, env }, { migrations, currentVersion: 1 })
    expect(c.backup.interval).toBe(7_200_000)
    expect(c.log.level).toBe('warn')

    // Without the migration the same file cannot be read, and says why.
    const [p] = problemsOf(() => loadConfigWith({ file: path, env }, { migrations: {}, currentVersion: 1 }))
    expect(p?.message).toMatch(/no migration from version 0 to 1/)

    // Problems in a migrated file say so.
    const bad = write('version = 0\nevery = "soon"\n')
    const [q] = problemsOf(() => loadConfigWith({ file: bad, env }, { migrations, currentVersion: 1 }))
    expect(q?.key).toBe('backup.interval')
    expect(q?.source).toMatch(/migrated from version 0/)
  })

  it('migrateDocument chains steps and hands each a copy', () => {
    const original = { version: 0, a: 1 }
    const result = migrateDocument(original, {
      0: (d) => { d.a = (d.a as number) + 1; return d },
      1: (d) => ({ ...d, b: true })
    }, 2)
    expect(result).toEqual({ ok: true, doc: { a: 2, b: true }, from: 0 })
    expect(original).toEqual({ version: 0, a: 1 })
    expect(migrateDocument({ version: 1 }, {}, 1)).toEqual({ ok: true, doc: {}, from: 1 })
  })
})
