import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { parse as parseToml } from 'smol-toml'
import { base58btc } from 'multiformats/bases/base58'
import { identity } from 'multiformats/hashes/identity'
import { CONFIG_KEYS, defaultConfig, loadConfig, renderConfigToml } from '../../../config/index.js'
import type { Config, ConfigFlags } from '../../../config/index.js'

let dir: string
let env: NodeJS.ProcessEnv

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'p2pbak-render-'))
  env = { HOME: join(dir, 'home') }
})

afterEach(() => {
  if (process.env.P2PBAK_KEEP_TEST_STATE !== '1') rmSync(dir, { recursive: true, force: true })
})

function reload (config: Config, loadEnv: NodeJS.ProcessEnv = env): { text: string, back: Config } {
  const text = renderConfigToml(config, { env })
  const file = join(dir, 'config.toml')
  writeFileSync(file, text)
  return { text, back: loadConfig({ file, env: loadEnv }) }
}

const peer = base58btc.encode(identity.digest(new Uint8Array([8, 1, 18, 32, ...new Uint8Array(32).fill(3)])).bytes).slice(1)

const everythingChanged: ConfigFlags = {
  stateDir: '/var/lib/p2pbak',
  owner: { name: 'alice.laptop_2' },
  backup: {
    paths: ['/home/alice', '/srv/with "quotes" and ünïcode'],
    exclude: ['**/node_modules', '*.tmp'],
    excludeCaches: false,
    oneFileSystem: true,
    interval: 5_400_001,
    jitter: 0,
    compression: 'off'
  },
  redundancy: { mode: 'erasure', replicas: 5, dataShards: 10, parityShards: 4 },
  storage: { quota: 10_000_000_000, reserve: 1537, domain: 'floor "2" ☃', dir: '/data/packs' },
  network: {
    listen: ['/ip4/127.0.0.1/tcp/0', '/ip6/::1/tcp/4701'],
    bootstrap: [`/ip4/192.168.1.10/tcp/4701/p2p/${peer}`],
    mdns: false,
    swarmKeyFile: '/etc/p2pbak/swarm.key',
    allow: [peer],
    maxConnections: 12,
    bandwidthLimit: 5 * 1024 ** 2
  },
  repair: { goneAfter: 30_000, urgentGrace: 0, checkInterval: 250, auditInterval: 1000, scrubRate: 1, trimAfter: 86_400_001 },
  control: { socket: '/run/p2pbak.sock', tcpListen: '[::1]:4702', tokenFile: '/etc/p2pbak/token' },
  log: { format: 'json', level: 'debug' }
}

describe('renderConfigToml', () => {
  it('the defaults render to a file that loads back to the same config', () => {
    const config = defaultConfig(env)
    const { text, back } = reload(config)
    expect(back).toEqual(config)
    // Paths derived from state_dir and a default state_dir stay commented out, so the file does not pin them.
    expect(text).toMatch(/^# state_dir = /m)
    expect(text).toMatch(/^# dir = /m)
    expect(text).toMatch(/^# swarm_key_file = /m)
    expect(text).toMatch(/^# socket = /m)
    expect(text).toMatch(/^# tcp_listen = "127.0.0.1:4702"$/m)
    expect(back.stateDir).toBe(join(dir, 'home/.local/share/p2pbak'))
  })

  it('a config with every key changed renders and loads back the same', () => {
    const config = loadConfig({ env, flags: everythingChanged })
    const { text, back } = reload(config)
    expect(back).toEqual(config)
    expect(text).toMatch(/^version = 1$/m)
    expect(text).toMatch(/^state_dir = "\/var\/lib\/p2pbak"$/m)
    expect(text).toMatch(/^interval = "1h30m1ms"$/m)
    expect(text).toMatch(/^quota = "10GB"$/m)
    expect(text).toMatch(/^bandwidth_limit = "5MiB\/s"$/m)
  })

  it('writes a comment with the default and the environment variable above every key', () => {
    const text = renderConfigToml(defaultConfig(env), { env })
    const lines = text.split('\n')
    const found = new Map<string, number>()
    let table = ''
    lines.forEach((line, i) => {
      const header = /^\[(\w+)\]$/.exec(line)
      if (header !== null) table = `${header[1]}.`
      const key = /^(?:# )?(\w+) = /.exec(line)
      if (key !== null && !found.has(table + key[1])) found.set(table + key[1], i)
    })
    for (const spec of CONFIG_KEYS) {
      const at = found.get(spec.key)
      expect(at, spec.key).toBeDefined()
      expect(lines[(at as number) - 1], spec.key).toBe(`# Default: ${spec.defaultText.replace(/`/g, '')}. Env: ${spec.env}.`)
      expect(lines[(at as number) - 2], spec.key).toMatch(/^# \S/)
    }
    // Every table is present and the file is valid TOML.
    expect(Object.keys(parseToml(text))).toEqual(['version', 'owner', 'backup', 'redundancy', 'storage', 'network', 'repair', 'control', 'log'])
  })

  it('round-trips arbitrary durations, sizes and labels', () => {
    fc.assert(fc.property(
      fc.nat({ max: 2 ** 50 }), fc.integer({ min: 1, max: 2 ** 50 }), fc.nat({ max: 2 ** 50 }),
      fc.string({ maxLength: 64 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s)),
      (jitter, interval, quota, domain) => {
        const config = loadConfig({ env, flags: { backup: { jitter, interval }, storage: { quota, domain } } })
        expect(reload(config).back).toEqual(config)
      }
    ), { numRuns: 25 })
  })
})

describe('docs/config.md', () => {
  it('describes every key and its environment variable', () => {
    const doc = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8')
    for (const spec of CONFIG_KEYS) {
      expect(doc, spec.key).toContain(`\`${spec.key}\``)
      expect(doc, spec.key).toContain(spec.env)
    }
  })

  it('its example file loads', () => {
    const doc = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8')
    const example = /```toml\n([\s\S]*?)```/.exec(doc)?.[1]
    expect(example).toBeDefined()
    const file = join(dir, 'example.toml')
    writeFileSync(file, example as string)
    const config = loadConfig({ file, env })
    expect(config.redundancy.replicas).toBeGreaterThan(0)
  })
})
