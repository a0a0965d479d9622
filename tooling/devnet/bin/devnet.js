#!/usr/bin/env node
// The installed `devnet` command: a committed, executable entry point (tsc output carries no exec bit).
await import('../dist/main.js');
