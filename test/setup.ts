import '../daemon/polyfill.js'

// New key files in tests get the minimum scrypt cost (N = 2^17, docs/keys.md §"KDF") without the
// ~1 s calibration; the variable can only lower the target time, never the minimum. Spawned
// binaries inherit it.
process.env.P2PBAK_KDF_TARGET_MS ??= '0'
