// `p2pbak status` text about backup sets: the owner line is the configured set's, an ad-hoc backup
// is shown apart, and a null nextBackup says why (no backup.paths, leaving, or a run going on).
import { describe, expect, it } from 'vitest'
import { renderStatus } from '../../../cli/commands/status.js'
import type { Status } from '../../../daemon/control/api.js'

const T = Date.UTC(2026, 11, 6, 2, 0, 0)

function status (owner: Partial<NonNullable<Status['owner']>>, leaving = false): Status {
  return {
    apiVersion: 1, verdict: 'ok', time: new Date(T).toISOString(),
    daemon: { version: '0.1.0', pid: 1, uptime: 1000, peerId: '12D3KooWabcdefgh', listen: [], stateDir: '/s', swarmId: 'aabbccdd', awayUntil: null, leaving },
    swarm: { online: 2, absent: 0, gone: 0, goneAfter: 1000 },
    owner: {
      name: 'alice', ownerId: 'id', replicas: 2, erasure: null,
      lastBackup: { snapshot: 'a'.repeat(64), time: new Date(T - 60_000).toISOString(), age: 60_000, files: 12, bytes: 1024 },
      lastAdHocBackup: null, nextBackup: new Date(T + 3_600_000).toISOString(), backupPaths: ['/home/alice/Documents'],
      packs: { total: 1, healthy: 1, degraded: 0, atRisk: 0, lost: 0 }, restorable: null,
      ...owner
    },
    storage: { offered: 0, used: 0, free: 0, packs: 0, domain: '' },
    operations: [],
    repair: { lastCheck: null, checkInterval: 1000 } as unknown as Status['repair'],
    problems: []
  }
}

describe('status text and backup sets', () => {
  it('shows the configured set\'s last backup, and an ad-hoc one on a line of its own', () => {
    const text = renderStatus(status({ lastAdHocBackup: { snapshot: 'b'.repeat(64), time: new Date(T - 30_000).toISOString(), paths: ['/tmp/x'], tags: ['scratch'] } }))
    expect(text).toMatch(/owner {5}alice: last backup .* ago \(aaaaaaaa, 12 files, 1\.00 KiB\); next in /)
    expect(text).toMatch(/ad hoc {4}bbbbbbbb 30 ?s ago of \/tmp\/x \[scratch\] \(not the scheduled set; restore it with --path or its ID\)/)
    expect(renderStatus(status({}))).not.toMatch(/ad hoc/)
  })

  it('a null nextBackup says why: no backup.paths, leaving, or a scheduled backup running now', () => {
    expect(renderStatus(status({ nextBackup: null, backupPaths: [] }))).toContain('no schedule (backup.paths is empty)')
    expect(renderStatus(status({ nextBackup: null }, true))).toContain('no schedule (leaving the swarm)')
    expect(renderStatus(status({ nextBackup: null }))).toContain('a scheduled backup is running')
  })
})
