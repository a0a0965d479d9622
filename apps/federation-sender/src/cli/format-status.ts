/** The human form of `status`: one block per destination, aligned, with durations in words. */
import type { StatusJsonRow } from './status-json-row.js';
import { terminalSafe } from '@homeserver/config';

/** `3d 4h`, `12m 5s`, `40s`: a duration, coarsely. */
export function formatDuration(ms: number): string {
	const s = Math.max(0, Math.round(ms / 1000));
	const units: [string, number][] = [
		['d', 86_400],
		['h', 3600],
		['m', 60],
		['s', 1],
	];
	const parts: string[] = [];
	let rest = s;
	for (const [unit, size] of units) {
		if (rest >= size || (unit === 's' && parts.length === 0)) {
			parts.push(`${Math.floor(rest / size)}${unit}`);
			rest %= size;
		}
		if (parts.length === 2) break;
	}
	return parts.join(' ');
}

/** The whole report. */
export function formatStatusTable(rows: readonly StatusJsonRow[], nowMs: number): string {
	if (rows.length === 0) return 'outbox empty: no destinations\n';
	const lines: string[] = [];
	for (const row of rows) {
		// Destinations, txnIds and remote error texts come from outside: escaped for the terminal.
		lines.push(terminalSafe(row.destination));
		lines.push(`  queued        ${row.pendingPdus} PDU(s), ${row.pendingEdus} EDU(s)`);
		lines.push(
			`  delivered     ${row.deliveredItems} item(s), ${row.rejectedPdus} PDU(s) rejected by the destination`,
		);
		if (row.supersededPdus > 0)
			lines.push(
				`  superseded    ${row.supersededPdus} older PDU(s) skipped by catch-up (the destination fetches them)`,
			);
		if (row.expiredEdus > 0)
			lines.push(`  expired       ${row.expiredEdus} ephemeral EDU(s) not sent in time`);
		const txn = row.inFlight;
		lines.push(
			txn === null
				? '  in flight     none'
				: `  in flight     txn ${terminalSafe(txn.txnId)}: ${txn.pduCount} PDU(s), ${txn.eduCount} EDU(s), ${txn.attempts} attempt(s)`,
		);
		lines.push(
			row.backoffInForce && row.retryAtTs !== null
				? `  backoff       retry in ${formatDuration(row.retryAtTs - nowMs)} (at ${new Date(row.retryAtTs).toISOString()}), ${row.backoff.failureCount} failure(s) in a row`
				: '  backoff       none',
		);
		if (row.lease !== null)
			lines.push(
				`  held by       ${terminalSafe(row.lease.instance)} (lease until ${new Date(row.lease.expiresTs).toISOString()})`,
			);
		if (row.lastError !== null) lines.push(`  last error    ${terminalSafe(row.lastError)}`);
		if (row.lastSuccessTs !== null)
			lines.push(`  last success  ${new Date(row.lastSuccessTs).toISOString()}`);
	}
	return `${lines.join('\n')}\n`;
}
