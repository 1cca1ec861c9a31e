// The control API's HTTP server (docs/control-api.md): JSON over a Unix socket that only the
// daemon's user can open (mode 0600 in a 0700 state directory), and, only when configured, over
// TCP with a bearer token. Routes come from one table; a streamed route answers NDJSON lines
// (progress events, then one result or error).
import { createHash, timingSafeEqual } from 'node:crypto'
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { logger } from '@libp2p/logger'
import { InvalidArgumentError, LockedError, noSpaceError, P2pbakError } from '../errors.js'
import { MAX_REQUEST_BODY } from './api.js'
import type { ApiError, StreamLine } from './api.js'
import type { Progress } from '../operations.js'

const log = logger('p2pbak:control')

export interface RouteContext {
  body: unknown
  /** Aborted when the client goes away. */
  signal: AbortSignal
}

export interface StreamContext extends RouteContext {
  progress: (p: Progress) => void
  queued: (operation: string, joined: boolean) => void
}

export type RouteHandler =
  | { method: 'GET' | 'POST', path: string, stream?: false, handle: (ctx: RouteContext) => Promise<unknown> }
  | { method: 'GET' | 'POST', path: string, stream: true, handle: (ctx: StreamContext) => Promise<unknown> }

export interface ControlServerOptions {
  socketPath: string
  /** "host:port" and the token clients must send; unset = no TCP listener. */
  tcp?: { listen: string, token: string }
  routes: RouteHandler[]
}

export interface ControlServer {
  /** Where it listens: the socket path, and "host:port" when TCP is on. */
  addresses: string[]
  close: () => Promise<void>
}

/** HTTP status for an error name (the name is what clients act on; the status is for curl users). */
function statusFor (name: string): number {
  switch (name) {
    case 'InvalidArgumentError': case 'UsageError': case 'ConfigError': return 400
    case 'WrongPassphraseError': case 'InvalidRecoveryKeyError': return 403
    case 'SnapshotNotFoundError': case 'NotInitializedError': case 'NotFound': return 404
    case 'LockedError': case 'AlreadyExistsError': return 409
    case 'ShuttingDown': return 503
    default: return 500
  }
}

export function toApiError (err: unknown): ApiError {
  if (!(err instanceof P2pbakError)) err = noSpaceError(err) ?? err // a full disk is never a bug
  if (err instanceof P2pbakError) return { name: err.name, message: err.message, ...(err.hint === undefined ? {} : { hint: err.hint }) }
  const e = err as Error
  if (e?.name === 'AbortError') return { name: 'Interrupted', message: e.message, hint: 'run it again' }
  return { name: 'InternalError', message: e?.message ?? String(err), hint: 'this is a bug; run the daemon with DEBUG=p2pbak:* and report its log' }
}

