import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../fixtures/matrix_org_check.py', import.meta.url));
/** pyenv shims may hide the Debian packages, so the system interpreter is tried too. */
const CANDIDATES = ['python3', '/usr/bin/python3'];

let found: string | null | undefined;

/**
 * A python3 that has matrix.org's `signedjson` and `canonicaljson` (Debian `python3-signedjson`,
 * `python3-canonicaljson`), or null.
 */
export function matrixOrgPython(): string | null {
	if (found === undefined) {
		found =
			CANDIDATES.find(
				(python) =>
					spawnSync(python, ['-c', 'import signedjson.sign, canonicaljson, unpaddedbase64'], {
						stdio: 'ignore',
						timeout: 20_000,
					}).status === 0,
			) ?? null;
	}
	return found;
}

export const MISSING_PYTHON =
	"python3 with matrix.org's signedjson and canonicaljson is missing: install the Debian packages " +
	'python3-signedjson and python3-canonicaljson (.ci/run does)';

/** Runs the check script with one request and returns its parsed answer. */
export async function runMatrixOrgCheck(python: string, request: unknown): Promise<unknown> {
	return new Promise((resolve, reject) => {
		const child = execFile(
			python,
			[SCRIPT],
			{ timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
			(error, stdout, stderr) => {
				if (error) {
					reject(new Error(`${error.message}\n${stderr}`));
					return;
				}
				resolve(JSON.parse(stdout));
			},
		);
		child.stdin?.end(JSON.stringify(request));
	});
}
