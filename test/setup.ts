import '../daemon/polyfill.js'
