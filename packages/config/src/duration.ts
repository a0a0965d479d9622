/**
 * Synapse's durations (`Config.parse_duration`): a YAML integer is milliseconds; text is a whole number with an
 * optional suffix `s`, `m`, `h`, `d`, `w` or `y` (365 days), and no suffix means milliseconds again.
 */

const DURATION = /^(\d+)([smhdwy]?)$/;
const UNIT_MS: Readonly<Record<string, number>> = {
	'': 1,
	s: 1000,
	m: 60_000,
	h: 3_600_000,
	d: 86_400_000,
	w: 7 * 86_400_000,
	y: 365 * 86_400_000,
};

/** Parses a duration into milliseconds; returns a reason string when the value is not one. */
export function parseDuration(value: unknown): number | string {
	if (typeof value === 'number') {
		return Number.isSafeInteger(value) && value >= 0
			? value
			: 'a duration must be a whole number of milliseconds, 0 or more';
	}
	if (typeof value !== 'string') {
		return 'a duration must be a number of milliseconds or a string like "60s"';
	}
	const match = DURATION.exec(value.trim());
	if (match === null) {
		return 'not a duration: use a whole number with an optional s, m, h, d, w or y suffix, like "10m"';
	}
	const ms = Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 1);
	return Number.isSafeInteger(ms) ? ms : 'the duration is too long';
}
