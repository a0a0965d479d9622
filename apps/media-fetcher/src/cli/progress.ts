/**
 * Download progress on stderr: a one-line bar redrawn in place on a terminal, plain lines otherwise (every tenth
 * of a known total, or every 8 MiB of an unknown one), so that logs of a non-interactive run stay readable.
 */
import type { Writable } from 'node:stream';

const WIDTH = 30;
const REDRAW_MS = 100;
const LINE_EVERY_BYTES = 8 * 1024 * 1024;

/** `1.5 MiB`-style sizes. */
export function formatBytes(bytes: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Reports progress of one download. */
export interface ProgressReporter {
	update(received: number, total: number | null): void;
	/** Ends the display (a final newline on a terminal). */
	finish(): void;
}

/** A reporter writing to `out`; `tty` chooses the bar or the lines. */
export function createProgressReporter(out: Writable, tty: boolean, label: string): ProgressReporter {
	let lastDraw = 0;
	let lastStep = -1;
	let drawn = false;
	const describe = (received: number, total: number | null): string =>
		total === null ? formatBytes(received) : `${formatBytes(received)} / ${formatBytes(total)}`;
	return {
		update(received, total) {
			if (tty) {
				const now = Date.now();
				if (now - lastDraw < REDRAW_MS && received !== total) return;
				lastDraw = now;
				const ratio = total === null || total === 0 ? null : Math.min(1, received / total);
				const bar =
					ratio === null
						? ''
						: `[${'#'.repeat(Math.round(ratio * WIDTH)).padEnd(WIDTH, '-')}] ${String(Math.floor(ratio * 100)).padStart(3)}% `;
				out.write(`\r\x1b[2K${label} ${bar}${describe(received, total)}`);
				drawn = true;
				return;
			}
			const step =
				total === null || total === 0
					? Math.floor(received / LINE_EVERY_BYTES)
					: Math.floor((received / total) * 10);
			if (step > lastStep) {
				lastStep = step;
				out.write(`${label}: ${describe(received, total)}\n`);
			}
		},
		finish() {
			if (tty && drawn) out.write('\n');
		},
	};
}
