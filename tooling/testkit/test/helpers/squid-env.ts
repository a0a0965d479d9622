// Test-side decisions about Squid: tests (not library code) read the environment.
import type { SquidTools } from '../../src/index.js';

/** In CI (or with TESTKIT_REQUIRE_SQUID=1) a missing Squid fails the tests instead of skipping them. */
export const squidRequired = Boolean(process.env.CI) || process.env.TESTKIT_REQUIRE_SQUID === '1';

/** `SQUID_BIN` overrides the Squid binary. */
export const squidTools: SquidTools = process.env.SQUID_BIN ? { squidBin: process.env.SQUID_BIN } : {};
