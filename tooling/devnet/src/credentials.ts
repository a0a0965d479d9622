/**
 * The proxy credentials of one devnet run: a fixed user name and a fresh, distinctive password with a character
 * that must be percent-encoded in the proxy URL (so the run also proves the decoding). Every form in which the
 * password could leak is known, so logs and requests can be searched for all of them.
 */
import { randomBytes } from 'node:crypto';

/** Basic credentials for the proxy. */
export interface ProxyCredentials {
	readonly username: string;
	readonly password: string;
}

/** Fresh credentials: user `devnet`, password `s3cret@devnet-<16 hex digits>`. */
export function makeCredentials(): ProxyCredentials {
	return { username: 'devnet', password: `s3cret@devnet-${randomBytes(8).toString('hex')}` };
}

/** `https://user:password@host:port` with both parts percent-encoded: what an operator puts in `https_proxy`. */
export function proxyUrlWithCredentials(origin: string, credentials: ProxyCredentials): string {
	const url = new URL(origin);
	return `${url.protocol}//${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@${url.host}`;
}

/** The same URL with the password replaced by `***`, for display. */
export function redactedProxyUrl(origin: string, credentials: ProxyCredentials): string {
	const url = new URL(origin);
	return `${url.protocol}//${encodeURIComponent(credentials.username)}:***@${url.host}`;
}

/** One form of the secret, with a label that can be printed (the value never is). */
export interface SecretForm {
	readonly label: string;
	readonly value: string;
}

/**
 * Every form in which the password could show up: as is, percent-encoded, and inside a `Proxy-Authorization:
 * Basic` value. A log or request containing any of them leaks the credential.
 */
export function secretForms(credentials: ProxyCredentials): readonly SecretForm[] {
	const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
	return [
		{ label: 'the proxy password', value: credentials.password },
		{ label: 'the percent-encoded proxy password', value: encodeURIComponent(credentials.password) },
		{ label: 'the Basic proxy credentials', value: basic },
	];
}

/** The labels of the secret forms found in `text` (empty when it is clean); never the secret itself. */
export function findSecrets(text: string, forms: readonly SecretForm[]): string[] {
	return forms.filter((form) => text.includes(form.value)).map((form) => form.label);
}

/** `text` with every form of the secret replaced by `***` (for anything printed from a child's output). */
export function redactSecrets(text: string, forms: readonly SecretForm[]): string {
	return forms.reduce((result, form) => result.split(form.value).join('***'), text);
}
