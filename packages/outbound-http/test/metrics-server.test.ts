import test from 'ava';
import { Counter, Registry } from 'prom-client';
import { createOutboundMetrics, startMetricsServer } from '../src/index.js';

const loopback = { bindAddress: '127.0.0.1', port: 0 };

function recordingLogger(): { lines: string[]; error(object: { err: unknown }, message: string): void } {
	const lines: string[] = [];
	return { lines, error: (_object, message) => void lines.push(message) };
}

test('GET /metrics answers the registry in the Prometheus text format', async (t) => {
	const metrics = createOutboundMetrics(new Registry());
	metrics.requests.inc({ purpose: 'federation', route: 'proxy' });
	const server = await startMetricsServer(metrics.registry, loopback, recordingLogger());
	t.teardown(() => server.close());
	t.is(server.address.address, '127.0.0.1');
	const response = await fetch(`http://127.0.0.1:${server.address.port}/metrics?x=1`);
	t.is(response.status, 200);
	t.is(response.headers.get('content-type'), metrics.registry.contentType);
	t.regex(await response.text(), /^outbound_requests_total\{purpose="federation",route="proxy"\} 1$/m);
});

test('any other path or method is a 404', async (t) => {
	const server = await startMetricsServer(new Registry(), loopback, recordingLogger());
	t.teardown(() => server.close());
	const base = `http://127.0.0.1:${server.address.port}`;
	t.is((await fetch(`${base}/`)).status, 404);
	t.is((await fetch(`${base}/metrics`, { method: 'POST' })).status, 404);
});

test('a failed collection is logged and answered 500', async (t) => {
	const registry = new Registry();
	new Counter({
		name: 'broken_total',
		help: 'fails when collected',
		registers: [registry],
		collect() {
			throw new Error('collector broke');
		},
	});
	const logger = recordingLogger();
	const server = await startMetricsServer(registry, loopback, logger);
	t.teardown(() => server.close());
	const response = await fetch(`http://127.0.0.1:${server.address.port}/metrics`);
	t.is(response.status, 500);
	t.is(await response.text(), 'metrics unavailable\n');
	t.deepEqual(logger.lines, ['metrics collection failed']);
});

test('close ends open keep-alive connections and resolves', async (t) => {
	const server = await startMetricsServer(new Registry(), loopback, recordingLogger());
	await (await fetch(`http://127.0.0.1:${server.address.port}/metrics`)).text();
	await server.close();
	await t.throwsAsync(fetch(`http://127.0.0.1:${server.address.port}/metrics`));
});
