import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { cliHarness } from './helpers/cli.js';

const pduJson = (n: number): string =>
	JSON.stringify({ type: 'm.room.message', room_id: '!r:origin.test', event_id: `$e${n}`, content: { n } });

test('enqueue stores --pdu and --edu files in command-line order and prints what was stored', async (t) => {
	const h = cliHarness(t);
	writeFileSync(join(h.dir, 'a.json'), pduJson(1));
	writeFileSync(join(h.dir, 'b.json'), JSON.stringify({ edu_type: 'm.typing', content: { typing: true } }));
	const result = await h.cli(
		[
			'enqueue',
			'--config',
			h.configPath,
			'--destination',
			'Remote.Test',
			'--pdu',
			join(h.dir, 'a.json'),
			'--edu',
			join(h.dir, 'b.json'),
			'--pdu',
			'-',
		],
		`[${pduJson(2)},${pduJson(3)}]`,
	);
	t.is(result.code, 0, result.stderr);
	t.deepEqual(result.stdout.trim().split('\n'), [
		`stored pdu #1 $e1 (${pduJson(1).length} bytes) for remote.test`,
		'stored edu #2 (49 bytes) for remote.test',
		`stored pdu #3 $e2 (${pduJson(2).length} bytes) for remote.test`,
		`stored pdu #4 $e3 (${pduJson(3).length} bytes) for remote.test`,
		'4 item(s) stored for remote.test',
	]);
	const status = await h.cli(['status', '--config', h.configPath, '--json']);
	const [row] = JSON.parse(status.stdout).destinations;
	t.like(row, {
		destination: 'remote.test',
		pendingPdus: 3,
		pendingEdus: 1,
		backoffInForce: false,
		inFlight: null,
	});
});

