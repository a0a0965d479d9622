/**
 * Step 2: media. A homeserver client asks the media-fetcher (plain HTTP on loopback) for remote media; the
 * media-fetcher downloads it from the remote homeserver through the proxy (a CONNECT tunnel), or from the CDN its
 * `Location` names (an absolute-form request to the proxy), stores it and serves the local copy. The bytes must be
 * identical (sha256), and a second request must be answered from the store without asking the remote again.
 */
import { createHash } from 'node:crypto';
import { localGet } from '../local-get.js';
import type { PeerMedia } from '../remote-peer.js';
import type { MediaRecord, StepContext } from '../scenario-types.js';

/** The client-API path of a remote media item on the media-fetcher. */
export function downloadPath(serverName: string, mediaId: string): string {
	return `/_matrix/client/v1/media/download/${serverName}/${mediaId}`;
}

function kib(bytes: number): string {
	return `${Math.round(bytes / 1024)} KiB`;
}

async function fetchTwice(
	context: StepContext,
	media: PeerMedia,
	remoteDownloads: () => number,
	how: string,
	route: 'proxy' | 'direct' | 'blocked',
	source: string,
): Promise<MediaRecord> {
	const { devnet } = context;
	const path = downloadPath(devnet.remote.serverName, media.mediaId);
	const first = await localGet(devnet.ports.mediaFetcher, path);
	const sha256 = createHash('sha256').update(first.body).digest('hex');
	const matches = first.status === 200 && sha256 === media.sha256 && first.body.length === media.bytes.length;
	context.emit({
		step: 'media',
		route,
		ok: matches,
		ms: first.ms,
		text: `mxc://${devnet.remote.serverName}/${media.mediaId} ${kib(first.body.length)} ${how}; HTTP ${first.status}, sha256 ${matches ? 'identical' : 'DIFFERENT'} (${sha256.slice(0, 12)}…)`,
	});
	if (!matches)
		context.fail(`media ${media.mediaId}: HTTP ${first.status}, ${first.body.length} bytes, sha256 differs`);
	const second = await localGet(devnet.ports.mediaFetcher, path);
	const same = second.status === 200 && second.body.equals(media.bytes);
	const downloads = remoteDownloads();
	context.emit({
		step: 'media',
		route: 'local',
		ok: same && downloads === 1,
		ms: second.ms,
		text: `  again: served from the local store; ${source} was asked ${downloads} time(s) in all`,
	});
	if (!same || downloads !== 1) {
		context.fail(`media ${media.mediaId}: second GET HTTP ${second.status}, remote asked ${downloads} times`);
	}
	return {
		mediaId: media.mediaId,
		status: first.status,
		bytes: first.body.length,
		sha256Matches: matches && same,
		ms: first.ms,
		remoteDownloads: downloads,
	};
}

/** Downloads the inline media and the CDN media, each twice. */
export async function runMedia(context: StepContext): Promise<MediaRecord[]> {
	const { remote } = context.devnet;
	const federationUrl = `https://${remote.serverName}/_matrix/federation/v1/media/download/x`;
	const federation = context.router.route(federationUrl, 'federation');
	const inline = await fetchTwice(
		context,
		remote.inlineMedia,
		() => remote.homeserver.media.downloads(remote.inlineMedia.mediaId),
		`via CONNECT ${federation.target.host}:${federation.target.port} (signed, multipart)`,
		federation.route,
		'the remote',
	);
	const location = `http://localhost:${remote.cdnPort}/media/${remote.cdnMedia.mediaId}`;
	const redirect = context.router.route(location, 'media_redirect');
	const cdn = await fetchTwice(
		context,
		remote.cdnMedia,
		() => remote.cdn.requests.length,
		`via Location ${location} (${redirect.mode ?? redirect.route}, ${redirect.reason})`,
		redirect.route,
		'the CDN',
	);
	return [inline, cdn];
}
