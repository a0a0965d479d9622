/** One access-log line of a testkit Squid (format {@link squidLogFormat}). */
export interface SquidLogEntry {
	/** Unix time in seconds, with milliseconds. */
	readonly time: number;
	readonly clientAddress: string;
	/** Squid's result code: `TCP_MISS`, `TCP_TUNNEL`, `TCP_DENIED`, `NONE_NONE`, ... */
	readonly squidCode: string;
	/** HTTP status sent to the client (0 when none). */
	readonly status: number;
	/** `GET`, `CONNECT`, ... (`-` for a connection that sent no request). */
	readonly method: string;
	/** `http://host:port/path` for forwarded requests, `host:port` for CONNECT. */
	readonly url: string;
	/** The user name the client presented (also on a 407 for a wrong password), or undefined. */
	readonly user: string | undefined;
	/** Whether Squid tunnelled the connection (CONNECT answered 200). */
	readonly tunnel: boolean;
	/** Hierarchy code, e.g. `HIER_DIRECT`, `HIER_NONE`. */
	readonly hierarchy: string;
	/** Address Squid connected to upstream, or undefined (nothing was contacted). */
	readonly serverAddress: string | undefined;
	/** The line as written. */
	readonly raw: string;
}

function decodeUser(field: string): string {
	try {
		return decodeURIComponent(field);
	} catch {
		return field;
	}
}

function optional(field: string | undefined): string | undefined {
	return field === undefined || field === '-' || field === '' ? undefined : field;
}

/** Parses the text of a testkit Squid access log; lines not in the expected shape are skipped. */
export function parseSquidAccessLog(text: string): SquidLogEntry[] {
	const entries: SquidLogEntry[] = [];
	for (const raw of text.split('\n')) {
		const fields = raw.split('\t');
		if (fields.length !== 9) continue;
		const [time, client, squidCode, status, method, url, user, hierarchy, server] = fields as [
			string,
			string,
			string,
			string,
			string,
			string,
			string,
			string,
			string,
		];
		entries.push({
			time: Number(time),
			clientAddress: client,
			squidCode,
			status: Number(status) || 0,
			method,
			url,
			user: optional(decodeUser(user)),
			tunnel: squidCode.startsWith('TCP_TUNNEL'),
			hierarchy,
			serverAddress: optional(server),
			raw,
		});
	}
	return entries;
}
