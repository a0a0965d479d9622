/**
 * Prometheus metrics of the sender (prom-client, own registry): queue depth, transactions sent and failed,
 * HTTP-level retries and backoff in force, per destination. Depth and backoff are read from the outbox at
 * scrape time, so they are right even for work enqueued by another process.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from '../clock.js';
import { retryAt } from '../backoff/policy.js';
import type { OutboxStore } from '../outbox/types.js';
import type { DeliveryWorker } from '../worker/delivery-worker.js';

/** The registry and the worker subscription behind `/metrics`. */
export interface SenderMetrics {
	readonly registry: Registry;
	/** Stops listening to the worker. */
	detach(): void;
}

/**
 * Builds the sender's metrics in `registry` (default: a new one) and subscribes them to `worker`'s events. `run`
 * passes the registry its outbound stack counts in, so that `/metrics` shows both.
 */
export function createSenderMetrics(
	store: OutboxStore,
	worker: DeliveryWorker,
	clock: Clock,
	registry: Registry = new Registry(),
): SenderMetrics {
	collectDefaultMetrics({ register: registry });
	new Gauge({
		name: 'federation_sender_queue_depth',
		help: 'PDUs and EDUs not yet delivered (pending or in the open transaction), per destination',
		labelNames: ['destination', 'kind'] as const,
		registers: [registry],
		async collect() {
			this.reset();
			for (const row of await store.status()) {
				this.set({ destination: row.destination, kind: 'pdu' }, row.pendingPdus);
				this.set({ destination: row.destination, kind: 'edu' }, row.pendingEdus);
			}
		},
	});
	new Gauge({
		name: 'federation_sender_backoff_seconds',
		help: 'Seconds until a backed-off destination is tried again (only destinations in backoff)',
		labelNames: ['destination'] as const,
		registers: [registry],
		async collect() {
			this.reset();
			const now = clock.now();
			for (const row of await store.status()) {
				const at = retryAt(row.backoff);
				if (at > now) this.set({ destination: row.destination }, (at - now) / 1000);
			}
		},
	});
	new Gauge({
		name: 'federation_sender_transactions_in_flight',
		help: 'Transactions being sent right now',
		registers: [registry],
		collect() {
			this.set(worker.inFlight.length);
		},
	});
	const sent = counter(registry, 'federation_sender_transactions_sent_total', 'Transactions answered 200');
	const failed = counter(
		registry,
		'federation_sender_transactions_failed_total',
		'Sends that failed after their HTTP-level retries (each backs the destination off)',
	);
	const retries = counter(
		registry,
		'federation_sender_http_retries_total',
		'HTTP-level retries of a transaction',
	);
	const pdus = counter(
		registry,
		'federation_sender_pdus_delivered_total',
		'PDUs accepted by the destination',
	);
	const rejected = counter(
		registry,
		'federation_sender_pdus_rejected_total',
		'PDUs refused inside a 200 (final)',
	);

	const onDelivered: Parameters<typeof worker.on<'delivered'>>[1] = (event) => {
		sent.inc({ destination: event.destination });
		pdus.inc({ destination: event.destination }, event.pduCount - event.summary.rejected.length);
		if (event.summary.rejected.length > 0) {
			rejected.inc({ destination: event.destination }, event.summary.rejected.length);
		}
	};
	const onFailed: Parameters<typeof worker.on<'failed'>>[1] = (event) =>
		failed.inc({ destination: event.destination });
	const onRetry: Parameters<typeof worker.on<'retry'>>[1] = (event) =>
		retries.inc({ destination: event.destination });
	worker.on('delivered', onDelivered);
	worker.on('failed', onFailed);
	worker.on('retry', onRetry);
	return {
		registry,
		detach() {
			worker.off('delivered', onDelivered);
			worker.off('failed', onFailed);
			worker.off('retry', onRetry);
		},
	};
}

function counter(registry: Registry, name: string, help: string): Counter<'destination'> {
	return new Counter({ name, help, labelNames: ['destination'] as const, registers: [registry] });
}
