import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestOptions } from 'node:http';
import test from 'ava';
import { nativeRequest } from '../src/client/native-request.js';

test('undefined native options are dropped: they neither override the URL nor reach Node', async (t) => {
	const server = createServer((request, response) => {
		response.end(`${request.method} ${request.url} ${String(request.headers['x-probe'] ?? '')}`);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	t.teardown(() => server.close());
	const { port } = server.address() as AddressInfo;
	// got leaves keys like these undefined; passed on as they are, `host` and `port` would replace the URL's
	// (Node spreads the options over the URL's), sending the request to localhost:80.
	const options = {
		method: 'GET',
		headers: { 'x-probe': 'kept' },
		host: undefined,
		port: undefined,
		timeout: undefined,
		lookup: undefined,
	} as unknown as RequestOptions;
	const body = await new Promise<string>((resolve, reject) => {
		const request = nativeRequest(new URL(`http://127.0.0.1:${port}/path?q=1`), options, (response) => {
			let text = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => (text += chunk));
			response.on('end', () => resolve(text));
		});
		request.on('error', reject);
		request.end();
	});
	t.is(body, 'GET /path?q=1 kept');
});
