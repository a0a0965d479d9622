import type { IncomingMessage } from 'node:http';

/** The body of a request, or `undefined` when it is larger than `maxBytes` (reading stops there). */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
	const declared = Number(request.headers['content-length'] ?? 0);
	if (declared > maxBytes) return undefined;
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request) {
		size += (chunk as Buffer).length;
		if (size > maxBytes) return undefined;
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

/** Whether a `Content-Type` header names JSON (`application/json`, parameters allowed). */
export function isJsonContentType(value: string | undefined): boolean {
	return value !== undefined && /^application\/json\s*(?:;|$)/i.test(value.trim());
}
