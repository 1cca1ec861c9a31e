// The exit-code table in docs/daemon.md is the one `p2pbak --help` prints: same codes, names
// and meanings, none missing, so a script writer can trust either.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXIT_CODES, exitCodeFor } from '../../../cli/exit-codes.js'

describe('exit codes', () => {
  it('docs/daemon.md lists every code of the table, with its name and meaning', () => {
    const all = readFileSync(join(import.meta.dirname, '../../../docs/daemon.md'), 'utf8')
    const doc = all.slice(all.indexOf('### Exit codes'), all.indexOf('### Forgetting a peer'))
    const rows = [...doc.matchAll(/^\| (\d+) \| `(\w+)` \| (.*) \|$/gm)].map(m => ({ code: Number(m[1]), name: m[2], meaning: m[3]!.replace(/\\\|/g, '|') }))
    expect(rows).toEqual(EXIT_CODES.map(e => ({ code: e.code, name: e.name, meaning: e.meaning })))
  })

  it('codes and names are unique, and an unknown name is an internal error', () => {
    expect(new Set(EXIT_CODES.map(e => e.code)).size).toBe(EXIT_CODES.length)
    expect(new Set(EXIT_CODES.map(e => e.name)).size).toBe(EXIT_CODES.length)
    expect(exitCodeFor('IncompleteSnapshotError')).toBe(24)
    expect(exitCodeFor('NoSuchError')).toBe(1)
  })
})
