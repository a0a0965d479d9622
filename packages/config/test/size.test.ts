import test from 'ava';
import { DEFAULT_MAX_UPLOAD_SIZE, parseSize } from '../src/size.js';
import { load } from './helpers.js';

const sizes: [input: unknown, bytes: number][] = [
	['50M', 52_428_800],
	['1G', 1_073_741_824],
	['100K', 102_400],
	['100k', 102_400],
	['10 M', 10_485_760],
	['12345', 12_345],
	[12_345, 12_345],
	[0, 0],
];

for (const [input, bytes] of sizes) {
	test(`size ${JSON.stringify(input)} is ${bytes} bytes`, (t) => {
		t.is(parseSize(input), bytes);
	});
}

for (const input of ['50MB', '1.5M', '-1', 'M', '', '5T', -1, 1.5, true, null]) {
	test(`size ${JSON.stringify(input)} is refused with a reason`, (t) => {
		t.is(typeof parseSize(input), 'string');
	});
}

test('max_upload_size defaults to 50M', (t) => {
	t.is(DEFAULT_MAX_UPLOAD_SIZE, 50 * 1024 * 1024);
	t.is(load().maxUploadSize, 50 * 1024 * 1024);
});

test('max_upload_size reads Synapse size strings and plain integers', (t) => {
	t.is(load('max_upload_size: 100K').maxUploadSize, 102_400);
	t.is(load('max_upload_size: 1G').maxUploadSize, 1024 ** 3);
	t.is(load('max_upload_size: 4096').maxUploadSize, 4096);
});
