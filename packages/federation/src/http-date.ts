/**
 * Parsing of HTTP dates (RFC 9110 section 5.6.7) for `Expires` and `Retry-After`. `Date.parse` is not used: it
 * accepts far too much (`Date.parse('0')` is the year 2000), while an invalid date must count as "already
 * expired".
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate). */
const IMF_FIXDATE = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
/** `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete RFC 850 form). */
const RFC_850 = /^[A-Za-z]{6,9}, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
/** `Sun Nov  6 08:49:37 1994` (obsolete asctime form). */
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) ( \d|\d{2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * Milliseconds since the epoch for an HTTP date in any of the three forms RFC 9110 requires recipients to
 * accept, or `undefined` when the text is not such a date. Two-digit RFC 850 years are read as 1970-2069.
 */
export function parseHttpDate(text: string): number | undefined {
	const value = text.trim();
	let match = IMF_FIXDATE.exec(value);
	if (match !== null) {
		return build(match[3], match[2], match[1], match[4], match[5], match[6]);
	}
	match = RFC_850.exec(value);
	if (match !== null) {
		const twoDigits = Number(match[3]);
		const year = String(twoDigits < 70 ? 2000 + twoDigits : 1900 + twoDigits);
		return build(year, match[2], match[1], match[4], match[5], match[6]);
	}
	match = ASCTIME.exec(value);
	if (match !== null) {
		return build(match[6], match[1], match[2], match[3], match[4], match[5]);
	}
	return undefined;
}

function build(
	year: string | undefined,
	monthName: string | undefined,
	day: string | undefined,
	hour: string | undefined,
	minute: string | undefined,
	second: string | undefined,
): number | undefined {
	const month = MONTHS.indexOf((monthName ?? '').toLowerCase());
	const [y, d, h, m, s] = [year, day, hour, minute, second].map((part) => Number((part ?? '').trim()));
	if (
		month < 0 ||
		y === undefined ||
		d === undefined ||
		h === undefined ||
		m === undefined ||
		s === undefined
	) {
		return undefined;
	}
	if (d < 1 || d > 31 || h > 23 || m > 59 || s > 60) {
		return undefined;
	}
	const time = Date.UTC(y, month, d, h, m, Math.min(s, 59));
	// Reject dates such as 31 Feb that Date.UTC would roll over into the next month.
	return new Date(time).getUTCDate() === d ? time : undefined;
}
