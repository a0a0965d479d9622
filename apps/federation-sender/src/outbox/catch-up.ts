/**
 * Catch-up after a long outage, as Synapse does it (`per_destination_queue.py`, catch-up mode; docs/architecture.md
 * 5): when a destination that was failing for longer than the threshold (`federation_sender.catch_up_after`,
 * one hour by default) answers 200 again, only the newest queued PDU of each room is still sent; the older queued
 * PDUs of those rooms are marked `superseded`, because the remote fetches the missing history itself from the
 * newest event's `prev_events` (`/get_missing_events`, backfill). The decision and the marking happen in the
 * database transaction that files the 200, so a crash cannot leave half of it. The open transaction that was
 * being retried is never rebuilt (it was sent with its stored txnId and body, and that is what the 200 answers);
 * EDUs are not touched (ephemeral ones expire on their own rules).
 */

/** The stored `error` of a PDU skipped by catch-up (its state is `superseded`). */
export const SUPERSEDED_REASON =
	'superseded: a newer PDU of its room was sent after a long outage (the destination fetches the history itself)';

/**
 * Whether filing a 200 at `nowMs` ends an outage long enough for catch-up: the destination's current run of
 * failures began (`failureTs`) more than `catchUpAfterMs` ago.
 */
export function endsLongOutage(failureTs: number | null, nowMs: number, catchUpAfterMs: number | undefined): boolean {
	return catchUpAfterMs !== undefined && failureTs !== null && nowMs - failureTs > catchUpAfterMs;
}
