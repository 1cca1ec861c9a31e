// Every command's --json output, for real, against its JSON Schema in docs/json/ (ajv, draft
// 2020-12). The built binary runs against real daemons on 127.0.0.1 (an owner and three holders)
// and a local repository folder.
//
// The command list comes from the CLI itself (buildProgram's command tree), so a new command
// fails the first test until it has
//   1. its schema, docs/json/<verb>[-<subverb>].schema.json, and
//   2. a row in RUN below: how to run it here (it may set up what it needs; rows run in order),
//      or, for a command that prints no JSON, a line in NO_JSON_OUTPUT saying why,
//      or, for one that another e2e test already runs, a line in RUN_ELSEWHERE naming that file
//      (which must call expectJsonOutput('<command>', …)).
// The schemas in docs/json/ are the source: every one of them must belong to a command (or be
// error / progress, checked here too).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from 'commander'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildProgram } from '../../cli/main.js'
import type { CliIo } from '../../cli/io.js'
import { Office, waitFor } from '../../cli/office.js'
import type { Machine } from '../../cli/office.js'
import type { Status } from '../../daemon/control/api.js'
import { parseJson, runCli } from '../harness/cli.js'
import type { CliResult } from '../harness/cli.js'
import { expectJsonOutput, expectValid, schemaNameOf, schemaNames, SHARED_SCHEMAS } from '../harness/json-schema.js'
import { tempDirs } from '../harness/tmp.js'
import { makeSpecialTree } from '../harness/tree.js'

/** Every runnable command of the CLI ("status", "swarm init", "local ls", …), from its command tree. */
function commandsOf (cmd: Command, prefix: string[] = []): string[] {
  return cmd.commands.flatMap(c => {
    const own = [...prefix, c.name()]
    // A command with subcommands is itself runnable when it has an action of its own (`peers`, `peers forget`).
    const runnable = c.commands.length === 0 || (c as unknown as { _actionHandler: unknown })._actionHandler != null
    return [...(runnable ? [own.join(' ')] : []), ...commandsOf(c, own)]
  })
}
const silent = { write: () => true }
const COMMANDS = commandsOf(buildProgram({ stdout: silent, stderr: silent, stdin: process.stdin, env: {}, cwd: '/' } as unknown as CliIo))

const NO_JSON_OUTPUT: Record<string, string> = {
  daemon: 'runs in the foreground until stopped: no answer, only the operator log on stderr'
}
const RUN_ELSEWHERE: Record<string, string> = {
  demo: 'test/e2e/demo.test.ts' // a whole office of five daemons for a minute: run once, there
}

const dirs = tempDirs()
let root: string
let src: string
let office: Office
let alice: Machine
let dave: Machine
let aliceConfig: string
const PASS = 'json schemas: a long and unguessable passphrase 7731'
let passFile: string
let local: string[]

