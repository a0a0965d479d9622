// A remote homeserver for the end-to-end tests: answers the federation and legacy media endpoints the way the
// test names by media ID, and a plain-http "CDN" for Location answers. Loopback only (testkit servers).
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	parseXMatrixAuthorization,
	verifySignedJson,
	xMatrixSignedObject,
	type SigningKey,
} from '@homeserver/federation';
import {
	startHttpServer,
	startHttpsServer,
	type DestinationServer,
	type TlsMaterial,
} from '@homeserver/testkit';
import { BOUNDARY, synapseInline } from './multipart.js';

export const HELLO = Buffer.from('Hello world!'.repeat(30));

export interface RemoteHomeserver {
	readonly server: DestinationServer;
	readonly cdn: DestinationServer;
	/** The server name, `remote.test:PORT` (an explicit port: no .well-known, no SRV). */
	readonly serverName: string;
	/** Requests to each endpoint kind, by media ID. */
	readonly calls: { federation: string[]; legacy: string[]; cdn: string[] };
	/** Problems with signatures seen (should stay empty). */
	readonly signatureProblems: string[];
	/** Holds `slow` answers until released. */
	release(): void;
	close(): Promise<void>;
}

function multipartHead(response: ServerResponse, extra: Record<string, string | number> = {}): void {
	response.writeHead(200, { 'content-type': `multipart/mixed; boundary=${BOUNDARY}`, ...extra });
}

function matrixError(response: ServerResponse, status: number, errcode: string): void {
	response
		.writeHead(status, { 'content-type': 'application/json' })
		.end(JSON.stringify({ errcode, error: errcode }));
}

/** Starts the remote homeserver; `origin` and `key` are the local server's, to check the signatures. */
export async function startRemoteHomeserver(
	tls: TlsMaterial,
	origin: string,
	key: SigningKey,
): Promise<RemoteHomeserver> {
	const calls = { federation: [] as string[], legacy: [] as string[], cdn: [] as string[] };
	const signatureProblems: string[] = [];
	let releaseSlow: () => void = () => undefined;
	const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
	const cdn = await startHttpServer((request, response) => {
		calls.cdn.push(request.url ?? '');
		if (request.url === '/redirect-to-literal') {
			// A hop the first URL did not show: it must be routed and checked on its own.
			response.writeHead(302, { location: `http://127.0.0.1:${cdn.port}/media/secret` }).end();
			return;
		}
		response.writeHead(200, {
			'content-type': 'text/plain',
			'content-disposition': 'inline; filename="from-cdn.txt"',
		});
		response.end(HELLO);
	});
	let serverName = '';
	const checkSignature = (request: IncomingMessage): void => {
		try {
			const auth = parseXMatrixAuthorization(request.headers.authorization ?? '');
			const signed = xMatrixSignedObject({
				method: request.method ?? '',
				uri: request.url ?? '',
				origin: auth.origin,
				destination: serverName,
			});
			verifySignedJson(
				{ ...signed, signatures: { [auth.origin]: { [auth.key]: auth.sig } } },
				origin,
				key.keyId,
				key.publicKey,
			);
			if (auth.destination !== serverName) signatureProblems.push(`destination ${auth.destination}`);
		} catch (error) {
			signatureProblems.push(`${request.url}: ${String(error)}`);
		}
	};
	const federation = async (
		id: string,
		request: IncomingMessage,
		response: ServerResponse,
	): Promise<void> => {
		calls.federation.push(id);
		checkSignature(request);
		switch (id) {
			case 'inline':
			case 'legacy_also':
				multipartHead(response);
				response.end(synapseInline(HELLO, 'text/plain', 'inline; filename=hello.txt'));
				return;
			case 'slow':
				await slowGate;
				multipartHead(response);
				response.end(synapseInline(HELLO));
				return;
			case 'location':
			case 'location_blocked':
			case 'location_redirect': {
				const target = {
					location: `cdn.test:${cdn.port}/media/${id}`,
					location_blocked: `127.0.0.1:${cdn.port}/media/${id}`,
					location_redirect: `cdn.test:${cdn.port}/redirect-to-literal`,
				}[id];
				multipartHead(response);
				response.end(
					`\r\n--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${BOUNDARY}\r\nLocation: http://${target}\r\n\r\n--${BOUNDARY}--\r\n`,
				);
				return;
			}
			case 'legacy':
				return matrixError(response, 404, 'M_UNRECOGNIZED');
			case 'legacy_html':
				response.writeHead(404, { 'content-type': 'text/html' }).end('<html>Not Found</html>');
				return;
			case 'missing':
				return matrixError(response, 404, 'M_NOT_FOUND');
			case 'big_announced':
				multipartHead(response, { 'content-length': 10 * 1024 * 1024 });
				response.write(`--${BOUNDARY}\r\n`);
				return; // never finishes: only the announced length can end this quickly
			case 'big_chunked':
				multipartHead(response);
				response.end(synapseInline(Buffer.alloc(64 * 1024 + 1, 3)));
				return;
			case 'stall': {
				multipartHead(response);
				const body = synapseInline(HELLO);
				response.write(body.subarray(0, body.length - 100));
				return; // stalls
			}
			case 'malformed':
				multipartHead(response);
				response.end(
					`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\n{}\r\n--${BOUNDARY}\r\n\r\nx\r\n--${BOUNDARY}--`,
				);
				return;
			default:
				return matrixError(response, 404, 'M_NOT_FOUND');
		}
	};
	const server = await startHttpsServer(tls, async (request, response) => {
		const url = new URL(request.url ?? '/', 'https://remote.test');
		const federationMatch = /^\/_matrix\/federation\/v1\/media\/download\/([^/]+)$/.exec(url.pathname);
		if (federationMatch !== null) return federation(federationMatch[1]!, request, response);
		const legacyMatch = /^\/_matrix\/media\/v3\/download\/([^/]+)\/([^/]+)$/.exec(url.pathname);
		if (legacyMatch !== null) {
			const id = legacyMatch[2]!;
			calls.legacy.push(`${id}?${url.searchParams.toString()}`);
			if (id !== 'legacy' && id !== 'legacy_html') return matrixError(response, 404, 'M_NOT_FOUND');
			response.writeHead(200, {
				'content-type': 'image/png',
				'content-length': HELLO.length,
				'content-disposition': 'inline; filename="legacy.png"',
			});
			response.end(HELLO);
			return;
		}
		return matrixError(response, 404, 'M_UNRECOGNIZED');
	});
	serverName = `remote.test:${server.port}`;
	return {
		server,
		cdn,
		serverName,
		calls,
		signatureProblems,
		release: () => releaseSlow(),
		async close() {
			releaseSlow();
			await Promise.all([server.close(), cdn.close()]);
		},
	};
}
