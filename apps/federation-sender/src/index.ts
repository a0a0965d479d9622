/**
 * @homeserver/federation-sender: durable, per-destination delivery of federation transactions.
 * The public surface; everything else is internal.
 */
export {
	FEDERATION_SENDER_ERRORS,
	FederationSenderError,
	describeError,
	isFederationSenderError,
	type FederationSenderErrorCode,
} from './errors.js';
export { systemClock, sleep, type Clock } from './clock.js';
export type * from './outbox/types.js';
export { NO_BACKOFF } from './outbox/types.js';
export { openSqliteOutbox, SqliteOutbox, type SqliteOutboxOptions } from './outbox/sqlite-outbox.js';
export { openOutbox } from './outbox/open-outbox.js';
export { openPostgresOutbox, PostgresOutbox, type PostgresOutboxOptions } from './outbox/postgres-outbox.js';
export { parsePdu, parseEdu, parseItemsText, MAX_PDU_BYTES, MAX_EDU_BYTES } from './outbox/parse-items.js';
export { normaliseDestination } from './outbox/destination.js';
export { buildTransactionBody } from './outbox/transaction-body.js';
export {
	DEFAULT_BACKOFF_POLICY,
	nextRetryInterval,
	backoffAfterFailure,
	retryAt,
	isBackedOff,
	type BackoffPolicy,
	type Random,
} from './backoff/policy.js';
export {
	DEFAULT_HTTP_RETRY_POLICY,
	httpRetryDelay,
	isRetryableStatus,
	type HttpRetryPolicy,
} from './backoff/http-retry.js';
export { DeliveryWorker, SPEC_LIMITS, type DeliveryWorkerOptions } from './worker/delivery-worker.js';
export { parsePduResults } from './worker/deliver-transaction.js';
export type { SendTransaction, SendResult, WorkerEventMap } from './worker/types.js';
export {
	createFederationTransport,
	createResolutionExplainer,
	type FederationTransport,
	type FederationTransportOptions,
	type ResolutionExplainer,
} from './transport/federation-transport.js';
export { sendTransactionVia, type SendLimits } from './transport/send-transaction.js';
export { createSenderMetrics, type SenderMetrics } from './observability/sender-metrics.js';
export { startMetricsServer, type MetricsServer } from './observability/metrics-server.js';
export { runCli, USAGE } from './cli/main.js';
export type { CliIo, Transport } from './cli/io.js';
