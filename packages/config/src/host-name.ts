/**
 * Host-name normalisation shared by proxy URLs, `no_proxy` entries and `server_name`: lower case, IDNA
 * (punycode) for Unicode names, no trailing dot, and a syntax check, so names compare as plain strings.
 */
import { domainToASCII, domainToUnicode } from 'node:url';

const ASCII_NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const NUMERIC_LABEL = /^(?:\d+|0x[0-9a-f]*)$/;

/**
 * Returns the canonical form of a DNS host name (lower case, ASCII/punycode, trailing dot removed), or a
 * reason when it is not a valid name. Names whose last label is numeric are refused: they are IPv4 addresses
 * written in a form (`127.1`, `10.0.0`) that tools read differently, so they must be written in full.
 */
export function normaliseHostName(text: string): { name: string } | { reason: string } {
	let name = text.toLowerCase();
	while (name.endsWith('.')) {
		name = name.slice(0, -1);
	}
	if (name === '') {
		return { reason: 'the host name is empty' };
	}
	// Plain ASCII names without punycode labels skip the IDNA step (a fast path for long no_proxy lists).
	if (!ASCII_NAME.test(name) || name.includes('xn--')) {
		const ascii = domainToASCII(name);
		if (ascii === '' || !ASCII_NAME.test(ascii) || !ascii.split('.').every(isValidAceLabel)) {
			return { reason: 'not a valid host name' };
		}
		name = ascii;
	}
	if (name.length > 253) {
		return { reason: 'the host name is longer than 253 characters' };
	}
	const labels = name.split('.');
	if (!labels.every((label) => LABEL.test(label))) {
		return { reason: 'not a valid host name (each label is 1 to 63 letters, digits, "-" or "_")' };
	}
	if (NUMERIC_LABEL.test(labels.at(-1) ?? '')) {
		return { reason: 'not a valid host name or IP address (write IPv4 addresses as four decimal numbers)' };
	}
	return { name };
}

/**
 * An `xn--` label must decode to a Unicode label. Node 20 refuses bad punycode in `domainToASCII`, Node 22+
 * passes it through unchanged, so check it here for the same answer on every version.
 */
export function isValidAceLabel(label: string): boolean {
	if (!label.startsWith('xn--')) return true;
	const unicode = domainToUnicode(label);
	return unicode !== '' && unicode !== label;
}
