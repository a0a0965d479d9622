import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** The host name of readiness probes; squid.conf denies it before anything else and keeps it out of the log. */
export const probeDomain = 'testkit-probe.invalid';

/** One listening port of a Squid to probe. */
export interface ProbeTarget {
	readonly host: string;
	readonly port: number;
	readonly tls: boolean;
}

/**
 * Sends one request for {@link probeDomain} and resolves true as soon as any HTTP answer arrives, false when the
 * port does not accept (yet) or the connection fails.
 *
 * Why a request and not just a TCP connect: Squid prints "Accepting ... connections" before its acceptor has called
 * listen() (the acceptor starts on the next event-loop pass), so the log line alone races; and a bare connection
 * that closes without a request is logged as `error:transaction-end-before-headers`, polluting the access log.
 */
export function probeSquid(target: ProbeTarget): Promise<boolean> {
	return new Promise((resolve) => {
		const request = `GET http://${probeDomain}/ HTTP/1.1\r\nHost: ${probeDomain}\r\nConnection: close\r\n\r\n`;
		// TLS probe: readiness only, nothing of value crosses it, so the (test CA) certificate is not checked here.
		const socket: Socket = target.tls
			? tlsConnect({ host: target.host, port: target.port, rejectUnauthorized: false }, () =>
					socket.write(request),
				)
			: netConnect({ host: target.host, port: target.port }, () => socket.write(request));
		const finish = (ready: boolean): void => {
			socket.destroy();
			resolve(ready);
		};
		socket.setTimeout(1000, () => finish(false));
		socket.once('data', (chunk: Buffer) => finish(chunk.subarray(0, 5).toString('latin1') === 'HTTP/'));
		socket.once('error', () => finish(false));
		socket.once('close', () => finish(false));
	});
}
