import test from 'ava';
import { dispatchCommand, type CommandTable } from '../src/index.js';

interface Captured {
	readonly stdout: { write(text: string): unknown };
	readonly stderr: { write(text: string): unknown };
	readonly out: string[];
	readonly err: string[];
}

function capture(): Captured {
	const out: string[] = [];
	const err: string[] = [];
	return {
		out,
		err,
		stdout: { write: (text: string) => out.push(text) },
		stderr: { write: (text: string) => err.push(text) },
	};
}

const USAGE = 'usage: tool go\n';

function table(go: (args: string[]) => Promise<number>): CommandTable<Captured> {
	return { usage: USAGE, commands: { go: (args) => go(args) } };
}

test('a command gets its arguments and its exit code is the exit code', async (t) => {
	const io = capture();
	let seen: string[] = [];
	const code = await dispatchCommand(
		table((args) => ((seen = args), Promise.resolve(3))),
		['go', '--x', 'y'],
		io,
	);
	t.is(code, 3);
	t.deepEqual(seen, ['--x', 'y']);
});

test('no command prints the usage on stderr and exits 2, --help prints it on stdout and exits 0', async (t) => {
	const none = capture();
	t.is(
		await dispatchCommand(
			table(() => Promise.resolve(0)),
			[],
			none,
		),
		2,
	);
	t.deepEqual(none.err, [USAGE]);
	for (const help of ['--help', '-h', 'help']) {
		const io = capture();
		t.is(
			await dispatchCommand(
				table(() => Promise.resolve(1)),
				[help],
				io,
			),
			0,
		);
		t.deepEqual(io.out, [USAGE]);
	}
});

test('an unknown command, even a name of Object.prototype, is a usage error', async (t) => {
	for (const name of ['nope', 'constructor', 'toString']) {
		const io = capture();
		t.is(
			await dispatchCommand(
				table(() => Promise.resolve(0)),
				[name],
				io,
			),
			2,
		);
		t.is(io.err.join(''), `ERR_USAGE: unknown command ${JSON.stringify(name)}\n${USAGE}`);
	}
});

test('a failing command prints code: message and exits 1; usage and parseArgs errors exit 2', async (t) => {
	const cases: Array<[unknown, string, number]> = [
		[Object.assign(new Error('boom'), { code: 'ERR_X' }), 'ERR_X: boom\n', 1],
		[new Error('plain'), 'ERR_UNEXPECTED: plain\n', 1],
		['a string', 'ERR_UNEXPECTED: a string\n', 1],
		[Object.assign(new Error('bad flag'), { code: 'ERR_USAGE' }), 'ERR_USAGE: bad flag\n', 2],
		[
			Object.assign(new Error('unknown'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }),
			'ERR_USAGE: unknown\n',
			2,
		],
	];
	for (const [thrown, line, exit] of cases) {
		const io = capture();
		t.is(
			await dispatchCommand(
				table(() => Promise.reject(thrown as Error)),
				['go'],
				io,
			),
			exit,
		);
		t.deepEqual(io.err, [line]);
	}
});
