import { inspect } from 'node:util';
import type { ExecutionContext } from 'ava';
import { OutboundHttpError } from '../../src/index.js';
import type { OutboundHttpOptions } from '../../src/index.js';
import { configFrom } from './setup.js';
import { client } from './fixtures.js';

/** The URL of an in-process proxy under the name proxy.test, optionally with credentials. */
export function proxyUrl(proxy: { url: string }, credentials = ''): string {
	return proxy.url.replace('//127.0.0.1', `//${credentials}proxy.test`);
}

/**
 * GETs `url` with a stack built from `env`/`yaml` and returns the typed error it must fail with; also checks that the
 * password used in these tests (`pinkponies`) appears nowhere in the error, its causes included.
 */
export async function failure(
	t: ExecutionContext,
	env: Record<string, string>,
	url: string,
	options: OutboundHttpOptions = {},
	purpose: 'push' | 'federation' = 'push',
	yaml = '',
): Promise<OutboundHttpError> {
	const stack = await client(t, configFrom(env, yaml), options);
	const error = await t.throwsAsync(stack.client(purpose).get(url).text());
	t.true(error instanceof OutboundHttpError, inspect(error));
	t.false(inspect(error, { depth: 6 }).includes('pinkponies'), 'no password anywhere in the error');
	return error as OutboundHttpError;
}
