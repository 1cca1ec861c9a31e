// Fault points (RELIABILITY.md "Make faults cheap to test"): when P2PBAK_FAULT_POINT names a point,
// the process kills itself with SIGKILL the n-th time it reaches it (`name` or `name:n`, n from 1).
// Costs one string compare when unset.
const spec = process.env.P2PBAK_FAULT_POINT ?? ''
const [faultName, faultCountText] = spec.split(':')
let remaining = Number(faultCountText ?? '1') || 1

export function faultPoint (name: string): void {
  if (spec === '' || name !== faultName) return
  remaining--
  if (remaining === 0) process.kill(process.pid, 'SIGKILL')
}
