// Backup sets and snapshot selection (docs/format.md §7 "Backup sets"): which set a snapshot
// belongs to, the restic-style filters (`--path`, `--tag`, `--host`) of `snapshots`, `ls`,
// `restore` (and a future `forget`), and what `latest` means: the newest snapshot of the owner's
// configured set, unless filters say otherwise. Pure functions over decoded snapshots: the daemon,
// `p2pbak local` and the fresh-machine restore all select through here.
import { createHash } from 'node:crypto'
import { isAbsolute, resolve } from 'node:path'
import { InvalidArgumentError, SnapshotNotFoundError } from './errors.js'
import { SnapshotOrigin } from './repository/pb/repo.js'
import type { Snapshot } from './repository/pb/repo.js'

/** What selection needs of a listed snapshot (Repository's SnapshotInfo has it). */
export interface SelectableSnapshot {
  id: string
  snapshot: Snapshot
}

/**
 * restic's filters. A snapshot matches when every given kind matches:
 * - `paths`: the snapshot's paths include every one of them (exact, after normalisation);
 * - `tags`: any of the lists, where a list matches when the snapshot has all its tags
 *   (`--tag a,b --tag c` = (a and b) or c);
 * - `hosts`: its hostname is one of them.
 */
export interface SnapshotFilter {
  paths?: string[]
  tags?: string[][]
  hosts?: string[]
}

export interface SnapshotSelection {
  filter?: SnapshotFilter
  /**
   * The configured backup.paths where they are known (the daemon). Without them (a fresh machine,
   * `p2pbak local`) the configured set is found from the snapshots' recorded origin alone.
   */
  configuredPaths?: readonly string[]
}

export type OriginName = 'configured' | 'ad-hoc' | 'unrecorded'

/** Absolute, resolved, de-duplicated, with paths inside another one dropped, sorted: a set's paths as stored. */
export function normalizeSetPaths (paths: readonly string[]): string[] {
  for (const p of paths) {
    if (!isAbsolute(p)) throw new InvalidArgumentError(`backup path "${p}" is not absolute`, { hint: 'give full paths such as /home/alice/Documents' })
  }
  const sorted = [...new Set(paths.map(p => resolve(p)))].sort()
  const out: string[] = []
  for (const p of sorted) {
    if (out.some(o => p === o || p.startsWith(o === '/' ? '/' : o + '/'))) continue
    out.push(p)
  }
  return out
}

/** Sorted, without duplicates: a set's tags as stored. */
export function normalizeTags (tags: readonly string[]): string[] {
  return [...new Set(tags)].sort()
}

/** Splits `--tag` values on commas (restic: `--tag a,b` is one list of two tags); empty pieces dropped. */
export function parseTagFilter (values: readonly string[]): string[][] {
  return values.map(v => v.split(',').map(t => t.trim()).filter(t => t !== '')).filter(l => l.length > 0)
}

function pathsOf (s: Snapshot): string[] {
  return s.paths.map(p => Buffer.from(p).toString())
}

/** A set's identity: its sorted paths and sorted tags (restic groups by host + paths + tags; the host is shown apart). */
export function setKey (paths: readonly string[], tags: readonly string[]): string {
  return JSON.stringify([[...paths].sort(), normalizeTags(tags)])
}

/** A short, stable name of a set for listings and scripts: 8 hex digits of SHA-256 of its key. */
export function setId (paths: readonly string[], tags: readonly string[]): string {
  return createHash('sha256').update(setKey(paths, tags)).digest('hex').slice(0, 8)
}

export function snapshotSetKey (s: Snapshot): string {
  return setKey(pathsOf(s), s.tags)
}

export function snapshotSetId (s: Snapshot): string {
  return setId(pathsOf(s), s.tags)
}

/** The origin a new snapshot of `paths` and `tags` records, given the configured backup.paths. */
export function originFor (paths: readonly string[], tags: readonly string[], configuredPaths: readonly string[]): SnapshotOrigin {
  if (configuredPaths.length === 0) return SnapshotOrigin.ORIGIN_AD_HOC
  return setKey(normalizeSetPaths(paths), tags) === setKey(normalizeSetPaths(configuredPaths), [])
    ? SnapshotOrigin.ORIGIN_CONFIGURED
    : SnapshotOrigin.ORIGIN_AD_HOC
}

export function originName (o: SnapshotOrigin | undefined): OriginName {
  return o === SnapshotOrigin.ORIGIN_CONFIGURED ? 'configured' : o === SnapshotOrigin.ORIGIN_AD_HOC ? 'ad-hoc' : 'unrecorded'
}

/** Filter paths as the user typed them: made absolute against `cwd`, normalised like stored paths. */
export function resolveFilterPaths (paths: readonly string[], cwd: string): string[] {
  return paths.map(p => resolve(cwd, p))
}

export function isEmptyFilter (f: SnapshotFilter | undefined): boolean {
  return f === undefined || ((f.paths?.length ?? 0) === 0 && (f.tags?.length ?? 0) === 0 && (f.hosts?.length ?? 0) === 0)
}

export function matchesFilter (s: Snapshot, f: SnapshotFilter | undefined): boolean {
  if (f === undefined) return true
  if (f.hosts !== undefined && f.hosts.length > 0 && !f.hosts.includes(s.hostname)) return false
  if (f.paths !== undefined && f.paths.length > 0) {
    const have = new Set(pathsOf(s))
    if (!f.paths.every(p => have.has(resolve(p)))) return false
  }
  if (f.tags !== undefined && f.tags.length > 0) {
    const have = new Set(s.tags)
    if (!f.tags.some(list => list.every(t => have.has(t)))) return false
  }
  return true
}

