// The README's main command: `p2pbak demo` runs a whole office of daemons on 127.0.0.1 (separate
// processes), backs up, loses a machine, restores and verifies, and cleans up after itself.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseJson, runCli } from '../harness/cli.js'
import { expectJsonOutput } from '../harness/json-schema.js'
import { tempDirs } from '../harness/tmp.js'
import { makeSpecialTree } from '../harness/tree.js'

const dirs = tempDirs()
afterAll(() => { dirs.cleanup() })

describe('p2pbak demo', () => {
  it('backs up a folder to an office of daemons, loses one, the others rebuild its copies, restores byte for byte, cleans up', async () => {
    const src = join(dirs.make('p2pbak-demo-src-'), 'src')
    makeSpecialTree(src, { largeSize: 2 * 1024 * 1024 })
    mkdirSync(join(src, 'more'))
    writeFileSync(join(src, 'more', 'note.txt'), 'demo data\n')
    const r = await runCli(['--json', 'demo', '--peers', '4', src], { timeoutMs: 170_000 })
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expectJsonOutput('demo', r) // docs/json/demo.schema.json
    const out = parseJson<{ ok: boolean, folder: string, daemons: number, files: number, packs: number, packsDegradedAfterLoss: number, packsHealthyAfterRepair: number, repairCopies: number, restoredFiles: number, verifiedBytes: number }>(r)
    expect(out).toMatchObject({ ok: true, daemons: 5 })
    expect(out.files).toBeGreaterThan(10)
    expect(out.restoredFiles).toBe(out.files)
    // The colleague that went away held copies of alice's packs (the demo picks the one holding
    // most); the three left rebuilt them, and every pack has its 3 copies again.
    expect(out.packsHealthyAfterRepair).toBe(out.packs)
    expect(out.repairCopies).toBeGreaterThan(0)
    expect(out.verifiedBytes).toBeGreaterThan(0)
    expect(existsSync(out.folder)).toBe(false)
  }, 180_000)
})
