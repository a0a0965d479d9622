// What comes from input (media ids, server names) is escaped when the CLI prints it (config's terminalSafe).
import { PassThrough } from 'node:stream';
import { loadConfig } from '@homeserver/config';
import test from 'ava';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/main.js';

const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function io(): { io: CliIo; stderr: () => string } {
	const chunks: Buffer[] = [];
	const stderr = new PassThrough();
	stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
	return {
		io: {
			stdout: new PassThrough(),
			stderr,
			stderrIsTty: false,
			loadConfig: (configPath) => loadConfig({ env: {}, configPath }),
		},
		stderr: () => Buffer.concat(chunks).toString(),
	};
}

test('a hostile mxc URI or command name is printed escaped in the error line', async (t) => {
	for (const argv of [
		['fetch', 'mxc://remote.example/a\u009b31m\u202eb', '--config', 'x.yaml'],
		['fetch', 'mxc://re\u009bmote\u202e.example/abc', '--config', 'x.yaml'],
		['fe\u009btch\u202e'],
	]) {
		const run = io();
		t.not(await runCli(argv, run.io), 0);
		t.false(RAW.test(run.stderr()), JSON.stringify(run.stderr()));
		t.regex(run.stderr(), /^ERR_[A-Z_]+: /);
	}
});
