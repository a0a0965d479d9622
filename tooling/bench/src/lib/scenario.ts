/**
 * The contract between the runner and one benchmark scenario: what a scenario receives, and the report it
 * hands back (tables of medians, targets met or missed, notes) for BENCHMARKS.md.
 */

/** A table of the report: a header row and rows of already-formatted cells. */
export interface Table {
	readonly title: string;
	readonly columns: readonly string[];
	readonly rows: readonly (readonly string[])[];
}

/** One target of the issue, checked against the figures (`met: null` when it could not be measured). */
export interface TargetResult {
	readonly target: string;
	readonly met: boolean | null;
	/** The figure and, when missed, by how much. */
	readonly detail: string;
}

/** What a scenario reports. */
export interface ScenarioReport {
	/** How it was measured: load shape, rounds, contenders, in a few sentences. */
	readonly method: string;
	readonly tables: readonly Table[];
	readonly targets: readonly TargetResult[];
	/** Findings, caveats, why a target was missed, contenders that could not run. */
	readonly notes: readonly string[];
}

/** What the runner gives every scenario. */
export interface ScenarioContext {
	/** Tiny counts for a smoke test. */
	readonly quick: boolean;
	/** Progress lines on stderr (never into the report). */
	log(message: string): void;
}

/** One benchmark scenario (one file each under src/scenarios). */
export interface Scenario {
	/** The `--only` id. */
	readonly id: string;
	readonly title: string;
	run(ctx: ScenarioContext): Promise<ScenarioReport>;
}
