/**
 * The checks every test file of the suite ends with: no connection attempt ever left loopback, and the proxy
 * password appears nowhere in what the file audited.
 */
import type { TestFn } from 'ava';
import type { LeakAudit } from './secrets.js';
import { guardViolations } from './socket-guard.js';

/** Registers the closing checks of a test file (an `after.always` hook that fails the file when they fail). */
export function registerSuiteChecks(test: TestFn, audit: LeakAudit): void {
	test.after.always('no socket left loopback and the proxy password leaked nowhere', (t) => {
		t.deepEqual(guardViolations(), [], 'connection attempts outside loopback');
		t.deepEqual(audit.leaks(), [], 'the proxy password (or its base64) was found');
		t.log(`audited ${audit.size} texts and log lines`);
	});
}
