// Hints keep the user's -c FILE: every backticked `p2pbak …` gets it, quoted for the shell.
import { describe, expect, it } from 'vitest'
import { p2pbakCommand, shellQuote, withConfigFlag } from '../../../cli/format.js'

describe('hints with the user\'s -c FILE', () => {
  it('adds -c FILE to every backticked p2pbak command, and nothing without one', () => {
    const hint = 'start it with `p2pbak daemon` (or `systemctl --user start p2pbak`), then `p2pbak backup`'
    expect(withConfigFlag(hint, '/tmp/x/config.toml')).toBe('start it with `p2pbak -c /tmp/x/config.toml daemon` (or `systemctl --user start p2pbak`), then `p2pbak -c /tmp/x/config.toml backup`')
    expect(withConfigFlag(hint, undefined)).toBe(hint)
  })

  it('leaves a command that names its config already, and words that only start like p2pbak', () => {
    expect(withConfigFlag('run `p2pbak -c /etc/p2pbak.toml status`', '/x.toml')).toBe('run `p2pbak -c /etc/p2pbak.toml status`')
    expect(withConfigFlag('run `p2pbak --config=/a status`', '/x.toml')).toBe('run `p2pbak --config=/a status`')
    expect(withConfigFlag('see `p2pbakfile`', '/x.toml')).toBe('see `p2pbakfile`')
    expect(withConfigFlag('run `p2pbak`', '/x.toml')).toBe('run `p2pbak -c /x.toml`')
  })

  it('quotes a path the shell would split', () => {
    expect(shellQuote('/home/a/my office/config.toml')).toBe('\'/home/a/my office/config.toml\'')
    expect(shellQuote('/it\'s/c.toml')).toBe('\'/it\'\\\'\'s/c.toml\'')
    expect(p2pbakCommand('/a b/c.toml', 'daemon')).toBe('p2pbak -c \'/a b/c.toml\' daemon')
    expect(p2pbakCommand(undefined, 'daemon')).toBe('p2pbak daemon')
  })
})
