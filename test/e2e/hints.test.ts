// Hints keep the -c FILE the user gave: a suggested `p2pbak …` acts on the same configuration
// (the same daemon, owner and state), never on the default one. The built binary, as a user runs it.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exitCodeFor } from '../../cli/exit-codes.js'
import { parseJson, runCli } from '../harness/cli.js'
import { tempDirs } from '../harness/tmp.js'

const dirs = tempDirs()
let root: string
let passFile: string

beforeAll(() => {
  root = dirs.make('p2pbak-hints-')
  passFile = join(root, 'pass')
  writeFileSync(passFile, 'hints keep the config file given\n', { mode: 0o600 })
})

afterAll(() => { dirs.cleanup() })

describe('hints name the configuration the user gave', () => {
  it('init -c FILE: "start it with `p2pbak -c FILE daemon`", and the swarm init hint carries it too', async () => {
    const config = join(root, 'x', 'config.toml')
    const r = await runCli(['-c', config, 'init', '--owner', 'hinted', '--password-file', passFile, '--state-dir', join(root, 'x', 'state'), '--no-mdns'], { env: { HOME: root } })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`start it with \`p2pbak -c ${config} daemon\``)
    expect(r.stdout).toContain(`\`p2pbak -c ${config} swarm init\``)
    expect(r.stdout).not.toMatch(/`p2pbak (daemon|swarm)/)
  })

  it('status -c FILE with no daemon: the hint says `p2pbak -c FILE daemon`, in text and in JSON', async () => {
    const config = join(root, 'x', 'config.toml')
    const r = await runCli(['-c', config, 'status'], { env: { HOME: root } })
    expect(r.code).toBe(exitCodeFor('DaemonNotRunningError'))
    expect(r.stderr).toContain(`hint: start it with \`p2pbak -c ${config} daemon\``)
    const j = await runCli(['--json', '-c', config, 'status'], { env: { HOME: root } })
    expect(j.code).toBe(exitCodeFor('DaemonNotRunningError'))
    expect(parseJson<{ error: { hint: string } }>(j).error.hint).toContain(`\`p2pbak -c ${config} daemon\``)
  })

  it('a relative -c is made absolute, and a path with a space is quoted for the shell', async () => {
    const spaced = join(root, 'my office')
    mkdirSync(spaced)
    writeFileSync(join(spaced, 'config.toml'), `version = 1\nstate_dir = "${join(spaced, 'state')}"\n`)
    const r = await runCli(['-c', 'config.toml', 'status'], { cwd: spaced, env: { HOME: root } })
    expect(r.code).toBe(exitCodeFor('DaemonNotRunningError'))
    expect(r.stderr).toContain(`\`p2pbak -c '${join(spaced, 'config.toml')}' daemon\``)
  })

  it('without -c (default file, or P2PBAK_CONFIG, which the environment carries) the hint adds nothing', async () => {
    const config = join(root, 'x', 'config.toml')
    const env = await runCli(['status'], { env: { HOME: root, P2PBAK_CONFIG: config } })
    expect(env.code).toBe(exitCodeFor('DaemonNotRunningError'))
    expect(env.stderr).toContain('start it with `p2pbak daemon`')
    const none = await runCli(['status'], { env: { HOME: join(root, 'nobody'), XDG_CONFIG_HOME: join(root, 'nobody'), XDG_DATA_HOME: join(root, 'nobody'), XDG_RUNTIME_DIR: '' } })
    expect(none.stderr).not.toContain('-c ')
  })
})