export async function startControlServer (options: ControlServerOptions): Promise<ControlServer> {
  const table = new Map(options.routes.map(r => [`${r.method} ${r.path}`, r]))
  const open = new Set<ServerResponse>()
  const handler = (token: string | undefined) => (req: IncomingMessage, res: ServerResponse): void => {
    open.add(res)
    res.on('close', () => open.delete(res))
    void serve(req, res, token).catch((err: Error) => {
      log.error('control request failed: %s', err.stack)
      if (!res.headersSent) sendJson(res, 500, { error: toApiError(err) })
      else res.destroy()
    })
  }

  const serve = async (req: IncomingMessage, res: ServerResponse, token: string | undefined): Promise<void> => {
    if (token !== undefined && !tokenMatches(req.headers.authorization, token)) {
      sendJson(res, 401, { error: { name: 'Unauthorized', message: 'missing or wrong control token', hint: 'send "Authorization: Bearer <token from control.token_file>"' } })
      return
    }
    const path = (req.url ?? '/').split('?')[0]!
    const route = table.get(`${req.method ?? 'GET'} ${path}`)
    if (route === undefined) {
      sendJson(res, 404, { error: { name: 'NotFound', message: `no route ${req.method ?? ''} ${path}`, hint: 'see docs/control-api.md for the routes' } })
      return
    }
    let body: unknown
    try {
      body = req.method === 'POST' ? await readJson(req) : {}
    } catch (err) {
      sendJson(res, statusFor('InvalidArgumentError'), { error: toApiError(err) })
      return
    }
    const client = new AbortController()
    res.on('close', () => { if (!res.writableFinished) client.abort(new Error('the client went away')) })
    if (route.stream !== true) {
      try {
        sendJson(res, 200, await route.handle({ body, signal: client.signal }))
      } catch (err) {
        const e = toApiError(err)
        if (e.name === 'InternalError') log.error('%s %s: %s', req.method, path, (err as Error)?.stack)
        sendJson(res, statusFor(e.name), { error: e })
      }
      return
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
    const line = (l: StreamLine<unknown>): void => { if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify(l) + '\n') }
    try {
      const result = await route.handle({
        body,
        signal: client.signal,
        progress: (p) => { line({ type: 'progress', progress: p }) },
        queued: (operation, joined) => { line({ type: 'queued', operation, joined }) }
      })
      line({ type: 'result', result })
    } catch (err) {
      const e = toApiError(err)
      if (e.name === 'InternalError') log.error('%s %s: %s', req.method, path, (err as Error)?.stack)
      line({ type: 'error', error: e })
    }
    res.end()
  }

  const servers: Server[] = []
  const addresses: string[] = []
  await claimSocketPath(options.socketPath)
  const unix = createServer(handler(undefined))
  // Created with mode 0600 (umask while binding; listen binds synchronously), chmod as a second lock.
  const oldMask = process.umask(0o177)
  try {
    await listen(unix, (s, cb) => s.listen(options.socketPath, cb))
  } finally {
    process.umask(oldMask)
  }
  chmodSync(options.socketPath, 0o600)
  servers.push(unix)
  addresses.push(options.socketPath)
  if (options.tcp !== undefined) {
    const [host, port] = splitHostPort(options.tcp.listen)
    const tcp = createServer(handler(options.tcp.token))
    await listen(tcp, (s, cb) => s.listen(port, host, cb))
    servers.push(tcp)
    const a = tcp.address()
    addresses.push(typeof a === 'object' && a !== null ? `${a.address}:${a.port}` : options.tcp.listen)
  }
  return {
    addresses,
    close: async () => {
      for (const res of open) res.destroy()
      await Promise.all(servers.map(async s => await new Promise<void>(resolve => { s.close(() => { resolve() }); s.closeAllConnections() })))
      try { unlinkSync(options.socketPath) } catch {}
    }
  }
}

async function listen (server: Server, start: (s: Server, cb: () => void) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    start(server, () => { server.off('error', reject); resolve() })
  })
}

/** A socket file left by a crashed daemon is removed; one that answers belongs to a running daemon. */
async function claimSocketPath (path: string): Promise<void> {
  if (!existsSync(path)) return
  if (!lstatSync(path).isSocket()) {
    throw new InvalidArgumentError(`${path} exists and is not a socket; refusing to replace it`, { hint: 'set control.socket to a path where nothing else lives' })
  }
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(path)
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => { resolve(false) })
  })
  if (alive) throw new LockedError(`another p2pbak daemon is listening on ${path}`, { hint: 'stop it first, or give this one another state_dir (or control.socket)' })
  unlinkSync(path)
}

function splitHostPort (s: string): [string, number] {
  const i = s.lastIndexOf(':')
  return [s.slice(0, i).replace(/^\[|\]$/g, ''), Number(s.slice(i + 1))]
}

function tokenMatches (header: string | undefined, token: string): boolean {
  const given = header?.startsWith('Bearer ') === true ? header.slice(7).trim() : ''
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(token).digest()
  return timingSafeEqual(a, b) && given !== ''
}

async function readJson (req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > MAX_REQUEST_BODY) throw new InvalidArgumentError(`request body larger than ${MAX_REQUEST_BODY} bytes`)
    parts.push(chunk)
  }
  if (size === 0) return {}
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'))
  } catch {
    throw new InvalidArgumentError('the request body is not JSON', { hint: 'send a JSON object' })
  }
}

function sendJson (res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
  res.end(body)
}
