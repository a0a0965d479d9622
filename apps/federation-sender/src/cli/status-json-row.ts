/**
 * One destination as `status` shows it: the stored status (`outbox/status-rows.ts` assembles it) plus the backoff
 * as it stands at the time of the command. Shared by the command and its table formatter.
 */
import { retryAt } from '../backoff/policy.js';
import type { DestinationStatus } from '../outbox/types.js';

/** One destination in `status --json`: the stored status plus the backoff as it stands now. */
export interface StatusJsonRow extends DestinationStatus {
	readonly backoffInForce: boolean;
	/** When the destination is tried again (ms since the epoch), or null when it is not backed off. */
	readonly retryAtTs: number | null;
}

/** Adds the time-dependent backoff fields (as of `nowMs`) to stored rows. */
export function withBackoffAt(rows: readonly DestinationStatus[], nowMs: number): StatusJsonRow[] {
	return rows.map((row) => {
		const at = retryAt(row.backoff);
		return { ...row, backoffInForce: at > nowMs, retryAtTs: at > 0 ? at : null };
	});
}
