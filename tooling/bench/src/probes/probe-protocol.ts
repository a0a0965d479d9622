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

/**
 * Download through the proxy: `ours`/`raw` stream `url` into /dev/null; `media-fetcher` fetches
 * `mxc://<serverName>/b<expectedBytes>` into a media store in `dir` (signed request, multipart, sha256, file).
 */
export interface StreamJob {
	readonly type: 'stream';
	readonly client: 'ours' | 'raw' | 'media-fetcher';
	readonly url: string;
	/** For media-fetcher: the remote server name (`host:port`) and a private directory for store, database, key. */
	readonly serverName: string;
	readonly dir: string;
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

/** Talk to many distinct destinations (`d<i>.<suffix>`), reporting memory at checkpoints. */
export interface DestinationsJob {
	readonly type: 'destinations';
	/** `ours` through the proxy or direct, or a bare node keep-alive agent (direct, no caps) for reference. */
	readonly client: 'ours-proxy' | 'ours-direct' | 'raw-direct';
	readonly suffix: string;
	readonly port: number;
	readonly count: number;
	readonly checkpoints: readonly number[];
	readonly concurrency: number;
	/** Stop starting requests after this long. */
	readonly maxMs: number;
	/** After the last request, wait this long and measure again (idle sockets expire). 0: skip. */
	readonly idleWaitMs: number;
	readonly proxy: ProbeProxy;
}

/** Memory and descriptors at one checkpoint. */
export interface Checkpoint {
	/** Destinations talked to so far (`idle` for the measurement after the idle wait). */
	readonly at: number | 'idle';
	/** VmRSS after a full GC. */
	readonly rss: number;
	readonly heapUsed: number;
	readonly openFds: number;
}

/** The result of a {@link DestinationsJob}. */
export interface DestinationsResult {
	readonly type: 'result';
	readonly done: number;
	readonly errors: number;
	readonly firstError: string | undefined;
	readonly elapsedMs: number;
	readonly baseline: Checkpoint;
	readonly checkpoints: readonly Checkpoint[];
}
