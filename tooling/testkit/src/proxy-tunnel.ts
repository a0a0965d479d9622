import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { basicChallenge } from './proxy-auth.js';
import type { ProxyContext } from './proxy-context.js';
import { parseAuthority } from './proxy-destination.js';
import type { ProxyLogEntry, ProxyOutcome } from './proxy-log.js';

function statusLine(status: number, reason = STATUS_CODES[status] ?? 'Status'): string {
	return `HTTP/1.1 ${status} ${reason}\r\n`;
}

/** Answers a CONNECT with a non-tunnel status and closes the connection (as Squid does). */
function refuse(
	socket: Socket,
	entry: ProxyLogEntry,
	status: number,
	outcome: ProxyOutcome,
	headers: Record<string, string> = {},
): void {
	entry.status = status;
	entry.outcome = outcome;
	const body = `${status} ${STATUS_CODES[status] ?? ''} (testkit proxy: ${outcome})\n`;
	const lines = Object.entries({
		...headers,
		'Content-Type': 'text/plain',
		'Content-Length': String(Buffer.byteLength(body)),
		Connection: 'close',
	}).map(([name, value]) => `${name}: ${value}\r\n`);
	socket.end(`${statusLine(status)}${lines.join('')}\r\n${body}`);
}

/**
 * Handles `CONNECT host:port`: auth, the configured `connectStatus` / `stallAfterConnect` behaviours, the loopback
 * check, then a byte-for-byte tunnel (so TLS, and TLS-in-TLS through an https proxy, pass through untouched).
 */
export async function openTunnel(
	context: ProxyContext,
	request: IncomingMessage,
	socket: Socket,
	head: Buffer,
): Promise<void> {
	socket.on('error', () => socket.destroy());
	context.connects += 1;
	const entry = context.record(request);
	const { auth, connectStatus, stallAfterConnect } = context.settings;
	if (!context.authorize(request, entry)) {
		refuse(socket, entry, 407, 'auth-required', auth ? { 'Proxy-Authenticate': basicChallenge(auth) } : {});
		return;
	}
	const successStatus = connectStatus ?? 200;
	if (successStatus < 200 || successStatus > 299) {
		refuse(socket, entry, successStatus, 'connect-status');
		return;
	}
	const authority = parseAuthority(entry.target);
	if (authority === undefined) {
		refuse(socket, entry, 400, 'bad-request');
		return;
	}
	if (stallAfterConnect) {
		entry.status = successStatus;
		entry.outcome = 'stalled';
		socket.write(`${statusLine(successStatus, 'Connection established')}\r\n`);
		return;
	}
	const decision = await context.destination(authority.host, entry);
	if (decision.kind !== 'ok') {
		refuse(socket, entry, 502, decision.kind);
		return;
	}
	const upstream = connect({ host: decision.address, port: authority.port });
	context.sockets.hold(upstream);
	let connected = false;
	upstream.on('error', () => {
		if (connected) socket.destroy();
		else refuse(socket, entry, 502, 'upstream-error');
	});
	upstream.on('close', () => {
		if (connected) socket.destroy();
	});
	socket.on('close', () => upstream.destroy());
	upstream.on('connect', () => {
		connected = true;
		context.tunnels += 1;
		entry.status = successStatus;
		entry.outcome = 'tunnel';
		socket.write(`${statusLine(successStatus, 'Connection established')}\r\n`);
		if (head.length > 0) upstream.write(head);
		socket.pipe(upstream);
		upstream.pipe(socket);
	});
}
