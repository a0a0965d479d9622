import { spawnSync } from 'node:child_process';
import { CanonicalJsonError, canonicalJson, parseJson } from '@homeserver/federation';
import { independentCanonicalJson } from '@homeserver/testkit';
import test from 'ava';
import fc from 'fast-check';
import { canonicalValue, inject, referenceCanonical, refusedValue } from './helpers/canonical-values.js';
import { RUNS } from './helpers/fuzz-runs.js';

test("canonical JSON equals the plain reference writer and the testkit's independent one (keys by code point)", (t) => {
	fc.assert(
		fc.property(canonicalValue, (value) => {
			const ours = canonicalJson(value);
			return ours === referenceCanonical(value) && ours === independentCanonicalJson(value);
		}),
		{ numRuns: RUNS.canonicalReference },
	);
	t.pass();
});

// parseJson, not JSON.parse: on Node 24 V8 misreads escaped one-character keys once a `"\\"` key was parsed
// (nodejs/node#63785), which this very property found (docs/architecture.md 4).
test('canonical JSON is idempotent: canonical(parseJson(canonical(x))) == canonical(x)', (t) => {
	fc.assert(
		fc.property(canonicalValue, (value) => {
			const once = canonicalJson(value);
			return canonicalJson(parseJson(once)) === once;
		}),
		{ numRuns: RUNS.canonicalIdempotent },
	);
	t.pass();
});

test('parseJson reads back what JSON.stringify wrote, escaped keys included, after any earlier parse', (t) => {
	fc.assert(
		fc.property(fc.array(canonicalValue, { maxLength: 3 }), canonicalValue, (earlier, value) => {
			for (const item of earlier) JSON.parse(JSON.stringify(item));
			return canonicalJson(parseJson(JSON.stringify(value))) === canonicalJson(value);
		}),
		{ numRuns: RUNS.canonicalIdempotent },
	);
	t.pass();
});

test('floats, out-of-range integers and non-JSON values anywhere are refused with CanonicalJsonError only', (t) => {
	fc.assert(
		fc.property(canonicalValue, refusedValue, fc.array(fc.nat(), { maxLength: 4 }), (value, bad, path) => {
			const poisoned = inject(value, bad, path);
			try {
				canonicalJson(poisoned);
			} catch (error) {
				if (error instanceof CanonicalJsonError && error.code === 'ERR_CANONICAL_JSON')
					return error.path.startsWith('$');
				throw new Error(`untyped failure for ${String(bad)}: ${String(error)}`, { cause: error });
			}
			return false;
		}),
		{ numRuns: RUNS.canonicalRejects },
	);
	t.pass();
});

const PYTHON = `
import json, sys
from canonicaljson import encode_canonical_json
for line in sys.stdin:
    sys.stdout.write(encode_canonical_json(json.loads(line)).decode("utf-8") + "\\n")
`;

test("matrix.org's Python canonicaljson writes the same bytes for generated values", (t) => {
	// The Debian package lives in the system Python, which a pyenv `python3` on PATH may hide.
	const python = ['python3', '/usr/bin/python3'].find(
		(candidate) => spawnSync(candidate, ['-c', 'import canonicaljson'], { encoding: 'utf8' }).status === 0,
	);
	if (python === undefined) {
		t.log('SKIPPED: python3 with canonicaljson is not installed (Debian python3-canonicaljson)');
		t.pass();
		return;
	}
	const values = fc.sample(canonicalValue, { numRuns: RUNS.canonicalPython });
	const input = values.map((value) => JSON.stringify(value)).join('\n') + '\n';
	const run = spawnSync(python, ['-c', PYTHON], {
		input,
		encoding: 'utf8',
		timeout: 20_000,
		maxBuffer: 64 << 20,
	});
	t.is(run.status, 0, run.stderr);
	const lines = run.stdout.split('\n').slice(0, values.length);
	const mismatches = values.filter((value, index) => canonicalJson(value) !== lines[index]);
	t.deepEqual(mismatches, []);
});
