/**
 * @homeserver/federation-sender: durable, per-destination delivery of federation transactions. The CLI
 * (`bin/`) is the product; this barrel is what other workspaces use (the benchmarks and the hostile-input tests
 * drive the worker in process): the SQLite outbox, the delivery worker, the transport and the PDU parser, with
 * the types of their signatures. Everything else is internal.
 */
export {
	FEDERATION_SENDER_ERRORS,
	FederationSenderError,
	describeError,
	isFederationSenderError,
	type FederationSenderErrorCode,
} from './errors.js';
export type { Clock } from './clock.js';
export type * from './outbox/types.js';
export { openSqliteOutbox, SqliteOutbox, type SqliteOutboxOptions } from './outbox/sqlite-outbox.js';
export { parsePdu } from './outbox/parse-items.js';
export type { BackoffPolicy, Random } from './backoff/policy.js';
export type { HttpRetryPolicy } from './backoff/http-retry.js';
export { DeliveryWorker, type DeliveryWorkerOptions } from './worker/delivery-worker.js';
export { openOutbox } from './outbox/open-outbox.js';
// The producer API of a homeserver that embeds the sender (README, "Producer API").
export {
	openOutboxProducer,
	type EnqueueInput,
	type OutboxProducer,
	type ProducerItems,
} from './producer/outbox-producer.js';
export type { SendTransaction, SendResult, WorkerEventMap } from './worker/types.js';
export {
	createFederationTransport,
	type FederationTransport,
	type FederationTransportOptions,
} from './transport/federation-transport.js';
export { sendTransactionVia, type SendLimits } from './transport/send-transaction.js';
export { PermitGate } from './transport/permit-gate.js';
