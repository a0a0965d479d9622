import type { Socket } from 'node:net';
import type { ProxyEndpoint } from '@homeserver/config';
import { ProxyAuthRequiredError, ProxyError, ProxyRefusedError } from '../errors/proxy-errors.js';
import { describe } from './proxy-connection.js';

/** The largest CONNECT reply head we read; a proxy sending more is not speaking HTTP to us. */
const MAX_REPLY_HEAD = 16 * 1024;

/** One CONNECT request: `authority` is `host:port` with IPv6 bracketed. */
export interface ConnectRequest {
	readonly proxy: ProxyEndpoint;
	readonly authority: string;
	readonly userAgent: string | undefined;
}

/** Removes control characters and caps length: proxy-supplied text goes into our messages. */
export function printable(text: string, max = 200): string {
	return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, max);
}

/** The realm of a `Proxy-Authenticate` challenge (`Basic realm="Squid proxy"`), or null. */
export function parseRealm(challenge: string | undefined): string | null {
	if (challenge === undefined) return null;
	const match = /realm\s*=\s*(?:"([^"]*)"|([^\s,]+))/i.exec(challenge);
	const realm = match?.[1] ?? match?.[2];
	return realm === undefined ? null : printable(realm);
}

function requestText(request: ConnectRequest): string {
	let text = `CONNECT ${request.authority} HTTP/1.1\r\nHost: ${request.authority}\r\n`;
	const authorization = request.proxy.authorization;
	if (authorization !== undefined) text += `Proxy-Authorization: ${authorization}\r\n`;
	if (request.userAgent !== undefined) text += `User-Agent: ${request.userAgent}\r\n`;
	return `${text}\r\n`;
}

function replyError(request: ConnectRequest, head: string): Error | undefined {
	const lines = head.split('\r\n');
	const status = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
	const { proxy, authority } = request;
	if (status === null) {
		return new ProxyError(
			'ERR_PROXY_PROTOCOL',
			proxy.redacted,
			`proxy ${proxy.redacted} answered CONNECT ${authority} with something that is not HTTP: ${JSON.stringify(printable(lines[0] ?? '', 80))}`,
		);
	}
	const code = Number(status[1]);
	if (code >= 200 && code < 300) return undefined;
	if (code === 407) {
		const challenge = lines.find((line) => /^proxy-authenticate\s*:/i.test(line));
		const realm = parseRealm(challenge?.slice(challenge.indexOf(':') + 1));
		const advice = proxy.hasCredentials
			? 'it rejected the user name and password in the proxy URL'
			: 'add user:password@ to the proxy URL';
		return new ProxyAuthRequiredError(
			proxy.redacted,
			realm,
			`proxy ${proxy.redacted} (${proxy.source}) requires authentication: 407 to CONNECT ${authority}` +
				`${realm === null ? '' : ` (realm "${realm}")`}; ${advice}`,
		);
	}
	const text = printable(status[2] ?? '');
	return new ProxyRefusedError(
		proxy.redacted,
		code,
		text,
		`proxy ${proxy.redacted} refused CONNECT ${authority}: ${code} ${text}`.trimEnd(),
	);
}

/**
 * Sends `CONNECT authority HTTP/1.1` (with `Host`, and `Proxy-Authorization` when the proxy URL has credentials)
 * and reads the reply head. Resolves on any 2xx; rejects with ERR_PROXY_AUTH_REQUIRED (407, with the realm),
 * ERR_PROXY_REFUSED (other statuses), ERR_PROXY_PROTOCOL (not HTTP, oversized head, bytes after the head, or the
 * connection closed first) or ERR_PROXY_UNREACHABLE (socket error). No timer: the caller owns the deadline.
 */
export function connectHandshake(socket: Socket, request: ConnectRequest): Promise<void> {
	const { proxy, authority } = request;
	return new Promise((resolve, reject) => {
		let buffered: Buffer = Buffer.alloc(0);
		const fail = (error: Error): void => {
			cleanup();
			reject(error);
		};
		const protocolError = (what: string): ProxyError =>
			new ProxyError(
				'ERR_PROXY_PROTOCOL',
				proxy.redacted,
				`proxy ${proxy.redacted} ${what} (CONNECT ${authority})`,
			);
		const onData = (chunk: Buffer): void => {
			buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
			const end = buffered.indexOf('\r\n\r\n');
			if (end === -1) {
				if (buffered.length > MAX_REPLY_HEAD)
					fail(protocolError(`sent a CONNECT reply head over ${MAX_REPLY_HEAD} bytes`));
				return;
			}
			socket.pause();
			const error = replyError(request, buffered.subarray(0, end).toString('latin1'));
			if (error !== undefined) return fail(error);
			// The destination speaks first only after our TLS hello: bytes here would corrupt the tunnel.
			const rest = buffered.length - end - 4;
			if (rest > 0) return fail(protocolError(`sent ${rest} unexpected bytes after its 2xx CONNECT reply`));
			cleanup();
			resolve();
		};
		const onEnd = (): void => fail(protocolError('closed the connection before answering'));
		const onError = (error: Error): void =>
			fail(
				new ProxyError(
					'ERR_PROXY_UNREACHABLE',
					proxy.redacted,
					`connection to proxy ${proxy.redacted} failed during CONNECT ${authority}: ${describe(error)}`,
					{ cause: error },
				),
			);
		const cleanup = (): void => {
			socket.off('data', onData);
			socket.off('end', onEnd);
			socket.off('close', onEnd);
			socket.off('error', onError);
		};
		socket.on('data', onData);
		socket.once('end', onEnd);
		socket.once('close', onEnd);
		socket.once('error', onError);
		socket.write(requestText(request));
	});
}
