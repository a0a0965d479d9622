#!/usr/bin/env node
// The installed `federation-sender` command: a committed, executable entry point (tsc output carries no exec bit).
await import('../dist/cli.js');
