/**
 * Synapse's size strings (`max_upload_size: 50M`): a whole number with an optional K, M or G suffix
 * (powers of 1024), or a plain YAML integer of bytes.
 */

const SIZE = /^(\d+)\s*([kmg]?)$/i;
const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** 50M, Synapse's default `max_upload_size`, in bytes. */
export const DEFAULT_MAX_UPLOAD_SIZE = 50 * 1024 * 1024;

/**
 * Parses a size (`100K`, `50M`, `1G`, `12345`, or a non-negative integer) into bytes; returns a reason string
 * when the value is not a size.
 */
export function parseSize(value: unknown): number | string {
	if (typeof value === 'number') {
		return Number.isSafeInteger(value) && value >= 0
			? value
			: 'a size must be a whole number of bytes, 0 or more';
	}
	if (typeof value !== 'string') {
		return 'a size must be a number of bytes or a string like "50M"';
	}
	const match = SIZE.exec(value.trim());
	if (match === null) {
		return 'not a size: use a whole number with an optional K, M or G suffix, like "50M"';
	}
	const bytes = Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
	return Number.isSafeInteger(bytes) ? bytes : 'the size is too large';
}
