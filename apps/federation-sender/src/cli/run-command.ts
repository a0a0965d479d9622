/**
 * `federation-sender run --config FILE [--instance NAME]`: delivers the outbox until SIGTERM or SIGINT. On
 * SQLite, one `run` per outbox (a run lock). On PostgreSQL, any number of instances with different names share
 * the outbox, each destination leased to one of them (docs/architecture.md 5); the name defaults to the host
 * name and process id. Metrics on `federation_sender.metrics`; on a signal, no new work is taken and requests in
 * flight get a grace period, after which their transactions are left for the next start (same txnId).
 * A second signal exits at once.
 */
import { UsageError } from '@homeserver/outbound-http';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { formatHostPort } from '@homeserver/config';
import { routerFor, startMetricsServer, type MetricsServer } from '@homeserver/outbound-http';
import { Registry } from 'prom-client';
import { longRetryScheduleFromConfig } from '@homeserver/federation';
import { backoffPolicyFromConfig } from '../backoff/policy.js';
import { systemClock } from '../clock.js';
import { openOutbox } from '../outbox/open-outbox.js';
import { createSenderMetrics } from '../observability/sender-metrics.js';
import { DeliveryWorker } from '../worker/delivery-worker.js';
import type { CliIo } from './io.js';

/** `--instance` when not given: host name and process id, unique among live processes. */
export function defaultInstanceName(): string {
	return `${hostname()}:${process.pid}`;
}

/** Runs `run`; resolves with the exit code once the worker has stopped. */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
	const { values } = parseArgs({
		args,
		options: { config: { type: 'string' }, instance: { type: 'string' } },
		strict: true,
	});
	const instance = values.instance ?? defaultInstanceName();
	if (instance.trim() === '' || instance.length > 200)
		throw new UsageError('--instance NAME must be 1 to 200 characters');
	const config = io.loadConfig(values.config);
	const logger = io.createLogger();
	for (const warning of config.warnings) logger.warn(warning);
	const database = config.federationSender.database;
	const sender = config.federationSender;
	const store = await openOutbox(database);
	const lock = await store.acquireRunLock(instance).catch(async (error: unknown) => {
		await store.close();
		throw error;
	});
	let metricsServer: MetricsServer | null = null;
	let transport: Awaited<ReturnType<CliIo['createTransport']>> | null = null;
	let worker: DeliveryWorker | null = null;
	try {
		// One registry for /metrics: the sender's own metrics and the outbound stack's counters.
		const registry = new Registry();
		transport = await io.createTransport(config, logger, registry);
		// Turn slots: the sends, plus as many as `.well-known` resolutions may run at once (bounded in the transport),
		// so that destinations resolving a slow `.well-known` take slots of their own (README, "Slow remotes").
		const { maxConcurrentSends, maxConcurrentResolutions } = config.federationSender;
		const concurrency = maxConcurrentSends + maxConcurrentResolutions;
		worker = new DeliveryWorker({
			store,
			origin: config.serverName,
			send: transport.send,
			logger,
			concurrency,
			pollIntervalMs: sender.pollIntervalMs,
			leases: store.leases === null ? null : { table: store.leases, instance, ttlMs: sender.leaseTtlMs },
			ephemeralEdus: sender.ephemeralEdus,
			catchUpAfterMs: sender.catchUpAfterMs,
			retentionMs: sender.retentionMs,
			// Synapse's `federation:` section: per-destination backoff and the retries inside one send.
			backoff: backoffPolicyFromConfig(config.federation),
			httpRetry: longRetryScheduleFromConfig(config.federation),
			// federation_domain_whitelist as this process reads it: no stored backoff delays a refusal.
			federation: routerFor(config),
		});
		const metrics = createSenderMetrics(store, worker, systemClock, registry);
		if (config.federationSender.metrics !== null) {
			metricsServer = await startMetricsServer(metrics.registry, config.federationSender.metrics, logger);
			const { address, port } = metricsServer.address;
			logger.info({ metrics: `http://${formatHostPort(address, port)}/metrics` }, 'metrics listening');
		}
		const stopRequested = waitForSignal(io, logger);
		await worker.start();
		logger.info(
			{
				origin: config.serverName,
				outbox: database.kind === 'sqlite' ? database.path : 'postgres',
				instance,
				leaseTtlMs: store.leases === null ? null : sender.leaseTtlMs,
			},
			'federation-sender running',
		);
		const signal = await stopRequested;
		logger.info({ signal }, 'stopping: no new transactions; waiting for the ones in flight');
		await worker.stop();
		logger.info('stopped');
		return 0;
	} finally {
		await worker?.stop();
		await metricsServer?.close();
		await transport?.close();
		await lock.release();
		await store.close();
	}
}

function waitForSignal(io: CliIo, logger: { warn(text: string): void }): Promise<string> {
	return new Promise((resolve) => {
		let seen = false;
		const unsubscribe = io.onShutdownSignal((signal) => {
			if (!seen) {
				seen = true;
				resolve(signal);
				return;
			}
			unsubscribe();
			logger.warn(
				`second ${signal}: exiting now; open transactions are re-sent with the same txnId on restart`,
			);
			io.forceExit(130);
		});
	});
}
