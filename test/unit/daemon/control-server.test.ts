// The control API's HTTP server: JSON over a private Unix socket (and TCP with a bearer token when
// configured), named errors with a status, NDJSON for streamed routes, one daemon per socket.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DaemonClient, DaemonNotRunningError } from '../../../cli/client.js'
import { MAX_REQUEST_BODY } from '../../../daemon/control/api.js'
import type { ApiError, Progress, StreamLine } from '../../../daemon/control/api.js'
import { startControlServer, toApiError } from '../../../daemon/control/server.js'
import type { ControlServer, RouteHandler } from '../../../daemon/control/server.js'
import { InvalidArgumentError, LockedError, SnapshotNotFoundError, WrongPassphraseError } from '../../../daemon/errors.js'
import { tempDirs } from '../../harness/tmp.js'
import { deferred } from './deferred.js'
import type { Deferred } from './deferred.js'

const dirs = tempDirs()
const servers: ControlServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
  dirs.cleanup()
})

type Where = { socketPath: string } | { host: string, port: number }
interface Answer { status: number, headers: IncomingHttpHeaders, text: string }

/** One HTTP request; a body the server stops reading (EPIPE on our side) still yields its answer. */
async function call (where: Where, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return await new Promise<Answer>((resolve, reject) => {
    const h: Record<string, string> = { ...headers }
    if (body !== undefined) h['content-length'] = String(Buffer.byteLength(body))
    const req = request({ ...where, method, path, headers: h }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, text }) })
      res.on('error', reject)
    })
    req.on('socket', (s) => { s.on('error', () => {}) }) // EPIPE after an early answer
    req.on('error', reject)
    req.end(body)
  })
}

const json = (a: Answer): { error?: ApiError, got?: { s?: string }, [k: string]: unknown } => JSON.parse(a.text) as { error?: ApiError }
const ndjson = (a: Answer): Array<StreamLine<unknown>> => a.text.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as StreamLine<unknown>)

const progress = (bytesDone: number): Progress => ({ kind: 'backup', stage: 'backing up', filesDone: 1, bytesDone, rate: 10 })

interface Seen { aborted: AbortSignal | undefined, hanging: Deferred<unknown> }

function routes (seen: Seen): RouteHandler[] {
  return [
    { method: 'GET', path: '/v1/hello', handle: async () => ({ hello: 'world' }) },
    { method: 'POST', path: '/v1/echo', handle: async ({ body }) => ({ got: body }) },
    { method: 'POST', path: '/v1/invalid', handle: async () => { throw new InvalidArgumentError('target must be absolute', { hint: 'give a full path' }) } },
    { method: 'GET', path: '/v1/locked', handle: async () => { throw new LockedError('the repository is locked') } },
    { method: 'GET', path: '/v1/missing', handle: async () => { throw new SnapshotNotFoundError('no snapshot abc') } },
    { method: 'POST', path: '/v1/wrong', handle: async () => { throw new WrongPassphraseError('wrong passphrase') } },
    { method: 'GET', path: '/v1/bug', handle: async () => { throw new TypeError('x is undefined') } },
    {
      method: 'GET',
      path: '/v1/hang',
      handle: async ({ signal }) => {
        seen.aborted = signal
        return await seen.hanging.promise
      }
    },
    {
      method: 'POST',
      path: '/v1/stream',
      stream: true,
      handle: async ({ body, progress: p, queued }) => {
        queued('op-1', false)
        p(progress(10))
        p(progress(20))
        return { done: true, body }
      }
    },
    {
      method: 'POST',
      path: '/v1/stream-fail',
      stream: true,
      handle: async ({ progress: p }) => {
        p(progress(5))
        throw new InvalidArgumentError('bad include pattern', { hint: 'see the docs' })
      }
    },
    {
      method: 'POST',
      path: '/v1/stream-hang',
      stream: true,
      handle: async ({ progress: p, signal }) => {
        p(progress(1))
        seen.aborted = signal
        return await seen.hanging.promise
      }
    }
  ]
}

