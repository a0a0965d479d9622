import type { ExecutionContext } from 'ava';
import type { Config } from '@homeserver/config';
import { startHttpServer, startHttpsServer, startTestForwardProxy } from '@homeserver/testkit';
import type {
	DestinationServer,
	ForwardProxy,
	ForwardProxyOptions,
	RequestHandler,
} from '@homeserver/testkit';
import type { OutboundHttp, OutboundHttpOptions } from '../../src/index.js';
import { HOSTS, outbound, testPki } from './setup.js';

/** A plain-http and an https destination on loopback (certificate for the test names), closed after the test. */
export async function destinations(
	t: ExecutionContext,
	handler?: RequestHandler,
	host: '127.0.0.1' | '::1' = '127.0.0.1',
): Promise<{ http: DestinationServer; https: DestinationServer }> {
	const { destination } = await testPki();
	const http = await startHttpServer(handler, { host });
	const https = await startHttpsServer(destination, handler, { host });
	t.teardown(async () => {
		await Promise.all([http.close(), https.close()]);
	});
	return { http, https };
}

/** An in-process forward proxy resolving the test names to loopback, closed after the test. */
export async function forwardProxy(
	t: ExecutionContext,
	options: ForwardProxyOptions = {},
): Promise<ForwardProxy> {
	return startTestForwardProxy(t, HOSTS, options);
}

/** An https proxy (TLS to the proxy, certificate for proxy.test and loopback). */
export async function tlsForwardProxy(
	t: ExecutionContext,
	options: ForwardProxyOptions = {},
): Promise<ForwardProxy> {
	const { proxy } = await testPki();
	return forwardProxy(t, { tls: proxy, ...options });
}

/** The outbound stack for a test, closed after it. */
export async function client(
	t: ExecutionContext,
	config: Config,
	options: OutboundHttpOptions = {},
): Promise<OutboundHttp> {
	const stack = await outbound(config, options);
	t.teardown(() => stack.close());
	return stack;
}

/** `http://test.com:PORT` for a destination (the name the client resolves or the proxy resolves). */
export function named(server: DestinationServer, name = 'test.com'): string {
	return server.url.replace(/\/\/[^/]+:/, `//${name}:`);
}
