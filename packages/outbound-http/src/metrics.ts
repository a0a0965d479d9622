import { Counter, Registry } from 'prom-client';

/** The counters of outbound requests, in a registry the application can expose on its metrics endpoint. */
export interface OutboundMetrics {
	readonly registry: Registry;
	/** `outbound_requests_total{purpose,route}`: one per routed request hop (route `proxy`, `direct`, `blocked`). */
	readonly requests: Counter<'purpose' | 'route'>;
	/** `outbound_request_errors_total{purpose,code}`: failed requests by our error code. */
	readonly errors: Counter<'purpose' | 'code'>;
}

function counter<L extends string>(
	registry: Registry,
	name: string,
	help: string,
	labelNames: L[],
): Counter<L> {
	const existing = registry.getSingleMetric(name);
	if (existing instanceof Counter) return existing;
	return new Counter({ name, help, labelNames, registers: [registry] });
}

/**
 * Creates (or finds, when already registered in `registry`) the outbound counters. Labels are the purpose, the
 * route and the error code only: never a host, a URL or anything carrying credentials.
 */
export function createOutboundMetrics(registry: Registry = new Registry()): OutboundMetrics {
	return {
		registry,
		requests: counter(
			registry,
			'outbound_requests_total',
			'Outbound HTTP request hops by purpose and route.',
			['purpose', 'route'],
		),
		errors: counter(
			registry,
			'outbound_request_errors_total',
			'Failed outbound HTTP requests by purpose and code.',
			['purpose', 'code'],
		),
	};
}