const cli = async (args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> => await runCli(['--json', '-c', aliceConfig, ...args], { env: { HOME: root, ...env } })

/** How to run each command (in this order, each may rely on the rows before it). */
const RUN: Record<string, () => Promise<CliResult[]>> = {
  'swarm init': async () => [await runCli(['--json', 'swarm', 'init', '--out', join(root, 'another-office.key')])],
  init: async () => {
    const r = await cli(['init', '--owner', 'alice', '--password-file', passFile, '--state-dir', join(root, 'alice', 'state'),
      '--swarm-key', office.swarmKeyPath, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--replicas', '3'])
    // The office the rows below talk to: alice's daemon and three holders.
    alice = await office.register('alice', aliceConfig)
    await office.start(alice)
    const holders: Machine[] = []
    for (const [i, name] of ['bob', 'carol', 'dave'].entries()) holders.push(await office.addMachine(name, { config: { storage: { domain: `desk-${i}` } }, bootstrap: [alice] }))
    await Promise.all(holders.map(async m => await office.start(m)))
    dave = holders[2]!
    await waitFor(async () => ((await alice.client.status()).swarm.online === 3 ? true : undefined), 30_000, '3 peers online', 300)
    return [r]
  },
  backup: async () => {
    const r = await cli(['backup', '--tag', 'first', src])
    expect(expectJsonOutput('backup', r).progress.length, 'NDJSON progress lines before the answer').toBeGreaterThan(0)
    return [r]
  },
  status: async () => {
    // Once the restorable share is computed, every part of the answer is filled in.
    const r = await waitFor(async () => { const x = await cli(['status']); return parseJson<Status>(x).owner?.restorable !== null ? x : undefined }, 30_000, 'restorable share', 300)
    return [r, await cli(['status', '--check'])]
  },
  snapshots: async () => [await cli(['snapshots'])],
  history: async () => [await cli(['history'])],
  ls: async () => [await cli(['ls', 'latest']), await cli(['ls', 'latest', join(src, 'docs')])],
  restore: async () => {
    const r = await cli(['restore', 'latest', '--target', join(root, 'restored')])
    expect(expectJsonOutput('restore', r).progress.length).toBeGreaterThan(0)
    // A fresh machine (lost laptop): no daemon, no config; a short-lived peer joins the office.
    const home = join(root, 'fresh')
    mkdirSync(join(home, 'state'), { recursive: true, mode: 0o700 })
    copyFileSync(office.swarmKeyPath, join(home, 'state', 'swarm.key'))
    const fresh = await runCli(['--json', 'restore', '--owner', 'alice', '--target', join(root, 'restored-fresh'), '--state-dir', join(home, 'state'), '--bootstrap', alice.address!], {
      env: { HOME: home, P2PBAK_PASSWORD: PASS, P2PBAK_NETWORK_MDNS: 'false', P2PBAK_NETWORK_LISTEN: '/ip4/127.0.0.1/tcp/0' }, timeoutMs: 120_000
    })
    return [r, fresh]
  },
  check: async () => [await cli(['check']), await cli(['check', '--read-data'])],
  peers: async () => [await cli(['peers'])],
  'key recovery': async () => [await cli(['key', 'recovery', '--password-file', passFile])],
  'key passwd': async () => {
    const next = join(root, 'next-pass')
    writeFileSync(next, 'json schemas: the next passphrase, also long 9902\n', { mode: 0o600 })
    const r = await cli(['key', 'passwd', '--password-file', passFile, '--new-password-file', next])
    copyFileSync(next, passFile)
    return [r]
  },
  away: async () => [await cli(['away', '--for', '1h']), await cli(['away', '--cancel'])],
  leave: async () => [await cli(['leave']), await cli(['leave', '--cancel'])], // alice holds nothing for others: quick
  'peers forget': async () => {
    // A holder that is no longer online can be forgotten without --force.
    await office.stop(dave)
    await waitFor(async () => ((await alice.client.peers()).find(p => p.peerId === dave.peerId)?.liveness !== 'online' ? true : undefined), 30_000, 'dave offline', 300)
    return [await cli(['peers', 'forget', dave.peerId])]
  },
  'config show': async () => [await cli(['config', 'show'])],
  'local init': async () => [await runCli(['--json', 'local', 'init', '--owner', 'alice-local', ...local])],
  'local backup': async () => [await runCli(['--json', 'local', 'backup', '--tag', 'x', ...local, src])],
  'local snapshots': async () => [await runCli(['--json', 'local', 'snapshots', ...local])],
  'local ls': async () => [await runCli(['--json', 'local', 'ls', 'latest', ...local])],
  'local restore': async () => [await runCli(['--json', 'local', 'restore', 'latest', '--target', join(root, 'restored-local'), ...local])],
  'local check': async () => [await runCli(['--json', 'local', 'check', '--read-data', ...local])],
  'local passwd': async () => {
    const next = join(root, 'next-local-pass')
    writeFileSync(next, 'json schemas: a new local passphrase 5518\n', { mode: 0o600 })
    return [await runCli(['--json', 'local', 'passwd', '--new-password-file', next, ...local])]
  }
}

beforeAll(() => {
  root = dirs.make('p2pbak-json-schemas-')
  src = join(root, 'src')
  makeSpecialTree(src, { largeSize: 1024 * 1024 })
  passFile = join(root, 'pass')
  writeFileSync(passFile, PASS + '\n', { mode: 0o600 })
  aliceConfig = join(root, 'alice', 'config.toml')
  office = new Office({ root: join(root, 'office') })
  local = ['--repo', join(root, 'local-repo'), '--state', join(root, 'local-state'), '--password-file', passFile]
})

afterAll(async () => {
  await office?.stopAll()
  dirs.cleanup()
}, 60_000)

describe('--json output matches docs/json/', () => {
  it('every command has a schema and a way to run it here; every schema belongs to a command', () => {
    expect(COMMANDS.length).toBeGreaterThan(20)
    const schemas = schemaNames()
    const withOutput = COMMANDS.filter(c => NO_JSON_OUTPUT[c] === undefined)
    expect(withOutput.filter(c => !schemas.includes(schemaNameOf(c))), 'commands without docs/json/<verb>[-<subverb>].schema.json').toEqual([])
    expect(withOutput.filter(c => RUN[c] === undefined && RUN_ELSEWHERE[c] === undefined), 'commands without a row in RUN (or RUN_ELSEWHERE)').toEqual([])
    expect(schemas.filter(s => !SHARED_SCHEMAS.includes(s) && !withOutput.some(c => schemaNameOf(c) === s)), 'schemas of no command').toEqual([])
    expect(Object.keys(RUN).filter(c => !COMMANDS.includes(c)), 'rows of no command').toEqual([])
    for (const [command, file] of Object.entries(RUN_ELSEWHERE)) {
      expect(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'), `${file} checks ${command}`).toContain(`expectJsonOutput('${command}'`)
    }
  })

  for (const [command, run] of Object.entries(RUN)) {
    it(`${command}: its real output matches docs/json/${schemaNameOf(command)}.schema.json`, async () => {
      for (const r of await run()) {
        expect(r.code, `${command}: ${r.stderr}${r.stdout}`).toBe(0)
        expectJsonOutput(command, r)
      }
    }, 120_000)
  }

  it('errors: one JSON object on stdout with name, message, hint and the exit code; the same words on stderr', async () => {
    const idle = join(root, 'idle')
    mkdirSync(idle)
    writeFileSync(join(idle, 'config.toml'), `version = 1\nstate_dir = "${join(idle, 'state')}"\n`)
    const cases: Array<[CliResult, string, number]> = [
      [await runCli(['--json', '-c', join(idle, 'config.toml'), 'status'], { env: { HOME: idle } }), 'DaemonNotRunningError', 22],
      [await cli(['ls', 'deadbeef']), 'SnapshotNotFoundError', 9],
      [await cli(['backup', '--no-such-option']), 'UsageError', 2],
      [await runCli(['--json', 'local', 'snapshots', '--repo', join(root, 'nowhere'), '--password-file', passFile]), 'NotInitializedError', 4]
    ]
    for (const [r, name, code] of cases) {
      expect(r.code, r.stderr).toBe(code)
      const lines = r.stdout.trim().split('\n')
      expect(lines, r.stdout).toHaveLength(1)
      const e = JSON.parse(lines[0]!) as { error: { name: string, exitCode: number, message: string } }
      expectValid('error', e)
      expect(e.error).toMatchObject({ name, exitCode: code })
      expect(r.stderr).toContain(name === 'UsageError' ? 'error:' : e.error.message)
    }
  })
})
