/**
 * Scenario 1 again, on Node 24 in the same run: the proxy-requests scenario in a child process started with the
 * npm `node@24` package (`npx -p node@24`, cached by npx after the first run), its report merged under its own
 * title. Node 20 and 24 differ in V8 (hidden classes, GC) and in node:http, so the same code can rank differently.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Scenario, ScenarioReport } from '../lib/scenario.js';

const run = promisify(execFile);
const benchDir = fileURLToPath(new URL('../../', import.meta.url));
const NODE_PACKAGE = 'node@24';

/** The proxy-requests scenario on Node 24. */
export const proxyRequestsNode24: Scenario = {
	id: 'proxy-requests-node24',
	title: 'Requests through a real proxy (Squid), on Node 24',
	async run(ctx): Promise<ScenarioReport> {
		const args = ['--yes', '-p', NODE_PACKAGE, 'node', '--import', 'tsx', 'src/lib/scenario-child.ts'];
		args.push('proxy-requests', ...(ctx.quick ? ['--quick'] : []));
		ctx.log(`npx ${args.join(' ')}`);
		const child = run('npx', args, {
			cwd: benchDir,
			timeout: ctx.quick ? 120_000 : 600_000,
			maxBuffer: 16 * 1024 * 1024,
		});
		child.child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
		const { stdout } = await child;
		const lines = stdout.trim().split('\n');
		const report = JSON.parse(lines[lines.length - 1] ?? '') as ScenarioReport;
		const { stdout: version } = await run('npx', ['--yes', '-p', NODE_PACKAGE, 'node', '--version'], {
			cwd: benchDir,
		});
		// Tables and targets keep their titles: the report lists them under this scenario's title.
		return {
			...report,
			method: `Node ${version.trim()} (npm package \`${NODE_PACKAGE}\`), same code and set-up as section 1: ${report.method}`,
		};
	},
};
