/**
 * Small statistics and number formatting for the report: medians of rounds, ratios, readable units.
 */

/** The median of the finite values (NaN when there are none). */
export function median(values: readonly number[]): number {
	const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
	if (v.length === 0) return Number.NaN;
	const mid = Math.floor(v.length / 2);
	return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Spread of the rounds as (max - min) / median, to flag noisy figures. */
export function spread(values: readonly number[]): number {
	const v = values.filter((x) => Number.isFinite(x));
	if (v.length < 2) return 0;
	return (Math.max(...v) - Math.min(...v)) / median(v);
}

/** `a / b`, NaN when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number {
	if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0)
		return Number.NaN;
	return a / b;
}

/** A count with thousands separators and sensible precision (`12,345`, `3.21`). */
export function fmtNumber(n: number, digits = 0): string {
	if (!Number.isFinite(n)) return 'n/a';
	return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A ratio as `0.93x`. */
export function fmtRatio(r: number): string {
	return Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a';
}

/** Bytes as MiB with one decimal. */
export function fmtMiB(bytes: number): string {
	return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : 'n/a';
}

/** A rate in operations per second, compact (`1.23 M/s`, `45.6 k/s`, `789 /s`). */
export function fmtRate(perSecond: number): string {
	if (!Number.isFinite(perSecond)) return 'n/a';
	if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
	if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)} k/s`;
	return `${perSecond.toFixed(perSecond < 100 ? 1 : 0)} /s`;
}
