/**
 * Memory figures of the current process from /proc/self/status (Linux), with a portable fallback, and
 * the number of open file descriptors (sockets kept by a pool show up there).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Current and peak resident set size, in bytes. */
export interface MemoryFigures {
	/** VmRSS: resident now. */
	readonly rss: number;
	/** VmHWM: the peak resident size since the process started. */
	readonly peakRss: number;
}

function statusKiB(text: string, key: string): number | undefined {
	const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
	return m ? Number(m[1]) * 1024 : undefined;
}

/** Reads VmRSS and VmHWM; elsewhere, `process.memoryUsage().rss` and `resourceUsage().maxRSS`. */
export function memoryFigures(): MemoryFigures {
	try {
		const text = readFileSync('/proc/self/status', 'utf8');
		const rss = statusKiB(text, 'VmRSS');
		const peakRss = statusKiB(text, 'VmHWM');
		if (rss !== undefined && peakRss !== undefined) return { rss, peakRss };
	} catch {
		// not Linux: fall through
	}
	return { rss: process.memoryUsage().rss, peakRss: process.resourceUsage().maxRSS * 1024 };
}

/** Open file descriptors of this process (NaN where /proc is absent). */
export function openDescriptors(): number {
	try {
		return readdirSync('/proc/self/fd').length;
	} catch {
		return Number.NaN;
	}
}
