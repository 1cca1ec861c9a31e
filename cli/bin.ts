#!/usr/bin/env node
// The p2pbak binary. The polyfill must load before anything that pulls in libp2p.
import '../daemon/polyfill.js'
import { createCli } from './main.js'
import { endQuietlyOnClosedPipe, processIo } from './io.js'

endQuietlyOnClosedPipe(process.stdout, process.stderr)
const code = await createCli(processIo()).run(process.argv.slice(2))
process.exitCode = code
