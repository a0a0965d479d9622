import { Agent, request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import test from 'ava';
import {
	createCertificateAuthority,
	forbidRealDns,
	startHttpServer,
	startHttpsServer,
} from '../src/index.js';
import { connectOutcome } from './helpers/clients.js';

// Safety net: any real DNS use in this file fails loudly (everything here is loopback).
forbidRealDns();

function get(
	url: string,
	options: { agent?: Agent; ca?: string; servername?: string; headers?: Record<string, string> } = {},
) {
	return new Promise<{ status: number; body: string }>((resolve, reject) => {
		const send = url.startsWith('https:') ? httpsRequest : request;
		const client = send(url, {
			agent: options.agent,
			ca: options.ca,
			servername: options.servername,
			headers: options.headers,
		});
		client.on('error', reject);
		client.on('response', (response) => {
			let body = '';
			response.on('data', (chunk: Buffer) => (body += chunk.toString()));
			response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
		});
		client.end();
	});
}

test('the http server records each request and counts keep-alive reuse as one connection', async (t) => {
	const server = await startHttpServer((request, response) => {
		response.end(`you asked ${request.url}`);
	});
	t.teardown(() => server.close());
	const agent = new Agent({ keepAlive: true, maxSockets: 1 });
	t.teardown(() => agent.destroy());
	t.deepEqual(await get(`${server.url}/a?b=1`, { agent, headers: { 'x-test': 'one' } }), {
		status: 200,
		body: 'you asked /a?b=1',
	});
	await get(`${server.url}/second`, { agent });
	t.is(server.requests.length, 2);
	t.like(server.requests[0], {
		method: 'GET',
		url: '/a?b=1',
		servername: undefined,
		remoteAddress: '127.0.0.1',
		connection: 1,
	});
	t.is(server.requests[0]?.headers['x-test'], 'one');
	t.is(server.requests[1]?.connection, 1);
	t.is(server.connections, 1);
});

test('a handler that throws becomes a 500, and the default handler answers 200 ok', async (t) => {
	const failing = await startHttpServer(() => {
		throw new Error('boom');
	});
	const plain = await startHttpServer();
	t.teardown(() => Promise.all([failing.close(), plain.close()]));
	t.is((await get(failing.url)).status, 500);
	t.deepEqual(await get(plain.url), { status: 200, body: 'ok' });
});

test('the https server records the SNI name the client sent', async (t) => {
	const ca = await createCertificateAuthority();
	const server = await startHttpsServer(
		await ca.issue({ dnsNames: ['destination.test'], ipAddresses: ['127.0.0.1'] }),
	);
	t.teardown(() => server.close());
	t.is((await get(`${server.url}/`, { ca: ca.certPem, servername: 'destination.test' })).status, 200);
	await get(`${server.url}/`, { ca: ca.certPem });
	t.is(server.requests[0]?.servername, 'destination.test');
	t.is(server.requests[1]?.servername, undefined, 'no SNI for an IP-literal host');
});

test('servers listen on IPv6 loopback too', async (t) => {
	const server = await startHttpServer(undefined, { host: '::1' });
	t.teardown(() => server.close());
	t.regex(server.url, /^http:\/\/\[::1\]:\d+$/);
	t.is((await get(server.url)).status, 200);
	t.is(server.requests[0]?.remoteAddress, '::1');
});

test('close() frees the port even with an idle keep-alive connection open', async (t) => {
	const server = await startHttpServer();
	const agent = new Agent({ keepAlive: true });
	t.teardown(() => agent.destroy());
	await get(server.url, { agent });
	await server.close();
	t.is(await connectOutcome(server.host, server.port), 'ECONNREFUSED');
});
