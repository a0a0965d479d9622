import { readFile } from 'node:fs/promises';
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

test('the README error table lists exactly the exported error classes and their codes', async (t) => {
	const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
	const documented = [...readme.matchAll(/^\|\s*`(ERR_[A-Z0-9_]+)`\s*\|\s*`(\w+)`\s*\|/gm)].map(
		([, code, name]) => `${code} ${name}`,
	);
	const actual = errorClasses.map(([name, Class]) => `${sample(Class).code} ${name}`);
	t.deepEqual([...documented].sort(), [...actual].sort());
});

test('every error code is distinct, and errors carry their class name and cause', (t) => {
	const codes = errorClasses.map(([, Class]) => sample(Class).code);
	t.is(new Set(codes).size, codes.length);
	const cause = new Error('root');
	const error = new federation.XMatrixError('bad header', { cause });
	t.is(error.name, 'XMatrixError');
	t.is(error.cause, cause);
	t.true(error instanceof federation.FederationError);
	t.true(error instanceof Error);
});

test('quoted hostile input in messages is short and single-line', (t) => {
	const error = new federation.ServerNameError(`evil\r\nSet-Cookie: x${'a'.repeat(500)}`, 'bad');
	t.false(/[\r\n]/.test(error.message));
	t.true(error.message.length < 150);
});
