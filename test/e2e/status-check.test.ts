// `p2pbak status --check` for monitoring: exit 0 when the data is safe, 25 (StatusWarning) when
// something needs a look, 26 (StatusError) when some data is not safe; the status is printed in
// every case, as text or JSON. Real daemons (the built binary) on 127.0.0.1, in states made
// honestly: an owner alone (no peer: error), with its colleagues but no backup yet (warning),
// after a backup with every copy in place (ok).
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Status } from '../../daemon/control/api.js'
import { exitCodeFor } from '../../cli/exit-codes.js'
import { Office, waitFor } from '../../cli/office.js'
import type { Machine } from '../../cli/office.js'
import { parseJson, runCli } from '../harness/cli.js'
import type { CliResult } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'

const dirs = tempDirs()
let office: Office
let alice: Machine
let holders: Machine[]
let src: string

const status = async (m: Machine, args: string[]): Promise<CliResult> => await runCli(['-c', m.configPath, 'status', ...args], { env: { HOME: m.dir } })

beforeAll(async () => {
  const root = dirs.make('p2pbak-status-check-')
  src = join(root, 'src')
  mkdirSync(src)
  for (let i = 0; i < 5; i++) writeFileSync(join(src, `f${i}.txt`), `file ${i}\n`.repeat(1000))
  office = new Office({ root: join(root, 'office') })
  alice = await office.addMachine('alice', { owner: 'alice', passphrase: 'status check passphrase', config: { redundancy: { replicas: 3 } } })
}, 60_000)

afterAll(async () => {
  await office?.stopAll()
  dirs.cleanup()
}, 60_000)

describe('p2pbak status --check', () => {
  it('error (26): an owner whose daemon reaches no peer; the status is still printed, text and JSON', async () => {
    await office.start(alice)
    const text = await status(alice, ['--check'])
    expect(text.code, text.stderr).toBe(exitCodeFor('StatusError'))
    expect(exitCodeFor('StatusError')).toBe(26)
    expect(text.stdout).toMatch(/^p2pbak status: ERROR/)
    expect(text.stdout).toMatch(/no peer is connected/)
    expect(text.stderr).toBe('')
    const json = await status(alice, ['--json', '--check'])
    expect(json.code, json.stderr).toBe(26)
    expect(parseJson<Status>(json)).toMatchObject({ verdict: 'error', problems: expect.arrayContaining([expect.objectContaining({ code: 'no-peers', severity: 'error' })]) })
    // Without --check, status answers 0 whatever it finds.
    expect((await status(alice, [])).code).toBe(0)
  }, 60_000)

  it('warning (25): colleagues online, but no backup yet', async () => {
    holders = []
    for (const [i, name] of ['bob', 'carol', 'dave'].entries()) holders.push(await office.addMachine(name, { config: { storage: { domain: `desk-${i}` } }, bootstrap: [alice] }))
    await Promise.all(holders.map(async h => await office.start(h)))
    await waitFor(async () => { const s = parseJson<Status>(await status(alice, ['--json'])); return s.swarm.online === 3 ? s : undefined }, 30_000, '3 peers online', 300)
    const json = await status(alice, ['--json', '--check'])
    expect(json.code, json.stderr).toBe(exitCodeFor('StatusWarning'))
    expect(exitCodeFor('StatusWarning')).toBe(25)
    const s = parseJson<Status>(json)
    expect(s.verdict).toBe('warning')
    expect(s.problems.map(p => p.code)).toEqual(['no-backup-yet'])
    const text = await status(alice, ['--check'])
    expect(text.code).toBe(25)
    expect(text.stdout).toMatch(/^p2pbak status: WARNING/)
  }, 60_000)

  it('ok (0): after a backup with every copy in place', async () => {
    const b = await runCli(['-c', alice.configPath, '--json', 'backup', src], { env: { HOME: alice.dir } })
    expect(b.code, b.stderr + b.stdout).toBe(0)
    const ok = await waitFor(async () => {
      const r = await status(alice, ['--json', '--check'])
      return r.code === 0 ? r : undefined
    }, 30_000, 'status ok', 300)
    expect(parseJson<Status>(ok)).toMatchObject({ verdict: 'ok', problems: [] })
    const text = await status(alice, ['--check'])
    expect(text.code, text.stdout).toBe(0)
    expect(text.stdout).toMatch(/^p2pbak status: OK/)
  }, 90_000)
})