async function start (options: { tcp?: { listen: string, token: string }, socketPath?: string } = {}): Promise<{ server: ControlServer, socketPath: string, seen: Seen }> {
  const socketPath = options.socketPath ?? join(dirs.make('p2pbak-ctl-'), 'control.sock')
  const seen: Seen = { aborted: undefined, hanging: deferred<unknown>() }
  const server = await startControlServer({ socketPath, routes: routes(seen), ...(options.tcp === undefined ? {} : { tcp: options.tcp }) })
  servers.push(server)
  return { server, socketPath, seen }
}

describe('control server', () => {
  it('listens on a socket only its user can open, and removes it on close', async () => {
    const { server, socketPath } = await start()
    expect(server.addresses).toEqual([socketPath])
    const st = statSync(socketPath)
    expect(st.isSocket()).toBe(true)
    expect(st.mode & 0o777).toBe(0o600)
    await server.close()
    servers.splice(servers.indexOf(server), 1)
    expect(existsSync(socketPath)).toBe(false)
  })

  it('answers plain routes with JSON', async () => {
    const { socketPath } = await start()
    const a = await call({ socketPath }, 'GET', '/v1/hello')
    expect(a.status).toBe(200)
    expect(a.headers['content-type']).toBe('application/json')
    expect(json(a)).toEqual({ hello: 'world' })
    const b = await call({ socketPath }, 'POST', '/v1/echo', JSON.stringify({ paths: ['/a'] }))
    expect(json(b)).toEqual({ got: { paths: ['/a'] } })
    // A query string is not part of the route; an empty POST body is {}.
    expect(json(await call({ socketPath }, 'POST', '/v1/echo?x=1'))).toEqual({ got: {} })
  })

  it('an unknown route or method is a 404 NotFound', async () => {
    const { socketPath } = await start()
    for (const [m, p] of [['GET', '/v1/nope'], ['POST', '/v1/hello'], ['GET', '/v1/echo']] as const) {
      const a = await call({ socketPath }, m, p)
      expect(a.status).toBe(404)
      expect(json(a).error).toMatchObject({ name: 'NotFound', message: `no route ${m} ${p}` })
    }
  })

  it('a named error keeps its name, message and hint, with a 4xx status', async () => {
    const { socketPath } = await start()
    const a = await call({ socketPath }, 'POST', '/v1/invalid', '{}')
    expect(a.status).toBe(400)
    expect(json(a)).toEqual({ error: { name: 'InvalidArgumentError', message: 'target must be absolute', hint: 'give a full path' } })
    const locked = await call({ socketPath }, 'GET', '/v1/locked')
    expect(locked.status).toBe(409)
    expect(json(locked)).toEqual({ error: { name: 'LockedError', message: 'the repository is locked' } }) // no hint: none given
    expect((await call({ socketPath }, 'GET', '/v1/missing')).status).toBe(404)
    expect((await call({ socketPath }, 'POST', '/v1/wrong')).status).toBe(403)
  })

  it('any other error is a 500 InternalError that asks for a bug report', async () => {
    const { socketPath } = await start()
    const a = await call({ socketPath }, 'GET', '/v1/bug')
    expect(a.status).toBe(500)
    expect(json(a).error).toMatchObject({ name: 'InternalError', message: 'x is undefined', hint: expect.stringContaining('bug') })
  })

  it('toApiError maps an abort to Interrupted', async () => {
    const abort = new DOMException('the operation was aborted', 'AbortError')
    expect(toApiError(abort)).toEqual({ name: 'Interrupted', message: 'the operation was aborted', hint: 'run it again' })
    expect(toApiError('a string')).toMatchObject({ name: 'InternalError' })
  })

  it('a body that is not JSON is a 400 InvalidArgumentError', async () => {
    const { socketPath } = await start()
    const a = await call({ socketPath }, 'POST', '/v1/echo', '{"paths": [')
    expect(a.status).toBe(400)
    expect(json(a).error).toMatchObject({ name: 'InvalidArgumentError', message: 'the request body is not JSON' })
  })

  it('a body over MAX_REQUEST_BODY is a 400 InvalidArgumentError', async () => {
    const { socketPath } = await start()
    const big = JSON.stringify({ paths: ['/' + 'a'.repeat(MAX_REQUEST_BODY)] })
    const a = await call({ socketPath }, 'POST', '/v1/echo', big)
    expect(a.status).toBe(400)
    expect(json(a).error).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringContaining(String(MAX_REQUEST_BODY)) })
    // Exactly the limit is still read.
    const exact = JSON.stringify({ s: 'b'.repeat(MAX_REQUEST_BODY - 8) })
    expect(Buffer.byteLength(exact)).toBe(MAX_REQUEST_BODY)
    const ok = await call({ socketPath }, 'POST', '/v1/echo', exact)
    expect(ok.status).toBe(200)
    expect(json(ok).got?.s).toHaveLength(MAX_REQUEST_BODY - 8)
  })

  it('a streamed route answers NDJSON: queued and progress lines, then one result', async () => {
    const { socketPath } = await start()
    const a = await call({ socketPath }, 'POST', '/v1/stream', '{"x":1}')
    expect(a.status).toBe(200)
    expect(a.headers['content-type']).toBe('application/x-ndjson')
    expect(a.text.endsWith('\n')).toBe(true)
    expect(ndjson(a)).toEqual([
      { type: 'queued', operation: 'op-1', joined: false },
      { type: 'progress', progress: progress(10) },
      { type: 'progress', progress: progress(20) },
      { type: 'result', result: { done: true, body: { x: 1 } } }
    ])
  })

  it('a streamed route that fails ends with exactly one error line', async () => {
    const { socketPath } = await start()
    const lines = ndjson(await call({ socketPath }, 'POST', '/v1/stream-fail', '{}'))
    expect(lines).toEqual([
      { type: 'progress', progress: progress(5) },
      { type: 'error', error: { name: 'InvalidArgumentError', message: 'bad include pattern', hint: 'see the docs' } }
    ])
  })

  it('DaemonClient reads the stream and the named errors', async () => {
    const { socketPath } = await start()
    const client = new DaemonClient({ socketPath })
    const seen: number[] = []
    const queued: Array<[string, boolean]> = []
    const stream = (client as unknown as { stream: (r: { method: string, path: string }, b: unknown, h: object) => Promise<unknown> }).stream.bind(client)
    const result = await stream({ method: 'POST', path: '/v1/stream' }, { y: 2 }, { onProgress: (p: { bytesDone: number }) => seen.push(p.bytesDone), onQueued: (o: string, j: boolean) => queued.push([o, j]) })
    expect(result).toEqual({ done: true, body: { y: 2 } })
    expect(seen).toEqual([10, 20])
    expect(queued).toEqual([['op-1', false]])
    await expect(stream({ method: 'POST', path: '/v1/stream-fail' }, {}, {})).rejects.toMatchObject({ name: 'InvalidArgumentError', message: 'bad include pattern', hint: 'see the docs' })
  })

  it('the handler\'s signal aborts when the client goes away', async () => {
    const { socketPath, seen } = await start()
    const req = request({ socketPath, method: 'GET', path: '/v1/hang' })
    req.on('error', () => {})
    req.end()
    await vi.waitFor(() => { expect(seen.aborted).toBeDefined() }, { interval: 5 })
    expect(seen.aborted!.aborted).toBe(false)
    req.destroy()
    await vi.waitFor(() => { expect(seen.aborted!.aborted).toBe(true) }, { interval: 5 })
    seen.hanging.resolve('late')
  })

  it('close() ends open requests, aborts their handlers and frees the socket', async () => {
    const { server, socketPath, seen } = await start()
    let text = ''
    const ended = new Promise<string>((resolve) => {
      const req = request({ socketPath, method: 'POST', path: '/v1/stream-hang' }, (res) => {
        res.setEncoding('utf8')
        res.on('data', (c: string) => { text += c })
        res.on('end', () => { resolve('end') })
        res.on('error', () => { resolve('error') })
      })
      req.on('error', () => { resolve('error') })
      req.end('{}')
    })
    await vi.waitFor(() => { expect(seen.aborted).toBeDefined() }, { interval: 5 })
    await server.close() // resolves although the handler never returns
    servers.splice(servers.indexOf(server), 1)
    await ended
    await vi.waitFor(() => { expect(seen.aborted!.aborted).toBe(true) }, { interval: 5 })
    expect(text).toContain('"type":"progress"')
    expect(text).not.toContain('"type":"result"')
    expect(existsSync(socketPath)).toBe(false)
    seen.hanging.resolve('late')
    await expect(new DaemonClient({ socketPath }).status()).rejects.toBeInstanceOf(DaemonNotRunningError)
  })

  it('a client whose daemon stops mid-stream gets DaemonNotRunningError', async () => {
    const { server, socketPath, seen } = await start()
    const client = new DaemonClient({ socketPath })
    const stream = (client as unknown as { stream: (r: { method: string, path: string }, b: unknown, h: object) => Promise<unknown> }).stream.bind(client)
    const pending = stream({ method: 'POST', path: '/v1/stream-hang' }, {}, {})
    pending.catch(() => {})
    await vi.waitFor(() => { expect(seen.aborted).toBeDefined() }, { interval: 5 })
    await server.close()
    servers.splice(servers.indexOf(server), 1)
    seen.hanging.resolve('late')
    await expect(pending).rejects.toBeInstanceOf(DaemonNotRunningError)
  })

  it('replaces a socket file left by a daemon that died', async () => {
    const socketPath = join(dirs.make('p2pbak-ctl-'), 'control.sock')
    // A process that binds the socket and is killed: the file stays, nobody answers.
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => { resolve() })
      child.once('error', reject)
    })
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    expect(statSync(socketPath).isSocket()).toBe(true)
    const { socketPath: same } = await start({ socketPath })
    expect(same).toBe(socketPath)
    expect(json(await call({ socketPath }, 'GET', '/v1/hello'))).toEqual({ hello: 'world' })
    expect(statSync(socketPath).mode & 0o777).toBe(0o600)
  })

  it('never removes a file at the socket path that is not a socket', async () => {
    const dir = dirs.make('p2pbak-ctl-')
    const socketPath = join(dir, 'notes.txt')
    writeFileSync(socketPath, 'a file the user cares about')
    const started = await startControlServer({ socketPath, routes: [] }).then((s) => { servers.push(s); return true }, () => false)
    expect(started).toBe(false)
    expect(readFileSync(socketPath, 'utf8')).toBe('a file the user cares about')
  })

  it('refuses a socket a live daemon answers on, with LockedError, and leaves that daemon alone', async () => {
    const { socketPath } = await start()
    const second = startControlServer({ socketPath, routes: [] })
    await expect(second).rejects.toBeInstanceOf(LockedError)
    await expect(second).rejects.toMatchObject({ name: 'LockedError', hint: expect.any(String) })
    expect(json(await call({ socketPath }, 'GET', '/v1/hello'))).toEqual({ hello: 'world' })
  })

  describe('over TCP', () => {
    const token = 'c0ffee-token-0123456789'

    it('listens on the address it reports, and needs the bearer token', async () => {
      const { server, socketPath } = await start({ tcp: { listen: '127.0.0.1:0', token } })
      expect(server.addresses).toHaveLength(2)
      expect(server.addresses[0]).toBe(socketPath)
      const m = /^127\.0\.0\.1:(\d+)$/.exec(server.addresses[1]!)
      expect(m).not.toBeNull()
      const where = { host: '127.0.0.1', port: Number(m![1]) }
      expect(where.port).toBeGreaterThan(0)

      const bad: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${token}x` }, { authorization: token }, { authorization: 'Bearer ' }]
      for (const headers of bad) {
        const a = await call(where, 'GET', '/v1/hello', undefined, headers)
        expect(a.status, JSON.stringify(headers)).toBe(401)
        expect(json(a).error).toMatchObject({ name: 'Unauthorized' })
        expect(a.text).not.toContain(token)
      }
      // Unauthorized before anything else: an unknown route says 401, not 404.
      expect((await call(where, 'GET', '/v1/nope')).status).toBe(401)

      const ok = await call(where, 'GET', '/v1/hello', undefined, { authorization: `Bearer ${token}` })
      expect(ok.status).toBe(200)
      expect(json(ok)).toEqual({ hello: 'world' })
      // The Unix socket needs no token.
      expect((await call({ socketPath }, 'GET', '/v1/hello')).status).toBe(200)
      // DaemonClient sends it.
      await expect(new DaemonClient({ ...where, token }).ownerReload()).rejects.toMatchObject({ name: 'NotFound' })
      await expect(new DaemonClient({ ...where, token: 'nope' }).ownerReload()).rejects.toMatchObject({ name: 'Unauthorized' })
    })
  })
})