/** The snapshots that match, in the order given (listSnapshots: oldest first). */
export function filterSnapshots<T extends SelectableSnapshot> (all: readonly T[], f: SnapshotFilter | undefined): T[] {
  return isEmptyFilter(f) ? [...all] : all.filter(s => matchesFilter(s.snapshot, f))
}

/**
 * The newest snapshot of the configured set, from `all` sorted oldest first; the first rule that
 * finds one wins (docs/format.md §7):
 * 1. with the configured paths known: the newest snapshot whose set is (those paths, no tags);
 * 2. the newest snapshot recorded as ORIGIN_CONFIGURED (a fresh machine; or the daemon after
 *    backup.paths changed, until the new set's first backup);
 * 3. the newest snapshot not recorded as ad hoc (written before the origin was recorded: as before);
 * 4. the newest snapshot (an owner that only ever made ad-hoc backups); left out with
 *    `orNewest: false` (status, when backup.paths is set: ad-hoc snapshots are not its backups).
 */
export function latestOfConfiguredSet<T extends SelectableSnapshot> (all: readonly T[], configuredPaths?: readonly string[], o: { orNewest?: boolean } = {}): T | undefined {
  if (configuredPaths !== undefined && configuredPaths.length > 0) {
    const hit = findLast(all, s => isOfConfiguredSet(s.snapshot, configuredPaths))
    if (hit !== undefined) return hit
  }
  return findLast(all, s => s.snapshot.origin === SnapshotOrigin.ORIGIN_CONFIGURED) ??
    findLast(all, s => s.snapshot.origin !== SnapshotOrigin.ORIGIN_AD_HOC) ??
    (o.orNewest === false ? undefined : all.at(-1))
}

/** Whether `s` is of the configured set as the daemon knows it now: (backup.paths, no tags). */
export function isOfConfiguredSet (s: Snapshot, configuredPaths: readonly string[]): boolean {
  if (configuredPaths.length === 0) return false
  return snapshotSetKey(s) === setKey(normalizeSetPaths(configuredPaths), [])
}

/** What `latest` means under `selection`: the configured set's newest, or with filters the newest that matches. */
export function resolveLatest<T extends SelectableSnapshot> (all: readonly T[], selection: SnapshotSelection = {}): T | undefined {
  if (!isEmptyFilter(selection.filter)) return filterSnapshots(all, selection.filter).at(-1)
  return latestOfConfiguredSet(all, selection.configuredPaths)
}

/** "--path /a --tag x,y --host h", for messages. */
export function describeFilter (f: SnapshotFilter | undefined): string {
  if (f === undefined) return ''
  return [
    ...(f.paths ?? []).map(p => `--path ${p}`),
    ...(f.tags ?? []).map(l => `--tag ${l.join(',')}`),
    ...(f.hosts ?? []).map(h => `--host ${h}`)
  ].join(' ')
}

/**
 * A snapshot by `latest`, full hex ID or unique prefix (at least 4 hex digits), among those that
 * match the filters. Unlike restic, the filters narrow an ID too: an ID that does not match them
 * is not found rather than silently restored.
 */
export function selectSnapshot<T extends SelectableSnapshot> (all: readonly T[], spec: string, selection: SnapshotSelection = {}): T {
  const filtered = !isEmptyFilter(selection.filter)
  const matching = filtered ? ` matching ${describeFilter(selection.filter)}` : ''
  if (spec === 'latest') {
    const found = resolveLatest(all, selection)
    if (found !== undefined) return found
    if (all.length === 0) throw new SnapshotNotFoundError('there are no snapshots yet', { hint: 'run `p2pbak backup` first' })
    throw new SnapshotNotFoundError(`no snapshot${matching}`, { hint: 'list them with `p2pbak snapshots`; --path takes a folder exactly as it was backed up' })
  }
  if (!/^[0-9a-f]{4,64}$/.test(spec)) throw new InvalidArgumentError(`"${spec}" is not a snapshot ID`, { hint: 'give `latest` or at least 4 hex digits of an ID from `p2pbak snapshots`' })
  const found = filterSnapshots(all, selection.filter).filter(s => s.id.startsWith(spec))
  if (found.length === 0) throw new SnapshotNotFoundError(`no snapshot${matching} matches ${spec}`, { hint: filtered ? 'list them with `p2pbak snapshots`, or leave out the filters' : 'list them with `p2pbak snapshots`' })
  if (found.length > 1) throw new SnapshotNotFoundError(`${found.length} snapshots match ${spec}`, { hint: 'give more digits of the ID' })
  return found[0]!
}

/** Snapshots grouped by host and set, each group oldest first; groups ordered by their newest snapshot. */
export function groupBySet<T extends SelectableSnapshot> (all: readonly T[]): Array<{ set: string, hostname: string, paths: string[], tags: string[], snapshots: T[] }> {
  const groups = new Map<string, { set: string, hostname: string, paths: string[], tags: string[], snapshots: T[] }>()
  for (const s of all) {
    const key = `${s.snapshot.hostname}\n${snapshotSetKey(s.snapshot)}`
    let g = groups.get(key)
    if (g === undefined) {
      g = { set: snapshotSetId(s.snapshot), hostname: s.snapshot.hostname, paths: pathsOf(s.snapshot).sort(), tags: normalizeTags(s.snapshot.tags), snapshots: [] }
      groups.set(key, g)
    }
    g.snapshots.push(s)
  }
  const newest = new Map(all.map((s, i) => [s, i]))
  return [...groups.values()].sort((a, b) => newest.get(a.snapshots.at(-1)!)! - newest.get(b.snapshots.at(-1)!)!)
}

function findLast<T> (all: readonly T[], pred: (t: T) => boolean): T | undefined {
  for (let i = all.length - 1; i >= 0; i--) if (pred(all[i]!)) return all[i]
  return undefined
}
