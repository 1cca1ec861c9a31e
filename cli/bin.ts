#!/usr/bin/env node
// The p2pbak binary. The polyfill must load before anything that pulls in libp2p.
import '../daemon/polyfill.js'
import { createCli } from './main.js'
import { processIo } from './io.js'

const code = await createCli(processIo()).run(process.argv.slice(2))
process.exitCode = code
