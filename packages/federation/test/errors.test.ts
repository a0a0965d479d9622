import { readFile } from 'node:fs/promises';
import { isOutboundHttpError } from '@homeserver/outbound-http';
import { errorDocProblems } from '@homeserver/testkit';
import test from 'ava';
import * as federation from '../src/index.js';

/** Every exported error class, keyed by name. */
const errorClasses = Object.entries(federation).filter(
	(entry): entry is [string, typeof federation.FederationError] =>
		typeof entry[1] === 'function' &&
		(entry[1] === federation.FederationError || entry[1].prototype instanceof federation.FederationError),
);

/** One instance of each error class, built with placeholder arguments. */
function sample(Class: typeof federation.FederationError): federation.FederationError {
	if (Class === (federation.MatrixRemoteError as unknown)) {
		return federation.MatrixRemoteError.fromResponse(500, {}, '');
	}
	return new (Class as unknown as new (...args: unknown[]) => federation.FederationError)('x', 'y', 'z');
}

test('docs/errors.md documents exactly the codes of FEDERATION_ERRORS, each with what to do', async (t) => {
	const markdown = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');
	t.deepEqual(errorDocProblems(markdown, Object.keys(federation.FEDERATION_ERRORS)), []);
});

test('each code of the catalogue has exactly one exported error class, named in its docs section', async (t) => {
	const markdown = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');
	const codes = errorClasses.map(([, Class]) => sample(Class).code);
	t.deepEqual([...codes].sort(), Object.keys(federation.FEDERATION_ERRORS).sort());
	for (const [name, Class] of errorClasses) {
		const section = markdown.split(/^### /m).find((part) => part.startsWith(`${sample(Class).code}\n`));
		t.true(section?.includes(`\`${name}\``), `${name} is named in its section`);
	}
});

test('errors carry their class name and cause, and the guard narrows by code', (t) => {
	const cause = new Error('root');
	const error = new federation.XMatrixError('bad header', { cause });
	t.is(error.name, 'XMatrixError');
	t.is(error.cause, cause);
	t.true(error instanceof federation.FederationError);
	t.true(error instanceof Error);
	t.true(federation.isFederationError(error, 'ERR_X_MATRIX_INVALID'));
	t.true(federation.isFederationError(error));
	t.false(federation.isFederationError(error, 'ERR_SIGNATURE_INVALID'));
	t.false(federation.isFederationError(Object.assign(new Error('x'), { code: 'ERR_X_MATRIX_INVALID' })));
});

test('an abort is outbound-http’s ERR_ABORTED, not a code of its own', (t) => {
	const cause = new Error('user left');
	const error = new federation.FederationAbortedError('aborted', { cause });
	t.true(isOutboundHttpError(error, 'ERR_ABORTED'));
	t.false(federation.isFederationError(error));
	t.is(error.name, 'FederationAbortedError');
	t.is(error.cause, cause);
});

test('quoted hostile input in messages is short and single-line', (t) => {
	const error = new federation.ServerNameError(`evil\r\nSet-Cookie: x${'a'.repeat(500)}`, 'bad');
	t.false(/[\r\n]/.test(error.message));
	t.true(error.message.length < 150);
});