test('enqueue refuses invalid input with code: message on stderr and stores nothing', async (t) => {
	const h = cliHarness(t);
	writeFileSync(join(h.dir, 'good.json'), pduJson(1));
	writeFileSync(join(h.dir, 'bad.json'), '{"type": "m.room.message", "room_id": "!r", "depth": 1.5}');
	const first = await h.cli(
		['enqueue', '--config', h.configPath, '--destination', 'remote.test', '--pdu', '-'],
		pduJson(0),
	);
	t.is(first.code, 0);
	const bad = await h.cli([
		'enqueue',
		'--config',
		h.configPath,
		'--destination',
		'remote.test',
		'--pdu',
		join(h.dir, 'good.json'),
		'--pdu',
		join(h.dir, 'bad.json'),
	]);
	t.is(bad.code, 1);
	t.regex(bad.stderr, /^ERR_INVALID_ITEM: .*bad\.json\.depth: 1\.5 is not an integer/);
	const status = await h.cli(['status', '--config', h.configPath, '--json']);
	t.like(JSON.parse(status.stdout).destinations, [{ destination: 'remote.test', pendingPdus: 1 }]);

	const self = await h.cli(
		['enqueue', '--config', h.configPath, '--destination', 'origin.test', '--pdu', '-'],
		pduJson(1),
	);
	t.regex(self.stderr, /^ERR_INVALID_DESTINATION: origin\.test is this server's own name/);
	const noItems = await h.cli(['enqueue', '--config', h.configPath, '--destination', 'remote.test']);
	t.is(noItems.code, 2);
	t.regex(noItems.stderr, /^ERR_USAGE: /);
	const badName = await h.cli(
		['enqueue', '--config', h.configPath, '--destination', 'a b', '--pdu', '-'],
		pduJson(1),
	);
	t.regex(badName.stderr, /^ERR_INVALID_DESTINATION: /);
	const unknownFlag = await h.cli(['status', '--config', h.configPath, '--bogus']);
	t.is(unknownFlag.code, 2);
	t.regex(unknownFlag.stderr, /^ERR_USAGE: /);
});

test('status without an outbox is an error rather than an empty report', async (t) => {
	const h = cliHarness(t);
	const result = await h.cli(['status', '--config', h.configPath]);
	t.is(result.code, 1);
	t.regex(result.stderr, /^ERR_OUTBOX_MISSING: no outbox database at .*outbox\.db/);
});

test('an unreachable PostgreSQL outbox fails with ERR_DATABASE and the reason', async (t) => {
	const h = cliHarness(t, '');
	writeFileSync(
		h.configPath,
		`server_name: origin.test\nfederation_sender:\n  database: {name: psycopg2, args: {host: ${join(h.dir, 'no-socket-here')}, database: x}}\n`,
	);
	const result = await h.cli(
		['enqueue', '--config', h.configPath, '--destination', 'remote.test', '--pdu', '-'],
		pduJson(1),
	);
	t.is(result.code, 1);
	t.regex(result.stderr, /^ERR_DATABASE: cannot reach the outbox database: connect ENOENT/);
});

test('run delivers what enqueue stored, serves /metrics, and stops cleanly on SIGTERM', async (t) => {
	const h = cliHarness(t);
	for (let n = 0; n < 3; n++) {
		await h.cli(
			['enqueue', '--config', h.configPath, '--destination', 'remote.test', '--pdu', '-'],
			pduJson(n),
		);
	}
	const running = h.cli(['run', '--config', h.configPath]);
	const listening = await h.logged('metrics listening');
	await h.logged('transaction delivered');
	t.deepEqual(h.remote.received('remote.test'), ['$e0', '$e1', '$e2']);

	const metrics = await (await fetch(listening['metrics'] as string)).text();
	t.regex(metrics, /federation_sender_transactions_sent_total\{destination="remote.test"\} 1/);
	t.regex(metrics, /federation_sender_queue_depth\{destination="remote.test",kind="pdu"\} 0/);

	const busy = await h.cli(['run', '--config', h.configPath]);
	t.is(busy.code, 1);
	t.regex(busy.stderr, /^ERR_ALREADY_RUNNING: /);

	h.signal('SIGTERM');
	const result = await running;
	t.is(result.code, 0, result.stderr);
	t.truthy(h.logs.find((r) => r['msg'] === 'stopped'));
	const status = await h.cli(['status', '--config', h.configPath]);
	t.regex(status.stdout, /remote\.test\n {2}queued {8}0 PDU\(s\), 0 EDU\(s\)\n {2}delivered {5}3 item\(s\)/);
});

test('unknown commands and no command print the usage', async (t) => {
	const h = cliHarness(t);
	const none = await h.cli([]);
	t.is(none.code, 2);
	t.regex(none.stderr, /usage:\n {2}federation-sender run --config FILE/);
	const unknown = await h.cli(['frobnicate']);
	t.is(unknown.code, 2);
	t.regex(unknown.stderr, /^ERR_USAGE: unknown command "frobnicate"/);
});

test('resolve shows the candidate, its TLS names and the proxy route, without touching DNS for an explicit port', async (t) => {
	const h = cliHarness(t, 'https_proxy: http://user:secret@127.0.0.1:3128\n');
	const result = await h.cli(['resolve', 'Remote.Test:8448', '--config', h.configPath, '--json']);
	t.is(result.code, 0, result.stderr);
	const json = JSON.parse(result.stdout);
	t.is(json.serverName, 'remote.test:8448');
	t.like(json.candidates[0], {
		host: 'remote.test',
		port: 8448,
		hostHeader: 'remote.test:8448',
		sni: 'remote.test',
		source: 'explicit-port',
		route: { route: 'proxy', mode: 'tunnel', connect: '127.0.0.1:3128' },
	});
	t.notRegex(result.stdout, /secret/);
	t.is(json.wellKnownRoute, null, 'an explicit port means no .well-known');
	t.is(json.error, null);
	const human = await h.cli(['resolve', '127.0.0.1:8448', '--config', h.configPath]);
	t.is(human.code, 0, human.stderr);
	t.regex(human.stdout, /^Resolving "127\.0\.0\.1:8448":\n {2}1\. .*IPv4 literal/);
	t.regex(human.stdout, /1\. connect to 127\.0\.0\.1:8448; TLS name 127\.0\.0\.1 \(IP, no SNI\)/);
	t.regex(human.stdout, /route: blocked: IP literal 127\.0\.0\.1 is in ip_range_blacklist/);
	t.notRegex(human.stdout, /secret/);
});

test('resolve of a name that cannot be resolved shows the steps taken, then fails with the code', async (t) => {
	const h = cliHarness(t);
	const result = await h.cli(['resolve', 'remote.test', '--config', h.configPath]);
	t.is(result.code, 1);
	t.regex(result.stdout, /\.well-known https:\/\/remote\.test\/\.well-known\/matrix\/server: /);
	t.regex(result.stdout, /SRV lookup of _matrix-fed\._tcp\.remote\.test failed/);
	t.regex(result.stdout, /\.well-known request: direct to remote\.test:443/);
	t.regex(result.stderr, /^ERR_FEDERATION_RESOLUTION: cannot resolve "remote\.test"/);
	const json = await h.cli(['resolve', 'remote.test', '--config', h.configPath, '--json']);
	t.is(json.code, 1);
	t.like(JSON.parse(json.stdout), {
		serverName: 'remote.test',
		candidates: [],
		error: { code: 'ERR_FEDERATION_RESOLUTION' },
	});
});

test('resolve of an invalid server name is ERR_INVALID_DESTINATION', async (t) => {
	const h = cliHarness(t);
	const result = await h.cli(['resolve', 'not a name', '--config', h.configPath]);
	t.is(result.code, 1);
	t.regex(result.stderr, /^ERR_INVALID_DESTINATION: /);
});
