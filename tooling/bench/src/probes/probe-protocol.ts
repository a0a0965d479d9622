/**
 * Messages of the probe children: the parent sends one job, the child answers with one result and exits.
 * Probes run in their own process so that their memory figures are theirs alone.
 */

/** Proxy and trust settings every probe needs. */
export interface ProbeProxy {
	readonly host: string;
	readonly port: number;
	readonly username: string;
	readonly password: string;
	readonly caPem: string;
	readonly caFile: string;
}

/** Download one URL through the proxy and throw the bytes away. */
export interface StreamJob {
	readonly type: 'stream';
	readonly client: 'ours' | 'raw';
	readonly url: string;
	readonly expectedBytes: number;
	readonly proxy: ProbeProxy;
}

/** The result of a {@link StreamJob}. */
export interface StreamResult {
	readonly type: 'result';
	readonly bytes: number;
	readonly elapsedMs: number;
	/** VmRSS once the client was ready, before the download. */
	readonly rssBefore: number;
	/** VmHWM at the end: the peak of the whole process. */
	readonly peakRss: number;
}

/** A probe that failed. */
export interface ProbeFailure {
	readonly type: 'result';
	readonly error: string;
}
