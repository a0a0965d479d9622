/**
 * One turn of a destination: take its open transaction (or build the next one from the oldest pending
 * items), send it, and file the outcome: delivered on a 200, otherwise a failure and a grown backoff.
 */
import type { Logger } from 'pino';
import { backoffAfterFailure, retryAt, type BackoffPolicy } from '../backoff/policy.js';
import type {
	BackoffState,
	CompleteTransactionOptions,
	NextTransactionOptions,
	TransactionLimits,
} from '../outbox/types.js';
import { deliverTransaction, parsePduResults, type DeliverContext } from './deliver-transaction.js';

/** What a turn leaves behind for the scheduler. */
export type TurnOutcome =
	| { readonly kind: 'sent' }
	| { readonly kind: 'empty' }
	| { readonly kind: 'failed'; readonly retryAt: number }
	| { readonly kind: 'stopped' };

/** Per-worker settings a turn needs besides the {@link DeliverContext}. */
export interface TurnSettings {
	readonly origin: string;
	readonly limits: TransactionLimits;
	/** Lease and ephemeral-EDU options for building the next transaction. */
	readonly next?: NextTransactionOptions;
	/** Catch-up options for filing a 200. */
	readonly complete?: CompleteTransactionOptions;
	readonly backoff: BackoffPolicy;
	readonly logger: Logger;
	readonly stopping: () => boolean;
}

/** Largest 200 answer we keep beside the transaction (the transport caps what it reads anyway). */
const MAX_STORED_RESPONSE = 65_536;

/** Runs one turn for `destination`. Throws only on database errors. */
export async function takeTurn(
	ctx: DeliverContext,
	destination: string,
	settings: TurnSettings,
): Promise<TurnOutcome> {
	if (settings.stopping()) return { kind: 'stopped' };
	const txn = await ctx.store.nextTransaction(
		destination,
		settings.origin,
		ctx.clock.now(),
		settings.limits,
		settings.next,
	);
	if (txn === null) return { kind: 'empty' };
	const log = settings.logger.child({ destination, txnId: txn.txnId });
	log.debug({ pdus: txn.pduCount, edus: txn.eduCount, attempts: txn.attempts }, 'sending transaction');
	const outcome = await deliverTransaction(ctx, txn);
	if (outcome.kind === 'aborted') {
		log.info('send interrupted by shutdown; the transaction will be re-sent with the same txnId');
		return { kind: 'stopped' };
	}
	if (outcome.kind === 'ok') {
		let response = JSON.stringify(outcome.body ?? null);
		if (response.length > MAX_STORED_RESPONSE) response = JSON.stringify({ truncated: true });
		const summary = await ctx.store.completeTransaction(
			destination,
			txn.txnId,
			parsePduResults(outcome.body),
			response,
			ctx.clock.now(),
			settings.complete,
		);
		for (const rejected of summary.rejected) {
			log.warn({ eventId: rejected.eventId, error: rejected.error }, 'destination rejected a PDU (final)');
		}
		log.info(
			{ pdus: txn.pduCount, edus: txn.eduCount, rejected: summary.rejected.length },
			'transaction delivered',
		);
		if (summary.superseded > 0) {
			log.info(
				{ superseded: summary.superseded },
				'back after a long outage: catching up with the newest PDU of each room; older ones superseded',
			);
		}
		ctx.emit('delivered', {
			destination,
			txnId: txn.txnId,
			pduCount: txn.pduCount,
			eduCount: txn.eduCount,
			summary,
		});
		return { kind: 'sent' };
	}
	const now = ctx.clock.now();
	const previous = await ctx.store.getBackoff(destination);
	if (outcome.denied === true)
		return fileDenial(ctx, destination, txn.txnId, outcome.error, previous, settings);
	const next = backoffAfterFailure(previous, now, settings.backoff, ctx.random, outcome.retryAfterMs);
	await ctx.store.recordFailure(destination, txn.txnId, outcome.error, next, now);
	const at = retryAt(next);
	log.warn(
		{ error: outcome.error, failures: next.failureCount, retryInMs: next.retryInterval },
		'transaction failed; destination backed off',
	);
	ctx.emit('failed', {
		destination,
		txnId: txn.txnId,
		error: outcome.error,
		retryAt: at,
		failureCount: next.failureCount,
	});
	return { kind: 'failed', retryAt: at };
}

/**
 * Files a refusal by `federation_domain_whitelist` (docs/architecture.md 5): the error is stored (what `status`
 * shows) but the stored backoff is left as it was, and the longest interval is only this process's wait. The
 * whitelist is read at start-up, so the refusal holds exactly as long as this process runs; a restart with the
 * destination listed retries it at once, instead of waiting out days of a backoff its configuration no longer
 * causes (and a restart that still refuses it refuses it again at once, without I/O).
 */
async function fileDenial(
	ctx: DeliverContext,
	destination: string,
	txnId: string,
	error: string,
	previous: BackoffState,
	settings: TurnSettings,
): Promise<TurnOutcome> {
	const now = ctx.clock.now();
	await ctx.store.recordFailure(destination, txnId, error, previous, now);
	const at = now + settings.backoff.maxIntervalMs;
	settings.logger.warn(
		{ destination, txnId, error, retryInMs: settings.backoff.maxIntervalMs },
		'destination refused by federation_domain_whitelist; not tried again while this configuration runs',
	);
	ctx.emit('failed', { destination, txnId, error, retryAt: at, failureCount: previous.failureCount });
	return { kind: 'failed', retryAt: at };
}
